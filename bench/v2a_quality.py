"""Video-to-audio quality on clips with known events: do sounds land on what moves? Prints tables.

    .venv/bin/python bench/v2a_quality.py [--quick]

Criteria (from the brief): for strong motion onsets, ≥ 60 % get an audio onset within 80 ms and the
median |lag| of those is ≤ 40 ms; loudness −16 ± 1 LUFS; true peak ≤ −1 dBTP; a prompt word changes the
result measurably (spectral centroid / onset rate); stereo follows left/right motion.
Motion truth is the clip generator's ground truth, not the engine's own detections.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyloudnorm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.engines.video_to_audio.synth_clips import (
    Clip,
    bouncing_ball,
    camera_pan,
    scene_cut,
    side_mover,
)

from kinema.engines.video_to_audio import analyze_video, render_soundtrack
from kinema.engines.video_to_audio.evaluate import (
    align,
    audio_onsets,
    spectral_centroid,
    stereo_balance,
)
from kinema.engines.video_to_audio.master import true_peak_db

RATE = 48_000
PROMPTS = [("", ""), ("basketball", "happy upbeat"), ("footsteps", "epic cinematic"), ("metal", "sad piano")]


def clips(tmp: Path, quick: bool) -> dict[str, Clip]:
    out = {
        "ball 320x180 25fps": bouncing_ball(tmp / "ball.mp4"),
        "ball off-centre, 8 bounces": bouncing_ball(
            tmp / "ball2.mp4", (480, 270), 30, 8.0, 0.3, (20, 47, 70, 95, 118, 140, 165, 190)
        ),
        "ball + hand-held shake + noise": bouncing_ball(
            tmp / "shaky.mp4",
            (320, 180),
            25,
            6.0,
            bounce_frames=(14, 40, 63, 90, 112),
            shake_px=2.0,
            noise=6.0,
        ),
        "shaker left": side_mover(tmp / "left.mp4", "left"),
        "shaker right": side_mover(tmp / "right.mp4", "right"),
    }
    if not quick:
        out["ball 1280x720 30fps 10s"] = bouncing_ball(
            tmp / "ball720.mp4", (1280, 720), 30, 10.0, bounce_frames=tuple(range(20, 300, 37))
        )
    return out


def main() -> None:
    quick = "--quick" in sys.argv
    meter = pyloudnorm.Meter(RATE)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        cs = clips(tmp, quick)
        print("| clip | sfx / bgm | truth | detected | hit ≤80 ms | median abs lag ms | LUFS | dBTP | pass |")
        print("|---|---|---|---|---|---|---|---|---|")
        all_hits = all_lags = 0.0
        n_rows = 0
        for name, clip in cs.items():
            a = analyze_video(clip.path)
            for sfx, bgm in PROMPTS:
                t = render_soundtrack(a, sfx, bgm)
                al = align(clip.events, audio_onsets(t.audio, RATE))
                lufs = meter.integrated_loudness(t.audio.astype(np.float64))
                tp = true_peak_db(t.audio)
                ok = al.hit_rate >= 0.6 and al.median_abs_lag_ms <= 40 and abs(lufs + 16) <= 1 and tp <= -1
                all_hits += al.hit_rate
                all_lags += al.median_abs_lag_ms
                n_rows += 1
                print(
                    f"| {name} | {sfx or '-'} / {bgm or '-'} | {len(clip.events)} | {len(a.events)} | "
                    f"{al.hit_rate:.0%} | {al.median_abs_lag_ms:.1f} | {lufs:.2f} | {tp:.2f} | "
                    f"{'yes' if ok else 'NO'} |"
                )
        print(f"\nmean hit rate {all_hits / n_rows:.0%}, mean of median |lag| {all_lags / n_rows:.1f} ms\n")

        # prompt words: same video, different words → measurably different sound
        a = analyze_video(cs["ball 320x180 25fps"].path)
        print("| sfx prompt | impact | beds | spectral centroid Hz | onsets/s (sensitive) |")
        print("|---|---|---|---|---|")
        for sfx in (
            "",
            "metal",
            "glass",
            "footsteps",
            "heavy rain",
            "campfire",
            "city traffic",
            "birds forest",
        ):
            t = render_soundtrack(a, sfx, "no music")
            rate = len(audio_onsets(t.audio, RATE, sensitivity=3.0)) / (len(t.audio) / RATE)
            print(
                f"| {sfx or '-'} | {t.sound.impact} | {','.join(t.sound.beds)} | "
                f"{spectral_centroid(t.audio, RATE):.0f} | {rate:.1f} |"
            )
        print("\n| bgm prompt | mood | key root | minor | tempo | instruments | centroid Hz |")
        print("|---|---|---|---|---|---|---|")
        for bgm in (
            "",
            "calm ambient",
            "happy upbeat",
            "sad piano",
            "epic cinematic",
            "electronic dance",
            "jazz",
            "tense horror",
        ):
            t = render_soundtrack(a, "", bgm)
            m = t.music
            print(
                f"| {bgm or '-'} | {m.mood} | {m.root} | {m.minor} | {m.tempo:.0f} | "
                f"{','.join(m.instruments)} | {spectral_centroid(t.audio, RATE):.0f} |"
            )

        print("\n| clip | stereo balance (−1 L … +1 R) |")
        print("|---|---|")
        for name in ("shaker left", "shaker right", "ball 320x180 25fps"):
            t = render_soundtrack(analyze_video(cs[name].path))
            print(f"| {name} | {stereo_balance(t.audio):+.2f} |")

        pan = camera_pan(tmp / "pan.mp4")
        cut = scene_cut(tmp / "cut.mp4")
        ap, ac = analyze_video(pan.path), analyze_video(cut.path)
        tp_ = render_soundtrack(ap)
        print(
            f"\ncamera pan: events {len(ap.events)} (truth 0), whoosh={tp_.sound.whoosh}, "
            f"peak camera speed {ap.camera_speed.max():.2f} widths/s"
        )
        print(f"scene cut: found {ac.cuts} (truth {cut.cuts})")


if __name__ == "__main__":
    t0 = time.time()
    main()
    print(f"\n({time.time() - t0:.1f} s)")
