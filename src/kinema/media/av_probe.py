"""How long an audio or video file really is, and how many frames it carries, without decoding it.

Container headers are what the uploader says: an M4A whose header claims 10 s can hold 400 s of sample
tables, and the engine renders all 400 (issue 13). The packets are what the decoder will get, so the
length is measured from them: every packet of the main stream is read (demuxed, not decoded) and its
timestamps taken. For audio, the samples the decoder will produce are counted as well (codec frame size ×
packets), which catches sample tables that shrink each packet's duration. One frame is decoded along the
way to prove the stream decodes at all.

The walk stops as soon as the answer is known to break a limit (``stop_after_s``, ``stop_after_frames``),
so a hostile file costs at most a limit's worth of packets.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import av

#: Codecs of the "video" streams that audio files carry as cover art.
_NO_ART_CODECS = {"mjpeg", "png", "bmp", "gif"}
#: Audio codecs whose every packet decodes to the codec's fixed frame size: for them the samples are
#: counted, whatever durations the container gives the packets. (FLAC, Vorbis, Opus vary per packet.)
_FIXED_FRAME_CODECS = {"aac", "mp3", "mp3float", "mp2", "mp2float", "ac3", "eac3"}


class AvRejected(ValueError):
    """The file cannot be used; ``str()`` is the client-facing rule, without the field name."""


@dataclass(frozen=True)
class AvInfo:
    """``duration_s`` is measured from the main stream's packets (a lower bound when ``cut_short``: the
    walk stopped at a limit). ``frames`` and ``fps`` (frames per second of that duration) for video only."""

    has_audio: bool
    has_video: bool
    width: int | None
    height: int | None
    duration_s: float
    frames: int | None = None
    fps: float | None = None
    cut_short: bool = False


@dataclass
class _Walk:
    rate: int = 0  # audio sample rate (0 for video)
    frame_size: int = 0  # samples per packet for fixed-frame audio codecs, else 0
    start: float | None = None
    end: float = 0.0
    last: float = 0.0  # latest packet start
    packets: int = 0
    samples: int = 0
    decoded: bool = False
    cut_short: bool = False

    def length(self, main: str, rate: int, frame_size: int) -> float:
        """Seconds the engine will see. Video: first to last frame (the engine starts the clip at its first
        frame). Audio: up to the last sample, counted from the timeline's zero (the decoder pads a late
        start with silence), by timestamps, or by the samples the packets decode to when that is longer
        by more than the two frames of encoder delay and padding a normal file has."""
        if main == "video":
            end = self.end
            if end <= self.last and self.packets > 1:  # packets without durations: add one frame interval
                end = self.last + (self.last - (self.start or 0.0)) / (self.packets - 1)
            return max(0.0, end - (self.start or 0.0))
        if not rate:
            return max(self.end, 0.0)
        by_samples = (self.start or 0.0) + (self.samples - 2 * frame_size) / rate
        return max(self.end, by_samples, 0.0)


def probe_av(
    source: bytes | Path,
    main: Literal["audio", "video"],
    *,
    stop_after_s: float | None = None,
    stop_after_frames: int | None = None,
) -> AvInfo:
    """Streams, size, real duration (and for video frame count and rate) of ``source``.

    Raises :class:`AvRejected` when there is no ``main`` stream or it does not decode.
    """
    try:
        container = av.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), mode="r")
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise AvRejected(f"{main} could not be decoded") from exc
    with container:
        audio = next((s for s in container.streams if s.type == "audio"), None)
        videos = [s for s in container.streams if s.type == "video"]
        real_video = next((s for s in videos if s.codec_context.name not in _NO_ART_CODECS), None)
        video = real_video or (videos[0] if videos and main == "video" else None)
        stream = audio if main == "audio" else video
        if stream is None:
            raise AvRejected(f"file has no {main} stream")
        ctx: Any = video.codec_context if video is not None else None
        width = int(ctx.width) if ctx is not None else None
        height = int(ctx.height) if ctx is not None else None
        try:
            walk = _walk(container, stream, main, stop_after_s, stop_after_frames)
        except av.FFmpegError as exc:
            raise AvRejected(f"{main} could not be decoded") from exc
        if not walk.decoded:
            raise AvRejected(f"{main} could not be decoded")
        duration = walk.length(main, walk.rate, walk.frame_size)
        frames = fps = None
        if main == "video":
            frames = walk.packets
            if duration <= 0:  # no timestamps at all: trust the declared rate, the packets are counted
                declared = float(stream.average_rate or stream.guessed_rate or 25)
                duration = frames / declared
            fps = frames / duration if duration > 0 else float("inf")
    return AvInfo(
        audio is not None, real_video is not None, width, height, duration, frames, fps, walk.cut_short
    )


def _walk(
    container: Any, stream: Any, main: str, stop_after_s: float | None, stop_after_frames: int | None
) -> _Walk:
    """Read every packet of ``stream`` (decoding only until the first frame comes out)."""
    fixed = main == "audio" and stream.codec_context.name in _FIXED_FRAME_CODECS
    frame_size = int(getattr(stream.codec_context, "frame_size", 0) or 0) if fixed else 0
    rate = int(stream.codec_context.sample_rate or 0) if main == "audio" else 0
    walk = _Walk(rate=rate, frame_size=frame_size)
    for packet in container.demux(stream):
        if packet.size == 0:
            continue  # the demuxer's end-of-stream marker
        walk.packets += 1
        tb = packet.time_base
        if packet.pts is not None and tb is not None:
            t0 = float(packet.pts * tb)
            walk.start = t0 if walk.start is None else min(walk.start, t0)
            walk.last = max(walk.last, t0)
            walk.end = max(walk.end, float((packet.pts + (packet.duration or 0)) * tb))
        if rate:
            if frame_size:
                walk.samples += frame_size
            elif packet.duration and tb is not None:
                walk.samples += round(float(packet.duration * tb) * rate)
        if not walk.decoded:
            walk.decoded = any(True for _ in packet.decode())
        if (stop_after_s is not None and walk.length(main, rate, frame_size) > stop_after_s) or (
            stop_after_frames is not None and main == "video" and walk.packets > stop_after_frames
        ):
            walk.cut_short = True
            break
    if not walk.decoded and walk.packets:
        walk.decoded = any(True for _ in stream.codec_context.decode(None))  # flush a delayed decoder
    return walk
