#!/usr/bin/env python3
"""API benchmark: start a server on loopback, drive a bounded load with ``wrk``, print a table.

    apt-get install wrk                     # the load generator (C, so it leaves the cores to the server)
    .venv/bin/python bench/api_bench.py [--seconds 8] [--api-workers 1 2]

Per server configuration (1 or 2 API processes, SQLite, no workers so renders do not compete): task creates/s
(image-to-video with a real ~30 KB JPEG in base64, so each create decodes and checks the image, stores it,
commits the task row with its outbox and rings the queue), GET of one task at 2 and 8 concurrent connections,
and ``/healthz`` as the baseline every other row is compared with (this machine is noisy). Memory is the RSS
of the API process(es) after the run.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.api.server import start_server

Row = tuple[str, float, float, float]


def photo_jpeg() -> str:
    """A real photo (scikit-image's chelsea, 451x300 JPEG): a typical small client upload."""
    import base64
    import io

    from PIL import Image
    from skimage.data import chelsea

    buf = io.BytesIO()
    Image.fromarray(chelsea()).save(buf, format="JPEG", quality=85)
    return base64.b64encode(buf.getvalue()).decode()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for kid in (task / "children").read_text().split():
            out += [int(kid), *descendants(int(kid))]
    return out


def ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, seconds: int, conns: int, script: Path | None = None) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms); non-2xx replies make the run fail loudly."""
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency"] + (["-s", str(script)] if script else [])
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"errors during the run:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    return rps, p50, p99


def lua(path: Path, key: str, body: Path | None = None) -> Path:
    lines = [f'wrk.headers["Authorization"] = "Bearer {key}"']
    if body:
        lines += [
            f'local f = io.open("{body}", "r"); wrk.body = f:read("*a"); f:close()',
            'wrk.method = "POST"',
            'wrk.headers["Content-Type"] = "application/json"',
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


def measure(seconds: int, api_workers: int) -> tuple[list[Row], float]:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        srv = start_server(
            d / "srv",
            api_only=True,
            KINEMA_MAX_RUNNING_TASKS="1000000000",
            KINEMA_RATE_LIMIT_PER_MINUTE="1000000000",
            KINEMA_API_WORKERS=str(api_workers),
        )
        try:
            body = d / "body.json"
            body.write_text(json.dumps({"image": photo_jpeg(), "prompt": "slow zoom in"}))
            post, auth = lua(d / "post.lua", srv.key, body), lua(d / "auth.lua", srv.key)
            create_url = f"{srv.base}/kling/v1/videos/image2video"
            wrk(f"{srv.base}/healthz", 2, 4)  # warm every process
            health = wrk(f"{srv.base}/healthz", seconds, 8)
            create = wrk(create_url, seconds, 8, post)
            tid = httpx.get(
                create_url, params={"pageSize": 1}, headers={"Authorization": f"Bearer {srv.key}"}, timeout=30
            ).json()["data"][0]["task_id"]
            get2 = wrk(f"{create_url}/{tid}", seconds, 2, auth)
            get8 = wrk(f"{create_url}/{tid}", seconds, 8, auth)
            mem = rss_mb(srv.proc.pid) + sum(rss_mb(p) for p in descendants(srv.proc.pid))
        finally:
            srv.stop()
    tag = f"{api_workers} API proc:"
    rows = [
        (f"{tag} GET /healthz, 8 conns (baseline)", *health),
        (f"{tag} POST create i2v, 8 conns", *create),
        (f"{tag} GET task, 2 conns", *get2),
        (f"{tag} GET task, 8 conns", *get8),
    ]
    return rows, mem


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=int, default=8)
    p.add_argument("--api-workers", type=int, nargs="+", default=[1, 2])
    args = p.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("this benchmark needs wrk: apt-get install wrk")
    print(f"\nkinema API benchmark — SQLite, API only, wrk {args.seconds} s per row")
    head = ("operation", "req/s", "p50 ms", "p99 ms", "vs baseline", "RSS MB")
    print("| {:<44} | {:>6} | {:>6} | {:>6} | {:>11} | {:>6} |".format(*head))
    print(f"|{'-' * 46}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 13}|{'-' * 8}|")
    for n in args.api_workers:
        rows, mem = measure(args.seconds, n)
        base = rows[0][1]
        for name, rps, p50, p99 in rows:
            ratio = f"{rps / base:.2f}x"
            print(f"| {name:<44} | {rps:>6.0f} | {p50:>6.1f} | {p99:>6.1f} | {ratio:>11} | {mem:>6.0f} |")
    print("\nbudget (DESIGN.md): >= 300 creates/s, GET p99 <= 20 ms")


if __name__ == "__main__":
    main()
