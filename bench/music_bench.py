"""Music on the SoundFont vs the oscillator synth: render time, loudness after mastering, spectrum.

    .venv/bin/python bench/music_bench.py [--seconds 10] [--png docs/music-spectrogram.png]

Each prompt's music plan is played for ``--seconds`` on both synths (a cut in the middle, as a video would
have), timed (wall and CPU seconds of this process; the SoundFont's one-off load is timed apart), mastered
to −16 LUFS as the soundtrack is, and described by its spectral centroid and its share of energy under
150 Hz (kick drum and bass). ``--png`` writes the spectrograms of "calm piano" and "rock band" (SoundFont).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
from scipy.signal import butter, sosfilt, spectrogram

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kinema.engines.video_to_audio.backing import play_music
from kinema.engines.video_to_audio.evaluate import spectral_centroid
from kinema.engines.video_to_audio.fluid import find_soundfont
from kinema.engines.video_to_audio.master import loudness, master
from kinema.engines.video_to_audio.prompts import plan_music
from kinema.engines.video_to_audio.text_to_audio import _still

PROMPTS = ("calm piano", "rock band", "jazz", "lo-fi beats", "epic cinematic orchestral", "electronic synth")
RATE = 48_000


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def low_share(x: np.ndarray) -> float:
    m = x.mean(axis=1)
    low = sosfilt(butter(4, 150, "lowpass", fs=RATE, output="sos"), m)
    return float(np.sum(low**2) / (np.sum(m**2) + 1e-12))


def spectrogram_png(tracks: list[np.ndarray], path: Path) -> None:
    from PIL import Image

    rows = []
    for x in tracks:
        f, _t, s = spectrogram(x.mean(axis=1), RATE, nperseg=2048, noverlap=1536)
        db = 10 * np.log10(s[f < 8000][::-1] + 1e-12)
        img = np.clip((db - (db.max() - 80)) / 80, 0, 1)
        rows += [
            np.asarray(Image.fromarray((img * 255).astype(np.uint8)).resize((640, 160))),
            np.full((4, 640), 255),
        ]
    Image.fromarray(np.vstack(rows[:-1]).astype(np.uint8)).save(path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--png", type=Path)
    args = ap.parse_args()
    seconds = args.seconds
    font = find_soundfont("auto")
    print(f"SoundFont: {font or 'not installed (oscillator only)'}")
    if font is not None:  # the one-off load, paid once per worker process
        w0, c0 = time.perf_counter(), cpu()
        play_music(plan_music("piano", _still(1.0)), 1.0, [], np.random.default_rng(0))
        wall, used = time.perf_counter() - w0, cpu() - c0
        print(f"first render incl. SoundFont load: {wall:.2f} s wall, {used:.2f} s CPU")
    print("| prompt | synth | wall s | CPU s | × real time | LUFS mastered | centroid Hz | <150 Hz share |")
    print("|---|---|---|---|---|---|---|---|")
    shown = []
    for prompt in PROMPTS:
        plan = plan_music(prompt, _still(seconds))
        for choice in ("auto", "none") if font else ("none",):
            w0, c0 = time.perf_counter(), cpu()
            audio, source = play_music(
                plan, seconds, [seconds / 2], np.random.default_rng(0), soundfont=choice
            )
            wall, used = time.perf_counter() - w0, cpu() - c0
            mastered, _lufs, _peak = master(audio.astype(np.float64), RATE)
            print(
                f"| {prompt} | {source} | {wall:.2f} | {used:.2f} | {wall / seconds:.3f} | "
                f"{loudness(mastered, RATE):.2f} | {spectral_centroid(mastered, RATE):.0f} | "
                f"{low_share(mastered):.3f} |"
            )
            if source == "soundfont" and prompt in ("calm piano", "rock band"):
                shown.append(mastered)
    if args.png and shown:
        spectrogram_png(shown, args.png)
        print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
