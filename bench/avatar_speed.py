#!/usr/bin/env python3
"""Avatar speed over HTTP: create → ``succeed`` wall time of a real ``kinema serve``; where the time goes.

usage: .venv/bin/python bench/avatar_speed.py [--rounds 3] [--workers 1] [--seconds 10] [--mode std]

Starts ``kinema serve`` (embedded SQLite + Huey queue + process workers, as in production) on a free loopback
port, then per round uploads each speech clip as ``sound_file`` (base64) with a portrait-shaped photo whose
output is 720×1280 (std), polls the task every 50 ms and records:
  wall       create call → ``succeed`` seen by the client (the figure the target is about: ≤ 0.5 × speech)
  queue      create → ``processing`` seen (doorbell + worker poll)
  engine     the avatar engine's own total (from the worker's log line, see jobs/executors/avatar.py)
  other      processing → succeed minus engine: inputs to the work folder, storing the MP4, the final write
  CPU        user + system CPU seconds of the worker processes during the task: the figure to compare on a
             shared machine, since it barely moves with other processes' load; API CPU: the serving
             process's (create + the bench's own polling every 50 ms)
and the engine's stages (kinema.engines.avatar.stages): prepare = face ∥ speech (decode, language ID with
hama beside it, recognition), with its process CPU; render = the render thread's own time; encode = the H.264
thread's busy time (overlaps render); wait = render thread blocked on a full encoder queue; finish = encoder
flush + mux. Speech clips: kinema's English TTS
(uploaded as a plain WAV, so it is recognised like any upload) and, when ``pocketsphinx-testdata`` is
installed, LibriVox read speech (bench/recorded_speech.py), each cut or padded to ``--seconds``.
Each worker process loads the avatar's models in the background as it starts (settings.warm_kinds); the
first task is sent as soon as the server answers, so it may still meet that load (row "first").
The load average is printed per task: on a shared machine wall figures follow it, CPU figures do not.
Then (unless --no-parts) a warm job's parts are timed one after another in the bench's own process: language
ID, phone recognition, face + rig, rendering, H.264, AAC, and the pipelined render + encode as a job runs it.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from recorded_speech import recorded_clips  # noqa: E402
from tests.api.server import Server, start_server  # noqa: E402

from kinema.jobs.executors.avatar import TIMINGS_LOG  # noqa: E402

TEXT = ("Good morning everyone. Today I want to tell you about a small boat, built by hand, that crossed the "
        "whole bay in a single afternoon. It was not fast, but it was steady, and the people on the shore "
        "waved at it all the way.")
CLK = os.sysconf("SC_CLK_TCK")


@dataclass
class Row:
    n: int
    speech: str
    seconds: float
    wall: float
    queue: float
    engine: dict
    cpu: float
    api_cpu: float
    load: float

    @property
    def other(self) -> float:
        return self.wall - self.queue - float(self.engine.get("total_s", 0.0))


def portrait(path: Path, mode: str) -> None:
    """The astronaut in a portrait-shaped photo (9:16): std renders it at 720×1280, pro at 1080×1920."""
    import cv2
    from PIL import Image
    from skimage import data

    side = 720 if mode == "std" else 1080
    face = cv2.resize(data.astronaut(), (side, side), interpolation=cv2.INTER_CUBIC)
    pad = (side * 16 // 9 - side) // 2
    Image.fromarray(cv2.copyMakeBorder(face, pad, pad, 0, 0, cv2.BORDER_REPLICATE)).save(path)


def fit(samples: np.ndarray, rate: int, seconds: float) -> np.ndarray:
    n = round(seconds * rate)
    out = np.zeros(n, np.float32)
    k = min(n, len(samples))
    out[:k] = samples[:k]
    return out


def speech_clips(tmp: Path, seconds: float) -> dict[str, Path]:
    """{name: WAV of exactly ``seconds``}: TTS, and LibriVox read speech when installed."""
    from kinema.engines.tts import synthesize
    from kinema.media.audio_io import decode_audio, write_wav

    s = synthesize(TEXT, language="en")
    clips = {"tts": tmp / "tts.wav"}
    write_wav(fit(s.samples, s.sample_rate, seconds), s.sample_rate, clips["tts"])
    libri = [c for c in recorded_clips(with_untranscribed=False) if c.name.startswith("libri")]
    if libri:
        pieces, total = [], 0.0
        for c in libri:
            a = decode_audio(c.path, rate=16000)
            pieces += [a, np.zeros(4000, np.float32)]
            total += len(a) / 16000 + 0.25
            if total >= seconds:
                break
        clips["recorded"] = tmp / "recorded.wav"
        write_wav(fit(np.concatenate(pieces), 16000, seconds), 16000, clips["recorded"])
    return clips


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK


def cpu_split(pid: int) -> tuple[float, float]:
    """(API, workers): CPU seconds of the ``kinema serve`` process itself (API + doorbells) and of all its
    descendants (the ``kinema worker`` consumer and its process workers, long-lived)."""
    workers = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        if p != pid:
            workers += proc_cpu(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(k) for k in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return proc_cpu(pid), workers


def engine_timings(log: Path, task_id: str) -> dict:
    for line in reversed(log.read_text(errors="replace").splitlines()):
        if task_id in line and TIMINGS_LOG in line:
            return json.loads(line.split(TIMINGS_LOG, 1)[1])
    return {}


def one_task(srv: Server, image_b64: str, wav: Path, mode: str) -> tuple[float, float, str]:
    """(wall, queue, task id): create, then poll every 50 ms until succeed."""
    body = {"image": image_b64, "sound_file": base64.b64encode(wav.read_bytes()).decode(), "mode": mode}
    with srv.client(timeout=120) as c:
        t0 = time.perf_counter()
        r = c.post("/v1/videos/avatar/image2video", json=body).json()
        if r.get("code") != 0:
            raise RuntimeError(f"create failed: {r}")
        task_id = r["data"]["task_id"]
        queue = None
        while True:
            data = c.get(f"/v1/videos/avatar/image2video/{task_id}").json()["data"]
            status = data["task_status"]
            now = time.perf_counter() - t0
            if queue is None and status != "submitted":
                queue = now
            if status == "succeed":
                return now, queue or now, task_id
            if status == "failed":
                raise RuntimeError(f"task failed: {data.get('task_status_msg')}")
            if now > 600:
                raise RuntimeError("task not done in 600 s")
            time.sleep(0.05)


def run(rounds: int, workers: int, seconds: float, mode: str,
        with_parts: bool) -> tuple[list[Row], list[tuple[str, float, float]]]:
    rows: list[Row] = []
    profile: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="avatar-speed-") as t:
        tmp = Path(t)
        portrait(tmp / "portrait.png", mode)
        image_b64 = base64.b64encode((tmp / "portrait.png").read_bytes()).decode()
        clips = speech_clips(tmp, seconds)
        srv = start_server(tmp / "data", KINEMA_WORKERS=str(workers), KINEMA_WARM_KINDS='["avatar"]')
        try:
            for _ in range(rounds):
                for name, wav in clips.items():
                    api0, cpu0 = cpu_split(srv.proc.pid)
                    wall, queue, task_id = one_task(srv, image_b64, wav, mode)
                    api1, cpu1 = cpu_split(srv.proc.pid)
                    time.sleep(0.3)  # the log line is flushed by then
                    label = f"{name} (first)" if not rows and workers == 1 else name
                    row = Row(len(rows) + 1, label, seconds,
                              wall, queue, engine_timings(srv.data_dir / "server.log", task_id), cpu1 - cpu0,
                              api1 - api0,
                              os.getloadavg()[0])
                    rows.append(row)
                    print(json.dumps(row.__dict__), file=sys.stderr, flush=True)
        finally:
            srv.stop()
        if with_parts:
            profile = parts(tmp / "portrait.png", clips["tts"])
    return rows, profile


def parts(image: Path, wav: Path) -> list[tuple[str, float, float]]:
    """(component, wall s, CPU s) of a warm job's pieces, one after another in this process (no overlap, so
    each CPU figure is that component's own): the profile behind the table above."""
    from scipy.signal import resample_poly

    from kinema.engines.avatar import AvatarOptions, _prepare, _render_encode, frame_params, warm_up
    from kinema.engines.avatar.language import detect_language
    from kinema.engines.avatar.motion import build_motion
    from kinema.engines.avatar.prompt import parse_prompt
    from kinema.engines.avatar.recognize import hama_phones
    from kinema.engines.avatar.stages import StageClock
    from kinema.media.audio_io import decode_audio
    from kinema.media.video_writer import VideoSettings, VideoWriter

    out: list[tuple[str, float, float]] = []

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        result = fn()
        out.append((name, time.perf_counter() - wall, time.process_time() - cpu))
        return result

    warm_up()
    opts = AvatarOptions()
    audio, track, renderer = _prepare(image, wav, opts, StageClock(), lambda _f: None)
    a16 = timed("decode + 16 kHz copy", lambda: resample_poly(decode_audio(wav, rate=48000), 1, 3))
    timed("language ID (Whisper base, int8, 2 threads)", lambda: detect_language(a16.astype(np.float32)))
    timed("phones (hama)", lambda: hama_phones(a16.astype(np.float32)))
    timed("prepare: face ∥ speech, rig (as in a job)",
          lambda: _prepare(image, wav, opts, StageClock(), lambda _f: None))
    n = round(len(audio) / 48000 * opts.fps)
    motion = build_motion(track, n, opts.fps, parse_prompt(None), seed=0)
    frames = timed(f"render {n} frames (warp, mouth, lids)",
                   lambda: [renderer.render(frame_params(motion, i)) for i in range(n)])
    h, w = frames[0].shape[:2]
    settings = VideoSettings(fps=opts.fps, preset="veryfast", crf=21)

    def encode() -> None:
        with VideoWriter(image.with_suffix(".enc.mp4"), w, h, settings) as writer:
            for f in frames:
                writer.write(f)

    timed(f"encode {n} frames (H.264 veryfast, crf 21)", encode)
    timed("AAC + mux", lambda: VideoWriter(image.with_suffix(".aac.mp4"), w, h, audio=audio).close())
    timed("render + encode + AAC pipelined (as in a job)", lambda: _render_encode(
        renderer, motion, audio, image.with_suffix(".job.mp4"), settings, StageClock(), lambda _f: None))
    return out


