"""Tiny media files built in memory for the input tests (nothing binary is committed)."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from kinema.media.audio_io import write_mp3, write_wav


def image_bytes(width: int, height: int, fmt: str = "PNG", orientation: int | None = None) -> bytes:
    """A gradient image; ``orientation`` adds an EXIF Orientation tag (JPEG)."""
    xs = np.linspace(0, 255, width, dtype=np.uint8)
    arr = np.broadcast_to(xs[None, :, None], (height, width, 3)).copy()
    im = Image.fromarray(arr)
    buf = io.BytesIO()
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        im.save(buf, fmt, exif=exif.tobytes())
    else:
        im.save(buf, fmt)
    return buf.getvalue()


def tone(seconds: float, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def wav_bytes(tmp: Path, seconds: float) -> bytes:
    path = tmp / f"tone-{seconds}.wav"
    write_wav(tone(seconds), 16000, path)
    return path.read_bytes()


def mp3_bytes(tmp: Path, seconds: float) -> bytes:
    path = tmp / f"tone-{seconds}.mp3"
    write_mp3(tone(seconds), 16000, path)
    return path.read_bytes()


def mp4_bytes(
    tmp: Path, seconds: float, size: tuple[int, int] = (64, 48), fps: int = 5, fmt: str = "mp4"
) -> bytes:
    """A small H.264 video (MPEG-4 container, or ``fmt="mov"``/``"webm"`` with a suitable codec)."""
    path = tmp / f"clip-{seconds}.{fmt}"
    codec = "libvpx" if fmt == "webm" else "libx264"
    with av.open(str(path), mode="w", format=fmt) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        if codec == "libx264":
            stream.options = {"preset": "ultrafast"}
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(
                np.full((size[1], size[0], 3), (i * 7) % 255, np.uint8), "rgb24"
            )
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path.read_bytes()


def aac_bytes(tmp: Path, seconds: float, fmt: str = "ipod") -> bytes:
    """AAC audio in an M4A (``ipod``), raw ADTS (``adts``) or generic MP4 (``mp4``) container."""
    path = tmp / f"tone-{seconds}.{fmt}"
    rate = 16000
    data = tone(seconds, rate)
    with av.open(str(path), mode="w", format=fmt) as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=rate)
        frame = av.AudioFrame.from_ndarray(data[None, :], format="fltp", layout="mono")
        frame.sample_rate = rate
        for rframe in resampler.resample(frame):
            for packet in stream.encode(rframe):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path.read_bytes()
