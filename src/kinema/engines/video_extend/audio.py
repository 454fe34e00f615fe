"""The extended video's sound: the parent's track unchanged, then a short ring-out, then silence.

The continuation is rendered from a still, so nothing new can be heard in it, and repeating the parent's
sound would replay speech or a musical phrase. Cutting to silence at the seam would click when the parent's
sound is mid-wave there; so the track continues with the parent's last :data:`RING_OUT_S` played backwards
(the waveform is continuous at the seam: the sample after the last one is the one before it) under a
raised-cosine fade to zero, then silence until the picture ends. The parent part is bit-for-bit what was
decoded.
"""

from __future__ import annotations

import numpy as np

RING_OUT_S = 0.4


def extend_track(parent: np.ndarray, rate: int, parent_samples: int, total_samples: int) -> np.ndarray:
    """``parent`` (n, channels) float32 cut to ``parent_samples`` (the parent's picture length: a decoder
    adds a few near-silent samples of codec padding, which would leave a dropout at the seam), then
    lengthened to ``total_samples`` with a ring-out and silence."""
    if parent.ndim == 1:
        parent = parent[:, None]
    out = np.zeros((total_samples, parent.shape[1]), np.float32)
    n = min(len(parent), parent_samples, total_samples)
    out[:n] = parent[:n]
    ring = min(round(RING_OUT_S * rate), n - 1, total_samples - n)
    if ring > 0:
        mirrored = parent[n - 1 - np.arange(1, ring + 1)]
        fade = 0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, ring, dtype=np.float32))
        out[n : n + ring] = mirrored * fade[:, None]
    return out
