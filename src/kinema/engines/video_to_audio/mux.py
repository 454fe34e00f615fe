"""Put the new audio under the source picture.

When the picture's codec can live in MP4 (H.264, HEVC, MPEG-4 part 2, AV1, VP9) its packets are copied
as they are — no re-encode, so the picture is bit-identical and this takes milliseconds. Anything else
(ProRes from a MOV, for instance) is decoded and re-encoded to H.264 with the shared
:class:`~kinema.media.video_writer.VideoWriter`. Any audio the source had is dropped: the result carries
only the generated track, as long as the picture.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from kinema.media.video_writer import VideoSettings, VideoWriter, even

COPYABLE = {"h264", "hevc", "mpeg4", "av1", "vp9"}
AAC_BITRATE = 192_000
#: A re-encoded picture is written at no more than this rate (a copied one keeps its own).
MAX_OUTPUT_FPS = 60


def _aac_packets(
    audio: np.ndarray,
    rate: int,
    container: av.container.OutputContainer,
) -> tuple[av.audio.stream.AudioStream, list[av.Packet]]:
    stream = container.add_stream("aac", rate=rate)
    stream.layout = "stereo"
    stream.bit_rate = AAC_BITRATE
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=rate)
    packets: list[av.Packet] = []
    data = np.ascontiguousarray(np.asarray(audio, np.float32).reshape(-1, 2).T)
    block = 1024 * 16
    for start in range(0, data.shape[1], block):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(data[:, start : start + block]), format="fltp", layout="stereo"
        )
        frame.sample_rate = rate
        frame.pts = start
        frame.time_base = Fraction(1, rate)
        for rf in resampler.resample(frame):
            packets.extend(stream.encode(rf))
    for rf in resampler.resample(None):
        packets.extend(stream.encode(rf))
    packets.extend(stream.encode(None))
    return stream, packets


def remux_with_audio(src: str | Path, audio: np.ndarray, rate: int, dst: str | Path) -> bool:
    """Copy the picture of ``src`` into ``dst`` (MP4) with ``audio`` (n, 2) as its only sound.

    Returns ``True`` when the picture was stream-copied, ``False`` when it had to be re-encoded.
    """
    with av.open(str(src)) as probe:
        codec = probe.streams.video[0].codec_context.name
    if codec in COPYABLE:
        try:
            _copy(src, audio, rate, dst)
            return True
        except (av.FFmpegError, ValueError):
            Path(dst).unlink(missing_ok=True)
    _reencode(src, audio, rate, dst)
    return False


def _copy(src: str | Path, audio: np.ndarray, rate: int, dst: str | Path) -> None:
    with (
        av.open(str(src)) as inp,
        av.open(str(dst), mode="w", format="mp4", options={"movflags": "faststart"}) as out,
    ):
        vin = inp.streams.video[0]
        vout = out.add_stream_from_template(vin)
        astream, apackets = _aac_packets(audio, rate, out)
        a_tb = float(astream.time_base) if astream.time_base else 1.0 / rate
        ai = 0
        first: float | None = None
        v_tb = vin.time_base or Fraction(1, 90_000)
        for packet in inp.demux(vin):
            if packet.dts is None:
                continue
            pts = packet.pts if packet.pts is not None else packet.dts
            if first is None:
                first = float(pts * v_tb)
            t = float(packet.dts * v_tb) - first
            while ai < len(apackets) and float((apackets[ai].dts or 0) * a_tb) <= t:
                out.mux(apackets[ai])
                ai += 1
            if first:
                # start the picture at zero like the audio (containers may start at an offset)
                shift = round(first / float(v_tb))
                packet.pts = pts - shift
                packet.dts -= shift
            packet.stream = vout
            out.mux(packet)
        for p in apackets[ai:]:
            out.mux(p)


def _reencode(src: str | Path, audio: np.ndarray, rate: int, dst: str | Path) -> None:
    """Decode and re-encode the picture; a source faster than :data:`MAX_OUTPUT_FPS` is resampled to it
    (each output frame shows the latest source frame), so the encoder's work follows the clip's length."""
    with av.open(str(src)) as inp:
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        fps = Fraction(vin.average_rate or vin.guessed_rate or 25).limit_denominator(1001)
        resample = fps > MAX_OUTPUT_FPS
        out_fps = Fraction(MAX_OUTPUT_FPS) if resample else fps
        w, h = even(vin.codec_context.width), even(vin.codec_context.height)
        settings = VideoSettings(fps=out_fps, preset="veryfast", crf=18)
        with VideoWriter(dst, w, h, settings, audio=np.asarray(audio, np.float32), audio_rate=rate) as writer:
            if not resample:
                for frame in inp.decode(vin):
                    writer.write(frame.to_ndarray(format="rgb24")[:h, :w])
                return
            # Output slot j (at j / MAX_OUTPUT_FPS s) shows the last source frame that starts before it;
            # a frame is converted to RGB only if some slot shows it.
            slot, first = 0, None
            pending: Any = None
            image: np.ndarray | None = None
            for frame in inp.decode(vin):
                t = float(frame.pts * frame.time_base) if frame.pts is not None and frame.time_base else 0.0
                first = t if first is None else first
                while pending is not None and slot / MAX_OUTPUT_FPS < t - first:
                    if image is None:
                        image = pending.to_ndarray(format="rgb24")[:h, :w]
                    writer.write(image)
                    slot += 1
                pending, image = frame, None
            if pending is not None:
                writer.write(pending.to_ndarray(format="rgb24")[:h, :w])
