"""The arranger turns a music plan into GM parts and notes that keep the music's structure."""

from __future__ import annotations

import numpy as np

from kinema.engines.video_to_audio.arranger import arrange, motion_level, parts_for
from kinema.engines.video_to_audio.fluid import DRUM_CHANNEL
from kinema.engines.video_to_audio.prompts import plan_music
from kinema.engines.video_to_audio.text_to_audio import _still


def _plan(prompt: str, seconds: float = 6.0):
    return plan_music(prompt, _still(seconds))


def test_words_choose_programs_kits_and_tempo() -> None:
    rock, calm, jazz = _plan("rock band"), _plan("calm piano"), _plan("jazz")
    rock_parts = {p.channel: p for p in parts_for(rock)}
    assert rock_parts[DRUM_CHANNEL].bank == 128 and rock_parts[DRUM_CHANNEL].program == 16  # Power kit
    assert 30 in {p.program for p in rock_parts.values()}  # distortion guitar
    calm_parts = parts_for(calm)
    assert DRUM_CHANNEL not in {p.channel for p in calm_parts}  # calm: no drums
    assert calm_parts[0].program == 0  # the piano the prompt named comes first
    assert {p.program for p in parts_for(jazz)} >= {0, 32, 40}  # piano, acoustic bass, brush kit
    assert calm.tempo < rock.tempo


def test_sections_restart_on_cuts_with_a_new_chord_and_a_crash() -> None:
    plan = _plan("rock band")
    score = arrange(plan, 6.0, [2.5], lambda _a, _b: 1.0, np.random.default_rng(0))
    assert all(0.0 <= n.start < 6.0 for n in score.notes)
    crashes = [n.start for n in score.notes if n.channel == DRUM_CHANNEL and n.key == 49]
    assert crashes == [2.5]
    bass_channel = next(p.channel for p in score.parts if p.program == 34)
    before = {n.key for n in score.notes if n.channel == bass_channel and 2.0 < n.start < 2.49}
    after = {n.key for n in score.notes if n.channel == bass_channel and 2.5 <= n.start < 2.9}
    assert before and after and before != after


def test_velocities_follow_the_motion_and_the_seed_fixes_everything() -> None:
    times = np.arange(0, 6.0, 0.04)
    energy = np.where(times < 3.0, 0.0, 1.0)
    plan = _plan("happy upbeat")
    score = arrange(plan, 6.0, [], motion_level(times, energy), np.random.default_rng(1))
    first = [n.velocity for n in score.notes if n.channel == DRUM_CHANNEL and n.start < 2.0]
    last = [n.velocity for n in score.notes if n.channel == DRUM_CHANNEL and n.start > 4.1]
    assert np.mean(last) > 1.1 * np.mean(first)
    again = arrange(plan, 6.0, [], motion_level(times, energy), np.random.default_rng(1))
    assert again == score
