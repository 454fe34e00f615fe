"""kinema as a gateway: a second kinema server on 127.0.0.1 plays the upstream Kling API (it speaks the wire
contract), over real HTTP, with real workers on both sides.

The upstream is stopped and restarted, and the gateway killed with SIGKILL and restarted, on the same ports
and data folders; the upstream's own task list (queried with the gateway's upstream account) is the witness
of what the gateway sent: one upstream task per gateway task, under the credentials configured.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from kinema.jobs.service import CANCEL_MSG
from tests.api.media import png_b64, portrait_b64
from tests.api.server import Server, free_port, start_server, wait_for
from tests.support.openapi_check import OpenApiDocument

pytestmark = pytest.mark.timeout(600)

I2V = "/v1/videos/image2video"
T2A = "/v1/audio/text-to-audio"
V2A = "/v1/audio/video-to-audio"
TTS = "/v1/audio/tts"
T2V = "/v1/videos/text2video"
EXTEND = "/v1/videos/video-extend"
AVATAR = "/v1/videos/avatar/image2video"
SPEECH = {
    "text": "Hello from the gateway, this is a short test sentence.",
    "voice_id": "AOT",
    "voice_language": "en",
}
UP_ACCOUNT = "gateway-account"
UPSTREAM_ENV = {
    "KINEMA_WORKERS": "2",
    "KINEMA_LIMIT_OVERRIDES": '{"i2v_negative_prompt_max_chars": 20, "tts_text_max_chars": 80}',
    "KINEMA_ALLOW_PRIVATE_URLS": "true",  # its callbacks go to the gateway on 127.0.0.1
}


@pytest.fixture(scope="module")
def upstream_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The upstream's settings: stricter than the gateway (negative_prompt <= 20 chars, TTS text <= 80), so
    that a request the gateway accepts is refused upstream and the refusal must come back with the upstream's
    code and message; and text to video served there (a tiny random pipeline, tests/engines/generative),
    while the gateway has no model: only forwarding can make its text2video tasks."""
    from tests.engines.generative.tiny import TINY, save_t2v

    t2v = save_t2v(Path(tmp_path_factory.mktemp("models")) / "wan-t2v")
    return {**UPSTREAM_ENV, "KINEMA_MODELS": json.dumps({"kling-v2-6": {"path": str(t2v), **TINY}})}


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory, upstream_env: dict[str, str]) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("upstream"), **upstream_env)
    yield srv
    srv.stop()


def _gateway_env(up: Server, **extra: str) -> dict[str, str]:
    return {
        "KINEMA_UPSTREAM_URL": up.base,
        "KINEMA_UPSTREAM_ROUTES": "image2video,text_to_audio,tts,text2video,video_extend",
        "KINEMA_UPSTREAM_SYNC_DEADLINE_S": "3",
        "KINEMA_UPSTREAM_CONCURRENCY": "1",
        "KINEMA_UPSTREAM_POLL_S": "0.2",
        "KINEMA_UPSTREAM_RETRY_MAX_S": "1",
        "KINEMA_ALLOW_PRIVATE_URLS": "true",  # the upstream's result URLs are on 127.0.0.1 here
        "KINEMA_WORKERS": "2",
        "KINEMA_UPSTREAM_DEDUPE_WINDOW_S": "3600",
        **extra,
    }


@pytest.fixture(scope="module")
def up_key(upstream: Server) -> str:
    return upstream.new_key(UP_ACCOUNT)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, upstream: Server, up_key: str) -> Iterator[Server]:
    srv = start_server(
        tmp_path_factory.mktemp("gateway"), **_gateway_env(upstream, KINEMA_UPSTREAM_API_KEY=up_key)
    )
    yield srv
    srv.stop()


def _create(srv: Server, path: str, body: dict[str, Any]) -> str:
    with srv.client() as c:
        reply = c.post(path, json=body).json()
    assert reply["code"] == 0, reply
    return str(reply["data"]["task_id"])


def _upstream_task(upstream: Server, up_key: str, path: str, external_id: str) -> dict[str, Any]:
    with upstream.client(up_key) as c:
        reply = c.get(path, params={"external_task_id": external_id}).json()
    assert reply["code"] == 0, reply
    return dict(reply["data"])


