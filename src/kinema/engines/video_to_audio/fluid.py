"""Sampled instruments: a General MIDI SoundFont played by FluidSynth (libfluidsynth, through ctypes).

Why in-process and not the ``fluidsynth`` program on a MIDI file: the program loads the SoundFont again for
every render (≈2 s for the 40 MB SF3 with dynamic sample loading, 7–9 s without), where here it is loaded
once per process and shared. Each render then gets a **fresh synthesizer** that borrows the loaded
SoundFont (``fluid_synth_add_sfont``), so no state (voices, reverb tails, controllers) carries from one
render to the next: same score → the same float samples, bit for bit (checked by the tests). Output is
float32 straight from ``fluid_synth_write_float`` (no 16-bit step, no dither), 48 kHz stereo, and events
land on FluidSynth's 64-sample blocks (1.3 ms).

FluidSynth (LGPL-2.1+) and the SoundFont are separately installed Debian packages (THIRD_PARTY.md); when
either is missing :func:`find_soundfont` says so and callers fall back to the oscillator synth.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

#: Where Debian puts General MIDI SoundFonts, most preferred first: MuseScore General Lite
#: (``musescore-general-soundfont-small``), its full version, then Fluid R3 (``fluid-soundfont-gm``).
DEBIAN_SOUNDFONTS = (
    Path("/usr/share/sounds/sf3/MuseScore_General_Lite.sf3"),
    Path("/usr/share/sounds/sf3/MuseScore_General.sf3"),
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
)
AUTO = "auto"
#: Values of the ``soundfont`` choice (``KINEMA_SOUNDFONT``) that mean "play the oscillator synth".
OFF = ("", "none", "off", "oscillator")
RATE = 48_000
DRUM_CHANNEL = 9

_c_void, _c_int, _c_str = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "new_fluid_settings": (_c_void, []),
    "delete_fluid_settings": (None, [_c_void]),
    "fluid_settings_setnum": (_c_int, [_c_void, _c_str, ctypes.c_double]),
    "fluid_settings_setint": (_c_int, [_c_void, _c_str, _c_int]),
    "new_fluid_synth": (_c_void, [_c_void]),
    "delete_fluid_synth": (None, [_c_void]),
    "fluid_synth_sfload": (_c_int, [_c_void, _c_str, _c_int]),
    "fluid_synth_get_sfont_by_id": (_c_void, [_c_void, _c_int]),
    "fluid_synth_add_sfont": (_c_int, [_c_void, _c_void]),
    "fluid_synth_remove_sfont": (_c_int, [_c_void, _c_void]),
    "fluid_synth_program_select": (_c_int, [_c_void, _c_int, _c_int, _c_int, _c_int]),
    "fluid_synth_noteon": (_c_int, [_c_void, _c_int, _c_int, _c_int]),
    "fluid_synth_noteoff": (_c_int, [_c_void, _c_int, _c_int]),
    "fluid_synth_cc": (_c_int, [_c_void, _c_int, _c_int, _c_int]),
    "fluid_synth_write_float": (_c_int, [_c_void, _c_int, _c_void, _c_int, _c_int, _c_void, _c_int, _c_int]),
    "fluid_set_log_function": (_c_void, [_c_int, _c_void, _c_void]),
}
_FLUID_WARN, _FLUID_INFO, _FLUID_DBG = 2, 3, 4
_CC_VOLUME, _CC_PAN, _CC_REVERB, _CC_CHORUS = 7, 10, 91, 93
_lock = threading.Lock()  # one render at a time per process: the shared SoundFont is not thread-safe


class SoundFontError(RuntimeError):
    """The library or the SoundFont could not be loaded."""


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("fluidsynth") or "libfluidsynth.so.3"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    for func, (restype, argtypes) in _SIGNATURES.items():
        f = getattr(lib, func)
        f.restype, f.argtypes = restype, argtypes
    for level in (_FLUID_WARN, _FLUID_INFO, _FLUID_DBG):  # its warnings would go to the worker's stderr
        lib.fluid_set_log_function(level, None, None)
    return lib


def find_soundfont(choice: str | Path | None = AUTO) -> Path | None:
    """The SoundFont to play, or None for the oscillator synth: ``auto`` takes the first of
    :data:`DEBIAN_SOUNDFONTS` that exists, a path that file, :data:`OFF` nothing. None too when
    libfluidsynth cannot be loaded or the file is missing."""
    text = str(choice if choice is not None else "").strip()
    if text.lower() in OFF or _library() is None:
        return None
    if text.lower() == AUTO:
        return next((p for p in DEBIAN_SOUNDFONTS if p.is_file()), None)
    path = Path(text).expanduser()
    return path if path.is_file() else None


@dataclass(frozen=True)
class _Loaded:
    settings: int
    synth: int  # the synthesizer that owns the SoundFont; it never plays
    sfont: int
    sfid: int
    warm: dict[tuple[int, int], int]  # (bank, program) → the owner's channel that keeps it selected


_WARM_CHANNELS = 64


def _keep_warm(lib: ctypes.CDLL, loaded: _Loaded, parts: Iterable[Part]) -> None:
    """Select each preset played on a channel of the owner too: with dynamic sample loading, a preset's
    samples are decoded when some synthesizer selects it and dropped when none does, so without this every
    render would decode its presets again (≈0.06 s CPU each time)."""
    for p in parts:
        key = (p.bank, p.program)
        if key not in loaded.warm and len(loaded.warm) < _WARM_CHANNELS:
            channel = len(loaded.warm)
            lib.fluid_synth_program_select(loaded.synth, channel, loaded.sfid, p.bank, p.program)
            loaded.warm[key] = channel


def _new_settings(lib: ctypes.CDLL, gain: float) -> int:
    settings = lib.new_fluid_settings()
    lib.fluid_settings_setnum(settings, b"synth.sample-rate", float(RATE))
    lib.fluid_settings_setnum(settings, b"synth.gain", gain)
    lib.fluid_settings_setint(settings, b"synth.dynamic-sample-loading", 1)  # decode only the presets used
    lib.fluid_settings_setint(settings, b"synth.cpu-cores", 1)  # one thread: a fixed order of operations
    lib.fluid_settings_setint(settings, b"synth.polyphony", 256)
    return int(settings)


@lru_cache(maxsize=2)
def _load(path: str) -> _Loaded:
    lib = _library()
    if lib is None:
        raise SoundFontError("libfluidsynth is not installed")
    settings = _new_settings(lib, 0.5)
    lib.fluid_settings_setint(settings, b"synth.midi-channels", _WARM_CHANNELS)
    synth = lib.new_fluid_synth(settings)
    sfid = lib.fluid_synth_sfload(synth, path.encode(), 1)
    if sfid < 0:
        lib.delete_fluid_synth(synth)
        lib.delete_fluid_settings(settings)
        raise SoundFontError(f"FluidSynth could not load {path}")
    return _Loaded(settings, int(synth), int(lib.fluid_synth_get_sfont_by_id(synth, sfid)), sfid, {})


@dataclass(frozen=True)
class Part:
    """One MIDI channel's instrument and mix: GM ``program`` in ``bank`` (128 = drum kits), CC values."""

    channel: int
    program: int
    bank: int = 0
    volume: int = 100
    pan: int = 64
    reverb: int = 40
    chorus: int = 0


