"""Real recorded human speech for the avatar benches, found in Debian packages at run time (never committed).

- ``pocketsphinx-testdata`` (BSD-2, CMU): LibriVox read speech (public domain recordings) with transcripts —
  five sentences of *Sense and Sensibility* by one reader — and five "cards" utterances by another speaker.
- ``codec2-examples`` (LGPL-2.1, David Rowe et al.): short studio / radio recordings of several speakers
  (mostly Harvard sentences), no transcripts: the quality bench transcribes them with Whisper base when the
  ``asr`` extra is installed, else uses them for loudness sync only.

Install: ``apt-get install pocketsphinx-testdata codec2-examples``. ``KINEMA_SPEECH_ROOT`` points at another
root holding the same ``usr/share/…`` tree (e.g. a folder the .debs were extracted into with ``dpkg -x``).
Reference phones for the transcribed clips come from a forced alignment of the transcript (pocketsphinx's
dictionary and acoustic model): independent of the hama and acoustic paths being measured, *not* of the
``aligned`` path (which is the same alignment).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PS_DIR = "usr/share/pocketsphinx/test/data"
CODEC2_DIR = "usr/share/codec2/wav"
CODEC2_CLIPS = ("hts1a", "hts2a", "forig", "morig", "mmt1", "vk5qi", "big_dog", "cross")


@dataclass(frozen=True)
class RecordedClip:
    name: str
    path: Path
    transcript: str | None
    source: str


def _root() -> Path:
    return Path(os.environ.get("KINEMA_SPEECH_ROOT", "/"))


def _transcripts(folder: Path, name: str) -> dict[str, str]:
    """``<s> words </s> (file-id)`` lines → {file-id: words}."""
    out = {}
    path = folder / name
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*(?:<s>)?(.*?)(?:</s>)?\s*\((\S+)\)\s*$", line)
        if m:
            out[m.group(2)] = " ".join(m.group(1).split())
    return out


def recorded_clips(with_untranscribed: bool = True) -> list[RecordedClip]:
    """Every clip found (empty when the packages are not installed)."""
    root = _root()
    clips: list[RecordedClip] = []
    libri = root / PS_DIR / "librivox"
    for fid, text in sorted(_transcripts(libri, "transcription").items()):
        wav = libri / f"{fid}.wav"
        if wav.is_file():
            clips.append(RecordedClip(f"libri_{fid[-4:]}", wav, text, "pocketsphinx-testdata (LibriVox)"))
    cards = root / PS_DIR / "cards"
    for fid, text in sorted(_transcripts(cards, "cards.transcription").items()):
        wav = cards / f"{fid}.wav"
        if wav.is_file():
            clips.append(RecordedClip(f"cards_{fid}", wav, text, "pocketsphinx-testdata (cards)"))
    if with_untranscribed:
        for name in CODEC2_CLIPS:
            wav = root / CODEC2_DIR / f"{name}.wav"
            if wav.is_file():
                clips.append(RecordedClip(f"c2_{name}", wav, None, "codec2-examples"))
    return clips
