"""Measure a soundtrack against its video: audio onsets, their lag to motion events, stereo balance.

Used by the tests and by ``bench/v2a_quality.py``. Onsets are found by log-spectral flux (5 ms hop,
20 ms Hann window), which responds to the start of a hit even under music and beds; an onset's time is the
centre of the frame where the flux peaks, so expect a bias of a few milliseconds late.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import maximum_filter1d, median_filter

HOP_S = 0.005
WIN_S = 0.02


def audio_onsets(audio: np.ndarray, rate: int, sensitivity: float = 1.0) -> np.ndarray:
    """Onset times in seconds (ascending)."""
    x = audio.mean(axis=1) if audio.ndim == 2 else audio
    hop, win = int(HOP_S * rate), int(WIN_S * rate)
    if len(x) < win + hop:
        return np.zeros(0)
    n = 1 + (len(x) - win) // hop
    idx = np.arange(win)[None, :] + hop * np.arange(n)[:, None]
    frames = x[idx] * np.hanning(win)[None, :]
    mag = np.log1p(1000.0 * np.abs(np.fft.rfft(frames, axis=1)))
    flux = np.maximum(0.0, np.diff(mag, axis=0)).sum(axis=1)
    flux = np.concatenate([[0.0], flux])
    base = median_filter(flux, size=int(0.5 / HOP_S) | 1, mode="nearest")
    spread = np.median(np.abs(flux - np.median(flux))) + 1e-9
    thr = base + 6.0 * spread / sensitivity
    gap = int(0.03 / HOP_S)
    peaks = (flux >= maximum_filter1d(flux, size=2 * gap + 1, mode="nearest")) & (flux > thr)
    peaks &= flux > 0.15 * float(flux.max(initial=0.0))
    return (np.flatnonzero(peaks) * hop + win / 2) / rate


@dataclass(frozen=True)
class Alignment:
    """How well audio onsets land on motion events."""

    n_motion: int
    hits: int  # motion events with an audio onset within the tolerance
    median_abs_lag_ms: float  # over the hits
    lags_ms: tuple[float, ...]

    @property
    def hit_rate(self) -> float:
        return self.hits / self.n_motion if self.n_motion else 1.0


def align(motion_times: list[float] | np.ndarray, onsets: np.ndarray, tolerance_s: float = 0.08) -> Alignment:
    """Match each motion event to its nearest audio onset."""
    lags = []
    for t in motion_times:
        if onsets.size == 0:
            break
        j = int(np.argmin(np.abs(onsets - t)))
        lag = float(onsets[j] - t)
        if abs(lag) <= tolerance_s:
            lags.append(lag * 1000.0)
    med = float(np.median(np.abs(lags))) if lags else float("nan")
    return Alignment(len(motion_times), len(lags), med, tuple(lags))


def stereo_balance(audio: np.ndarray) -> float:
    """(R − L) / (R + L) of the channel energies: −1 all left … +1 all right."""
    left, right = float(np.sum(audio[:, 0] ** 2)), float(np.sum(audio[:, 1] ** 2))
    return (right - left) / (right + left + 1e-12)


def spectral_centroid(audio: np.ndarray, rate: int) -> float:
    """Power-weighted mean frequency in Hz."""
    x = audio.mean(axis=1) if audio.ndim == 2 else audio
    spec = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(len(x), 1.0 / rate)
    return float((spec * freqs).sum() / (spec.sum() + 1e-12))
