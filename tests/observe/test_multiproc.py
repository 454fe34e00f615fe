"""Folding dead processes' metric files keeps every total and leaves one archive file per type."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from kinema.observe.multiproc import compact

CHILD = """
import os, sys
os.environ["PROMETHEUS_MULTIPROC_DIR"] = sys.argv[1]
from prometheus_client import Counter, Histogram
Counter("jobs", "", ["kind"], registry=None).labels("tts").inc(float(sys.argv[2]))
Histogram("took_seconds", "", registry=None, buckets=(1.0, 10.0)).observe(float(sys.argv[2]))
"""


def _scrape(folder: Path) -> list[str]:
    """The exposition's lines, sorted (families come out in the order their files are read)."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))
    return sorted(generate_latest(registry).decode().splitlines())


def _run_child(folder: Path, value: float) -> None:
    subprocess.run([sys.executable, "-c", CHILD, str(folder), str(value)], check=True)


def test_dead_processes_fold_into_the_archive_and_totals_stay(tmp_path: Path) -> None:
    for value in (2, 5, 20):
        _run_child(tmp_path, value)
    before = _scrape(tmp_path)
    assert len(list(tmp_path.glob("counter_*.db"))) == 3
    assert compact(tmp_path) == 6  # three counter and three histogram files, all of dead processes
    assert sorted(p.name for p in tmp_path.glob("*.db")) == ["counter_archive.db", "histogram_archive.db"]
    after = _scrape(tmp_path)
    assert after == before
    assert 'jobs_total{kind="tts"} 27.0' in after and 'took_seconds_bucket{le="10.0"} 2.0' in after
    _run_child(tmp_path, 1)  # a later process adds to the archived totals
    compact(tmp_path)
    assert 'jobs_total{kind="tts"} 28.0' in _scrape(tmp_path)


def test_a_live_process_file_is_kept(tmp_path: Path) -> None:
    import os

    live = tmp_path / f"counter_{os.getpid()}.db"
    live.write_bytes(b"")
    assert compact(tmp_path) == 0 and live.exists()
