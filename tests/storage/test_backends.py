"""Both storage backends behave the same through the interface: put, info, ranges, download, delete."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from kinema.storage.base import BlobInfo, Storage, content_type_for
from kinema.storage.local import LocalStorage
from kinema.storage.s3 import S3Storage


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "blobs")
    endpoint = request.getfixturevalue("moto_endpoint")
    s3 = S3Storage(f"b-{uuid.uuid4().hex[:10]}", endpoint, "us-east-1", prefix="kinema")
    s3.ensure_bucket()
    return s3


def test_roundtrip_and_ranges(store: Storage, tmp_path: Path) -> None:
    data = bytes(range(256)) * 40
    src = tmp_path / "in.bin"
    src.write_bytes(data)
    store.put_file("acct/task/a.bin", src, "application/x-test")
    info = store.info("acct/task/a.bin")
    assert info is not None and info.size == len(data) and info.content_type == "application/x-test"
    assert b"".join(store.open_range("acct/task/a.bin", 10, 19)) == data[10:20]
    assert b"".join(store.open_range("acct/task/a.bin", 0, len(data) - 1)) == data
    out = tmp_path / "out.bin"
    store.download_to("acct/task/a.bin", out)
    assert out.read_bytes() == data
    store.put_bytes("acct/task/b.txt", b"hello", "text/plain")
    assert store.info("acct/task/b.txt") is not None
    store.delete("acct/task/a.bin")
    assert store.info("acct/task/a.bin") is None
    store.delete("acct/task/never-existed")  # not an error


def test_local_keys_cannot_escape_the_root(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "blobs")
    with pytest.raises(ValueError):
        store.put_bytes("../outside.txt", b"x", "text/plain")


def test_s3_gives_presigned_urls(moto_endpoint: str) -> None:
    s3 = S3Storage("presign-test", moto_endpoint, "us-east-1")
    url = s3.direct_url("a/b.mp4", 600)
    assert url is not None and url.startswith(moto_endpoint)
    assert "Signature" in url and "Expires" in url


def test_local_type_from_extension_needs_no_sidecar(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "blobs")
    store.put_bytes("acct/inputs/day/x-image.png", b"\x89PNG", "image/png")
    folder = tmp_path / "blobs" / "acct" / "inputs" / "day"
    assert sorted(p.name for p in folder.iterdir()) == ["x-image.png"]  # no .meta, no temp file left
    info = store.info("acct/inputs/day/x-image.png")
    assert info is not None and info.content_type == "image/png"
    store.delete("acct/inputs/day/x-image.png")
    assert not folder.exists()  # an emptied folder goes too
    store.put_bytes("acct/inputs/day/y.png", b"again", "image/png")  # the remembered folder is made again
    assert store.info("acct/inputs/day/y.png") is not None


def test_content_types_come_from_one_table() -> None:
    assert content_type_for("acct/task/clip.MP4") == "video/mp4"
    assert content_type_for("acct/task/voice.wav") == "audio/wav"  # pinned: platforms disagree on wav
    assert content_type_for("acct/inputs/day/x-image.jpg") == "image/jpeg"
    assert content_type_for("acct/task/no-extension") == "application/octet-stream"


def test_local_write_on_a_full_disk_leaves_no_partial_file(tmp_path: Path) -> None:
    from tests.support.tmpfs import fill, free, small_tmpfs

    with small_tmpfs(tmp_path / "disk", 2 * 1024 * 1024) as disk:
        store = LocalStorage(disk / "blobs")
        src = tmp_path / "big.bin"
        src.write_bytes(b"z" * 300_000)
        fill(disk, leave=100_000)  # room for a part of the blob, not all of it
        with pytest.raises(OSError):
            store.put_bytes("acct/inputs/a.bin", b"x" * 300_000, "application/octet-stream")
        with pytest.raises(OSError):
            store.put_file("acct/inputs/b.bin", src, "application/octet-stream")
        assert [p.name for p in (disk / "blobs" / "acct" / "inputs").iterdir()] == []
        free(disk)
        store.put_file("acct/inputs/b.bin", src, "application/octet-stream")  # space back: works at once
        assert store.info("acct/inputs/b.bin") == BlobInfo(300_000, "application/octet-stream")
