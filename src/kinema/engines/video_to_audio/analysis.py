"""Watch the video: what moves, where, when it changes course, how the camera moves, where the cuts are.

The video is decoded once, streaming; only its luma plane is kept, shrunk to 160 px wide (area averaging),
with chroma every third frame for colour statistics. Nothing larger than two small frames is held, so
memory does not grow with the clip. Per-pair motion comes from :class:`.motion.MotionTracker`. At most
:data:`ANALYSIS_MAX_FPS` frames a second are analysed (picked by timestamp; every frame of a normal clip),
so a clip's cost follows its length, not its frame rate; and decoding stops at ``max_seconds``.

Sound events are *changes of motion*, not motion: a ball makes its noise when it hits the floor, i.e.
when its velocity flips. Two detection functions are added, each in units of its own noise level: flow
momentum changes (textured and slower things) and silhouette-centroid turns from three-frame differencing
(small fast things). Peaks of the sum are the events; the silhouette on that frame says where on screen
(stereo pan) and how big (pitch).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import av
import cv2
import numpy as np

from kinema.engines.base import EngineInputError, ProgressFn, no_progress
from kinema.engines.video_to_audio.motion import (
    MotionTracker,
    PairMotion,
    direction_changes,
    silhouette_turns,
)
from kinema.media.frame_sampler import FrameSampler

ANALYSIS_WIDTH = 160
MAX_EVENTS_PER_S = 6.0
#: Frames a second the motion analysis looks at; a faster clip is sampled down to this by timestamp.
ANALYSIS_MAX_FPS = 60.0


@dataclass(frozen=True)
class MotionEvent:
    """A change of motion. ``strength`` is relative to the clip's strongest event (0–1]; ``pan`` −1 (left) …
    +1 (right); ``height`` 0 (top) … 1 (bottom); ``speed`` is the moving thing's speed in frame widths/s."""

    time: float
    strength: float
    pan: float
    height: float
    speed: float
    raw: float
    size: float = 0.0  # share of the frame that was moving around the event (bigger things sound lower)


@dataclass(frozen=True)
class Scene:
    """One shot between cuts and its look (the same measures as the whole-clip ones)."""

    start: float
    end: float
    brightness: float
    saturation: float
    warmth: float
    flicker: float
    sky_blue: float
    green: float


@dataclass
class VideoAnalysis:
    """Everything the sound design reads, sampled once per analysed frame (arrays of length ``n``; every
    frame up to :data:`ANALYSIS_MAX_FPS`). ``fps`` is the analysed rate."""

    duration: float
    fps: float
    width: int
    height: int
    codec: str
    times: np.ndarray
    object_energy: np.ndarray  # residual (object) motion, frame widths per second, summed over the frame
    camera_speed: np.ndarray  # camera translation + zoom speed, frame widths per second
    camera_dx: np.ndarray  # signed horizontal camera motion (+ = content moves right)
    pan: np.ndarray  # where object motion is, −1 … +1
    onset_strength: np.ndarray  # the detection function events were picked from
    events: list[MotionEvent] = field(default_factory=list)
    cuts: list[float] = field(default_factory=list)
    brightness: float = 0.5  # mean luma 0–1
    saturation: float = 0.0  # mean chroma magnitude 0–1
    warmth: float = 0.0  # red-vs-blue balance −1 … +1
    flicker: float = 0.0  # share of the frame with small, incoherent motion (water, leaves, rain)
    sky_blue: float = 0.0  # share of the upper third that is blue-ish and bright
    green: float = 0.0  # share of the frame that is green-ish
    scenes: list[Scene] = field(default_factory=list)

    @property
    def busy(self) -> float:
        """0 (still) … 1 (lots going on): drives whether unprompted music plays at all."""
        rate = len(self.events) / max(self.duration, 1e-6)
        motion = float(np.mean(self.object_energy)) if self.object_energy.size else 0.0
        return float(np.clip(0.5 * rate / 3.0 + 0.5 * motion / 0.25, 0.0, 1.0))


