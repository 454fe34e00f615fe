"""A visible watermark on a finished MP4: one file in, one watermarked copy out.

``watermark_info.enabled`` asks for a second copy of each result video that carries a visible mark
(``videos[].watermark_url``). The mark is either a line of text (white, with a dark rim so it reads on any
background) or a PNG with alpha, placed in one corner at a size, opacity and margin relative to the frame's
short side, so it looks the same on a 512 px avatar and a 1080 px clip.

Only the picture is re-encoded (the shared :class:`~kinema.media.video_writer.VideoWriter` settings, at the
source's frame rate, so the copy has the same frames and length); the audio packets are copied unchanged,
so the copy sounds exactly like the original. Pixels outside the mark's box are only touched by the
re-encode (codec noise).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import cv2
import numpy as np

from kinema.media.video_writer import VideoSettings, VideoWriter, even

Corner = Literal["top-left", "top-right", "bottom-left", "bottom-right"]
CORNERS: tuple[Corner, ...] = ("top-left", "top-right", "bottom-left", "bottom-right")
#: The copy is encoded at the image-to-video engine's own crf (finer than the writer's default 20), so the
#: second encode of an already compressed picture stays codec noise (measured in docs/watermark.md).
COPY_CRF = 16
#: A mark never covers more than this share of the frame's width (a long text or a wide logo is shrunk).
MAX_WIDTH_SHARE = 0.45
_FONT = cv2.FONT_HERSHEY_DUPLEX


@dataclass(frozen=True)
class WatermarkStyle:
    """What the mark is and where it goes. ``image`` (a PNG, alpha honoured) wins over ``text``.

    ``size`` is the mark's height, ``margin`` its distance from the two nearest edges, both as a share of
    the frame's short side; ``opacity`` scales the mark's own alpha.
    """

    text: str = "kinema"
    image: Path | None = None
    corner: Corner = "bottom-right"
    size: float = 0.06
    opacity: float = 0.7
    margin: float = 0.03

    def __post_init__(self) -> None:
        if self.corner not in CORNERS:
            raise ValueError(f"corner must be one of {', '.join(CORNERS)}, got {self.corner!r}")
        if self.image is None and not printable_ascii(self.text):
            raise ValueError("the watermark text must be non-empty printable ASCII (the built-in font)")
        if not (0 < self.size <= 0.5 and 0 < self.opacity <= 1 and 0 <= self.margin <= 0.25):
            raise ValueError("watermark size must be in (0, 0.5], opacity in (0, 1], margin in [0, 0.25]")


def printable_ascii(text: str) -> bool:
    """The built-in (Hershey) font draws printable ASCII only."""
    return bool(text.strip()) and all(" " <= ch <= "~" for ch in text)


@dataclass(frozen=True)
class Overlay:
    """The mark for one frame size: premultiplied RGB and alpha (float32, 0..1) and its top-left corner."""

    rgb: np.ndarray
    alpha: np.ndarray
    x: int
    y: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the pixels the mark may change."""
        h, w = self.alpha.shape
        return self.x, self.y, self.x + w, self.y + h

    def apply(self, frame: np.ndarray) -> np.ndarray:
        """Blend the mark into ``frame`` (HxWx3 uint8 RGB) in place and return it."""
        x0, y0, x1, y1 = self.box
        under = frame[y0:y1, x0:x1].astype(np.float32)
        blended = self.rgb + under * (1.0 - self.alpha[..., None])
        frame[y0:y1, x0:x1] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)
        return frame


def _text_rgba(text: str, height: int) -> np.ndarray:
    """``text`` as an RGBA patch whose letters are ``height`` px tall: white fill, a dark rim."""
    (_, h1), _ = cv2.getTextSize(text, _FONT, 1.0, 1)
    scale = height / max(h1, 1)
    thick = max(1, round(height / 12))
    rim = max(1, round(height / 10))
    (tw, th), base = cv2.getTextSize(text, _FONT, scale, thick)
    pad = rim + 1
    shape = (th + base + 2 * pad, tw + 2 * pad)
    fill = np.zeros(shape, np.uint8)
    cv2.putText(fill, text, (pad, pad + th), _FONT, scale, 255, thick, cv2.LINE_AA)
    size = 2 * rim + 1
    outline = cv2.dilate(fill, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    rgba = np.zeros((*shape, 4), np.uint8)
    rgba[..., :3] = fill[..., None]  # white where the letters are, black in the rim
    rgba[..., 3] = np.maximum(fill, outline)
    return rgba


def _image_rgba(path: Path) -> np.ndarray:
    """The PNG (or any image cv2 reads) as RGBA; an image without alpha is opaque."""
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        raise ValueError(f"watermark image {path} cannot be read")
    if image.dtype != np.uint8:  # 16-bit PNG
        image = (image.astype(np.float32) / 257.0 + 0.5).astype(np.uint8)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2RGBA)
    elif image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGBA)
    else:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
    return np.asarray(image, np.uint8)


