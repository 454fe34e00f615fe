"""Synthetic test speech: formant-synthesised syllables with exact phone timings (no TTS needed).

A glottal pulse train filtered by two resonators per vowel gives vowels whose F1/F2 match real ones, so the
acoustic mouth-shape method can be checked too; consonants are silence (stops/nasal closures) or noise (s).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

SR = 16000
FORMANTS = {"a": (730, 1090), "i": (280, 2250), "u": (310, 870), "e": (530, 1840), "o": (570, 840)}


def _resonator(x: np.ndarray, f: float, bw: float) -> np.ndarray:
    r = np.exp(-np.pi * bw / SR)
    c = 2 * r * np.cos(2 * np.pi * f / SR)
    return lfilter([1 - r], [1, -c, r * r], x)


def vowel(v: str, dur: float, f0: float = 120.0) -> np.ndarray:
    n = int(dur * SR)
    src = np.zeros(n)
    src[:: int(SR / f0)] = 1.0
    f1, f2 = FORMANTS[v]
    y = _resonator(src, f1, 80) * 1.0 + _resonator(src, f2, 120) * 0.6 + _resonator(src, 2900, 200) * 0.2
    env = np.minimum(1, np.minimum(np.arange(n), n - np.arange(n)) / (0.015 * SR))
    y = y * env
    return (0.3 * y / (np.abs(y).max() + 1e-9)).astype(np.float32)


def utterance(syllables: list[tuple[str, str]], gap_every: int = 0,
              seed: int = 0) -> tuple[np.ndarray, list[dict]]:
    """[(consonant, vowel), …] → (16 kHz audio, phones). Consonant '' = none; 'p','b','m' = closure."""
    rng = np.random.default_rng(seed)
    parts: list[np.ndarray] = [np.zeros(int(0.3 * SR), np.float32)]
    phones: list[dict] = []
    t = 0.3
    for k, (c, v) in enumerate(syllables):
        if c:
            cd = 0.08
            if c == "s":
                seg = (rng.normal(0, 0.05, int(cd * SR))).astype(np.float32)
            elif c == "m":
                seg = (0.02 * np.sin(2 * np.pi * 120 * np.arange(int(cd * SR)) / SR)).astype(np.float32)
            else:
                seg = np.zeros(int(cd * SR), np.float32)
            parts.append(seg)
            phones.append({"p": c, "start": round(t, 4), "end": round(t + cd, 4)})
            t += cd
        vd = float(rng.uniform(0.16, 0.24))
        parts.append(vowel(v, vd))
        phones.append({"p": {"a": "ɑ", "i": "i", "u": "u", "e": "ɛ", "o": "o"}[v], "start": round(t, 4),
                       "end": round(t + vd, 4)})
        t += vd
        if gap_every and (k + 1) % gap_every == 0:
            parts.append(np.zeros(int(0.35 * SR), np.float32))
            t += 0.35
    parts.append(np.zeros(int(0.3 * SR), np.float32))
    return np.concatenate(parts), phones
