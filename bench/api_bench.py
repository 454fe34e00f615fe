#!/usr/bin/env python3
"""API benchmark: start a server on loopback, drive a bounded load, print a table.

    .venv/bin/python bench/api_bench.py [--creates 600] [--gets 2000] [--concurrency 16] [--api-workers 1 2]

Measures task creates/s (image-to-video with a real ~30 KB JPEG in base64, so each create really decodes,
sniffs, stores its input, commits a task row with its outbox and rings the queue), GET p50/p99 of a task
query, and the memory of the API process(es). The server runs without workers (``--api-only``) so renders do
not compete for the two cores; ``/healthz`` throughput in the same configuration is the baseline the other
figures are compared with (this machine is noisy).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.api.server import start_server

Row = tuple[str, float, float, float, float, float]


def photo_jpeg() -> str:
    """A real photo (scikit-image's chelsea, 451x300 JPEG): a typical small client upload."""
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


async def run(n: int, concurrency: int, fn: Callable[[int], Awaitable[None]]) -> tuple[float, list[float]]:
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


async def measure(args: argparse.Namespace, api_workers: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        srv = start_server(
            Path(tmp),
            api_only=True,
            KINEMA_MAX_RUNNING_TASKS="1000000",
            KINEMA_RATE_LIMIT_PER_MINUTE="100000000",
            KINEMA_API_WORKERS=str(api_workers),
        )
        try:
            body = {"image": photo_jpeg(), "prompt": "slow zoom in"}
            headers = {"Authorization": f"Bearer {srv.key}"}
            limits = httpx.Limits(max_connections=args.concurrency)
            async with httpx.AsyncClient(base_url=srv.base, headers=headers, timeout=60, limits=limits) as c:
                ids: list[str] = []

                async def health(_: int) -> None:
                    (await c.get("/healthz")).raise_for_status()

                async def create(_: int) -> None:
                    data = (await c.post("/kling/v1/videos/image2video", json=body)).json()
                    assert data["code"] == 0, data
                    ids.append(data["data"]["task_id"])

                async def get(i: int) -> None:
                    r = await c.get(f"/kling/v1/videos/image2video/{ids[i % len(ids)]}")
                    assert r.json()["code"] == 0

                await run(100, args.concurrency, health)  # warm-up (every API process)
                h_wall, h_lat = await run(args.gets, args.concurrency, health)
                c_wall, c_lat = await run(args.creates, args.concurrency, create)
                g_wall, g_lat = await run(args.gets, args.concurrency, get)
            mem = rss_mb(srv.proc.pid) + sum(rss_mb(p) for p in descendants(srv.proc.pid))
        finally:
            srv.stop()
    base = args.gets / h_wall
    tag = f"{api_workers} API proc:"
    return [
        (f"{tag} GET /healthz (baseline)", base, pct(h_lat, 50), pct(h_lat, 99), 1.0, mem),
        (
            f"{tag} POST create i2v",
            args.creates / c_wall,
            pct(c_lat, 50),
            pct(c_lat, 99),
            args.creates / c_wall / base,
            mem,
        ),
        (
            f"{tag} GET task by id",
            args.gets / g_wall,
            pct(g_lat, 50),
            pct(g_lat, 99),
            args.gets / g_wall / base,
            mem,
        ),
    ]


async def main(args: argparse.Namespace) -> None:
    rows: list[Row] = []
    for n in args.api_workers:
        rows += await measure(args, n)
    print(
        f"\nkinema API benchmark — SQLite, API only (no workers), concurrency {args.concurrency}, "
        f"{args.creates} creates, {args.gets} gets"
    )
    print(
        f"| {'operation':<34} | {'req/s':>6} | {'p50 ms':>6} | {'p99 ms':>6} "
        f"| {'vs baseline':>11} | {'RSS MB':>6} |"
    )
    print(f"|{'-' * 36}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 13}|{'-' * 8}|")
    for name, rps, p50, p99, ratio, mem in rows:
        print(f"| {name:<34} | {rps:>6.0f} | {p50:>6.1f} | {p99:>6.1f} | {ratio:>10.2f}x | {mem:>6.0f} |")
    print("\nbudget: >= 300 creates/s, GET p99 <= 20 ms. RSS: API process(es) after the run.")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--creates", type=int, default=600)
    p.add_argument("--gets", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--api-workers", type=int, nargs="+", default=[1, 2])
    asyncio.run(main(p.parse_args()))
