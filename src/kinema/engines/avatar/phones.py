"""A phone with its times, and our TTS's phone file (``{"alphabet": "ipa", "phones": [...]}``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Phone:
    """One phone with times in seconds; ``p`` is an IPA symbol or an ARPAbet label."""

    p: str
    start: float
    end: float


def load_phones_json(path: str | Path) -> list[Phone]:
    """Read our TTS's phone file; tolerate missing keys by skipping the entry."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    items = data.get("phones", data) if isinstance(data, dict) else data
    out = []
    for it in items:
        try:
            out.append(Phone(str(it["p"]), float(it["start"]), float(it["end"])))
        except (KeyError, TypeError, ValueError):
            continue
    return out
