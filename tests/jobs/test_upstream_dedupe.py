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


def test_a_reused_result_brings_its_watermarked_copy(tmp_path: Path) -> None:
    """Dedupe copies the earlier video's watermarked copy too (as the runner's ``watermark`` extra), so the
    watermark step does not mark the copy afresh."""
    from kinema.db.ids import new_id
    from kinema.jobs.service import add_asset, record_finished_task
    from kinema.jobs.upstream_dedupe import copy_result
    from kinema.jobs.watermark import WATERMARK_EXTRA
    from tests.support.db import make_account, runtime

    gen = runtime(tmp_path, "sqlite")
    rt = next(gen)
    try:
        acct, task_id, asset_id = make_account(rt), new_id(), new_id()
        key, mark = f"{acct}/{task_id}/{asset_id}.mp4", f"{acct}/{task_id}/{asset_id}.watermark.mp4"
        rt.storage.put_bytes(key, b"video-bytes", "video/mp4")
        rt.storage.put_bytes(mark, b"marked-bytes", "video/mp4")
        extra = {"upstream_id": "up-7", WATERMARK_EXTRA: mark}
        with rt.db.write() as session:
            add_asset(
                session, account_id=acct, task_id=task_id, role="video", blob_key=key,
                content_type="video/mp4", duration_s=5.0, extra=extra, asset_id=asset_id,
            )  # fmt: skip
        result = {"videos": [{"id": asset_id, "key": key, "watermark_key": mark, "duration": "5"}]}
        earlier = record_finished_task(
            rt, account_id=acct, kind="image2video", params={}, result=result, task_id=task_id
        )
        (out,) = copy_result(rt, earlier, tmp_path)
    finally:
        gen.close()
    assert out.path.read_bytes() == b"video-bytes" and out.extra["upstream_id"] == "up-7"
    assert out.extra[WATERMARK_EXTRA].read_bytes() == b"marked-bytes"
