#!/usr/bin/env python3
"""Scale-out soak: 2 API processes + 3 workers on PostgreSQL, Redis and S3 (moto), workers SIGKILLed.

    PYTHONPATH=src .venv/bin/python bench/soak.py [--tts 300 --avatar 10 --i2v 10 --v2a 20 --t2a 20]
        [--kill-every 15] [--timeout 1800]

Submits a bounded mix of tasks through both API processes (TTS is synchronous; avatar speaks one of the
TTS results; video to audio scores one of the image-to-video results, so it starts once one is done), every
asynchronous task with a callback to a receiver here (its first 3 deliveries answered 500, so retries happen).
While tasks remain, every ``--kill-every`` seconds one worker, picked at random among those running a task,
is SIGKILLed with its job processes and started again. Then it prints: tasks accepted, succeeded, failed (by
reason), lost (accepted but not terminal when the run ends: must be 0), duplicates (a task with more stored
results than its result names, or a final callback delivered twice), throughput, and the ``/metrics`` view of
the same run, checked against the database. Exit status 1 when a task is lost or duplicated.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.soak_cluster import Cluster
from bench.soak_report import Report, build_report, print_report
from tests.api.media import png_b64, portrait_b64
from tests.api.receiver import Receiver, start_receiver

PATHS = {
    "tts": "/v1/audio/tts",
    "avatar": "/v1/videos/avatar/image2video",
    "image2video": "/v1/videos/image2video",
    "video_to_audio": "/v1/audio/video-to-audio",
    "text_to_audio": "/v1/audio/text-to-audio",
}


@dataclass
class Mix:
    tts: int = 300
    avatar: int = 10
    i2v: int = 10
    v2a: int = 20
    t2a: int = 20

    @property
    def total(self) -> int:
        return self.tts + self.avatar + self.i2v + self.v2a + self.t2a


@dataclass
class Submitted:
    ids: dict[str, str] = field(default_factory=dict)  # task id -> kind
    refused: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)


class Driver:
    """Sends the creates, round-robin over the API processes, from a small thread pool."""

    def __init__(self, cluster: Cluster, key: str, receiver: Receiver) -> None:
        self.cluster, self.receiver = cluster, receiver
        self.clients = [
            httpx.Client(base_url=u, headers={"Authorization": f"Bearer {key}"}, timeout=120)
            for u in cluster.api_urls
        ]
        self.out = Submitted()
        self._n = 0

    def create(self, kind: str, body: dict[str, Any]) -> dict[str, Any] | None:
        self._n += 1
        client = self.clients[self._n % len(self.clients)]
        if kind != "tts":
            body = {**body, "callback_url": self.receiver.url}
        try:
            reply = client.post(PATHS[kind], json=body).json()
        except httpx.HTTPError as exc:
            self.out.refused.append(f"{kind}: {type(exc).__name__}")
            return None
        if reply.get("code") != 0:
            self.out.refused.append(f"{kind}: {reply.get('code')} {reply.get('message')}")
            return None
        data: dict[str, Any] = reply["data"]
        self.out.ids[data["task_id"]] = kind
        return data

    def task(self, kind: str, task_id: str) -> dict[str, Any]:
        data: dict[str, Any] = self.clients[0].get(f"{PATHS[kind]}/{task_id}").json()["data"]
        return data

    def close(self) -> None:
        for c in self.clients:
            c.close()


def submit(driver: Driver, mix: Mix) -> None:
    """Everything but video to audio at once; video to audio once an image-to-video result exists."""
    speech = driver.create(
        "tts",
        {
            "text": "The soak test speaks this sentence for the avatar to say.",
            "voice_id": "oversea_male1",
            "voice_language": "en",
        },
    )
    audio_id = speech["task_result"]["audios"][0]["id"] if speech else None
    jobs: list[tuple[str, dict[str, Any]]] = [
        ("tts", {"text": f"Soak sentence number {i}.", "voice_id": "oversea_male1", "voice_language": "en"})
        for i in range(mix.tts - 1)
    ]
    face, photo = portrait_b64(), png_b64(480, 320)
    jobs += [("avatar", {"image": face, "audio_id": audio_id, "prompt": "smile"})] * mix.avatar
    jobs += [("image2video", {"image": photo, "prompt": "slow zoom in", "duration": "5"})] * mix.i2v
    jobs += [("text_to_audio", {"prompt": "rain on a tin roof", "duration": 3})] * mix.t2a
    random.Random(7).shuffle(jobs)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda job: driver.create(*job), jobs))
    if mix.v2a:
        video_id = first_video(driver, timeout=900)
        body = {"video_id": video_id, "sound_effect_prompt": "wind and footsteps"}
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: driver.create("video_to_audio", body), range(mix.v2a)))


def first_video(driver: Driver, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for task_id, kind in list(driver.out.ids.items()):
            if kind == "image2video":
                data = driver.task(kind, task_id)
                if data["task_status"] == "succeed":
                    return str(data["task_result"]["videos"][0]["id"])
        time.sleep(1.0)
    raise RuntimeError("no image-to-video task succeeded in time: video to audio cannot start")


def active(cluster: Cluster) -> int:
    """Tasks not yet in a final state (read from PostgreSQL; the run has a database of its own)."""
    from sqlalchemy import func, select

    from kinema.db.engine import Database
    from kinema.db.models import Task

    db = Database(cluster.database_url)
    try:
        with db.read() as s:
            stmt = select(func.count()).select_from(Task).where(Task.status.in_(["submitted", "processing"]))
            return int(s.scalar(stmt) or 0)
    finally:
        db.dispose()


class Killer(threading.Thread):
    """Every ``every`` s, SIGKILL one worker with its job processes and restart it: one that is running a
    task, picked at random, else any."""

    def __init__(self, cluster: Cluster, every: float, max_kills: int, started: float) -> None:
        super().__init__(name="soak-killer", daemon=True)
        self.cluster, self.every, self.max_kills, self.started = cluster, every, max_kills, started
        self.stop = threading.Event()

    def run(self) -> None:
        rng = random.Random(11)
        while self.every > 0 and not self.stop.wait(self.every) and self.cluster.kills < self.max_kills:
            busy = self.cluster.busy_workers()  # a kill that interrupts a task, when one runs
            victim = rng.choice(busy) if busy else rng.randrange(self.cluster.workers)
            self.cluster.kill_worker(victim)
            print(
                f"  t={time.monotonic() - self.started:6.1f} s: SIGKILL worker {victim} (and its job "
                "processes), restarted",
                flush=True,
            )


def wait_done(cluster: Cluster, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and active(cluster) > 0:
        time.sleep(0.5)


def run_soak(
    mix: Mix,
    *,
    workers: int = 3,
    apis: int = 2,
    kill_every: float = 15.0,
    max_kills: int = 1000,
    timeout: float = 1800.0,
    root: Path | None = None,
) -> Report:
    from kinema.accounts import create_api_key
    from kinema.db.engine import Database

    with tempfile.TemporaryDirectory(prefix="kinema-soak-") as tmp:
        cluster = Cluster(root or Path(tmp), apis=apis, workers=workers)
        receiver = start_receiver(fail_first=3)
        try:
            cluster.start()
            db = Database(cluster.database_url)
            key = create_api_key(db, "soak").api_key or ""
            db.dispose()
            driver = Driver(cluster, key, receiver)
            killer = Killer(cluster, kill_every, max_kills, driver.out.started)
            killer.start()
            submit(driver, mix)
            wait_done(cluster, timeout)
            killer.stop.set()
            killer.join()
            time.sleep(3.0)  # the last callbacks
            report = build_report(cluster, driver.out.ids, driver.out.refused, receiver, driver.out.started)
            driver.close()
            return report
        finally:
            receiver.stop()
            cluster.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, default in (("tts", 300), ("avatar", 10), ("i2v", 10), ("v2a", 20), ("t2a", 20)):
        p.add_argument(f"--{name}", type=int, default=default)
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--apis", type=int, default=2)
    p.add_argument("--kill-every", type=float, default=15.0, help="seconds between worker kills (0: none)")
    p.add_argument("--max-kills", type=int, default=1000)
    p.add_argument("--timeout", type=float, default=1800.0)
    a = p.parse_args()
    mix = Mix(a.tts, a.avatar, a.i2v, a.v2a, a.t2a)
    print(
        f"kinema soak: {a.apis} API processes, {a.workers} workers, {mix.total} tasks, "
        "PostgreSQL + Redis + S3 (moto)"
    )
    report = run_soak(
        mix, workers=a.workers, apis=a.apis, kill_every=a.kill_every, max_kills=a.max_kills, timeout=a.timeout
    )
    print_report(report)
    sys.exit(1 if report.lost or report.duplicates else 0)


if __name__ == "__main__":
    main()