def _upstream_count(upstream: Server, up_key: str, path: str) -> int:
    with upstream.client(up_key) as c:
        return len(c.get(path, params={"pageSize": 500}).json()["data"])


def _sha(client: httpx.Client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, url
    return hashlib.sha256(resp.content).hexdigest()


def _i2v(**extra: Any) -> dict[str, Any]:
    return {"image": png_b64(512, 512, seed=3), "prompt": "slow push in", "duration": "5", **extra}


def test_forwarded_archived_queued_over_the_cap(gateway: Server, upstream: Server, up_key: str) -> None:
    """image2video and text-to-audio run upstream one at a time (cap 1), and come back archived."""
    video_id = _create(gateway, I2V, _i2v())
    audio_id = _create(gateway, T2A, {"prompt": "rain on a tin roof", "duration": 3})
    seen: set[tuple[str, str]] = set()
    with gateway.client() as c:
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline:
            states = (
                c.get(f"{I2V}/{video_id}").json()["data"]["task_status"],
                c.get(f"{T2A}/{audio_id}").json()["data"]["task_status"],
            )
            seen.add(states)
            assert states != ("processing", "processing"), "the cap of 1 upstream task was exceeded"
            if all(s in ("succeed", "failed") for s in states):
                break
            time.sleep(0.2)
        video = wait_for(c, f"{I2V}/{video_id}")
        audio = wait_for(c, f"{T2A}/{audio_id}")
    assert video["task_status"] == "succeed", video
    assert audio["task_status"] == "succeed", audio
    assert any("submitted" in s and "processing" in s for s in seen), seen  # one waited for the other

    up_video = _upstream_task(upstream, up_key, I2V, video_id)
    up_audio = _upstream_task(upstream, up_key, T2A, audio_id)
    assert up_video["task_info"]["external_task_id"] == video_id
    # the cap held upstream too: the second upstream task was created after the first one ended
    first, second = sorted([up_video, up_audio], key=lambda t: t["created_at"])
    assert second["created_at"] >= first["updated_at"]

    for mine, theirs in ((video, up_video), (audio, up_audio)):
        info = mine["task_info"]["upstream"]
        assert info["task_id"] == theirs["task_id"]
        assert info["base_url"] == upstream.base + "/v1"
        assert info["final_unit_deduction"] == theirs["final_unit_deduction"]
    with httpx.Client(timeout=60) as plain:
        ours = video["task_result"]["videos"][0]
        theirs_v = up_video["task_result"]["videos"][0]
        assert urlparse(ours["url"]).port == urlparse(gateway.base).port  # kinema's own signed URL
        assert ours["duration"] == theirs_v["duration"]
        assert _sha(plain, ours["url"]) == _sha(plain, theirs_v["url"])
        # the upstream's own URL as it was when archived (kinema signs a fresh one per reply: same file)
        (kept,) = video["task_info"]["upstream"]["urls"]
        assert urlparse(kept).path == urlparse(theirs_v["url"]).path
        a_ours, a_theirs = audio["task_result"]["audios"][0], up_audio["task_result"]["audios"][0]
        assert _sha(plain, a_ours["url_mp3"]) == _sha(plain, a_theirs["url_mp3"])
        assert _sha(plain, a_ours["url_wav"]) == _sha(plain, a_theirs["url_wav"])
    assert _upstream_count(upstream, up_key, I2V) == 1


def test_identical_request_reuses_the_result(gateway: Server, upstream: Server, up_key: str) -> None:
    """Dedupe on: the same text-to-audio request again is answered from the first one's result, copied
    (new ids, same bytes), without a new upstream task; a different one is not."""
    before = _upstream_count(upstream, up_key, T2A)
    with gateway.client() as c:
        first = c.get(T2A, params={"pageSize": 50}).json()["data"]
        (earlier,) = [t for t in first if t["task_status"] == "succeed"]
        again = wait_for(c, f"{T2A}/{_create(gateway, T2A, {'prompt': 'rain on a tin roof', 'duration': 3})}")
    assert again["task_status"] == "succeed", again
    info = again["task_info"]["upstream"]
    assert info["reused_from"] == earlier["task_id"]
    assert info["task_id"] == earlier["task_info"]["upstream"]["task_id"]
    assert info["fingerprint"] == earlier["task_info"]["upstream"]["fingerprint"]
    assert _upstream_count(upstream, up_key, T2A) == before  # nothing paid twice
    new, old = again["task_result"]["audios"][0], earlier["task_result"]["audios"][0]
    assert new["id"] != old["id"]
    with httpx.Client(timeout=60) as plain:
        assert _sha(plain, new["url_mp3"]) == _sha(plain, old["url_mp3"])
        assert _sha(plain, new["url_wav"]) == _sha(plain, old["url_wav"])


def test_upstream_refusal_is_relayed(gateway: Server) -> None:
    task_id = _create(gateway, I2V, _i2v(negative_prompt="blurry, shaky, dark, noisy, grainy"))
    with gateway.client() as c:
        task = wait_for(c, f"{I2V}/{task_id}")
    assert task["task_status"] == "failed"
    assert task["task_status_msg"].startswith("upstream error 1201: negative_prompt"), task


def test_tts_forwarded_archived_and_its_audio_id_serves_a_local_avatar(
    gateway: Server, upstream: Server, up_key: str
) -> None:
    """TTS routed upstream is answered inside the request with kinema's task and kinema's copy of the
    upstream audio; its audio_id drives an avatar that runs locally; an upstream refusal keeps its code."""
    with gateway.client() as c:
        created = c.post(TTS, json=SPEECH)
        doc = OpenApiDocument(c.get("/openapi.json").json())
        assert doc.problems("POST", TTS, created) == []  # task_info.upstream as documented
        reply = created.json()
        assert reply["code"] == 0, reply
        speech = reply["data"]
        too_long = c.post(TTS, json={**SPEECH, "text": "word " * 20})  # 100 chars: ours 1000, theirs 80
        audio = speech["task_result"]["audios"][0]
        again = c.get(f"{TTS}/{speech['task_id']}").json()["data"]
        avatar = _create(gateway, AVATAR, {"image": portrait_b64(512), "audio_id": audio["id"]})
        avatar_task = wait_for(c, f"{AVATAR}/{avatar}", timeout=300)
    assert speech["task_status"] == "succeed"
    info = speech["task_info"]["upstream"]
    with upstream.client(up_key) as c:
        theirs = c.get(f"{TTS}/{info['task_id']}").json()["data"]
    assert theirs["task_status"] == "succeed"
    assert info["base_url"] == upstream.base + "/v1"
    their_url = theirs["task_result"]["audios"][0]["url"]
    assert [urlparse(u).path for u in info["urls"]] == [urlparse(their_url).path]
    assert urlparse(audio["url"]).port == urlparse(gateway.base).port
    with httpx.Client(timeout=60) as plain:
        assert _sha(plain, audio["url"]) == _sha(plain, theirs["task_result"]["audios"][0]["url"])
    assert float(audio["duration"]) > 2.0
    assert again["task_info"]["upstream"]["task_id"] == info["task_id"]
    assert too_long.status_code == 400 and too_long.json()["code"] == 1201, too_long.text
    assert too_long.json()["message"].startswith("upstream error 1201: text: "), too_long.text
    assert avatar_task["task_status"] == "succeed", avatar_task  # the avatar is not routed: it ran here
    assert "upstream" not in avatar_task["task_info"]


def test_watermarked_copy_is_the_upstreams(gateway: Server, upstream: Server, up_key: str) -> None:
    """watermark_info.enabled: the upstream's watermark_url is archived as kinema's (same bytes), not a
    second mark made here on top of the archived video."""
    task_id = _create(gateway, I2V, _i2v(prompt="marked", watermark_info={"enabled": True}))
    with gateway.client() as c:
        task = wait_for(c, f"{I2V}/{task_id}", timeout=300)
    assert task["task_status"] == "succeed", task
    ours = task["task_result"]["videos"][0]
    theirs = _upstream_task(upstream, up_key, I2V, task_id)["task_result"]["videos"][0]
    with httpx.Client(timeout=60) as plain:
        mark = _sha(plain, ours["watermark_url"])
        assert mark == _sha(plain, theirs["watermark_url"])
        assert mark != _sha(plain, ours["url"])
    assert urlparse(ours["watermark_url"]).port == urlparse(gateway.base).port
    kept = [urlparse(u).path for u in task["task_info"]["upstream"]["urls"]]
    assert kept == [urlparse(theirs["url"]).path, urlparse(theirs["watermark_url"]).path]


def test_text2video_and_video_extend_forwarded(gateway: Server, upstream: Server, up_key: str) -> None:
    """text2video runs upstream although this kinema serves no model; video-extend's video_id is translated
    to the upstream id of the video it names; both come back archived."""
    t2v = _create(gateway, T2V, {"model_name": "kling-v2-6", "prompt": "a cat dances", "duration": "5"})
    with gateway.client() as c:
        made = wait_for(c, f"{T2V}/{t2v}", timeout=300)
        assert made["task_status"] == "succeed", made
        extend = _create(gateway, EXTEND, {"video_id": made["task_result"]["videos"][0]["id"]})
        longer = wait_for(c, f"{EXTEND}/{extend}", timeout=300)
    up_t2v = _upstream_task(upstream, up_key, T2V, t2v)
    up_extend = _upstream_task(upstream, up_key, EXTEND, extend)
    assert made["task_info"]["upstream"]["task_id"] == up_t2v["task_id"]
    assert longer["task_status"] == "succeed", longer
    assert up_extend["task_info"]["parent_video"]["id"] == up_t2v["task_result"]["videos"][0]["id"]
    with httpx.Client(timeout=60) as plain:
        for mine, theirs in ((made, up_t2v), (longer, up_extend)):
            ours = mine["task_result"]["videos"][0]
            assert urlparse(ours["url"]).port == urlparse(gateway.base).port
            assert _sha(plain, ours["url"]) == _sha(plain, theirs["task_result"]["videos"][0]["url"])


def test_upstream_down_for_a_while_then_back(
    gateway: Server, upstream: Server, up_key: str, upstream_env: dict[str, str]
) -> None:
    """The upstream stops; archived results still download from kinema; a task created meanwhile waits,
    retrying, and finishes once the upstream is back."""
    with gateway.client() as c:
        earlier = c.get(I2V, params={"pageSize": 10}).json()["data"]
    done = [t for t in earlier if t["task_status"] == "succeed"]
    assert done
    port = urlparse(upstream.base).port
    upstream.stop()
    with httpx.Client(timeout=60) as plain:
        assert plain.get(done[0]["task_result"]["videos"][0]["url"]).status_code == 200
    task_id = _create(gateway, T2A, {"prompt": "a distant bell", "duration": 3})
    asked = time.monotonic()
    with gateway.client() as c:
        speech = c.post(TTS, json=SPEECH)  # answered inside the request: retried 3 s, then 5001
    assert speech.status_code == 503 and speech.json()["code"] == 5001, speech.text
    assert "did not answer within 3 s" in speech.json()["message"]
    assert time.monotonic() - asked < 15
    time.sleep(max(0.0, 3 - (time.monotonic() - asked)))
    with gateway.client() as c:
        assert c.get(f"{T2A}/{task_id}").json()["data"]["task_status"] == "processing"
    restarted = start_server(upstream.data_dir, port=port, **upstream_env)
    upstream.proc = restarted.proc  # the fixture stops the live process
    with gateway.client() as c:
        task = wait_for(c, f"{T2A}/{task_id}", timeout=300)
    assert task["task_status"] == "succeed", task
    assert _upstream_task(upstream, up_key, T2A, task_id)["task_status"] == "succeed"


def test_kill_9_mid_task_then_restart_makes_one_upstream_task(
    gateway: Server, upstream: Server, up_key: str
) -> None:
    before = _upstream_count(upstream, up_key, I2V)
    task_id = _create(gateway, I2V, _i2v(prompt="kill me once"))
    with gateway.client() as c:
        deadline = time.monotonic() + 120
        while "upstream" not in c.get(f"{I2V}/{task_id}").json()["data"]["task_info"]:
            assert time.monotonic() < deadline, "never sent upstream"
            time.sleep(0.1)
    gateway.kill()
    port = urlparse(gateway.base).port
    env = _gateway_env(upstream, KINEMA_UPSTREAM_API_KEY=up_key)
    restarted = start_server(gateway.data_dir, port=port, **env)
    gateway.proc = restarted.proc
    with gateway.client() as c:
        task = wait_for(c, f"{I2V}/{task_id}", timeout=300)
    assert task["task_status"] == "succeed", task
    assert _upstream_count(upstream, up_key, I2V) == before + 1


def test_jwt_credentials_and_routing_by_model_name(
    tmp_path_factory: pytest.TempPathFactory, upstream: Server
) -> None:
    """AK/SK credentials sign JWTs the upstream accepts (its key table names the account), and only the
    listed model_name goes upstream. Ids translate: a video made upstream feeds video-to-audio upstream,
    one made here is refused (video-to-audio, extension); the audio_id of a TTS made upstream drives an
    avatar routed upstream (the upstream knows only its own audio id: it would refuse kinema's)."""
    ak, sk = upstream.new_aksk("jwt-account")
    witness = upstream.new_key("jwt-account")  # the same account, to read its tasks upstream
    env = _gateway_env(
        upstream,
        KINEMA_UPSTREAM_ROUTES="kling-v2-6,video_to_audio,video_extend,tts,avatar",
        KINEMA_UPSTREAM_ACCESS_KEY=ak,
        KINEMA_UPSTREAM_SECRET_KEY=sk,
        KINEMA_UPSTREAM_PREFIX="/kling/v1",  # CometAPI's prefix; kinema serves it too
    )
    gw = start_server(tmp_path_factory.mktemp("gateway-jwt"), **env)
    try:
        remote = _create(gw, I2V, _i2v(model_name="kling-v2-6"))
        local = _create(gw, I2V, _i2v(model_name="kling-v1"))
        with gw.client() as c:
            remote_task = wait_for(c, f"{I2V}/{remote}", timeout=300)
            local_task = wait_for(c, f"{I2V}/{local}", timeout=300)
            # video_id: a video made upstream is known there by its upstream id; one made here is not
            refused = c.post(V2A, json={"video_id": local_task["task_result"]["videos"][0]["id"]}).json()
            not_extended = c.post(
                EXTEND, json={"video_id": local_task["task_result"]["videos"][0]["id"]}
            ).json()
            sound = _create(gw, V2A, {"video_id": remote_task["task_result"]["videos"][0]["id"]})
            sound_task = wait_for(c, f"{V2A}/{sound}", timeout=300)
            speech = c.post(TTS, json=SPEECH).json()
            assert speech["code"] == 0, speech
            audio_id = speech["data"]["task_result"]["audios"][0]["id"]
            talk = _create(gw, AVATAR, {"image": portrait_b64(512), "audio_id": audio_id})
            talk_task = wait_for(c, f"{AVATAR}/{talk}", timeout=300)
    finally:
        gw.stop()
    assert talk_task["task_status"] == "succeed", talk_task
    up_talk = _upstream_task(upstream, witness, AVATAR, talk)
    assert talk_task["task_info"]["upstream"]["task_id"] == up_talk["task_id"]
    assert speech["data"]["task_info"]["upstream"]["base_url"] == upstream.base + "/kling/v1"
    assert remote_task["task_status"] == "succeed", remote_task
    assert local_task["task_status"] == "succeed", local_task
    assert remote_task["task_info"]["upstream"]["base_url"] == upstream.base + "/kling/v1"
    assert "upstream" not in local_task["task_info"]
    assert _upstream_task(upstream, witness, I2V, remote)["task_status"] == "succeed"
    with upstream.client(witness) as c:
        missing = c.get(I2V, params={"external_task_id": local}).json()
    assert missing["code"] == 1203
    assert refused["code"] == 1201 and refused["message"].startswith("video_id: video"), refused
    assert "not upstream" in refused["message"]
    assert not_extended["code"] == 1201 and "not upstream" in not_extended["message"], not_extended
    assert sound_task["task_status"] == "succeed", sound_task
    up_sound = _upstream_task(upstream, witness, V2A, sound)
    up_remote = _upstream_task(upstream, witness, I2V, remote)
    assert up_sound["task_info"]["parent_video"]["id"] == up_remote["task_result"]["videos"][0]["id"]


def test_upstream_callbacks_wake_the_follower(
    tmp_path_factory: pytest.TempPathFactory, upstream: Server, up_key: str
) -> None:
    """With a 30 s first poll, only the upstream's callbacks (to the per-task URL) can finish a 3 s task in
    well under 30 s; a callback with a wrong token is refused."""
    port = free_port()
    env = _gateway_env(
        upstream,
        KINEMA_UPSTREAM_API_KEY=up_key,
        KINEMA_UPSTREAM_POLL_S="30",
        KINEMA_UPSTREAM_CALLBACK_BASE=f"http://127.0.0.1:{port}",
    )
    gw = start_server(tmp_path_factory.mktemp("gateway-callbacks"), port=port, **env)
    try:
        started = time.monotonic()
        task_id = _create(gw, T2A, {"prompt": "a door creaks open", "duration": 3})
        with gw.client() as c:
            task = wait_for(c, f"{T2A}/{task_id}", timeout=120)
        took = time.monotonic() - started
        with httpx.Client(base_url=gw.base) as plain:
            forged = plain.post(f"/upstream/callbacks/{task_id}/{'0' * 32}", json={"task_status": "succeed"})
    finally:
        gw.stop()
    assert task["task_status"] == "succeed", task
    assert task["task_info"]["upstream"]["callbacks"] >= 1
    assert took < 25, f"took {took:.1f} s: the callback did not wake the follower"
    assert forged.status_code == 401 and forged.json()["code"] != 0


def test_cli_upstream_check(upstream: Server, up_key: str, tmp_path: Path) -> None:
    """``kinema upstream check`` says ok with good credentials and fails (exit 1) with a wrong key."""

    def check(key: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "KINEMA_DATA_DIR": str(tmp_path),
            **_gateway_env(upstream, KINEMA_UPSTREAM_API_KEY=key),
        }
        cmd = [sys.executable, "-m", "kinema", "upstream", "check"]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)

    good = check(up_key)
    assert good.returncode == 0, good.stdout + good.stderr
    assert f"ok image2video: {upstream.base}/v1/videos/image2video" in good.stdout
    assert "ok text_to_audio" in good.stdout and "ok video_extend" in good.stdout
    assert "unchecked tts: no list call upstream" in good.stdout  # synchronous: forwarded at each create
    bad = check("kn-not-a-key")
    assert bad.returncode == 1
    assert "failed image2video: upstream error" in bad.stdout


