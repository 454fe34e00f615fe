"""The dedupe fingerprint: what makes two upstream requests the same one."""

from __future__ import annotations

from pathlib import Path

from kinema.jobs.upstream_dedupe import file_digest, fingerprint


def test_kinema_own_ids_do_not_count_fields_and_kind_do() -> None:
    body = {"prompt": "rain", "duration": 3.0, "external_task_id": "1", "callback_url": "http://a/1/tok"}
    same = {**body, "external_task_id": "2", "callback_url": "http://a/2/other"}
    assert fingerprint("text_to_audio", body) == fingerprint("text_to_audio", same)
    assert fingerprint("text_to_audio", body) != fingerprint("text_to_audio", {**body, "duration": 3.1})
    assert fingerprint("text_to_audio", body) != fingerprint("video_to_audio", body)


def test_files_count_by_content(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "c.png"
    a.write_bytes(b"same")
    b.write_bytes(b"same")
    c.write_bytes(b"other")
    assert file_digest(a) == file_digest(b) != file_digest(c)
