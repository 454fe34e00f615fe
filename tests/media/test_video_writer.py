"""The shared MP4 writer: exact frame count and size, faithful colours, and the frame-0 quality zone."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from skimage.metrics import structural_similarity

from kinema.media.video_writer import VideoSettings, VideoWriter


def decode(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def test_colours_survive_the_yuv_conversion(tmp_path: Path) -> None:
    patches = [(200, 30, 40), (20, 180, 60), (30, 60, 210), (128, 128, 128), (250, 240, 20)]
    frame = np.zeros((96, 160, 3), np.uint8)
    for i, colour in enumerate(patches):
        frame[:, i * 32 : (i + 1) * 32] = colour
    out = tmp_path / "c.mp4"
    with VideoWriter(out, 160, 96, VideoSettings(fps=24, crf=10)) as writer:
        for _ in range(5):
            writer.write(frame)
    clip = decode(out)
    assert len(clip) == 5 and clip[0].shape == (96, 160, 3)
    for i, colour in enumerate(patches):
        centre = clip[2][40:56, i * 32 + 8 : i * 32 + 24].reshape(-1, 3).mean(axis=0)
        assert np.abs(centre - np.array(colour)).max() < 4, (colour, centre)


def test_first_frame_zone_keeps_a_noisy_picture(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    grey = rng.normal(90, 40, (240, 320)).clip(0, 255)
    noise = np.repeat(grey.astype(np.uint8)[:, :, None], 3, axis=2)  # luma noise: chroma is subsampled

    def frame0_ssim(settings: VideoSettings) -> float:
        out = tmp_path / "n.mp4"
        with VideoWriter(out, 320, 240, settings) as writer:
            for _ in range(6):
                writer.write(noise)
        first = decode(out)[0].mean(axis=2)
        return float(structural_similarity(first, grey, data_range=255))

    plain = frame0_ssim(VideoSettings(fps=24, crf=24))
    zoned = frame0_ssim(VideoSettings(fps=24, crf=24, first_frame_q=12))
    assert (1 - zoned) < (1 - plain) / 5, (plain, zoned)  # several times less structural loss


def _decode_audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.concatenate([f.to_ndarray()[0] for f in c.decode(audio=0)])


def test_audio_encoded_beside_the_frames_is_the_input_track(tmp_path: Path) -> None:
    """The AAC track is encoded in its own thread while frames arrive and muxed at close: it decodes back to
    the input (same length, same waveform), next to every frame."""
    rate = 48000
    t = np.arange(rate * 2) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t) * (t < 1.2)).astype(np.float32)  # a tone, then silence
    out = tmp_path / "a.mp4"
    frame = np.full((64, 96, 3), 90, np.uint8)
    with VideoWriter(out, 96, 64, VideoSettings(fps=25), audio=tone, audio_rate=rate) as writer:
        for _ in range(50):
            writer.write(frame)
    heard = _decode_audio(out)
    assert len(decode(out)) == 50
    assert abs(len(heard) - len(tone)) <= 1024  # the priming samples are cut by the edit list
    n = min(len(heard), len(tone))
    assert np.corrcoef(heard[:n], tone[:n])[0, 1] > 0.99
    assert np.abs(heard[int(1.3 * rate) : n]).max() < 0.01  # the silence stays silent


def test_abort_with_audio_returns(tmp_path: Path) -> None:
    """A cancelled job aborts the writer: both encoder threads stop, nothing hangs."""
    writer = VideoWriter(tmp_path / "x.mp4", 96, 64, audio=np.zeros(48000 * 5, np.float32))
    writer.write(np.zeros((64, 96, 3), np.uint8))
    writer.abort()
    assert writer._audio_thread is not None and not writer._audio_thread.is_alive()
    assert not writer._thread.is_alive()
