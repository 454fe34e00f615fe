"""Signed result URLs: valid until they expire, and only for the key they were made for."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from kinema.settings import Settings
from kinema.storage.local import LocalStorage
from kinema.storage.urls import UrlSigner


def test_signature_binds_key_and_expiry(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, result_url_ttl_s=60)
    signer = UrlSigner(settings, LocalStorage(tmp_path / "blobs"))
    url = signer.url("acct/task/x.mp4", base_url="http://example.test/")
    parsed = urlparse(url)
    q = {k: v[0] for k, v in parse_qs(parsed.query).items()}
    assert parsed.path == "/files/acct/task/x.mp4"
    exp, sig = int(q["exp"]), q["sig"]
    assert signer.verify("acct/task/x.mp4", exp, sig)
    assert not signer.verify("acct/task/y.mp4", exp, sig)
    assert not signer.verify("acct/task/x.mp4", exp + 1, sig)
    assert not signer.verify("acct/task/x.mp4", int(time.time()) - 1, signer.signature("acct/task/x.mp4", 1))
    assert not signer.verify("acct/task/x.mp4", exp, "\x80")  # non-ASCII: a mismatch, not a TypeError
    assert not signer.verify("acct/task/x.mp4", exp, "\udc80")


def test_signing_key_is_kept_across_processes(tmp_path: Path) -> None:
    a = Settings(data_dir=tmp_path).signing_key()
    b = Settings(data_dir=tmp_path).signing_key()
    assert a == b and len(a) >= 32


def test_default_base_is_reachable_even_for_wildcard_binds(tmp_path: Path) -> None:
    from kinema.storage.urls import default_base_url

    assert default_base_url(Settings(data_dir=tmp_path, host="0.0.0.0", port=9000)) == "http://127.0.0.1:9000"
    assert default_base_url(Settings(data_dir=tmp_path, host="::1", port=9000)) == "http://[::1]:9000"
    settings = Settings(data_dir=tmp_path, public_base_url="https://k.example/")
    signer = UrlSigner(settings, LocalStorage(tmp_path))
    assert signer.url("a/b.mp4").startswith("https://k.example/files/a/b.mp4?")
