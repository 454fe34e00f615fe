"""Our TTS's phone file: read with its times, bad entries skipped."""

from __future__ import annotations

import json
from pathlib import Path

from kinema.engines.avatar.phones import Phone, load_phones_json


def test_phone_file_is_read_and_bad_entries_skipped(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"alphabet": "ipa", "phones": [
        {"p": "b", "start": 0.1, "end": 0.15}, {"p": "a", "start": "x", "end": 0.3},
        {"start": 0.3, "end": 0.4}, {"p": "m", "start": 0.4, "end": 0.5}]}), encoding="utf-8")
    assert load_phones_json(path) == [Phone("b", 0.1, 0.15), Phone("m", 0.4, 0.5)]
    path.write_text(json.dumps([{"p": "u", "start": 0, "end": 1}]), encoding="utf-8")  # a bare list
    assert load_phones_json(path) == [Phone("u", 0.0, 1.0)]
