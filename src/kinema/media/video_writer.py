"""Streaming MP4 writer (H.264 yuv420p + optional AAC, ``faststart``) shared by every video engine.

Frames are encoded as they arrive, so memory does not grow with the clip length. Encoding runs in a
background thread because at 720p the encoder costs as much as rendering (see shared notes): the render loop
hands frames over through a small bounded queue and keeps one core busy while x264 uses the other.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import cv2
import numpy as np


@dataclass(frozen=True)
class VideoSettings:
    """Encoder knobs. ``preset``/``crf`` trade speed for size and quality (x264 semantics)."""

    fps: int | Fraction = 25
    """Frames per second; a Fraction keeps NTSC rates (30000/1001) exact so audio and picture never drift."""
    preset: str = "veryfast"
    crf: int = 20
    threads: int = 2
    first_frame_q: int | None = None
    """A fixed quantiser for frame 0 only (x264 zone): a clip that must open on its input picture (image to
    video) gets that picture nearly intact even when the photo is noise-like, without raising the bit rate of
    every other frame. ``None``: frame 0 is coded like the rest."""


def even(n: int) -> int:
    """H.264 with yuv420p needs even frame sizes."""
    return n - (n % 2)


class VideoWriter:
    """Write RGB uint8 frames of a fixed size to an MP4; optionally mux a mono/stereo float audio track.

    Use as a context manager. ``write(frame)`` blocks only when the encoder falls 8 frames behind.
    """

    def __init__(
        self,
        path: str | Path,
        width: int,
        height: int,
        settings: VideoSettings | None = None,
        audio: np.ndarray | None = None,
        audio_rate: int = 48000,
    ) -> None:
        if width % 2 or height % 2:
            raise ValueError(f"frame size must be even, got {width}x{height}")
        self.settings = settings or VideoSettings()
        self.width, self.height = width, height
        self._container = av.open(str(path), mode="w", options={"movflags": "faststart"})
        self._stream = self._container.add_stream(
            "libx264",
            rate=self.settings.fps,
            options=self._codec_options(),
        )
        self._stream.width, self._stream.height = width, height
        self._stream.pix_fmt = "yuv420p"
        self._stream.thread_count = self.settings.threads
        self._audio = audio
        self._audio_rate = audio_rate
        self._audio_stream = None
        if audio is not None:
            self._audio_stream = self._container.add_stream("aac", rate=audio_rate)
            channels = 1 if audio.ndim == 1 else audio.shape[1]
            self._audio_stream.layout = "mono" if channels == 1 else "stereo"
        self._frames = 0
        #: wall seconds the encoder thread spent converting, coding and muxing frames, and the audio thread
        #: coding the AAC track (where a job's time goes: they overlap the caller's own work)
        self.video_seconds = 0.0
        self.audio_seconds = 0.0
        # The whole audio track is known up front: encode it (AAC) in its own thread while the frames are
        # rendered, so close() only has to mux the finished packets (a render loop leaves a core partly idle).
        self._audio_packets: list[av.Packet] = []
        self._audio_error: BaseException | None = None
        self._audio_thread: threading.Thread | None = None
        if audio is not None:
            # Header first (it opens every codec, the AAC one included), so the audio thread only ever
            # touches its own encoder and never races the video thread's first mux for the container.
            self._container.start_encoding()
            self._audio_thread = threading.Thread(target=self._audio_loop, name="audio-encoder", daemon=True)
            self._audio_thread.start()
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=8)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._encode_loop, name="video-encoder", daemon=True)
        self._thread.start()

    def _codec_options(self) -> dict[str, str]:
        opts = {"preset": self.settings.preset, "crf": str(self.settings.crf)}
        if self.settings.first_frame_q is not None:
            opts["x264-params"] = f"zones=0,0,q={int(self.settings.first_frame_q)}"
        return opts

    @property
    def frames_written(self) -> int:
        return self._frames

    def write(self, frame: np.ndarray) -> None:
        """Queue one HxWx3 uint8 RGB frame."""
        if self._error is not None:
            raise RuntimeError("video encoder failed") from self._error
        if frame.shape[:2] != (self.height, self.width):
            raise ValueError(
                f"frame is {frame.shape[1]}x{frame.shape[0]}, writer is {self.width}x{self.height}"
            )
        self._queue.put(np.ascontiguousarray(frame, dtype=np.uint8))
        self._frames += 1

    def _encode_loop(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    break
                started = time.perf_counter()
                # OpenCV's RGB → I420 (BT.601, limited range: what swscale does by default) is ~5x faster
                # than letting the encoder reformat, and releases the GIL the render thread needs.
                yuv: np.ndarray[Any, np.dtype[np.uint8]] = cv2.cvtColor(item, cv2.COLOR_RGB2YUV_I420)  # type: ignore[assignment]
                vf = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
                for packet in self._stream.encode(vf):
                    self._container.mux(packet)
                self.video_seconds += time.perf_counter() - started
        except BaseException as exc:  # surfaced to the producer on its next write/close
            self._error = exc
            while True:  # drain so the producer never blocks forever
                if self._queue.get() is None:
                    break

    def _audio_loop(self) -> None:
        started = time.perf_counter()
        try:
            self._encode_audio()
        except BaseException as exc:  # surfaced by close()
            self._audio_error = exc
        self.audio_seconds = time.perf_counter() - started

    def _encode_audio(self) -> None:
        """AAC packets of the whole track into ``_audio_packets`` (muxed by close(), after the video)."""
        assert self._audio is not None and self._audio_stream is not None
        samples = np.asarray(self._audio, dtype=np.float32)
        if samples.ndim == 1:
            samples = samples[:, None]
        layout = "mono" if samples.shape[1] == 1 else "stereo"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=self._audio_rate)
        block = 1024 * 8
        next_pts = 0
        stream = self._audio_stream

        def encode(rframe: av.AudioFrame) -> None:
            # Explicit sample-counted pts let the encoder mark its 1024 priming samples (the MP4 gets an edit
            # list); without them the heard audio starts ~21 ms late and the track is that much longer.
            nonlocal next_pts
            rframe.pts = next_pts
            rframe.time_base = Fraction(1, self._audio_rate)
            next_pts += rframe.samples
            self._audio_packets.extend(stream.encode(rframe))

        for start in range(0, samples.shape[0], block):
            chunk = np.ascontiguousarray(samples[start : start + block].T)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            frame.sample_rate = self._audio_rate
            for rframe in resampler.resample(frame):
                encode(rframe)
        for rframe in resampler.resample(None):
            encode(rframe)
        self._audio_packets.extend(stream.encode(None))

    def close(self) -> None:
        """Flush the encoder, write the audio track and finalise the file (moov atom first)."""
        self._queue.put(None)
        self._thread.join()
        try:
            if self._error is not None:
                raise RuntimeError("video encoder failed") from self._error
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            if self._audio_thread is not None:
                self._audio_thread.join()
                if self._audio_error is not None:
                    raise RuntimeError("audio encoder failed") from self._audio_error
                for packet in self._audio_packets:
                    self._container.mux(packet)
        finally:
            self._container.close()

    def abort(self) -> None:
        """Stop without caring about the file (used when a job is cancelled)."""
        self._queue.put(None)
        self._thread.join()
        if self._audio_thread is not None:
            self._audio_thread.join()
        with contextlib.suppress(Exception):  # the partial file is discarded anyway
            self._container.close()

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
