"""Archival of upstream results: what is fetched, through the SSRF guard, and what a missing file does."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinema.settings import Settings
from kinema.upstream import archive
from tests.support.file_server import serve_files


def _result(base: str) -> dict:
    return {
        "videos": [{"id": "v1", "url": f"{base}/v.mp4", "duration": "5.1"}],
        "audios": [
            {
                "id": "a1",
                "url_mp3": f"{base}/a.mp3",
                "url_wav": f"{base}/a.wav",
                "duration_mp3": "3.0",
                "duration_wav": "3.0",
            },
        ],
    }


def test_plan_names_every_file_with_its_upstream_id(tmp_path: Path) -> None:
    plan = archive.planned(_result("http://up"), tmp_path)
    assert [(f.role, f.upstream_id, f.duration_s, f.group) for f in plan] == [
        ("video", "v1", 5.1, 0),
        ("audio_mp3", "a1", 3.0, 0),
        ("audio_wav", "a1", 3.0, 0),
    ]


def test_download_copies_the_bytes(tmp_path: Path) -> None:
    with serve_files({"v.mp4": b"video bytes"}) as srv:
        (item, *_) = archive.planned(_result(srv.base), tmp_path)
        size = archive.download(item, Settings(allow_private_urls=True), "videos[0]")
    assert size == 11 and item.path.read_bytes() == b"video bytes"


def test_a_result_no_longer_served_fails_at_once(tmp_path: Path) -> None:
    with serve_files({}) as srv:
        (item, *_) = archive.planned(_result(srv.base), tmp_path)
        with pytest.raises(archive.ArchiveError, match="videos\\[0\\]: could not fetch URL: HTTP status 404"):
            archive.download(item, Settings(allow_private_urls=True), "videos[0]")
    assert not item.path.exists()


def test_result_urls_go_through_the_ssrf_guard(tmp_path: Path) -> None:
    with serve_files({"v.mp4": b"video bytes"}) as srv:
        (item, *_) = archive.planned(_result(srv.base), tmp_path)
        with pytest.raises(archive.ArchiveError, match="address not allowed"):
            archive.download(item, Settings(), "videos[0]")  # loopback: refused by default


def test_the_size_cap_holds(tmp_path: Path) -> None:
    with serve_files({"v.mp4": b"x" * 2_000_000}) as srv:
        (item, *_) = archive.planned(_result(srv.base), tmp_path)
        with pytest.raises(archive.ArchiveError, match="larger than"):
            archive.download(item, Settings(allow_private_urls=True, upstream_result_max_mb=1), "videos[0]")


def test_watermarked_copies_are_planned_beside_their_video(tmp_path: Path) -> None:
    result = {
        "videos": [
            {"id": "v1", "url": "http://up/v1.mp4", "watermark_url": "http://up/v1-wm.mp4", "duration": "5"},
            {"id": "v2", "url": "http://up/v2.mp4", "duration": "5"},
        ]
    }
    marked, plain = archive.planned(result, tmp_path)
    copy = archive.watermark_copy(marked)
    assert copy is not None
    assert (copy.role, copy.url, copy.upstream_id) == ("watermark", "http://up/v1-wm.mp4", "v1")
    assert copy.path == tmp_path / "up-video-0-watermark.mp4"
    assert archive.watermark_copy(plain) is None