def table(rows: list[Row]) -> str:
    head = ("| # | speech | wall s | × speech | queue s | engine s | other s | CPU s | CPU × speech "
            "| API CPU s | prepare s (CPU) "
            "| face | speech | render | encode | wait | finish | source | load |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        e = r.engine
        g = e.get
        lines.append(
            f"| {r.n} | {r.speech} | {r.wall:.2f} | {r.wall / r.seconds:.2f} | {r.queue:.2f} | "
            f"{g('total_s', 0):.2f} | {r.other:.2f} | {r.cpu:.2f} | {r.cpu / r.seconds:.2f} | "
            f"{r.api_cpu:.2f} | "
            f"{g('prepare_s', 0):.2f} ({g('prepare_cpu_s', 0):.2f}) | {g('face_s', 0):.2f} | "
            f"{g('speech_s', 0):.2f} | {g('render_s', 0):.2f} | {g('encode_s', 0):.2f} | "
            f"{g('encode_wait_s', 0):.2f} | "
            f"{g('finish_s', 0):.2f} | {g('speech_source', '?')} | {r.load:.1f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3, help="tasks per speech clip (the first one is cold)")
    ap.add_argument("--workers", type=int, default=1, help="worker processes (1: every task after the first "
                    "is warm)")
    ap.add_argument("--seconds", type=float, default=10.0, help="speech length")
    ap.add_argument("--mode", default="std", choices=("std", "pro"))
    ap.add_argument("--no-parts", action="store_true",
                    help="skip the in-process profile of a warm job's parts")
    a = ap.parse_args()
    rows, profile = run(a.rounds, a.workers, a.seconds, a.mode, not a.no_parts)
    print(f"{os.cpu_count()} CPUs, load average at the end {os.getloadavg()[0]:.1f}; {a.mode}, "
          f"{a.seconds:g} s of speech per task, {a.workers} worker process(es)")
    print(table(rows))
    warm = [r for r in rows if "first" not in r.speech]
    if warm:
        print(f"warm median: wall {np.median([r.wall for r in warm]) / a.seconds:.2f} × speech, "
              f"CPU {np.median([r.cpu for r in warm]) / a.seconds:.2f} × speech")
    if profile:
        load = os.getloadavg()[0]
        print(f"\nwarm job's parts, one after another in one process (tts clip), load {load:.1f}:")
        print("| part | wall s | CPU s |\n|---|---|---|")
        for name, wall, cpu in profile:
            print(f"| {name} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
