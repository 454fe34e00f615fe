"""What ``sound: "on"`` costs on image to video, and what it sounds like (listen proxies).

Run: ``.venv/bin/python bench/i2v_sound_bench.py [repeats]`` — prints two tables.

1. Time: a 5 s clip rendered silent (``sound`` off) and then scored (the extra work of ``sound: "on"``:
   analysis of the clip, synthesis, mastering and the AAC mux), per case, median of ``repeats`` runs in
   the same process, so the ratio is comparable on a shared, noisy machine.
2. Sound per prompt on one clip: loudness (BS.1770), true peak, RMS of each second, spectral centroid, and
   what the prompt split into.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import skimage.data

from kinema.contract.vocabulary import Mode
from kinema.engines.image2video import I2VOptions, render_image_to_video
from kinema.engines.video_to_audio.evaluate import spectral_centroid
from kinema.engines.video_to_audio.master import loudness, true_peak_db
from kinema.engines.video_to_audio.native import add_native_audio
from kinema.media.audio_io import decode_audio

RATE = 48_000
CASES = [  # (label, photo size, model, mode)
    ("std 1280x720", (1280, 720), "kling-v2-6", Mode.STD),
    ("pro 1920x1080", (1920, 1080), "kling-v2-6", Mode.PRO),
]
PROMPTS = ["waves crash on the beach", "rain", "soft piano music", "footsteps on a wooden floor", "a cat"]


def _photo(tmp: Path, w: int, h: int) -> Path:
    path = tmp / f"coffee_{w}x{h}.png"
    cv2.imwrite(str(path), cv2.cvtColor(cv2.resize(skimage.data.coffee(), (w, h)), cv2.COLOR_RGB2BGR))
    return path


def timing(tmp: Path, repeats: int) -> None:
    print("| case | render (sound off) s | + sound s | sound / render |")
    print("|---|---|---|---|")
    for label, (w, h), model, mode in CASES:
        opts = I2VOptions(
            image=_photo(tmp, w, h), prompt="waves crash on the beach", mode=mode, model_name=model
        )
        renders, sounds = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            clip = render_image_to_video(opts, tmp / "silent.mp4")
            t1 = time.perf_counter()
            add_native_audio(clip.path, opts.prompt, tmp / "scored.mp4", seed=1)
            t2 = time.perf_counter()
            renders.append(t1 - t0)
            sounds.append(t2 - t1)
        r, s = statistics.median(renders), statistics.median(sounds)
        print(f"| {label} | {r:.2f} | {s:.2f} | {s / r:.2f} |")


def listen(tmp: Path) -> None:
    opts = I2VOptions(image=_photo(tmp, 1280, 720), mode=Mode.STD, model_name="kling-v2-6")
    print("\n| prompt | effects / music words | LUFS | dBTP | RMS per second (dBFS) | centroid Hz |")
    print("|---|---|---|---|---|---|")
    for prompt in PROMPTS:
        clip = render_image_to_video(replace(opts, prompt=prompt), tmp / "silent.mp4")
        scored = add_native_audio(clip.path, prompt, tmp / "scored.mp4", seed=1)
        audio = decode_audio(scored.video, RATE, mono=False).astype(np.float64)
        seconds = int(len(audio) // RATE)
        rms = [
            20 * np.log10(np.sqrt(np.mean(audio[i * RATE : (i + 1) * RATE] ** 2)) + 1e-12)
            for i in range(seconds)
        ]
        words = f"{scored.sound_effect_prompt!r} / {scored.bgm_prompt!r}"
        print(
            f"| {prompt} | {words} | {loudness(audio, RATE):.1f} | {true_peak_db(audio):.1f} | "
            f"{' '.join(f'{v:.1f}' for v in rms)} | {spectral_centroid(audio, RATE):.0f} |"
        )


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        timing(Path(tmp), repeats)
        listen(Path(tmp))


if __name__ == "__main__":
    main()
