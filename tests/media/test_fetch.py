"""SSRF guard, size cap, timeout and redirect handling of URL inputs, against a server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from pathlib import Path
from typing import Any

import pytest

from kinema.contract.errors import Code, KlingError
from kinema.media import fetch as fetch_mod
from kinema.media.fetch import fetch_to_file, fetch_url
from kinema.net import guard as guard_mod
from kinema.settings import Settings

OPEN = Settings(allow_private_urls=True, fetch_timeout_s=1.0, fetch_max_redirects=2)
GUARDED = Settings(allow_private_urls=False, fetch_timeout_s=1.0, fetch_max_redirects=2)
#: The whole reason given for a refused address: no resolved address, no hint whether the name exists.
NOT_ALLOWED = "address not allowed: non-public or unresolvable host"


def run_fetch(url: str, settings: Settings = OPEN, max_bytes: int = 1_000_000) -> bytes:
    return asyncio.run(fetch_url(url, max_bytes=max_bytes, settings=settings, field="image"))


def fetch_error(url: str, settings: Settings = OPEN, max_bytes: int = 1_000_000) -> str:
    with pytest.raises(KlingError) as info:
        run_fetch(url, settings, max_bytes)
    assert info.value.code == Code.INVALID_PARAM
    assert info.value.message.startswith("image: could not fetch URL: ")
    return info.value.message


def test_fetches_bytes_and_files(http_server: str, served_files: dict[str, bytes], tmp_path: Path) -> None:
    served_files["a"] = b"hello" * 1000
    assert run_fetch(f"{http_server}/file/a") == b"hello" * 1000
    dest = tmp_path / "out.bin"
    size = asyncio.run(
        fetch_to_file(f"{http_server}/file/a", dest, max_bytes=10_000, settings=OPEN, field="x")
    )
    assert size == 5000 and dest.read_bytes() == b"hello" * 1000


def test_size_cap_aborts_endless_stream(http_server: str, tmp_path: Path) -> None:
    start = time.monotonic()
    assert "larger than 100000 bytes" in fetch_error(f"{http_server}/endless", max_bytes=100_000)
    assert time.monotonic() - start < 1.0
    dest = tmp_path / "partial.bin"
    with pytest.raises(KlingError):
        asyncio.run(
            fetch_to_file(f"{http_server}/endless", dest, max_bytes=100_000, settings=OPEN, field="x")
        )
    assert not dest.exists()  # no partial file left behind


def test_declared_length_over_cap_is_refused_up_front(http_server: str) -> None:
    assert "Content-Length" in fetch_error(f"{http_server}/liar", max_bytes=1000)


def test_timeout(http_server: str) -> None:
    settings = Settings(allow_private_urls=True, fetch_timeout_s=0.3)
    start = time.monotonic()
    assert "timed out after 0.3 s" in fetch_error(f"{http_server}/slow", settings)
    assert time.monotonic() - start < 2.0


def test_non_2xx_is_an_error(http_server: str) -> None:
    assert "HTTP status 404" in fetch_error(f"{http_server}/status/404")
    assert "HTTP status 500" in fetch_error(f"{http_server}/status/500")


def test_redirects_are_followed_up_to_the_limit(http_server: str, served_files: dict[str, bytes]) -> None:
    served_files["a"] = b"payload"
    assert run_fetch(f"{http_server}/redirect/2") == b"payload"
    assert "too many redirects (more than 2)" in fetch_error(f"{http_server}/redirect/3")


@pytest.mark.parametrize("url", ["ftp://example.com/a.png", "file:///etc/passwd", "gopher://x/"])
def test_only_http_and_https(url: str) -> None:
    assert "only http and https" in fetch_error(url, GUARDED)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.0.0.5/a.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "https://192.168.0.1/x.jpg",
        "http://localhost/",
        "http://2130706433/",  # 127.0.0.1 as a decimal
        "http://0x7f000001/",
        "http://127.1/",
        "http://[0:0:0:0:0:ffff:7f00:1]/",
        "HTTP://10.0.0.1/",
    ],
)
def test_private_destinations_are_refused(url: str) -> None:
    start = time.monotonic()
    assert fetch_error(url, GUARDED) == f"image: could not fetch URL: {NOT_ALLOWED}"
    assert time.monotonic() - start < 0.5  # refused before any connection attempt


def test_local_server_refused_without_the_setting(
    http_server: str, served_files: dict[str, bytes], seen_hosts: list[str]
) -> None:
    served_files["a"] = b"secret"
    assert fetch_error(f"{http_server}/file/a", GUARDED).endswith(NOT_ALLOWED)
    assert seen_hosts == []  # the server never saw a request


def test_refusal_does_not_reveal_the_resolved_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13, item 11: naming the address a host resolves to made the refusal a DNS oracle for internal
    names. An internal name, a name that does not resolve and a literal address all read the same."""

    async def internal(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        if host == "db.internal":
            return [ipaddress.ip_address("10.20.30.40")]
        raise OSError("no such host")

    monkeypatch.setattr(guard_mod, "resolve_host", internal)
    messages = {
        fetch_error(url, GUARDED)
        for url in ("http://db.internal/", "http://nowhere.internal/", "http://10.20.30.40/")
    }
    assert messages == {f"image: could not fetch URL: {NOT_ALLOWED}"}


def test_redirect_to_private_host_is_refused(
    http_server: str, monkeypatch: pytest.MonkeyPatch, seen_hosts: list[str]
) -> None:
    """127.0.0.1 plays the public host here; its redirect to a private address must be checked too."""
    real = guard_mod.is_public_ip
    monkeypatch.setattr(guard_mod, "is_public_ip", lambda ip: str(ip) == "127.0.0.1" or real(ip))
    for target in ("http://10.0.0.1/meta", "http://169.254.169.254/latest", "http://[::1]:80/"):
        message = fetch_error(f"{http_server}/to?url={target}", GUARDED)
        assert message.endswith(NOT_ALLOWED)
    assert len(seen_hosts) == 3  # only the first hop of each attempt reached the server


def test_connection_is_pinned_to_the_checked_address(
    http_server: str, served_files: dict[str, bytes], seen_hosts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name is resolved once by the guard; httpx connects to that IP and only sends the name as Host."""
    served_files["a"] = b"pinned"
    calls: list[str] = []

    async def fake_resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        calls.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(guard_mod, "resolve_host", fake_resolve)
    port = http_server.rsplit(":", 1)[1]
    # "media.invalid" cannot be resolved by the system: success proves httpx used the pinned IP.
    assert run_fetch(f"http://media.invalid:{port}/file/a") == b"pinned"
    assert calls == ["media.invalid"]
    assert seen_hosts == [f"media.invalid:{port}"]


def test_unresolvable_host() -> None:
    """Guarded, an unresolvable name reads like a private one (see above); on a trusted network, where
    private addresses are allowed, the plain reason helps more."""
    assert fetch_error("http://no-such-host.invalid/a.png", GUARDED).endswith(NOT_ALLOWED)
    assert "could not be resolved" in fetch_error("http://no-such-host.invalid/a.png", OPEN)


def _tls_server_context(tmp_path: Path, hostname: str) -> tuple[Any, Any]:
    """A throw-away CA and a certificate for ``hostname``: (server context, client context trusting it)."""
    import datetime
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kinema test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert_path, key_path)
    client_ctx = ssl.create_default_context(cadata=ca_cert.public_bytes(serialization.Encoding.PEM).decode())
    return server_ctx, client_ctx


def test_https_is_pinned_with_sni_and_certificate_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TLS to the pinned IP still verifies the certificate against the URL's host name (SNI)."""
    import threading
    from http.server import ThreadingHTTPServer

    from tests.media.conftest import _Handler

    server_ctx, client_ctx = _tls_server_context(tmp_path, "media.test")
    _Handler.files.clear()
    _Handler.files["a"] = b"over tls"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()

    async def fake_resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        return [ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(guard_mod, "resolve_host", fake_resolve)
    monkeypatch.setattr(fetch_mod, "TLS_VERIFY", client_ctx)
    port = server.server_address[1]
    try:
        assert run_fetch(f"https://media.test:{port}/file/a") == b"over tls"
        # Same IP, another name: the certificate does not match, so the fetch fails.
        assert "connection failed" in fetch_error(f"https://other.test:{port}/file/a")
    finally:
        server.shutdown()
        server.server_close()
