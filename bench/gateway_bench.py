#!/usr/bin/env python3
"""Gateway benchmark: what going through kinema costs next to calling the upstream directly.

    .venv/bin/python bench/gateway_bench.py [--creates 100] [--tasks 4]

A second kinema server on loopback plays the upstream Kling API. Two phases, both in the same run:

1. **Create latency**: the same image-to-video create (a ~30 KB JPEG in base64), alternated between the
   gateway and the upstream, both API-only (no renders competing); p50/p99 of each. The gateway validates and
   stores the request exactly as the upstream does and answers before anything is sent upstream.
2. **Forward and archive**: both with workers, upstream callbacks on. Per task: from the gateway's create to
   the upstream task existing (the worker's forward), and from the upstream's ``succeed`` to the gateway's
   ``succeed`` (poll or callback, download of the results through the SSRF guard, storage), per MB archived.
3. **TTS** (``--tts N``): the synchronous create, alternated between the upstream and the gateway (which
   forwards it inside the request, downloads the audio through the guard and records its own task), both
   API-only; p50/p99 of each. A phase whose count is 0 is skipped.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.api_bench import photo_jpeg
from tests.api.server import Server, free_port, start_server, wait_for

I2V = "/v1/videos/image2video"
TTS = "/v1/audio/tts"
SPEECH = {"text": "The gateway forwards this sentence.", "voice_id": "AOT", "voice_language": "en"}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def create_ms(client: httpx.Client, body: dict, path: str = I2V) -> float:
    start = time.perf_counter()
    reply = client.post(path, json=body).json()
    assert reply["code"] == 0, reply
    return (time.perf_counter() - start) * 1000


def gateway_env(up: Server, key: str, **extra: str) -> dict[str, str]:
    return {
        "KINEMA_UPSTREAM_URL": up.base,
        "KINEMA_UPSTREAM_API_KEY": key,
        "KINEMA_UPSTREAM_ROUTES": "image2video",
        "KINEMA_UPSTREAM_POLL_S": "0.5",
        "KINEMA_ALLOW_PRIVATE_URLS": "true",
        "KINEMA_MAX_RUNNING_TASKS": "100000",
        "KINEMA_RATE_LIMIT_PER_MINUTE": "100000",
        **extra,
    }


def latency(root: Path, creates: int, body: dict) -> None:
    common = {"KINEMA_MAX_RUNNING_TASKS": "100000", "KINEMA_RATE_LIMIT_PER_MINUTE": "100000"}
    up = start_server(root / "up-a", api_only=True, **common)
    key = up.new_key("gateway")
    gw = start_server(root / "gw-a", api_only=True, **gateway_env(up, key))
    try:
        times: dict[str, list[float]] = {"upstream directly": [], "through the gateway": []}
        with up.client(key) as cu, gw.client() as cg:
            for _ in range(5):  # warm both
                create_ms(cu, body), create_ms(cg, body)
            for _ in range(creates):
                times["upstream directly"].append(create_ms(cu, body))
                times["through the gateway"].append(create_ms(cg, body))
    finally:
        gw.stop()
        up.stop()
    print(f"\n| create ({creates} each, alternated) | p50 ms | p99 ms | mean ms |")
    print("|---|---|---|---|")
    for name, values in times.items():
        print(
            f"| {name} | {pct(values, 0.5):.1f} | {pct(values, 0.99):.1f} | {statistics.mean(values):.1f} |"
        )


def forward_and_archive(root: Path, tasks: int, body: dict) -> None:
    up = start_server(root / "up-b", KINEMA_WORKERS="2", KINEMA_ALLOW_PRIVATE_URLS="true")
    key = up.new_key("gateway")
    port = free_port()
    env = gateway_env(up, key, KINEMA_WORKERS="2", KINEMA_UPSTREAM_CALLBACK_BASE=f"http://127.0.0.1:{port}")
    gw = start_server(root / "gw-b", port=port, **env)
    rows = []
    try:
        with gw.client() as cg, up.client(key) as cu, httpx.Client(timeout=60) as plain:
            for i in range(tasks):
                reply = cg.post(I2V, json={**body, "prompt": f"slow push in {i}"}).json()
                task_id = reply["data"]["task_id"]
                created = reply["data"]["created_at"]
                mine = wait_for(cg, f"{I2V}/{task_id}", timeout=600)
                assert mine["task_status"] == "succeed", mine
                theirs = cu.get(f"{I2V}/{task_id}").json()["data"]
                size = len(plain.get(mine["task_result"]["videos"][0]["url"]).content)
                rows.append((theirs["created_at"] - created, mine["updated_at"] - theirs["updated_at"], size))
                print(f"task {i}: forward {rows[-1][0]} ms, archive {rows[-1][1]} ms, {size} bytes")
    finally:
        gw.stop()
        up.stop()
    print(f"\n| forward and archive ({tasks} image-to-video tasks, callbacks on) | p50 | max |")
    print("|---|---|---|")
    forward = [r[0] for r in rows]
    lag = [r[1] for r in rows]
    per_mb = [r[1] / (r[2] / 1e6) for r in rows]
    print(f"| gateway create → upstream task created, ms | {pct(forward, 0.5):.0f} | {max(forward):.0f} |")
    print(f"| upstream succeed → gateway succeed, ms | {pct(lag, 0.5):.0f} | {max(lag):.0f} |")
    print(f"| … per MB of result, ms | {pct(per_mb, 0.5):.0f} | {max(per_mb):.0f} |")
    sizes = [r[2] / 1e6 for r in rows]
    print(f"| result size, MB | {pct(sizes, 0.5):.2f} | {max(sizes):.2f} |")


def tts(root: Path, creates: int) -> None:
    common = {"KINEMA_MAX_RUNNING_TASKS": "100000", "KINEMA_RATE_LIMIT_PER_MINUTE": "100000"}
    up = start_server(root / "up-c", api_only=True, KINEMA_ALLOW_PRIVATE_URLS="true", **common)
    key = up.new_key("gateway")
    gw = start_server(root / "gw-c", api_only=True, **gateway_env(up, key, KINEMA_UPSTREAM_ROUTES="tts"))
    try:
        times: dict[str, list[float]] = {"upstream directly": [], "through the gateway": []}
        with up.client(key) as cu, gw.client() as cg:
            for _ in range(3):  # warm both (the voice loads on the first synthesis)
                create_ms(cu, SPEECH, TTS), create_ms(cg, SPEECH, TTS)
            for _ in range(creates):
                times["upstream directly"].append(create_ms(cu, SPEECH, TTS))
                times["through the gateway"].append(create_ms(cg, SPEECH, TTS))
    finally:
        gw.stop()
        up.stop()
    chars = len(SPEECH["text"])
    print(f"\n| TTS create ({creates} each, alternated, {chars} chars) | p50 ms | p99 ms | mean ms |")
    print("|---|---|---|---|")
    for name, values in times.items():
        print(
            f"| {name} | {pct(values, 0.5):.1f} | {pct(values, 0.99):.1f} | {statistics.mean(values):.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--creates", type=int, default=100)
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("--pro", action="store_true", help="pro 10 s clips (bigger results) in phase 2")
    parser.add_argument("--tts", type=int, default=20, help="TTS creates per side in phase 3")
    args = parser.parse_args()
    body = {"image": photo_jpeg(), "prompt": "slow push in", "duration": "5"}
    if args.pro:  # bigger results: 1080p, 10 s
        body.update(mode="pro", duration="10")
    with tempfile.TemporaryDirectory(prefix="kinema-gw-bench-") as tmp:
        if args.creates:
            latency(Path(tmp), args.creates, body)
        if args.tasks:
            forward_and_archive(Path(tmp), args.tasks, body)
        if args.tts:
            tts(Path(tmp), args.tts)


if __name__ == "__main__":
    main()
