"""What the soak found, read back from PostgreSQL, the S3 bucket, the callback receiver and ``/metrics``."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from bench.soak_cluster import Cluster

TERMINAL = ("succeed", "failed")
FINISHED = re.compile(r'kinema_tasks_finished_total\{kind="(\w+)",mode="\w+",outcome="(\w+)"\} ([\d.e+]+)')
HTTP = re.compile(r'kinema_http_requests_total\{method="(\w+)",route="([^"]+)",status="(\d+)"\} ([\d.e+]+)')


@dataclass
class Report:
    accepted: int = 0
    refused: list[str] = field(default_factory=list)
    outcomes: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, status) -> tasks
    failures: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    retried: int = 0
    orphan_blobs: int = 0
    kills: int = 0
    seconds: float = 0.0
    callbacks: int = 0
    metrics_finished: dict[tuple[str, str], float] = field(default_factory=dict)
    metrics_lines: list[str] = field(default_factory=list)

    @property
    def finished(self) -> int:
        return sum(self.outcomes.values())


def _rows(cluster: Cluster, ids: dict[str, str]) -> tuple[list[Any], dict[str, list[str]], set[str]]:
    """This run's task rows, each task's committed result blobs, and every blob key the database names
    (results, their side files, stored inputs)."""
    from sqlalchemy import select

    from kinema.db.engine import Database
    from kinema.db.models import Asset, Task

    db = Database(cluster.database_url)
    try:
        with db.read() as s:
            columns = (Task.id, Task.kind, Task.status, Task.status_msg, Task.attempt, Task.result)
            tasks = list(s.execute(select(*columns, Task.inputs)).all())
            assets: dict[str, list[str]] = {}
            named = {str(v) for t in tasks for v in (t.inputs or {}).values()}
            for task_id, key, extra in s.execute(select(Asset.task_id, Asset.blob_key, Asset.extra)).all():
                assets.setdefault(str(task_id), []).append(key)
                named |= {key, *(str(v) for v in (extra or {}).values() if isinstance(v, str))}
    finally:
        db.dispose()
    return [t for t in tasks if t.id in ids], assets, named


def _result_keys(result: dict[str, Any]) -> set[str]:
    """Every blob key a stored task result names (videos, watermarked copies, audio formats)."""
    keys: set[str] = set()
    for entry in [*result.get("videos", []), *result.get("audios", [])]:
        keys |= {str(v) for k, v in entry.items() if k == "key" or k.startswith(("key_", "watermark_key"))}
    return keys


def _bucket_keys(cluster: Cluster) -> set[str]:
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=cluster.s3_url,
        region_name="us-east-1",
        aws_access_key_id="soak",
        aws_secret_access_key="soak",
    )
    keys: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=cluster.bucket):
        keys |= {o["Key"] for o in page.get("Contents", [])}
    return keys


def _final_callbacks_twice(receiver: Any) -> list[str]:
    seen: Counter[tuple[str, str]] = Counter()
    for call in receiver.calls:
        body = json.loads(call.body)
        task = body.get("data", body)
        if task.get("task_status") in TERMINAL:
            seen[(task["task_id"], task["task_status"])] += 1
    return [
        f"{tid}: final callback '{status}' delivered {n} times" for (tid, status), n in seen.items() if n > 1
    ]


def _metrics(report: Report, url: str) -> None:
    text = httpx.get(url + "/metrics", timeout=60).text
    for line in text.splitlines():
        m = FINISHED.match(line)
        if m:
            key = (m.group(1), "failed" if m.group(2) == "cancelled" else m.group(2))
            report.metrics_finished[key] = report.metrics_finished.get(key, 0.0) + float(m.group(3))
        if line.startswith(("kinema_tasks_", "kinema_webhook_", "kinema_queue_", "kinema_input_fetch")) or (
            re.match(r"kinema_(task_queue_wait|task_run|engine_stage)_seconds_(sum|count)", line)
        ):
            report.metrics_lines.append(line)
    requests = Counter[str]()
    for line in text.splitlines():
        m = HTTP.match(line)
        if m:
            requests[f"{m.group(1)} {m.group(2)} {m.group(3)}"] += int(float(m.group(4)))
    report.metrics_lines += [f"http {k}: {v}" for k, v in requests.most_common(8)]


def build_report(
    cluster: Cluster, ids: dict[str, str], refused: list[str], receiver: Any, started: float
) -> Report:
    import time

    report = Report(accepted=len(ids), refused=refused, kills=cluster.kills, callbacks=len(receiver.calls))
    tasks, assets, named = _rows(cluster, ids)
    outcomes: Counter[tuple[str, str]] = Counter()
    for t in tasks:
        if t.status not in TERMINAL:
            report.lost.append(f"{t.id} ({t.kind}, {t.status})")
            continue
        outcomes[(t.kind, t.status)] += 1
        report.retried += t.attempt > 1
        if t.status == "failed":
            report.failures[f"{t.kind}: {t.status_msg}"] += 1
        extra = set(assets.get(t.id, [])) - _result_keys(t.result or {})
        if extra or len(assets.get(t.id, [])) != len(set(assets.get(t.id, []))):
            report.duplicates.append(f"{t.id} ({t.kind}): {len(extra)} stored results not in its result")
    report.lost += [f"{i} (never written)" for i in set(ids) - {t.id for t in tasks}]
    report.outcomes = dict(outcomes)
    report.duplicates += _final_callbacks_twice(receiver)
    report.orphan_blobs = len({k for k in _bucket_keys(cluster) if "/" in k} - named)
    report.seconds = time.monotonic() - started
    _metrics(report, cluster.api_urls[0])
    return report


def print_report(r: Report) -> None:
    print(
        f"\naccepted {r.accepted}, refused at create {len(r.refused)}, finished {r.finished} in "
        f"{r.seconds:.0f} s ({r.finished / max(r.seconds, 1e-9):.2f} tasks/s), workers SIGKILLed {r.kills}"
    )
    for (kind, status), n in sorted(r.outcomes.items()):
        print(f"  {kind:<15} {status:<8} {n:>5}   /metrics: {r.metrics_finished.get((kind, status), 0):.0f}")
    agree = all(r.metrics_finished.get(k, 0) == v for k, v in r.outcomes.items())
    print(f"/metrics finished counts agree with the database: {'yes' if agree else 'NO'}")
    for reason, n in r.failures.most_common():
        print(f"  failed ×{n}: {reason}")
    for reason in r.refused[:10]:
        print(f"  refused: {reason}")
    print(
        f"lost: {len(r.lost)}  duplicates: {len(r.duplicates)}  re-run after a kill: {r.retried}  "
        f"orphan blobs of killed attempts: {r.orphan_blobs}  callbacks received: {r.callbacks}"
    )
    for line in r.lost[:20] + r.duplicates[:20]:
        print(f"  {line}")
    print("\n/metrics (API process 1, every process of this host):")
    for line in r.metrics_lines:
        print(f"  {line}")
