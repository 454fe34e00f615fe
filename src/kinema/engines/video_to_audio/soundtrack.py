"""Compose the soundtrack: effects on what moves, beds for the place, music for the mood, then master.

Layers and why:

* **impacts** — one per motion event (a change of motion found by :mod:`.analysis`), at the event's exact
  sample, loudness from the event's strength, stereo position from where on screen it happened;
* **movement** — a rustle whose level follows object motion frame by frame and whose pan follows the
  motion's centroid, so continuous motion is heard too, not only its turns;
* **whoosh** — air that follows the camera's speed on fast camera moves;
* **beds** — stationary ambiences picked by prompt words or, failing those, by the picture;
* **music** — from ``bgm_prompt``, sections aligned to cuts, velocities following the motion, ducked under
  the effects; played on the General MIDI SoundFont when installed, else on the oscillator synth
  (:mod:`.backing`).

Stems are balanced by loudness (targets below, relative to the final −16 LUFS), summed and mastered.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d

from kinema.engines.base import ProgressFn, no_progress
from kinema.engines.video_to_audio.analysis import VideoAnalysis
from kinema.engines.video_to_audio.backing import play_music
from kinema.engines.video_to_audio.fluid import AUTO
from kinema.engines.video_to_audio.gm_effects import ambience
from kinema.engines.video_to_audio.master import master, quick_loudness
from kinema.engines.video_to_audio.prompts import MusicPlan, SoundPlan, plan_music, plan_sound
from kinema.engines.video_to_audio.sfx import RATE, impact, movement, whoosh

# stem loudness targets in LUFS before the final normalisation (what matters is their differences)
_FX_LUFS = -16.0
_BED_LUFS = -31.0
_BED_LUFS_ASMR = -40.0
_BED_LUFS_QUIET_FX = -24.0  # when nothing moves, the bed is what you hear
#: Mean movement level (0..1.5, see below) at which a clip's movement texture plays at the effects' level;
#: a clip that moves less has a proportionally quieter one.
_FULL_MOVEMENT = 0.25
#: Below this share of full movement (and with no hits or whooshes) the bed carries the clip.
_QUIET_MOVEMENT = 0.2


@dataclass(frozen=True)
class Soundtrack:
    """The mastered stereo audio at 48 kHz and what went into it."""

    audio: np.ndarray
    rate: int
    sound: SoundPlan
    music: MusicPlan
    lufs: float
    true_peak_db: float
    n_events: int
    music_source: str = "none"  # soundfont | oscillator | none (see :mod:`.backing`)


def _per_sample(times: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.interp(np.arange(n) / RATE, times, values).astype(np.float64)


def _pan_stereo(x: np.ndarray, pan: np.ndarray | float) -> np.ndarray:
    p = np.clip(pan, -1.0, 1.0)
    return np.stack([x * np.cos((p + 1) * np.pi / 4), x * np.sin((p + 1) * np.pi / 4)], axis=-1)


def _to_level(x: np.ndarray, target_lufs: float) -> np.ndarray:
    if not np.any(x):
        return x
    lufs = quick_loudness(x, RATE)
    if not np.isfinite(lufs):
        return x
    return x * 10 ** ((target_lufs - lufs) / 20)


def _envelope(x: np.ndarray, attack_s: float, release_s: float) -> np.ndarray:
    """Peak-hold-and-smooth envelope of a stereo signal (for ducking), computed on 1 ms blocks."""
    block = RATE // 1000
    m = len(x) // block
    mono = np.max(np.abs(x[: m * block]), axis=1) if x.ndim == 2 else np.abs(x[: m * block])
    peaks = mono.reshape(m, block).max(axis=1) if m else np.zeros(1)
    held = maximum_filter1d(peaks, size=max(1, int(release_s * 1000)))
    smooth = uniform_filter1d(held, size=max(1, int(attack_s * 1000)))
    return np.interp(np.arange(len(x)) / block, np.arange(len(smooth)) + 0.5, smooth)


def seed_for(sound_prompt: str, bgm_prompt: str, asmr: bool, seed: int) -> np.random.Generator:
    """Same inputs → same random draws (so the same video and prompts give identical audio)."""
    key = zlib.crc32(f"{sound_prompt}\x00{bgm_prompt}\x00{int(asmr)}".encode())
    return np.random.default_rng([seed & 0xFFFFFFFF, key])


def render_soundtrack(  # noqa: C901, PLR0915 -- plans, renders and masters each stem in order
    video: VideoAnalysis,
    sound_effect_prompt: str = "",
    bgm_prompt: str = "",
    asmr_mode: bool = False,
    seed: int = 0,
    progress: ProgressFn = no_progress,
    soundfont: str | Path | None = AUTO,
) -> Soundtrack:
    """Synthesize and master the audio for ``video`` (exactly ``video.duration`` long); ``soundfont`` is
    the music's SoundFont (a path, ``"auto"`` or ``"none"`` for the oscillator synth)."""
    n = round(video.duration * RATE)
    rng = seed_for(sound_effect_prompt, bgm_prompt, asmr_mode, seed)
    splan = plan_sound(sound_effect_prompt, video, asmr_mode)
    mplan = plan_music(bgm_prompt, video, asmr_mode)
    detail = 1.6 if asmr_mode else 1.0

    # --- effects: impacts on motion events -------------------------------------------------------------
    fx = np.zeros((n, 2))
    for k, ev in enumerate(video.events):
        strength = 0.3 + 0.7 * ev.strength
        # size → pitch: a thing covering 2 % of the frame keeps the voice's pitch; 16× bigger, an octave lower
        pitch = float(np.clip((0.02 / max(ev.size, 1e-4)) ** 0.25, 0.6, 1.6))
        hit = impact(splan.impact, strength, rng, detail, pitch)
        start = round(ev.time * RATE)
        if start >= n:
            continue
        end = min(n, start + len(hit))
        where = 0.85 * ev.pan + (0.08 * (-1) ** k if splan.impact == "footstep" else 0.0)
        fx[start:end] += _pan_stereo(hit[: end - start], where)
    progress(0.25)

    # --- effects: continuous movement and camera whooshes ---------------------------------------------
    energy = video.object_energy
    ref = max(0.15, float(np.percentile(energy, 95)) if energy.size else 0.15)
    level = _per_sample(video.times, np.clip(energy / ref, 0, 1.5), n)
    level = uniform_filter1d(level, size=int(0.04 * RATE))
    pan = _per_sample(video.times, np.clip(video.pan, -1, 1), n)
    move = _pan_stereo(movement(level, rng, detail), 0.85 * pan) * 0.07 * splan.movement
    moving = min(1.0, float(level.mean()) / _FULL_MOVEMENT) if n else 0.0
    whooshing = False
    if splan.whoosh and video.camera_speed.size:
        cam = np.clip((video.camera_speed - 0.25) / 1.5, 0, 1)
        cam_level = uniform_filter1d(_per_sample(video.times, cam, n), size=int(0.08 * RATE))
        direction = _per_sample(video.times, -np.sign(video.camera_dx) * 0.6, n)
        move += _pan_stereo(whoosh(cam_level, rng), direction) * 0.5
        whooshing = bool(np.any(cam_level > 0))
    fx_total = fx + move
    loud_fx = bool(np.any(fx)) or whooshing
    has_fx = loud_fx or moving > _QUIET_MOVEMENT
    # Movement alone is as loud as the share of the clip that moves: a flicker of the flow on a still
    # picture (one frame in three seconds) would otherwise be raised to the effects' level as a burst.
    fx_total = _to_level(fx_total, _FX_LUFS if loud_fx else _FX_LUFS + 20 * np.log10(max(moving, 1e-3)))
    progress(0.45)

    # --- beds -----------------------------------------------------------------------------------------
    beds = np.zeros((n, 2))
    if splan.scene_beds and len(video.scenes) == len(splan.scene_beds):
        # each shot gets its own ambience, crossfaded over 60 ms at the cut
        t = np.arange(n) / RATE
        for kind in splan.beds:
            weight = np.zeros(n)
            for scene, kinds in zip(video.scenes, splan.scene_beds, strict=True):
                if kind in kinds:
                    inside = np.clip((t - scene.start) / 0.06 + 0.5, 0, 1) * np.clip(
                        (scene.end - t) / 0.06 + 0.5, 0, 1
                    )
                    weight += inside * (1.0 if kinds[0] == kind else 0.6)
            beds += ambience(kind, n, rng, soundfont) * np.minimum(weight, 1.0)[:, None]
    else:
        for i, kind in enumerate(splan.beds):
            beds += ambience(kind, n, rng, soundfont) * (1.0 if i == 0 else 0.6)
    if asmr_mode:
        bed_target = _BED_LUFS_ASMR
    elif has_fx:
        bed_target = _BED_LUFS
    else:  # nothing moves: the bed carries the clip, unless music does
        bed_target = _BED_LUFS if mplan.enabled and bgm_prompt.strip() else _BED_LUFS_QUIET_FX
    beds = _to_level(beds, bed_target)
    progress(0.6)

    # --- music, ducked under the effects --------------------------------------------------------------
    music32, source = play_music(
        mplan, video.duration, video.cuts, rng, motion=(video.times, energy), soundfont=soundfont
    )
    music = music32.astype(np.float64)
    if mplan.enabled:
        music = _to_level(music, _FX_LUFS + mplan.level_db)
        env = _envelope(fx_total, 0.02, 0.25)
        ref_env = float(np.percentile(env, 99)) + 1e-9
        duck = 1.0 - 0.7 * np.clip(env / ref_env, 0, 1)
        music *= duck[:, None]
        beds *= (1.0 - 0.2 * np.clip(env / ref_env, 0, 1))[:, None]
    progress(0.75)

    mix = fx_total + beds + music
    out, lufs, peak = master(mix, RATE)
    progress(1.0)
    return Soundtrack(out[:n], RATE, splan, mplan, lufs, peak, len(video.events), source)