@dataclass(frozen=True)
class Note:
    """One note: start and length in seconds, MIDI key and velocity (1–127)."""

    start: float
    length: float
    channel: int
    key: int
    velocity: int


def _events(notes: Iterable[Note], n: int) -> list[tuple[int, int, int, int, int]]:
    """(sample, order, channel, key, velocity): note-offs (order 0) before note-ons (1) at the same sample,
    so a repeated key restarts instead of being cut by the previous note's release."""
    out = []
    for note in notes:
        on = round(note.start * RATE)
        if on >= n or note.velocity <= 0:
            continue
        off = max(on + 1, round((note.start + note.length) * RATE))
        out.append((max(0, on), 1, note.channel, note.key, min(127, note.velocity)))
        if off < n:
            out.append((off, 0, note.channel, note.key, 0))
    return sorted(out)


def render(font: Path, parts: Iterable[Part], notes: Iterable[Note], n: int, gain: float = 0.5) -> np.ndarray:
    """``n`` stereo float32 samples at 48 kHz of ``notes`` played on ``parts`` from ``font``.

    Raises :class:`SoundFontError` when FluidSynth or the SoundFont cannot be loaded.
    """
    lib = _library()
    if lib is None:
        raise SoundFontError("libfluidsynth is not installed")
    out = np.zeros((n, 2), np.float32)
    parts = list(parts)
    with _lock:
        loaded = _load(str(font))
        _keep_warm(lib, loaded, parts)
        settings = _new_settings(lib, gain)
        synth = lib.new_fluid_synth(settings)
        try:
            sfid = lib.fluid_synth_add_sfont(synth, loaded.sfont)
            for p in parts:
                lib.fluid_synth_program_select(synth, p.channel, sfid, p.bank, p.program)
                for cc, value in ((_CC_VOLUME, p.volume), (_CC_PAN, p.pan), (_CC_REVERB, p.reverb)):
                    lib.fluid_synth_cc(synth, p.channel, cc, int(np.clip(value, 0, 127)))
                lib.fluid_synth_cc(synth, p.channel, _CC_CHORUS, int(np.clip(p.chorus, 0, 127)))
            base = out.ctypes.data
            done = 0
            for at, order, channel, key, velocity in _events(notes, n):
                if at > done:
                    lib.fluid_synth_write_float(synth, at - done, base, 2 * done, 2, base, 2 * done + 1, 2)
                    done = at
                if order:
                    lib.fluid_synth_noteon(synth, channel, key, velocity)
                else:
                    lib.fluid_synth_noteoff(synth, channel, key)
            if n > done:
                lib.fluid_synth_write_float(synth, n - done, base, 2 * done, 2, base, 2 * done + 1, 2)
        finally:
            lib.fluid_synth_remove_sfont(synth, loaded.sfont)  # it stays loaded in its owner for the next
            lib.delete_fluid_synth(synth)
            lib.delete_fluid_settings(settings)
    return out