def _shrink(plane: np.ndarray, w: int, h: int) -> np.ndarray:
    """Area-average ``plane`` down to (w, h); a strided pre-decimation keeps it ~10× cheaper on HD frames."""
    step = max(1, min(plane.shape[1] // (2 * w), plane.shape[0] // (2 * h)))
    if step > 1:
        plane = np.ascontiguousarray(plane[::step, ::step])
    return cv2.resize(plane, (w, h), interpolation=cv2.INTER_AREA)


def _plane(frame: av.VideoFrame, k: int, width: int, height: int) -> np.ndarray:
    p = frame.planes[k]
    return np.frombuffer(p, np.uint8).reshape(-1, p.line_size)[:height, :width]  # type: ignore[call-overload]


def _luma(frame: av.VideoFrame, w: int, h: int, want_chroma: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Small luma image, and (every few frames) small (U, V) chroma for the colour statistics."""
    fmt = frame.format.name
    if fmt in ("yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p"):
        small = _shrink(_plane(frame, 0, frame.width, frame.height), w, h)
        uv = None
        if want_chroma:
            cw, ch = frame.planes[1].width, frame.planes[1].height
            uv = np.stack([_shrink(_plane(frame, k, cw, ch), w // 4, h // 4) for k in (1, 2)], axis=-1)
        return small, uv
    rgb = frame.to_ndarray(format="rgb24", width=w, height=h)
    yuv = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV)
    uv = cv2.resize(yuv[..., 1:], (w // 4, h // 4), interpolation=cv2.INTER_AREA) if want_chroma else None
    return yuv[..., 0].copy(), uv


def _pick_peaks(s: np.ndarray, fps: float, forbid: np.ndarray) -> list[int]:
    """Local maxima above an adaptive threshold, at least ~120 ms apart (one sound per change)."""
    if s.size < 3 or float(s.max()) <= 0:
        return []
    med = float(np.median(s))
    mad = float(np.median(np.abs(s - med))) + 1e-9
    thr = max(med + 3.0 * mad, 0.1 * float(s.max()), 1.5)
    gap = max(1, round(0.12 * fps))
    cand = [
        i
        for i in range(len(s))
        if s[i] >= thr and not forbid[i] and s[i] == s[max(0, i - gap) : i + gap + 1].max()
    ]
    out: list[int] = []
    for i in sorted(cand, key=lambda k: -s[k]):
        if all(abs(i - j) > gap for j in out):
            out.append(i)
    return sorted(out)


def _colour(chroma: list[np.ndarray], h: int, w: int) -> tuple[float, float, float, float]:
    """(saturation, warmth, green share, blue-sky share) from small (U, V) frames."""
    if not chroma:
        return 0.0, 0.0, 0.0, 0.0
    uv = np.concatenate(chroma) - 128.0
    sat = float(np.mean(np.hypot(uv[:, 0], uv[:, 1]))) / 128.0
    warm = float(np.clip(np.mean(uv[:, 1] - uv[:, 0]) / 64.0, -1, 1))
    green = float(np.mean((uv[:, 0] < -6) & (uv[:, 1] < -6)))
    top = np.concatenate([c.reshape(h // 4, w // 4, 2)[: max(1, h // 12)].reshape(-1, 2) for c in chroma])
    sky = float(np.mean(top[:, 0] - 128.0 > 8))
    return sat, warm, green, sky


def analyze_video(  # noqa: C901, PLR0915 -- decode, series, cuts, events, colour in one pass; to split (review §4.5)
    path: str | Path, progress: ProgressFn = no_progress, *, max_seconds: float | None = None
) -> VideoAnalysis:
    """Decode ``path`` (streaming) and measure motion, events, camera, cuts and colour.

    Raises :class:`EngineInputError` when the file has no decodable video stream, or as soon as a frame
    lies past ``max_seconds`` (nothing beyond it is decoded).
    """
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise EngineInputError(f"video could not be opened: {exc}") from exc
    with container:
        if not container.streams.video:
            raise EngineInputError("the file has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        src_w, src_h = stream.codec_context.width, stream.codec_context.height
        if not src_w or not src_h:
            raise EngineInputError("the video stream has no frame size")
        w = ANALYSIS_WIDTH
        h = max(16, round(w * src_h / src_w / 2) * 2)
        fps_guess = float(stream.average_rate or stream.guessed_rate or 25)
        total_guess = (
            float(stream.duration * stream.time_base) if stream.duration and stream.time_base else 0.0
        )
        if not total_guess and container.duration:
            total_guess = container.duration / av.time_base
        tracker = MotionTracker(w, h, min(fps_guess, ANALYSIS_MAX_FPS))
        sampler = FrameSampler(ANALYSIS_MAX_FPS)
        times: list[float] = []
        bright: list[float] = []
        chroma: list[tuple[float, np.ndarray]] = []
        pairs: list[PairMotion | None] = []  # pairs[k]: analysed frame k-1 → k (None for frame 0)
        sil: dict[int, np.ndarray] = {}  # analysed frame index → its silhouette moments
        first_pts: float | None = None
        last_t, decoded = 0.0, 0
        for i, frame in enumerate(container.decode(stream)):
            t = (
                float(frame.pts * frame.time_base)
                if frame.pts is not None and frame.time_base
                else i / fps_guess
            )
            if first_pts is None:
                first_pts = t
            t -= first_pts
            if max_seconds is not None and t > max_seconds:
                raise EngineInputError(f"video: longer than {max_seconds:.0f} s")
            last_t, decoded = max(last_t, t), decoded + 1
            if i % 10 == 0:
                progress(min(0.99, t / total_guess) if total_guess > 0 else 0.0)
            if not sampler.keep(t):
                continue
            k = len(times)
            gray, uv = _luma(frame, w, h, want_chroma=k % 3 == 0)
            times.append(t)
            bright.append(float(gray.mean()) / 255.0)
            if uv is not None:
                chroma.append((t, uv.reshape(-1, 2).astype(np.float32)))
            pair = tracker.step(gray)
            pairs.append(pair)
            if pair is not None and pair.silhouette is not None:
                sil[k - 1] = pair.silhouette
        codec = str(stream.codec_context.name)
    n = len(times)
    if n < 2:
        raise EngineInputError("the video has fewer than two frames")
    fps = _steady_rate(n, times[-1], fps_guess)  # of the analysed frames
    src_fps = _steady_rate(decoded, last_t, fps_guess)  # of the clip
    duration = last_t + 1.0 / src_fps
    if total_guess > 0 and abs(total_guess - duration) < 1.5 / src_fps:
        duration = total_guess

    def series(attr: str, first: float) -> np.ndarray:
        return np.array([first if p is None else float(getattr(p, attr)) for p in pairs], np.float64)

    obj, cam, cam_dx = series("object_energy", 0.0), series("camera_speed", 0.0), series("camera_dx", 0.0)
    pans, heights, flick = series("pan", 0.0), series("height", 0.5), series("flicker", 0.0)
    areas = series("area", 0.0)
    mom = np.array([np.zeros((3, 2)) if p is None else p.momentum for p in pairs], np.float64)
    silhouettes = np.array([sil.get(i, np.zeros((3, 3))) for i in range(n)])

    cut_idx = _find_cuts(pairs)
    forbid = np.zeros(n, bool)
    for c in cut_idx:  # flow, camera shift and silhouettes across a cut are meaningless
        forbid[max(0, c - 2) : c + 3] = True
        obj[c] = cam[c] = cam_dx[c] = 0.0
        mom[c] = mom[c - 1]
    flow_acc = direction_changes(mom, fps, w)
    tri_acc = silhouette_turns(silhouettes)
    tri_acc[forbid] = 0.0
    # both detectors, each in units of its typical noise level: flow sees textured, slower things best,
    # differencing sees small fast ones
    acc = flow_acc / 2.0 + tri_acc / 40.0
    peaks = _pick_peaks(acc, fps, forbid)
    # restless footage (water, crowds, foliage) can change course everywhere all the time: keep the
    # strongest few per second so the impacts stay readable; the movement layer carries the rest
    budget = max(1, int(np.ceil(MAX_EVENTS_PER_S * duration)))
    if len(peaks) > budget:
        peaks = sorted(sorted(peaks, key=lambda i: -acc[i])[:budget])
    top = max((acc[i] for i in peaks), default=1.0)
    events = []
    for i in peaks:
        j = min(n - 1, i + 1)
        if silhouettes[i, 0, 0] > 0:  # where the thing was on that very frame (its silhouette)
            pan_i = (silhouettes[i, 0, 1] - w / 2) / (w / 2)
            height_i = silhouettes[i, 0, 2] / h
            size_i = silhouettes[i, 0, 0] / (w * h)
        else:  # fall back to where the flow saw motion
            pan_i = 0.5 * (pans[i] + pans[j])
            height_i = 0.5 * (heights[i] + heights[j])
            size_i = max(areas[i], areas[j]) / 3.0  # flow masks are ~3× wider than the silhouette
        events.append(
            MotionEvent(
                time=times[i],
                strength=float(acc[i] / top),
                pan=float(np.clip(pan_i, -1, 1)),
                height=float(np.clip(height_i, 0, 1)),
                speed=float(max(obj[i], obj[j])),
                raw=float(acc[i]),
                size=float(size_i),
            )
        )

    sat, warm, green, sky = _colour([c for _, c in chroma], h, w)
    t_arr, bright_arr = np.array(times), np.array(bright)
    edges = [0.0, *[times[c] for c in cut_idx], duration]
    scenes = []
    for s0, s1 in itertools.pairwise(edges):
        sel = (t_arr >= s0) & (t_arr < s1)
        ss, sw, sg, sk = _colour([c for tc, c in chroma if s0 <= tc < s1], h, w)
        scenes.append(
            Scene(
                s0,
                s1,
                float(bright_arr[sel].mean()) if sel.any() else 0.5,
                ss,
                sw,
                float(flick[sel].mean()) if sel.any() else 0.0,
                sk,
                sg,
            )
        )
    progress(1.0)
    return VideoAnalysis(
        duration=float(duration),
        fps=float(fps),
        width=int(src_w),
        height=int(src_h),
        codec=codec,
        times=t_arr,
        object_energy=obj,
        camera_speed=cam,
        camera_dx=cam_dx,
        pan=pans,
        onset_strength=acc,
        events=events,
        cuts=[times[c] for c in cut_idx],
        brightness=float(bright_arr.mean()),
        saturation=sat,
        warmth=warm,
        flicker=float(flick.mean()),
        sky_blue=sky,
        green=green,
        scenes=scenes,
    )


def _steady_rate(frames: int, span: float, declared: float) -> float:
    """Frames per second over ``span``; the declared rate when within 2 % of it (rounding in timestamps)."""
    rate = (frames - 1) / span if span > 0 else declared
    return declared if abs(rate - declared) / declared < 0.02 else rate


def _find_cuts(pairs: list[PairMotion | None]) -> list[int]:
    """Frames that start a new shot: no shift makes them match the previous frame, and they differ from it
    much more than their neighbours differ from each other."""
    diff = np.array([0.0 if p is None else p.aligned_diff for p in pairs])
    cuts = []
    for i, p in enumerate(pairs):
        if p is None:
            continue
        local = np.median(diff[max(1, i - 6) : i + 7])
        unmatched = p.match < 0.3 and p.raw_diff > 0.05
        if (unmatched or diff[i] > 0.09) and diff[i] > 3.0 * local + 0.01:
            cuts.append(i)
    return cuts
