#!/usr/bin/env python3
"""Hostile inputs of issue 13 against a real server and engine: what they cost, printed as tables.

    .venv/bin/python bench/hostile_inputs.py [--only images worker durations fps] [--fps-seconds 1]

images — an API-only server on loopback, warmed up by one small create; then six concurrent image-to-video
creates with one 7000×7000 image (a ~130 KB flat lossy WebP, a ~140 KB zero-padded PNG) while ``/healthz``
is polled every 20 ms from a thread of this process (so its latency includes this client). Prints the
creates' replies, the API process's RSS before and after and its peak growth (``VmHWM`` − RSS before), and
``/healthz`` latency before and during.

durations — creates whose MP4/M4A headers claim 10 s while the packets hold 400 s (avatar ``sound_file``,
limit 300 s) or 60 s (video-to-audio ``video_url``, limit 20 s): the reply code says whether it got in.

worker — the avatar and image-to-video loaders on one 7000×7000 WebP/PNG, each in a child process: wall
seconds and how far the peak RSS rose.

fps — a 4 s 16×16 H.264 clip at 10,000 fps: the create's reply; and the video-to-audio engine run directly
(no create check) in a child process on ``--fps-seconds`` of it (wall seconds, peak RSS), next to a 25 fps
clip of the same length. The default of 1 s keeps the run short on the code before the fix (~2 min).
"""

from __future__ import annotations

import argparse
import base64
import http.server
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.api.server import Server, start_server
from tests.support.hostile_media import aac_m4a, fast_video, flat_webp, lying_duration, padded_png

CONCURRENT = 6


def status(pid: int, field: str) -> float:
    """A ``/proc/<pid>/status`` memory field in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def poll_health(base: str, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(timeout=30) as c:
        while not stop.is_set():
            t = time.perf_counter()
            c.get(base + "/healthz")
            out.append((time.perf_counter() - t) * 1000)
            time.sleep(0.02)


def server(tmp: Path, name: str, **env: str) -> Server:
    return start_server(
        tmp / name,
        api_only=True,
        KINEMA_MAX_RUNNING_TASKS="1000",
        KINEMA_ALLOW_PRIVATE_URLS="true",
        **env,
    )


def image_row(tmp: Path, label: str, data: bytes) -> str:
    srv = server(tmp, label.split()[0])
    try:
        body = {"image": base64.b64encode(data).decode(), "prompt": "slow zoom in"}
        pid = srv.proc.pid
        with srv.client(timeout=60) as c:  # warm up: the first create of a process pays one-off costs
            small = {"image": base64.b64encode(padded_png(640, 480)).decode()}
            assert c.post("/kling/v1/videos/image2video", json=small).json()["code"] == 0
        idle: list[float] = []
        stop = threading.Event()
        poller = threading.Thread(target=poll_health, args=(srv.base, stop, idle))
        poller.start()
        time.sleep(1.0)
        stop.set()
        poller.join()
        rss0, hwm0 = status(pid, "VmRSS"), status(pid, "VmHWM")
        busy: list[float] = []
        stop = threading.Event()
        poller = threading.Thread(target=poll_health, args=(srv.base, stop, busy))
        poller.start()

        def create(_: int) -> tuple[int, float]:
            t = time.perf_counter()
            with srv.client(timeout=120) as c:
                r = c.post("/kling/v1/videos/image2video", json=body)
            return r.json()["code"], time.perf_counter() - t

        t0 = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENT) as pool:
            results = list(pool.map(create, range(CONCURRENT)))
        wall = time.perf_counter() - t0
        time.sleep(0.3)
        stop.set()
        poller.join()
        rss1, hwm1 = status(pid, "VmRSS"), status(pid, "VmHWM")
        codes = ",".join(str(code) for code, _ in results)
        peak = max(hwm1 - rss0, 0.0) if hwm1 > hwm0 else 0.0
        cells = [
            f"{label:<26}",
            f"{len(data) // 1024:>5}",
            f"{codes:<11}",
            f"{wall:>6.2f}",
            f"{rss0:>6.0f}",
            f"{peak:>6.0f}",
            f"{rss1:>6.0f}",
            f"{statistics.median(idle):>6.1f}",
            f"{max(idle):>6.1f}",
            f"{statistics.median(busy):>6.1f}",
            f"{max(busy):>7.1f}",
        ]
        return "| " + " | ".join(cells) + " |"
    finally:
        srv.stop()


def images(tmp: Path) -> None:
    print(f"\n## images: {CONCURRENT} concurrent image2video creates, one 7000x7000 image each (API only)\n")
    print(
        "| input | KB | codes | wall s | RSS before MB | peak growth MB | RSS after MB "
        "| healthz idle p50 ms | idle max | healthz busy p50 ms | busy max |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(image_row(tmp, "webp 7000x7000 lossy", flat_webp(7000, 7000)))
    print(image_row(tmp, "png 7000x7000 padded", padded_png(7000, 7000)))


class _Files(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}  # noqa: RUF012 (filled once before the server starts)

    def do_GET(self) -> None:
        body = self.files.get(self.path.strip("/"))
        self.send_response(200 if body else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass


def serve_files(files: dict[str, bytes]) -> str:
    _Files.files = files
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def durations(tmp: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.media.helpers import mp4_bytes

    print("\n## durations: headers claim 10 s\n")
    m4a = lying_duration(aac_m4a(tmp / "long.m4a", 400.0, rate=8000).read_bytes(), 10.0)
    mp4 = lying_duration(mp4_bytes(tmp, 60.0, fps=5), 10.0)
    host = serve_files({"long.mp4": mp4})
    srv = server(tmp, "durations")
    try:
        with srv.client(timeout=120) as c:
            from tests.api.media import portrait_b64

            avatar = c.post(
                "/kling/v1/videos/avatar/image2video",
                json={"image": portrait_b64(), "sound_file": base64.b64encode(m4a).decode()},
            ).json()
            v2a = c.post("/kling/v1/audio/video-to-audio", json={"video_url": f"{host}/long.mp4"}).json()
    finally:
        srv.stop()
    print("| input | holds | limit | reply |")
    print("|---|---|---|---|")
    rows = [
        (f"avatar sound_file M4A ({len(m4a) // 1024} KB)", "400 s", "300 s", avatar),
        (f"video_url MP4 ({len(mp4) // 1024} KB)", "60 s", "20 s", v2a),
    ]
    for label, holds, limit, reply in rows:
        print(f"| {label} | {holds} | {limit} | {reply['code']} {reply['message']} |")


ENGINE_RUN = """
import json, resource, sys, time
from kinema.engines.video_to_audio import video_to_audio
t = time.perf_counter()
try:
    video_to_audio(sys.argv[1], sys.argv[2])
    outcome = "ok"