def _fit(rgba: np.ndarray, height: int, max_width: int) -> np.ndarray:
    h, w = rgba.shape[:2]
    scale = min(height / h, max_width / w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    if size == (w, h):
        return rgba
    return np.asarray(cv2.resize(rgba, size, interpolation=cv2.INTER_AREA), np.uint8)


def make_overlay(width: int, height: int, style: WatermarkStyle) -> Overlay:
    """The mark for a ``width`` x ``height`` frame, placed in ``style.corner``."""
    short = min(width, height)
    mark_h = max(8, round(style.size * short))
    margin = round(style.margin * short)
    source = _image_rgba(style.image) if style.image is not None else _text_rgba(style.text, mark_h)
    patch = _fit(source, mark_h, max(8, int(MAX_WIDTH_SHARE * width)))
    ph, pw = patch.shape[:2]
    pw, ph = min(pw, width), min(ph, height)
    patch = patch[:ph, :pw]
    x = margin if style.corner.endswith("left") else width - margin - pw
    y = margin if style.corner.startswith("top") else height - margin - ph
    x, y = min(max(x, 0), width - pw), min(max(y, 0), height - ph)
    alpha = patch[..., 3].astype(np.float32) / 255.0 * style.opacity
    rgb = patch[..., :3].astype(np.float32) * alpha[..., None]
    return Overlay(rgb=rgb, alpha=alpha, x=x, y=y)


@dataclass(frozen=True)
class WatermarkResult:
    """What :func:`watermark_video` wrote: the frame count, and the box the mark covers."""

    path: Path
    frames: int
    box: tuple[int, int, int, int]
    audio_copied: bool


def watermark_video(
    src: str | Path,
    dst: str | Path,
    style: WatermarkStyle,
    on_frame: Callable[[], None] | None = None,
) -> WatermarkResult:
    """Write ``dst``: ``src`` with the mark on every frame and its audio packets copied.

    ``on_frame`` is called once per frame (a job passes its progress callback, which may raise to cancel).
    """
    src, dst = Path(src), Path(dst)
    picture = dst.with_name(dst.stem + ".picture.mp4")
    try:
        frames, box, has_audio = _encode_picture(src, picture, style, on_frame)
        if has_audio:
            _mux(picture, src, dst)
        else:
            picture.replace(dst)
    finally:
        picture.unlink(missing_ok=True)
    return WatermarkResult(path=dst, frames=frames, box=box, audio_copied=has_audio)


def _encode_picture(
    src: Path, dst: Path, style: WatermarkStyle, on_frame: Callable[[], None] | None
) -> tuple[int, tuple[int, int, int, int], bool]:
    with av.open(str(src)) as inp:
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        has_audio = bool(inp.streams.audio)
        fps = Fraction(vin.average_rate or vin.guessed_rate or 25).limit_denominator(1001)
        w, h = even(vin.codec_context.width), even(vin.codec_context.height)
        overlay = make_overlay(w, h, style)
        frames = 0
        settings = VideoSettings(fps=fps, crf=COPY_CRF)
        with VideoWriter(dst, w, h, settings) as writer:
            for frame in inp.decode(vin):
                if on_frame is not None:
                    on_frame()
                rgb = np.array(frame.to_ndarray(format="rgb24")[:h, :w])
                writer.write(overlay.apply(rgb))
                frames += 1
    return frames, overlay.box, has_audio


def _timed(container: Any, stream: Any, out_stream: Any, order: int) -> Iterator[tuple[float, int, Any]]:
    """The packets of ``stream`` as (seconds, tie-break, packet), retargeted to ``out_stream``."""
    for packet in container.demux(stream):
        if packet.dts is None:  # the demuxer's end-of-stream marker
            continue
        seconds = float(packet.dts * packet.time_base)
        packet.stream = out_stream
        yield seconds, order, packet


def _mux(picture: Path, sound: Path, dst: Path) -> None:
    """``dst`` = the video stream of ``picture`` + the audio stream of ``sound``, both copied, interleaved
    by time. Negative audio timestamps (AAC priming) carry over, so the muxer writes the same edit list."""
    with (
        av.open(str(picture)) as pic,
        av.open(str(sound)) as snd,
        av.open(str(dst), mode="w", format="mp4", options={"movflags": "faststart"}) as out,
    ):
        vin, ain = pic.streams.video[0], snd.streams.audio[0]
        vout = out.add_stream_from_template(vin)
        aout = out.add_stream_from_template(ain)
        merged = heapq.merge(_timed(pic, vin, vout, 0), _timed(snd, ain, aout, 1), key=lambda t: t[:2])
        for _, _, packet in merged:
            out.mux(packet)
