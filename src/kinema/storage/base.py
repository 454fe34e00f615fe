"""The storage interface. Keys are relative POSIX paths chosen by kinema (``<account>/<task>/<name>``)."""

from __future__ import annotations

import mimetypes
import posixpath
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Types pinned for our own outputs: ``mimetypes`` varies by platform (``audio/x-wav`` on some).
_PINNED_TYPES = {".mp4": "video/mp4", ".mp3": "audio/mpeg", ".wav": "audio/wav", ".json": "application/json"}


def content_type_for(name: str) -> str:
    """The content type a blob key or file name implies by its extension (``application/octet-stream`` if
    none): the one place kinema maps names to types, for inputs, results and local storage alike."""
    suffix = posixpath.splitext(name)[1].lower()
    return _PINNED_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


@dataclass(frozen=True)
class BlobInfo:
    size: int
    content_type: str


class Storage(ABC):
    """put / open / local copy / delete / direct URL. Implementations must be safe across processes."""

    @abstractmethod
    def put_file(self, key: str, path: Path, content_type: str) -> None:
        """Store the file at ``path`` under ``key`` (atomically replacing any previous blob)."""

    @abstractmethod
    def put_bytes(self, key: str, data: bytes, content_type: str) -> None: ...

    @abstractmethod
    def info(self, key: str) -> BlobInfo | None:
        """Size and type, or None when missing."""

    @abstractmethod
    def open_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """Yield the bytes ``start..end`` inclusive, in chunks (for HTTP Range)."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the blob; missing is not an error."""

    @abstractmethod
    def download_to(self, key: str, dest: Path) -> None:
        """Copy the blob to a local file (workers read inputs from local files)."""

    def direct_url(self, key: str, ttl_s: int) -> str | None:
        """A URL the client can fetch without kinema (S3 presigned), or None to serve through the API."""
        return None
