"""End to end: a short render with exact phones → a valid MP4 whose mouth moves with the speech."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from skimage import data

from kinema.engines.avatar import AvatarOptions, render_avatar
from kinema.engines.avatar.face import load_portrait
from kinema.engines.avatar.speech import loudness_envelope
from kinema.engines.base import Cancelled, EngineInputError


def _decode(path: Path) -> tuple[list[np.ndarray], float, float]:
    with av.open(str(path)) as c:
        vs, as_ = c.streams.video[0], c.streams.audio[0]
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(vs)]
        vdur = float(vs.frames / float(vs.average_rate))
        adur = float(as_.duration * as_.time_base) if as_.duration else 0.0
    return frames, vdur, adur


@pytest.fixture(scope="module")
def small_portrait(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 384×416: not square, so a swapped or padded aspect would show
    img = Image.fromarray(data.astronaut()).crop((40, 0, 472, 468)).resize((384, 416))
    p = tmp_path_factory.mktemp("e2e") / "portrait.jpg"
    img.save(p, quality=92)
    return p


def test_end_to_end(small_portrait: Path, speech: tuple[Path, Path, np.ndarray, list[dict]],
                    tmp_path: Path) -> None:
    wav, js, audio, _phones = speech
    out = tmp_path / "out.mp4"
    calls: list[float] = []
    res = render_avatar(small_portrait, wav, out, AvatarOptions(phones_path=js, seed=3), calls.append)
    frames, vdur, adur = _decode(out)
    dur = len(audio) / 16000
    assert res.frames == len(frames) and abs(vdur - dur) <= 0.04 and abs(adur - dur) <= 0.04
    assert abs(res.duration_s - dur) <= 0.04
    h, w = frames[0].shape[:2]
    assert (w, h) == (384, 416) == (res.width, res.height) and w % 2 == 0 and h % 2 == 0
    assert len(calls) >= len(frames) and calls[-1] == 1.0 and calls == sorted(calls)
    _check_timings(res.timings)

    por = load_portrait(small_portrait)
    mx0, my0 = por.points[[61, 0]].min(0).astype(int) - 3
    mx1, my1 = por.points[[291, 17]].max(0).astype(int) + 3
    stack = np.stack([f.astype(np.float32).mean(2) for f in frames])
    mouth = stack[:, my0:my1, mx0:mx1]
    # mouth darkness (open cavity) follows loudness
    dark = -mouth.reshape(len(frames), -1).mean(1)
    idx = ((np.arange(len(frames)) + 0.5) * 4).astype(int)  # 100 Hz samples at frame centres
    env = loudness_envelope(audio, int(dur * 100) + 1)[idx]
    r = np.corrcoef(dark, env)[0, 1]
    assert r > 0.5, r
    assert mouth.std(0).mean() > 4.0
    # the background (image corners, far from the head) stays put
    for sl in (np.s_[:, :30, :30], np.s_[:, :30, -30:], np.s_[:, -30:, -30:]):
        assert stack[sl].std(0).mean() < 1.0


def _check_timings(t: dict[str, float]) -> None:
    """Every stage is timed; the parts fit inside their spans; CPU is counted where stages do not overlap."""
    for stage in ("decode", "speech", "face", "rig", "prepare", "motion", "render", "encode_wait", "finish",
                  "render_encode", "total", "encode", "audio"):
        assert t[f"{stage}_s"] >= 0, stage
    for stage in ("prepare", "motion", "finish", "render_encode", "total"):
        assert t[f"{stage}_cpu_s"] > 0 or stage == "motion", stage
    slack = 0.01  # rounding to ms
    assert t["face_s"] + t["rig_s"] <= t["prepare_s"] + slack
    assert t["decode_s"] + t["speech_s"] <= t["prepare_s"] + slack
    assert t["render_s"] + t["encode_wait_s"] + t["finish_s"] <= t["render_encode_s"] + slack
    for thread in ("encode_s", "audio_s"):  # the writer's threads, inside the render + encode span
        assert 0 < t[thread] <= t["render_encode_s"] + slack
    assert t["prepare_s"] + t["motion_s"] + t["render_encode_s"] <= t["total_s"] + slack


def test_cancel_stops_rendering(small_portrait: Path, speech: tuple[Path, Path, np.ndarray, list[dict]],
                                tmp_path: Path) -> None:
    wav, js, _audio, _ = speech

    def progress(f: float) -> None:
        if f > 0.3:
            raise Cancelled()

    with pytest.raises(Cancelled):
        render_avatar(small_portrait, wav, tmp_path / "c.mp4", AvatarOptions(phones_path=js), progress)


def test_bad_audio_is_an_input_error(small_portrait: Path, tmp_path: Path) -> None:
    bad = tmp_path / "x.wav"
    bad.write_bytes(b"not audio at all")
    with pytest.raises(EngineInputError, match="audio"):
        render_avatar(small_portrait, bad, tmp_path / "o.mp4")
