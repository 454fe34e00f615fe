"""The watermarked copy: a visible mark in the chosen corner, the rest codec noise, the audio untouched."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from kinema.media.video_writer import VideoSettings, VideoWriter
from kinema.media.watermark import CORNERS, WatermarkStyle, make_overlay, watermark_video

W, H, FPS, SECONDS = 320, 240, 24, 2.0


def _clip(path: Path, *, audio: bool = True) -> Path:
    """A moving gradient with a 440 Hz tone: texture for the codec, a track whose packets can be compared."""
    n = int(SECONDS * FPS)
    rate = 48000
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(int(SECONDS * rate)) / rate).astype(np.float32)
    y, x = np.mgrid[0:H, 0:W]
    with VideoWriter(path, W, H, VideoSettings(fps=FPS), audio=tone if audio else None, audio_rate=rate) as w:
        for i in range(n):
            frame = np.stack([(x + 3 * i) % 256, (y * 255) // H, ((x + y) // 2 + i) % 256], -1)
            w.write(frame.astype(np.uint8))
    return path


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def _audio_packets(path: Path) -> list[tuple[int | None, bytes]]:
    with av.open(str(path)) as c:
        return [(p.pts, bytes(p)) for p in c.demux(audio=0) if p.size]


def _box_mask(box: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box
    mask = np.zeros((H, W), bool)
    mask[y0:y1, x0:x1] = True
    return mask


def test_text_mark_is_visible_in_its_corner_and_the_rest_is_codec_noise(tmp_path: Path) -> None:
    src = _clip(tmp_path / "src.mp4")
    style = WatermarkStyle(text="kinema", corner="bottom-right", size=0.1)
    result = watermark_video(src, tmp_path / "marked.mp4", style)
    before, after = _frames(src), _frames(result.path)
    assert len(after) == len(before) == int(SECONDS * FPS) and result.frames == len(before)
    assert after[0].shape == before[0].shape
    _, _, x1, y1 = result.box
    assert x1 > W * 0.75 and y1 > H * 0.75  # bottom-right
    inside = _box_mask(result.box)
    for a, b in zip(before, after, strict=True):
        diff = np.abs(a.astype(np.int16) - b.astype(np.int16)).mean(axis=2)
        assert diff[inside].mean() > 25  # the mark is plainly visible
        assert diff[~inside].mean() < 2.0  # elsewhere: re-encode noise only
    cv2.imwrite(str(tmp_path / "frame.png"), cv2.cvtColor(after[0], cv2.COLOR_RGB2BGR))


def test_audio_packets_are_copied_unchanged(tmp_path: Path) -> None:
    src = _clip(tmp_path / "src.mp4")
    result = watermark_video(src, tmp_path / "marked.mp4", WatermarkStyle())
    assert result.audio_copied
    assert _audio_packets(result.path) == _audio_packets(src)
    with av.open(str(src)) as a, av.open(str(result.path)) as b:
        sa, sb = a.streams.audio[0], b.streams.audio[0]
        assert (sa.codec_context.name, sa.sample_rate, sa.frames) == (
            sb.codec_context.name,
            sb.sample_rate,
            sb.frames,
        )
        assert Fraction(b.streams.video[0].average_rate) == FPS
        assert abs(float(a.duration or 0) - float(b.duration or 0)) < 0.03 * av.time_base


def test_a_silent_clip_stays_silent(tmp_path: Path) -> None:
    src = _clip(tmp_path / "src.mp4", audio=False)
    result = watermark_video(src, tmp_path / "marked.mp4", WatermarkStyle())
    assert not result.audio_copied
    with av.open(str(result.path)) as c:
        assert not c.streams.audio and c.streams.video[0].frames == int(SECONDS * FPS)


@pytest.mark.parametrize("corner", CORNERS)
def test_each_corner_places_the_mark_there(corner: str) -> None:
    overlay = make_overlay(1280, 720, WatermarkStyle(corner=corner, margin=0.03))  # type: ignore[arg-type]
    x0, y0, x1, y1 = overlay.box
    margin = round(0.03 * 720)
    assert (x0 == margin) if "left" in corner else (x1 == 1280 - margin)
    assert (y0 == margin) if "top" in corner else (y1 == 720 - margin)
    assert y1 - y0 <= round(0.06 * 720) + 2 * 8  # letters of the asked height plus the rim


def test_image_mark_uses_the_png_alpha_and_opacity(tmp_path: Path) -> None:
    logo = np.zeros((40, 80, 4), np.uint8)
    logo[..., 2] = 255  # red (BGRA on disk)
    logo[:, :40, 3] = 255  # left half opaque, right half transparent
    path = tmp_path / "logo.png"
    cv2.imwrite(str(path), logo)
    overlay = make_overlay(W, H, WatermarkStyle(image=path, corner="top-left", size=0.2, opacity=0.5))
    assert overlay.box[:2] == (round(0.03 * H), round(0.03 * H))
    h, w = overlay.alpha.shape
    assert h == round(0.2 * H) and w == 2 * h
    assert overlay.alpha[:, : w // 2 - 1].min() == pytest.approx(0.5)
    assert overlay.alpha[:, w // 2 + 1 :].max() == 0.0
    frame = np.full((H, W, 3), 100, np.uint8)
    out = overlay.apply(frame.copy())
    x0, y0, _, _ = overlay.box
    assert tuple(out[y0 + 2, x0 + 2]) == (178, 50, 50)  # half red over grey 100
    assert tuple(out[y0 + 2, x0 + w - 2]) == (100, 100, 100)


def test_bad_styles_are_refused() -> None:
    with pytest.raises(ValueError, match="corner"):
        WatermarkStyle(corner="middle")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ASCII"):
        WatermarkStyle(text="水印")
    with pytest.raises(ValueError, match="opacity"):
        WatermarkStyle(opacity=0)
