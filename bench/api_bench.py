#!/usr/bin/env python3
"""API benchmark: start a server on loopback, drive a bounded load, print a table.

    .venv/bin/python bench/api_bench.py [--creates 600] [--gets 2000] [--concurrency 16]

Measures task creates/s (image-to-video with a small base64 PNG, so each create really decodes, sniffs,
stores its input and commits a task row), GET p50/p99 of a task query, and the server's memory. The server
runs with ``--api-only`` so workers do not compete for the two cores; ``/healthz`` throughput in the same run
is the baseline the other figures are compared with (this machine is noisy).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.api.server import start_server


def small_png() -> str:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (320, 320, 3), dtype=np.uint8)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def rss_mb(pid: int) -> float:
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total = int(line.split()[1]) / 1024
    return total


async def run(n: int, concurrency: int, fn) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    lat: list[float] = []
    sem = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with sem:
            t = time.perf_counter()
            await fn(i)
            lat.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return time.perf_counter() - t0, lat


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p)) * 1000


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        srv = start_server(
            Path(tmp),
            api_only=True,
            KINEMA_MAX_RUNNING_TASKS="1000000",
            KINEMA_RATE_LIMIT_PER_MINUTE="100000000",
        )
        try:
            body = {"image": small_png(), "prompt": "slow zoom in"}
            headers = {"Authorization": f"Bearer {srv.key}"}
            limits = httpx.Limits(max_connections=args.concurrency)
            async with httpx.AsyncClient(base_url=srv.base, headers=headers, timeout=60, limits=limits) as c:
                ids: list[str] = []

                async def health(_: int) -> None:
                    (await c.get("/healthz")).raise_for_status()

                async def create(_: int) -> None:
                    r = await c.post("/kling/v1/videos/image2video", json=body)
                    data = r.json()
                    assert data["code"] == 0, data
                    ids.append(data["data"]["task_id"])

                async def get(i: int) -> None:
                    r = await c.get(f"/kling/v1/videos/image2video/{ids[i % len(ids)]}")
                    assert r.json()["code"] == 0

                await run(50, args.concurrency, health)  # warm-up
                h_wall, h_lat = await run(args.gets, args.concurrency, health)
                c_wall, c_lat = await run(args.creates, args.concurrency, create)
                g_wall, g_lat = await run(args.gets, args.concurrency, get)
            mem = rss_mb(srv.proc.pid)
        finally:
            srv.stop()
    rows = [
        ("GET /healthz (baseline)", args.gets / h_wall, pct(h_lat, 50), pct(h_lat, 99), 1.0),
        (
            "POST create image2video",
            args.creates / c_wall,
            pct(c_lat, 50),
            pct(c_lat, 99),
            (args.creates / c_wall) / (args.gets / h_wall),
        ),
        (
            "GET task by id",
            args.gets / g_wall,
            pct(g_lat, 50),
            pct(g_lat, 99),
            (args.gets / g_wall) / (args.gets / h_wall),
        ),
    ]
    print(
        f"\nkinema API benchmark — SQLite, 1 API process, concurrency {args.concurrency}, "
        f"{args.creates} creates, {args.gets} gets"
    )
    print(f"| {'operation':<26} | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'vs baseline':>11} |")
    print(f"|{'-' * 28}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 13}|")
    for name, rps, p50, p99, ratio in rows:
        print(f"| {name:<26} | {rps:>8.0f} | {p50:>7.1f} | {p99:>7.1f} | {ratio:>10.2f}x |")
    print(f"\nserver RSS after the run: {mem:.0f} MB; budget: ≥ 300 creates/s, GET p99 ≤ 20 ms")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--creates", type=int, default=600)
    p.add_argument("--gets", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=16)
    asyncio.run(main(p.parse_args()))
