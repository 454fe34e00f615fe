"""Video-to-audio speed: a 10 s 1280×720 30 fps H.264 clip → WAV + MP3 + re-scored MP4. Prints a table.

    .venv/bin/python bench/v2a_bench.py [--repeat 3]

Target (brief): all outputs in ≤ 2 s on 2 cores. The machine is shared, so every row is also given as a
ratio to two baselines measured in the same run: the clip's real time (10 s) and a plain decode of the same
video with PyAV (what any tool must at least pay). CPU seconds (user+sys of this process) are shown too:
they do not grow when other processes steal the cores.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import av

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.engines.video_to_audio.synth_clips import bouncing_ball

from kinema.engines.video_to_audio import analyze_video, render_soundtrack
from kinema.engines.video_to_audio.mux import remux_with_audio
from kinema.media.audio_io import write_mp3, write_wav


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def plain_decode(path: Path) -> None:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        for _ in c.decode(s):
            pass


def main() -> None:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 3
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        clip = bouncing_ball(tmp / "in.mp4", (1280, 720), 30, 10.0, bounce_frames=tuple(range(20, 300, 37)))
        rows: dict[str, list[tuple[float, float]]] = {}

        def timed(name: str, fn, *args):  # type: ignore[no-untyped-def]
            c0, t0 = cpu(), time.perf_counter()
            out = fn(*args)
            rows.setdefault(name, []).append((time.perf_counter() - t0, cpu() - c0))
            return out

        for _ in range(repeat):
            timed("baseline: plain decode", plain_decode, clip.path)
            t0, c0 = time.perf_counter(), cpu()
            a = timed("analysis (decode + flow)", analyze_video, clip.path)
            track = timed("soundtrack (synth + master)", render_soundtrack, a, "basketball", "happy upbeat")
            timed("WAV", write_wav, track.audio, 48000, tmp / "o.wav")
            timed("MP3 (LAME q7)", partial(write_mp3, fast=True), track.audio, 48000, tmp / "o.mp3", 192_000)
            timed("remux + AAC", remux_with_audio, clip.path, track.audio, 48000, tmp / "o.mp4")
            rows.setdefault("TOTAL (sequential stages)", []).append((time.perf_counter() - t0, cpu() - c0))
        from kinema.engines.video_to_audio import video_to_audio

        for _ in range(repeat):
            timed(
                "engine video_to_audio() end to end",
                video_to_audio,
                clip.path,
                tmp / "e",
                "basketball",
                "happy upbeat",
            )
        base = statistics.median(w for w, _ in rows["baseline: plain decode"])
        print(
            f"10 s 1280x720 30 fps H.264, median of {repeat}; load average now {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} cores\n"
        )
        print("| stage | wall s | CPU s | × real time | × plain decode |")
        print("|---|---|---|---|---|")
        for name, vals in rows.items():
            wall = statistics.median(w for w, _ in vals)
            c = statistics.median(c for _, c in vals)
            print(f"| {name} | {wall:.2f} | {c:.2f} | {wall / 10.0:.3f} | {wall / base:.1f} |")


if __name__ == "__main__":
    main()
