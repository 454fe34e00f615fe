"""Motion stage: deterministic blinks, head motion from speech, prompt words that change parameters."""

from __future__ import annotations

import numpy as np

from kinema.engines.avatar.motion import blink_schedule, build_motion
from kinema.engines.avatar.prompt import parse_prompt
from kinema.engines.avatar.speech import build_track

from .synth import utterance

FPS = 25


def _starts(b: np.ndarray) -> np.ndarray:
    on = b > 0.5
    return np.nonzero(on[1:] & ~on[:-1])[0] + 1


def test_blinks_deterministic_and_varied() -> None:
    n = 60 * FPS
    a, b, c = blink_schedule(n, FPS, 1), blink_schedule(n, FPS, 1), blink_schedule(n, FPS, 2)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    starts = _starts(a) / FPS
    assert 8 <= len(starts) <= 30  # ~10–25 blinks a minute
    gaps = np.diff(starts)
    assert gaps.std() > 0.3  # not a metronome
    assert a.max() == 1.0 and (a > 0.5).sum() / len(starts) < 0.3 * FPS  # each blink is short


def _motion(prompt: str | None, seed: int = 0):
    audio, phones = utterance([("b", "a"), ("", "i"), ("m", "u"), ("", "a")] * 3, gap_every=4)
    from kinema.engines.avatar.speech import Phone

    track = build_track(audio, phones=[Phone(**p) for p in phones])
    n = int(len(audio) / 16000 * FPS)
    return build_motion(track, n, FPS, parse_prompt(prompt), seed=seed)


def test_prompt_words_change_parameters() -> None:
    base = _motion(None)
    assert np.array_equal(base.yaw, _motion("cinematic 8k masterpiece").yaw)  # unknown words are ignored
    assert _motion("a warm smile").smile.mean() > base.smile.mean() + 0.5
    assert _motion("surprised").brow.mean() > base.brow.mean() + 0.5
    assert _motion("serious").brow.mean() < base.brow.mean()
    excited, calm = _motion("excited"), _motion("calm")
    assert excited.yaw.std() > 2 * calm.yaw.std()
    assert _motion("nodding").pitch.max() > base.pitch.max() + 0.03
    assert _motion("shake head").yaw.std() > base.yaw.std() * 2
    assert abs(_motion("tilt head").roll[-5:].mean()) > 0.06
    push = _motion("slow push-in").zoom
    assert push[0] == 1.0 and push[-1] > 1.1 and (np.diff(push) >= 0).all()
    out = _motion("zoom out").zoom
    assert out[0] > out[-1] >= 1.0
    pan = _motion("pan left")
    assert pan.pan_x[0] > 0 > pan.pan_x[-1] and (pan.zoom > 1).all()


def test_head_moves_more_while_speaking() -> None:
    m = _motion(None)
    assert np.abs(m.pitch).max() < 0.12 and np.abs(m.yaw).max() < 0.1  # small, natural angles
    speaking = m.open > 0.05
    assert speaking.any() and (~speaking).any()
