"""A small tmpfs to run out of space on for real: mounted for one test, filled with a file, then freed.

Mounting needs root (or CAP_SYS_ADMIN); where it is not permitted the test is skipped, saying why.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FILL_NAME = "fill.bin"


@contextmanager
def small_tmpfs(mountpoint: Path, size_bytes: int) -> Iterator[Path]:
    """A fresh tmpfs of ``size_bytes`` at ``mountpoint``, unmounted (lazily, if still busy) afterwards."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(mountpoint)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot mount a tmpfs to fill: {exc}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill (needs root): {done.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True, timeout=30)


def free_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(root: Path, leave: int = 0) -> None:
    """Grow the filler file under ``root`` until at most ``leave`` bytes are free."""
    with (root / FILL_NAME).open("ab") as fh:
        need = free_bytes(root) - leave
        while need > 0:
            try:
                fh.write(b"\0" * min(need, 1 << 20))
                fh.flush()
            except OSError:
                break
            need = free_bytes(root) - leave


def free(root: Path) -> None:
    """Delete the filler file: the space is back at once."""
    (root / FILL_NAME).unlink(missing_ok=True)
