"""End to end: files come out, the picture is untouched, the audio is exactly as long as the video."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import av
import numpy as np
import pytest

from kinema.engines.base import Cancelled
from kinema.engines.video_to_audio import video_to_audio
from kinema.media.audio_io import decode_audio
from tests.engines.video_to_audio.synth_clips import Clip


def _video_packets(path: Path) -> list[str]:
    with av.open(str(path)) as c:
        return [hashlib.sha1(bytes(p)).hexdigest() for p in c.demux(c.streams.video[0]) if p.size]


def test_outputs_and_remux(ball: Clip, tmp_path: Path) -> None:
    fractions: list[float] = []
    r = video_to_audio(ball.path, tmp_path, "wood", "calm", progress=fractions.append)
    assert r.picture_copied
    assert fractions and fractions[-1] == 1.0
    assert all(b >= a for a, b in itertools.pairwise(fractions))
    wav = decode_audio(r.wav, rate=48000, mono=False)
    assert wav.shape == (round(ball.duration * 48000), 2)
    mp3 = decode_audio(r.mp3, rate=48000, mono=False)
    assert abs(len(mp3) - len(wav)) < 0.03 * 48000
    with av.open(str(r.video)) as c:
        kinds = sorted(s.type for s in c.streams)
        assert kinds == ["audio", "video"]
        a, v = c.streams.audio[0], c.streams.video[0]
        assert a.codec_context.name == "aac" and a.codec_context.sample_rate == 48000
        assert v.frames == ball.n_frames
        assert abs(float(a.duration * a.time_base) - ball.duration) < 0.05
    # the picture is stream-copied: every video packet is byte-identical to the source
    assert _video_packets(r.video) == _video_packets(ball.path)
    muxed = decode_audio(r.video, rate=48000, mono=False)
    assert abs(len(muxed) - len(wav)) < 0.03 * 48000
    m = min(len(muxed), len(wav)) - 2400
    assert np.corrcoef(muxed[2400:m, 0], wav[2400:m, 0])[0, 1] > 0.9  # same audio, in sync


def test_reencodes_a_picture_mp4_cannot_hold(ball: Clip, tmp_path: Path) -> None:
    # an MJPEG .mov stands in for ProRes & co: not copyable into MP4, so it is re-encoded to H.264
    src = tmp_path / "in.mov"
    with av.open(str(ball.path)) as inp, av.open(str(src), "w") as out:
        s = out.add_stream("mjpeg", rate=ball.fps)
        s.width, s.height, s.pix_fmt = 320, 180, "yuvj420p"
        for frame in inp.decode(video=0):
            for p in s.encode(frame.reformat(format="yuvj420p")):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)
    r = video_to_audio(src, tmp_path / "out", "", "")
    assert not r.picture_copied
    with av.open(str(r.video)) as c:
        assert c.streams.video[0].codec_context.name == "h264" and len(c.streams.audio) == 1
    assert abs(r.duration - ball.duration) < 1e-6


def test_cancel_stops_the_engine(ball: Clip, tmp_path: Path) -> None:
    def cancel(fraction: float) -> None:
        if fraction > 0.3:
            raise Cancelled

    with pytest.raises(Cancelled):
        video_to_audio(ball.path, tmp_path, progress=cancel)


def test_a_very_fast_clip_costs_its_length_not_its_frames(tmp_path: Path) -> None:
    """Issue 13: 16x16 at 10,000 fps kept a worker busy 216 s (every frame analysed, 819 MB). Analysis now
    samples 60 frames a second, and a re-encoded picture is written at 60 fps."""
    src = tmp_path / "fast.mov"  # MJPEG: not copyable, so the re-encode path runs too
    fps, seconds = 600, 3.0
    with av.open(str(src), "w") as out:
        s = out.add_stream("mjpeg", rate=fps)
        s.width, s.height, s.pix_fmt = 32, 32, "yuvj420p"
        for i in range(round(fps * seconds)):
            frame = av.VideoFrame.from_ndarray(np.full((32, 32, 3), (i * 7) % 255, np.uint8), "rgb24")
            frame.pts = i
            for p in s.encode(frame.reformat(format="yuvj420p")):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)
    r = video_to_audio(src, tmp_path / "out", "", "")
    assert abs(r.duration - seconds) < 0.01
    assert len(r.summary["events"]) <= 6 * seconds
    with av.open(str(r.video)) as c:
        v = c.streams.video[0]
        assert v.average_rate == 60 and abs(v.frames - 60 * seconds) <= 2
        assert abs(float(c.duration) / av.time_base - seconds) < 0.1
