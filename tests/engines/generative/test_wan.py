"""The Wan engine on a tiny random pipeline: same seed → same frames; a cancel stops between steps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kinema.engines.base import Cancelled
from kinema.engines.generative import loader, mapping, wan
from kinema.engines.generative.catalog import parse_models
from tests.engines.generative.tiny import TINY, save_i2v


@pytest.fixture(scope="module")
def pipe(tmp_path_factory: pytest.TempPathFactory) -> object:
    folder = save_i2v(tmp_path_factory.mktemp("wan") / "i2v")
    entry = parse_models({"kling-v1": {"path": str(folder), **TINY}}).find("kling-v1", "image2video")
    assert entry is not None
    first = loader.load(entry)
    assert loader.load(entry) is first and loader.loaded_count() == 1  # warm: loaded once per process
    return first


def _opts(tmp: Path, seed: int, seconds: int = 5) -> wan.GenOptions:
    still = tmp / "still.png"
    rgb = np.zeros((64, 96, 3), np.uint8)
    rgb[..., 0] = np.linspace(0, 255, 96, dtype=np.uint8)[None]
    Image.fromarray(rgb).save(still)
    return wan.GenOptions(
        prompt="a cat dances",
        negative_prompt="",
        guidance=mapping.guidance(0.5),
        steps=2,
        width=48,
        height=32,
        fps=2,
        plan=mapping.segments(seconds, 2, 13),
        seed=seed,
        image=still,
    )


def test_same_seed_same_frames(pipe: object, tmp_path: Path) -> None:
    a = np.stack(list(wan.frames(pipe, _opts(tmp_path, 7), lambda _f: None)))
    b = np.stack(list(wan.frames(pipe, _opts(tmp_path, 7), lambda _f: None)))
    c = np.stack(list(wan.frames(pipe, _opts(tmp_path, 8), lambda _f: None)))
    assert a.shape == (10, 32, 48, 3)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_cancel_stops_between_denoising_steps(pipe: object, tmp_path: Path) -> None:
    calls: list[float] = []

    def progress(fraction: float) -> None:
        calls.append(fraction)
        if len(calls) == 3:  # first step of the second call of a 10 s chain
            raise Cancelled()

    with pytest.raises(Cancelled):
        wan.generate(pipe, _opts(tmp_path, 1, seconds=10), tmp_path / "out.mp4", progress)
    assert len(calls) == 3 and calls == sorted(calls) and calls[1] == pytest.approx(wan.DENOISE_SHARE / 2)


def test_resampled_places_model_frames_at_the_videos_rate_and_size() -> None:
    stream = iter([np.full((4, 6, 3), i, np.uint8) for i in range(17)])  # 1 s of a 16 fps model
    out = list(wan.resampled(stream, 16, 24, 25, 12, 8))  # 1 s of a 24 fps video, 12x8
    assert len(out) == 25 and {f.shape for f in out} == {(8, 12, 3)}
    assert [int(f[0, 0, 0]) for f in out] == [round(j * 16 / 24) for j in range(25)]
