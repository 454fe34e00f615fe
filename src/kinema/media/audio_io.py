"""Audio decode/encode shared by TTS, the avatar and video-to-audio.

Decoding goes through PyAV (FFmpeg), so MP3, WAV, M4A/AAC and the audio of any common video container all
work. AAC streams carry encoder priming samples; samples are placed by their presentation timestamps so the
decoded signal starts where a player starts it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np


class AudioTooLong(ValueError):
    """The audio goes on past the ``max_seconds`` the caller allows; decoding stopped there."""


def decode_audio(  # noqa: C901 -- open, decode and resample errors each mapped to ValueError
    path: str | Path, rate: int = 16000, mono: bool = True, *, max_seconds: float | None = None
) -> np.ndarray:
    """Decode the first audio stream to float32 at ``rate``: shape (n,) if ``mono`` else (n, 2).

    With ``max_seconds``, decoding stops as soon as more than that has come out and :class:`AudioTooLong`
    is raised: what is decoded is what the decoder produces, whatever the container's header says, and a
    file that holds more than its header claims costs no more than the limit to refuse.
    Raises ``ValueError`` when the file has no decodable audio stream.
    """
    layout = "mono" if mono else "stereo"
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise ValueError(f"not a decodable media file: {exc}") from exc
    with container:
        stream = next((s for s in container.streams if s.type == "audio"), None)
        if stream is None:
            raise ValueError("the file has no audio stream")
        resampler = av.AudioResampler(format="flt", layout=layout, rate=rate)
        chunks: list[np.ndarray] = []
        first_pts: float | None = None
        cap = None if max_seconds is None else int(max_seconds * rate) * (1 if mono else 2)
        decoded = 0
        try:
            frame: Any
            for frame in container.decode(stream):
                if first_pts is None and frame.pts is not None and frame.time_base is not None:
                    first_pts = float(frame.pts * frame.time_base)
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
                    decoded += chunks[-1].size
                if cap is not None and decoded > cap:
                    raise AudioTooLong(f"longer than {max_seconds:.0f} s")
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.FFmpegError as exc:
            raise ValueError(f"audio could not be decoded: {exc}") from exc
    data = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    if not mono:
        data = data.reshape(-1, 2)
    # Negative start (AAC priming) → drop those samples; positive start → pad with silence.
    offset = round((first_pts or 0.0) * rate)
    if cap is not None and (offset * (1 if mono else 2) + data.size) > cap:
        raise AudioTooLong(f"longer than {max_seconds:.0f} s")
    if offset < 0:
        data = data[-offset:]
    elif offset > 0:
        pad = np.zeros((offset, *data.shape[1:]), np.float32)
        data = np.concatenate([pad, data])
    return data.astype(np.float32, copy=False)


def _encode(
    samples: np.ndarray,
    rate: int,
    path: str | Path,
    codec: str,
    fmt: str,
    bitrate: int | None,
    options: dict[str, str] | None = None,
) -> None:
    data = np.asarray(samples, dtype=np.float32)
    if data.ndim == 1:
        data = data[:, None]
    layout = "mono" if data.shape[1] == 1 else "stereo"
    with av.open(str(path), mode="w", format=fmt) as container:
        stream: Any = container.add_stream(codec, rate=rate, options=options or {})
        stream.layout = layout
        if bitrate:
            stream.bit_rate = bitrate
        target = stream.codec_context.format.name if stream.codec_context.format else "fltp"
        resampler = av.AudioResampler(format=target, layout=layout, rate=rate)
        block = 1152 * 16
        for start in range(0, data.shape[0], block):
            chunk = np.ascontiguousarray(data[start : start + block].T)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            frame.sample_rate = rate
            for rframe in resampler.resample(frame):
                for packet in stream.encode(rframe):
                    container.mux(packet)
        for rframe in resampler.resample(None):
            for packet in stream.encode(rframe):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def write_wav(samples: np.ndarray, rate: int, path: str | Path) -> None:
    """16-bit PCM WAV, mono (n,) or stereo (n, 2) float input in [-1, 1]."""
    _encode(np.clip(samples, -1.0, 1.0), rate, path, "pcm_s16le", "wav", None)


def write_mp3(
    samples: np.ndarray, rate: int, path: str | Path, bitrate: int = 128_000, *, fast: bool = False
) -> None:
    """MP3 via libmp3lame. ``fast`` uses LAME's quicker search (``compression_level`` 7): about 2x faster on
    noisy material and inaudible at 192 kb/s; worth it where the MP3 is on a latency budget."""
    options = {"compression_level": "7"} if fast else None
    _encode(np.clip(samples, -1.0, 1.0), rate, path, "libmp3lame", "mp3", bitrate, options)


def media_duration(path: str | Path) -> float:
    """Duration in seconds from the container (falls back to decoding the longest stream)."""
    with av.open(str(path)) as container:
        if container.duration:
            return float(container.duration) / av.time_base
        best = 0.0
        for stream in container.streams:
            if stream.duration and stream.time_base:
                best = max(best, float(stream.duration * stream.time_base))
        return best