def test_cancel_stops_following(gateway: Server) -> None:
    """A cancel of a task running upstream fails it within seconds (the upstream task itself runs on: the
    official API has no cancel)."""
    task_id = _create(gateway, I2V, _i2v(prompt="cancel me", duration="10"))
    with gateway.client() as c:
        deadline = time.monotonic() + 120
        while "upstream" not in c.get(f"{I2V}/{task_id}").json()["data"]["task_info"]:
            assert time.monotonic() < deadline, "never sent upstream"
            time.sleep(0.1)
        asked = time.monotonic()
        assert c.post(f"{I2V}/{task_id}/cancel").json()["code"] == 0
        task = wait_for(c, f"{I2V}/{task_id}", timeout=30)
    assert task["task_status"] == "failed" and task["task_status_msg"] == CANCEL_MSG
    assert time.monotonic() - asked < 5


def test_replies_with_task_info_upstream_match_the_openapi_document(gateway: Server) -> None:
    """Every gateway task reply (forwarded, reused, failed, cancelled) validates against the served
    document, objects closed: ``task_info.upstream`` is documented field by field."""
    with gateway.client() as c:
        doc = OpenApiDocument(c.get("/openapi.json").json())
        checked = 0
        for path in (I2V, T2A):
            for task in c.get(path, params={"pageSize": 100}).json()["data"]:
                reply = c.get(f"{path}/{task['task_id']}")
                assert doc.problems("GET", path + "/{task_id}", reply) == []
                checked += "upstream" in reply.json()["data"]["task_info"]
    assert checked >= 5
