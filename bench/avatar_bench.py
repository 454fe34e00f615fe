#!/usr/bin/env python3
"""Avatar speed + memory table (2-core CPU; other work on the machine makes absolute times noisy).

usage: .venv/bin/python bench/avatar_bench.py [--quick] [--long 300]

Each case runs in a fresh subprocess (so peak RSS is that job's own). Speed is reported three ways:
  × real time  = speech duration / wall time of render_avatar (face + speech + render + encode, end to end),
                 in a fresh process, and "warm": the same job again in that process (a worker's steady state:
                 mediapipe and pocketsphinx are loaded once per worker);
  baseline     = wall time of a plain encode of the same number of frames of the same size and encoder
                 settings, measured in the same subprocess right after (the floor for any renderer);
  render/base  = how much the avatar work costs on top of that floor.
Memory: peak RSS of the subprocess, and for the long run the RSS at 25 % / 100 % of the frames (must be flat).
Targets: std 720p ≥ 2× real time; pro 1080p ≥ 1× real time; ≤ 1.5 GB peak on 60 s at 1080p.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {src!r})
import numpy as np, cv2
from kinema.engines.avatar import AvatarOptions, render_avatar
from kinema.engines.avatar.face import load_image
from kinema.media.video_writer import VideoSettings, VideoWriter
from kinema.engines.avatar import MODES

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6

img, wav, mode, prompt, out = {img!r}, {wav!r}, {mode!r}, {prompt!r}, {out!r}
marks = {{}}
def progress(f):
    for m in (0.25, 0.5, 1.0):
        if f >= m and m not in marks:
            marks[m] = rss_mb()
t = time.perf_counter()
res = render_avatar(img, wav, out, AvatarOptions(mode=mode, prompt=prompt or None), progress)
wall = time.perf_counter() - t
# warm: the same job again in the same process (a worker loads mediapipe/pocketsphinx once, then reuses them)
warm = None
if {warm_run!r}:
    t = time.perf_counter()
    render_avatar(img, wav, out, AvatarOptions(mode=mode, prompt=prompt or None))
    warm = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
# baseline: plain encode of the same number of frames, same size and settings
frame = load_image(img, *MODES[mode][:2])
_, _, preset, crf = MODES[mode]
t = time.perf_counter()
settings = VideoSettings(preset=preset, crf=crf)
with VideoWriter(out + ".base.mp4", frame.shape[1], frame.shape[0], settings) as w:
    for i in range(res.frames):
        f = frame.copy()
        f[:8, :8] = i % 255  # not bit-identical frames
        w.write(f)
base = time.perf_counter() - t
print(json.dumps(dict(size=f"{{res.width}}x{{res.height}}", frames=res.frames, speech_s=res.duration_s,
                      wall_s=wall, warm_s=warm, base_s=base, peak_mb=peak,
                      rss_marks={{str(k): round(v) for k, v in marks.items()}},
                      timings=res.timings)))
"""


def make_inputs(tmp: Path, long_s: float) -> dict[str, Path]:
    sys.path.insert(0, str(ROOT / "src"))
    import cv2
    import numpy as np
    from PIL import Image
    from skimage import data

    from kinema.engines.tts import synthesize
    from kinema.media.audio_io import write_wav

    a = data.astronaut()
    p720 = tmp / "p720.png"
    a720 = cv2.resize(a, (720, 720), interpolation=cv2.INTER_CUBIC)
    Image.fromarray(cv2.copyMakeBorder(a720, 0, 0, 280, 280, cv2.BORDER_REPLICATE)).save(p720)
    p1080 = tmp / "p1080.png"
    Image.fromarray(cv2.copyMakeBorder(cv2.resize(a, (1080, 1080), interpolation=cv2.INTER_CUBIC), 0, 0, 420,
                                       420, cv2.BORDER_REPLICATE)).save(p1080)
    s = synthesize("Good morning everyone. Today I want to tell you about a small boat, built by hand, "
                   "that crossed the whole bay in a single afternoon. It was not fast, but it was steady.",
                   language="en")
    ten = s.samples[: int(10.0 * s.sample_rate)]
    if len(ten) < int(10.0 * s.sample_rate):
        ten = np.concatenate([ten, np.zeros(int(10.0 * s.sample_rate) - len(ten), np.float32)])
    w10 = tmp / "s10.wav"
    write_wav(ten, s.sample_rate, w10)
    reps = int(np.ceil(60 / (len(s.samples) / s.sample_rate)))
    s60 = np.tile(s.samples, reps)[: 60 * s.sample_rate]
    w60 = tmp / "s60.wav"
    write_wav(s60, s.sample_rate, w60)
    reps = int(np.ceil(long_s / (len(s.samples) / s.sample_rate)))
    slong = np.tile(s.samples, reps)[: int(long_s * s.sample_rate)]
    wlong = tmp / "slong.wav"
    write_wav(slong, s.sample_rate, wlong)
    return {"p720": p720, "p1080": p1080, "s10": w10, "s60": w60, "slong": wlong}


def run(img: Path, wav: Path, mode: str, prompt: str, out: Path, warm: bool) -> dict:
    code = CHILD.format(src=str(ROOT / "src"), img=str(img), wav=str(wav), mode=mode, prompt=prompt,
                        out=str(out), warm_run=warm)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    line = next((ln for ln in r.stdout.splitlines() if ln.startswith("{")), None)
    if line is None:
        raise RuntimeError(r.stderr[-2000:])
    return json.loads(line)


def r_s(wav: Path) -> float:
    """Length of a WAV in seconds (the warm second run is only done for the short cases)."""
    from kinema.media.audio_io import media_duration

    return media_duration(wav)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the 60 s and long runs")
    ap.add_argument("--long", type=float, default=300.0, help="length of the bounded-memory run (s)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="avatar-bench-") as t:
        tmp = Path(t)
        inp = make_inputs(tmp, a.long)
        cases = [
            ("std 720p, 10 s", inp["p720"], inp["s10"], "std", ""),
            ("std 720p, 10 s, push-in + excited", inp["p720"], inp["s10"], "std", "excited, slow push-in"),
            ("pro 1080p, 10 s", inp["p1080"], inp["s10"], "pro", ""),
        ]
        if not a.quick:
            cases += [
                ("pro 1080p, 60 s", inp["p1080"], inp["s60"], "pro", ""),
                (f"std 720p, {a.long:.0f} s", inp["p720"], inp["slong"], "std", ""),
            ]
        rows = []
        for name, img, wav, mode, prompt in cases:
            r = run(img, wav, mode, prompt, tmp / "out.mp4", warm=r_s(wav) <= 15)
            r["case"] = name
            rows.append(r)
            print(json.dumps(r), file=sys.stderr, flush=True)
    print("| case | size | speech s | wall s (fresh) | × real time | warm wall s | × real time (warm) "
          "| baseline encode s | wall / baseline | peak RSS MB | RSS at 25 % → 100 % |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        marks = r["rss_marks"]
        warm = r.get("warm_s")
        warm_cells = f"{warm:.2f} | {r['speech_s'] / warm:.2f}" if warm else "– | –"
        print(f"| {r['case']} | {r['size']} | {r['speech_s']:.1f} | {r['wall_s']:.2f} | "
              f"{r['speech_s'] / r['wall_s']:.2f} | {warm_cells} | {r['base_s']:.2f} | "
              f"{r['wall_s'] / r['base_s']:.2f} | {r['peak_mb']:.0f} | "
              f"{marks.get('0.25', '?')} → {marks.get('1.0', '?')} |")


if __name__ == "__main__":
    main()
