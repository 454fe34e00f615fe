"""Credentials in URLs are stripped from everything the server repeats."""

from __future__ import annotations

import pytest

from kinema.net.userinfo import without_userinfo


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:pass@example.com/a.mp4", "http://example.com/a.mp4"),
        ("https://user@example.com:8443/hook?x=1", "https://example.com:8443/hook?x=1"),
        ("http://:pass@example.com", "http://example.com"),
        ("HTTP://u:p@[::1]:80/", "HTTP://[::1]:80/"),
        ("http://a@b@example.com/x", "http://example.com/x"),  # everything up to the last @ goes
        ("http://u:p%40w@example.com/", "http://example.com/"),
        ("http://example.com/path@not-userinfo", "http://example.com/path@not-userinfo"),
        ("http://example.com/?next=a@b", "http://example.com/?next=a@b"),
        ("http://example.com#a@b", "http://example.com#a@b"),
        ("http://example.com/a.mp4", "http://example.com/a.mp4"),
        ("", ""),
    ],
)
def test_without_userinfo(url: str, shown: str) -> None:
    assert without_userinfo(url) == shown
