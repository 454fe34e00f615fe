"""Inputs for HTTP tests, built in the test run (nothing binary is committed)."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image


def png_b64(width: int = 512, height: int = 512, seed: int = 0) -> str:
    """A textured PNG (no face): enough for validation and for image-to-video."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    img = np.stack([(x * 255 // max(width - 1, 1)), (y * 255 // max(height - 1, 1)), (x + y) % 256], -1)
    img = (img + rng.integers(0, 30, img.shape)).clip(0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def portrait_b64(size: int = 512) -> str:
    """scikit-image's astronaut portrait as JPEG base64."""
    from skimage.data import astronaut

    buf = io.BytesIO()
    Image.fromarray(astronaut()).resize((size, size)).save(buf, format="JPEG", quality=90)
    return base64.b64encode(buf.getvalue()).decode()


def wav_bytes(seconds: float = 3.0, rate: int = 16000) -> bytes:
    """A voiced, syllable-like tone (for validation of sound_file, not for lip-sync quality)."""
    import wave

    t = np.arange(int(seconds * rate)) / rate
    env = 0.5 * (1 + np.sin(2 * np.pi * 3 * t))
    sig = (0.3 * env * np.sin(2 * np.pi * 180 * t) * 32767).astype(np.int16)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(sig.tobytes())
    return buf.getvalue()