except Exception as exc:
    outcome = type(exc).__name__ + ": " + str(exc)[:60]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall": time.perf_counter() - t, "rss": rss, "out": outcome}))
"""


def engine(clip: Path, out: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", ENGINE_RUN, str(clip), str(out)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def fps(tmp: Path, seconds: float) -> None:
    print("\n## frame rate: 16x16 H.264 at 10,000 fps\n")
    fast4 = fast_video(tmp / "fast4.mp4", fps=10_000, seconds=4.0)
    host = serve_files({"fast.mp4": fast4.read_bytes()})
    srv = server(tmp, "fps")
    try:
        with srv.client(timeout=120) as c:
            reply = c.post("/kling/v1/audio/video-to-audio", json={"video_url": f"{host}/fast.mp4"}).json()
    finally:
        srv.stop()
    size = fast4.stat().st_size // 1024
    print(f"create with a 4 s clip ({size} KB, 40,000 frames): {reply['code']} {reply['message']}\n")
    print(f"engine run directly (no create check), {seconds:g} s clips:\n")
    print("| clip | frames | engine wall s | engine peak RSS MB | outcome |")
    print("|---|---|---|---|---|")
    for label, rate in (("25 fps", 25), ("10,000 fps", 10_000)):
        clip = fast_video(tmp / f"clip-{rate}.mp4", fps=rate, seconds=seconds)
        r = engine(clip, tmp / f"out-{rate}")
        print(f"| {label} | {round(rate * seconds)} | {r['wall']:.2f} | {r['rss']:.0f} | {r['out']} |")


WORKER_LOAD = """
import json, sys, time
from pathlib import Path
def status(field):
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field))
    return int(line.split()[1]) / 1024
kind, path = sys.argv[1], Path(sys.argv[2])
if kind == "avatar":
    from kinema.engines.avatar.face import load_image
    load = lambda: load_image(path, 720, 1280)
else:
    from kinema.engines import image2video
    def load():
        try:
            return image2video._load_rgb(path, "image", 720)
        except TypeError:  # the loader before issue 13 took no size
            return image2video._load_rgb(path, "image")
Path("/proc/self/clear_refs").write_text("5")
before = status("VmRSS")
t = time.perf_counter()
shape = load().shape
print(json.dumps({"wall": time.perf_counter() - t, "growth": status("VmHWM") - before, "shape": shape}))
"""


def worker_images(tmp: Path) -> None:
    print("\n## worker: loading one 7000x7000 image for rendering (peak RSS growth of the loader)\n")
    print("| engine | input | wall s | peak growth MB | decoded to |")
    print("|---|---|---|---|---|")
    for fmt, data in (("webp", flat_webp(7000, 7000)), ("png", padded_png(7000, 7000))):
        path = tmp / f"big.{fmt}"
        path.write_bytes(data)
        for kind in ("avatar", "i2v"):
            done = subprocess.run(
                [sys.executable, "-c", WORKER_LOAD, kind, str(path)], capture_output=True, text=True
            )
            if done.returncode:
                print(f"| {kind} | {fmt} | - | - | failed: {done.stderr.strip().splitlines()[-1]} |")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"| {kind} | {fmt} | {r['wall']:.2f} | {r['growth']:.0f} | {r['shape']} |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", nargs="+", default=["images", "worker", "durations", "fps"])
    p.add_argument("--fps-seconds", type=float, default=1.0, help="length of the clips the engine runs on")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if "images" in args.only:
            images(tmp)
        if "worker" in args.only:
            worker_images(tmp)
        if "durations" in args.only:
            durations(tmp)
        if "fps" in args.only:
            fps(tmp, args.fps_seconds)


if __name__ == "__main__":
    main()
