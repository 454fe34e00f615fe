"""Frame sampling by timestamp: every frame up to the cap, about the cap above it."""

from __future__ import annotations

import numpy as np
import pytest

from kinema.media.frame_sampler import FrameSampler


def kept(fps: float, seconds: float, cap: float = 60.0, jitter: float = 0.0) -> int:
    rng = np.random.default_rng(0)
    times = np.arange(round(fps * seconds)) / fps + rng.uniform(-jitter, jitter, round(fps * seconds)) / fps
    sampler = FrameSampler(cap)
    return sum(sampler.keep(float(t)) for t in np.maximum.accumulate(times))


@pytest.mark.parametrize("fps", [5, 24, 25, 29.97, 30, 50, 59.94, 60])
def test_normal_rates_keep_every_frame(fps: float) -> None:
    assert kept(fps, 4.0) == round(fps * 4.0)
    assert kept(fps, 4.0, jitter=0.1) == round(fps * 4.0)


@pytest.mark.parametrize("fps", [61, 90, 120, 240, 1000, 10_000])
def test_fast_rates_are_capped(fps: float) -> None:
    n = kept(fps, 4.0)
    assert 4.0 * 40 <= n <= 4.0 * 60 + 1
