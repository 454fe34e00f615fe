"""Blobs as files under a folder; the API serves them at signed, expiring URLs with HTTP Range.

A task create stores its inputs here on the request path, so a write is kept to the few system calls it
needs: the key is checked as text (kinema chooses keys; no symlink resolution), folders already made by this
process are remembered, and the content type is read from the key's extension — a ``.meta`` sidecar is
written only for a blob whose type the extension does not give.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

from kinema.storage.base import BlobInfo, Storage, content_type_for

CHUNK = 256 * 1024


@contextlib.contextmanager
def _removed_on_failure(tmp: Path) -> Iterator[None]:
    """A write that fails part-way (a full disk, most often) must not leave its partial temporary file
    behind: on a full disk that file holds exactly the space the next write needs."""
    try:
        yield
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class LocalStorage(Storage):
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._made: set[str] = set()
        self._made_lock = threading.Lock()

    def _path(self, key: str) -> Path:
        norm = posixpath.normpath(key)
        if key.startswith("/") or norm == "." or norm == ".." or norm.startswith("../") or "\x00" in key:
            raise ValueError(f"blob key escapes the storage root: {key!r}")
        return self.root / norm

    def _ensure_parent(self, dest: Path) -> None:
        parent = str(dest.parent)
        if parent in self._made:
            return
        dest.parent.mkdir(parents=True, exist_ok=True)
        with self._made_lock:
            self._made.add(parent)

    def _tmp_name(self, dest: Path) -> Path:
        return dest.with_name(f".up-{os.getpid()}-{threading.get_ident()}-{dest.name}")

    def _write_meta(self, dest: Path, key: str, content_type: str) -> None:
        meta = dest.with_name(dest.name + ".meta")
        if content_type == content_type_for(key):
            if meta.exists():
                meta.unlink(missing_ok=True)
            return
        meta.write_text(json.dumps({"content_type": content_type}))

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        dest = self._path(key)
        self._ensure_parent(dest)
        tmp = self._tmp_name(dest)
        with _removed_on_failure(tmp):
            try:
                shutil.copyfile(path, tmp)
            except FileNotFoundError:  # the folder was swept away (retention) since we made it
                self._made.discard(str(dest.parent))
                self._ensure_parent(dest)
                shutil.copyfile(path, tmp)
            os.replace(tmp, dest)
        self._write_meta(dest, key, content_type)

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        dest = self._path(key)
        self._ensure_parent(dest)
        tmp = self._tmp_name(dest)
        try:
            fh = open(tmp, "wb")  # noqa: SIM115 - closed below; retried once if the folder vanished
        except FileNotFoundError:
            self._made.discard(str(dest.parent))
            self._ensure_parent(dest)
            fh = open(tmp, "wb")  # noqa: SIM115
        with _removed_on_failure(tmp):
            with fh:
                fh.write(data)
            os.replace(tmp, dest)
        self._write_meta(dest, key, content_type)

    def info(self, key: str) -> BlobInfo | None:
        path = self._path(key)
        try:
            size = path.stat().st_size
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not path.is_file():
            return None
        content_type = content_type_for(key)
        meta = path.with_name(path.name + ".meta")
        if meta.is_file():
            content_type = json.loads(meta.read_text()).get("content_type", content_type)
        return BlobInfo(size=size, content_type=content_type)

    def open_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        with self._path(key).open("rb") as fh:
            fh.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = fh.read(min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk

    def delete(self, key: str) -> None:
        """Remove the blob and, when that empties it, its folder (a writer that finds its remembered folder
        gone makes it again)."""
        path = self._path(key)
        for p in (path, path.with_name(path.name + ".meta")):
            p.unlink(missing_ok=True)
        if path.parent != self.root:
            with contextlib.suppress(OSError):  # not empty, or already gone
                path.parent.rmdir()

    def download_to(self, key: str, dest: Path) -> None:
        shutil.copyfile(self._path(key), dest)
