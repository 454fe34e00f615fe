"""Blobs as files under a folder; the API serves them at signed, expiring URLs with HTTP Range."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kinema.storage.base import BlobInfo, Storage

CHUNK = 256 * 1024


class LocalStorage(Storage):
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"blob key escapes the storage root: {key!r}")
        return path

    def _write_meta(self, path: Path, content_type: str) -> None:
        path.with_name(path.name + ".meta").write_text(json.dumps({"content_type": content_type}))

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".up-")
        os.close(fd)
        shutil.copyfile(path, tmp)
        os.replace(tmp, dest)
        self._write_meta(dest, content_type)

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".up-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, dest)
        self._write_meta(dest, content_type)

    def info(self, key: str) -> BlobInfo | None:
        path = self._path(key)
        if not path.is_file():
            return None
        meta = path.with_name(path.name + ".meta")
        content_type = "application/octet-stream"
        if meta.is_file():
            content_type = json.loads(meta.read_text()).get("content_type", content_type)
        return BlobInfo(size=path.stat().st_size, content_type=content_type)

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
        path = self._path(key)
        for p in (path, path.with_name(path.name + ".meta")):
            p.unlink(missing_ok=True)

    def download_to(self, key: str, dest: Path) -> None:
        shutil.copyfile(self._path(key), dest)
