"""The folder where every process of one deployment on one host writes its metric values.

prometheus-client's multiprocess mode keeps one memory-mapped file per process and metric type
(``counter_<pid>.db``, ``histogram_<pid>.db``); a scrape adds them all up. kinema owns that folder: the
``KINEMA_METRICS_DIR`` setting (default: a folder named after the data folder in ``/dev/shm``), so each
deployment has its own, and every
API process, worker and forked job process of the deployment writes to it.

Processes come and go (a killed job process is replaced by a new pid), so the folder would grow without end.
:func:`compact` folds the files of dead processes into one ``<type>_archive.db`` per type and deletes them:
totals stay (counters never go backwards), files stay few. It runs at each process start and at most once a
minute on scrape, under an exclusive lock so two processes never fold the same file twice.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import time
from pathlib import Path

from prometheus_client.mmap_dict import MmapedDict

log = logging.getLogger(__name__)

_FILE = re.compile(r"^(counter|histogram)_(\d+)\.db$")
_LIVE_GAUGE = re.compile(r"^gauge_live\w*_(\d+)\.db$")
ARCHIVE = "{typ}_archive.db"
COMPACT_EVERY_S = 60.0
_last_compact = 0.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def compact(folder: Path) -> int:
    """Fold the counter and histogram files of dead processes into the archive files; drop dead processes'
    live-gauge files. Returns the number of files removed."""
    global _last_compact
    _last_compact = time.monotonic()
    removed = 0
    with open(folder / ".compact.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for path in sorted(folder.iterdir()):
            match = _FILE.match(path.name)
            live_gauge = _LIVE_GAUGE.match(path.name)
            if match and not _alive(int(match.group(2))):
                _fold(path, folder / ARCHIVE.format(typ=match.group(1)))
            elif not (live_gauge and not _alive(int(live_gauge.group(1)))):
                continue
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def compact_now_and_then(folder: Path) -> None:
    """:func:`compact` when the last run is older than ``COMPACT_EVERY_S`` (called on scrape)."""
    if time.monotonic() - _last_compact >= COMPACT_EVERY_S:
        try:
            compact(folder)
        except OSError:
            log.warning("could not compact the metrics folder %s", folder, exc_info=True)


def _fold(source: Path, archive: Path) -> None:
    """Add every value of ``source`` into ``archive`` (same keys: metric, labels and help)."""
    values = MmapedDict.read_all_values_from_file(str(source))
    target = MmapedDict(str(archive))
    try:
        for key, value, _timestamp, _pos in values:
            current, _ = target.read_value(key)
            target.write_value(key, current + value, 0.0)
    finally:
        target.close()
