"""Signed, expiring result URLs.

Local blobs are served by the API at ``/files/<key>?exp=<epoch s>&sig=<hmac>``; S3 blobs get a presigned
URL from the bucket itself. A URL is made each time a task is serialised, so it never outlives its TTL by
much and a leaked URL stops working on its own.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote

from kinema.settings import Settings
from kinema.storage.base import Storage


def default_base_url(settings: Settings) -> str:
    """Where this server is reachable when no public URL is configured (callbacks and the CLI have no
    request to take a base from). A wildcard bind address is not an address a client can use."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}"


class UrlSigner:
    def __init__(self, settings: Settings, storage: Storage) -> None:
        self._key = settings.signing_key()
        self._ttl = settings.result_url_ttl_s
        self._storage = storage
        self._base = (settings.public_base_url or default_base_url(settings)).rstrip("/")

    def signature(self, key: str, exp: int) -> str:
        return hmac.new(self._key, f"{key}\n{exp}".encode(), hashlib.sha256).hexdigest()[:32]

    def verify(self, key: str, exp: int, sig: str) -> bool:
        """Compared as bytes: ``compare_digest`` refuses non-ASCII ``str`` (a TypeError, so a 500)."""
        offered = sig.encode("utf-8", "surrogatepass")
        return exp >= int(time.time()) and hmac.compare_digest(self.signature(key, exp).encode(), offered)

    def url(self, key: str, base_url: str | None = None) -> str:
        """The URL a client downloads ``key`` from. ``base_url`` (the request's) wins over the default."""
        direct = self._storage.direct_url(key, self._ttl)
        if direct:
            return direct
        exp = int(time.time()) + self._ttl
        base = (base_url or self._base).rstrip("/")
        return f"{base}/files/{quote(key)}?exp={exp}&sig={self.signature(key, exp)}"

    def signed_query(self, name: str) -> str:
        """``exp=…&sig=…`` letting a client fetch ``name`` from a route of this API until the URL TTL ends:
        for files a route makes on first use (the preset voices' trial samples), which have no blob to
        presign yet when the URL is handed out. :meth:`verify` checks it."""
        exp = int(time.time()) + self._ttl
        return f"exp={exp}&sig={self.signature(name, exp)}"
