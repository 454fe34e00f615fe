"""Watch the video: what moves, where, when it changes course, how the camera moves, where the cuts are.

The video is decoded once, streaming, and only its luma plane is kept, shrunk to ~160 px wide (area
averaging); colour statistics come from the chroma planes at the same scale. Nothing larger than two small
frames and two flow fields is held, so memory does not grow with the clip.

Per frame pair we compute dense optical flow (OpenCV DIS, ultrafast preset: ~0.15 ms per pair at this size)
and split it into camera motion (the median flow, plus a zoom term) and object motion (the residual).

Sound events are *changes of motion*, not motion: a ball makes its noise when it hits the floor, i.e. when
its velocity flips. For each pixel we follow its motion into the next frame and compare velocities there
(Lagrangian acceleration, ``a = F₂(x + F₁(x)) − F₁(x)``); its sum over the frame, peak-picked, gives the
onsets, and the acceleration-weighted centroid says where on screen (stereo pan) each one happens.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import av
import cv2
import numpy as np

from kinema.engines.base import EngineInputError, ProgressFn, no_progress

ANALYSIS_WIDTH = 160
MAX_EVENTS_PER_S = 6.0
_FLOW_NOISE = 0.35  # px/frame at analysis size below which flow is treated as noise
_DIFF_LEVEL = 20  # grey levels: a pixel "changed" between two aligned frames (above grain/compression)


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
    """Everything the sound design reads, sampled once per video frame (arrays of length ``n``)."""

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


def _camera_shift(a: np.ndarray, b: np.ndarray, window: np.ndarray | None) -> tuple[float, float, float]:
    """Global translation a→b by phase correlation (robust to large pans, unlike small-frame flow)."""
    (sx, sy), resp = cv2.phaseCorrelate(a.astype(np.float32), b.astype(np.float32), window)
    return float(sx), float(sy), float(resp)


def _direction_changes(mom: np.ndarray, fps: float, w: int) -> np.ndarray:
    """How much the motion changes course at each frame: |mean velocity out − mean velocity in|.

    ``mom[k]`` is the momentum (summed over regions) between frames k−1 and k. Two pairs on each side make
    it robust to one bad flow field while keeping the peak on the frame where the change happens.
    """
    n = len(mom)
    out = np.zeros(n)
    for i in range(1, n - 1):
        before = mom[max(1, i - 1) : i + 1].mean(axis=0)
        after = mom[i + 1 : min(n, i + 3)].mean(axis=0)
        out[i] = float(np.sqrt(((after - before) ** 2).sum(axis=-1)).sum())
    return out * fps / w * 100.0


def _moments(sil: np.ndarray, xx: np.ndarray, yy: np.ndarray) -> np.ndarray:
    """(area, mean x, mean y) of a silhouette mask over the whole frame and its left/right halves."""
    half = sil.shape[1] // 2
    out = np.zeros((3, 3))
    for r, sl in enumerate((slice(None), slice(0, half), slice(half, None))):
        part = sil[:, sl]
        area = float(part.sum())
        if area >= 3:
            out[r] = (area, float((part * xx[:, sl]).sum()) / area, float((part * yy[:, sl]).sum()) / area)
    return out


def _silhouette_turns(mom: np.ndarray) -> np.ndarray:
    """|second difference of the silhouette centroid| × √area, per region, summed: where things turn."""
    n = len(mom)
    out = np.zeros(n)
    for i in range(1, n - 1):
        trio = mom[i - 1 : i + 2]  # (3 frames, 3 regions, [area, x, y])
        ok = (trio[:, :, 0] > 0).all(axis=0)
        if ok.any():
            a = trio[2, :, 1:] - 2 * trio[1, :, 1:] + trio[0, :, 1:]
            out[i] = float((np.hypot(a[:, 0], a[:, 1]) * np.sqrt(trio[1, :, 0]))[ok].sum())
    return out


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


def analyze_video(path: str | Path, progress: ProgressFn = no_progress) -> VideoAnalysis:
    """Decode ``path`` (streaming) and measure motion, events, camera, cuts and colour.

    Raises :class:`EngineInputError` when the file has no decodable video stream.
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
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        rx = (xx - w / 2) / (w / 2)
        ry = yy / h
        # zoom: flow = s · (position − centre); estimated from pixels away from the centre
        cx, cy = xx - w / 2, yy - h / 2
        far = (np.hypot(cx, cy) > 0.25 * w)[::3, ::3]
        cxs, cys = cx[::3, ::3][far], cy[::3, ::3][far]
        r2 = cxs**2 + cys**2
        window = None
        dis = cv2.DISOpticalFlow_create(  # type: ignore[attr-defined]
            cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST
        )
        dis.setFinestScale(1)  # the preset's default (2) loses objects a few pixels wide at this size

        times: list[float] = []
        obj_e: list[float] = [0.0]
        cam_s: list[float] = [0.0]
        cam_dx: list[float] = [0.0]
        pans: list[float] = [0.0]
        heights: list[float] = [0.5]
        moms: list[np.ndarray] = [np.zeros((3, 2), np.float32)]
        diff: list[float] = [0.0]
        raw_diff: list[float] = [0.0]
        responses: list[float] = [1.0]
        bright: list[float] = []
        chroma: list[np.ndarray] = []
        chroma_t: list[float] = []
        flick: list[float] = [0.0]
        areas: list[float] = [0.0]
        sil_moments: list[np.ndarray] = [np.zeros((3, 3))]  # frame 0: unknown (no frame before it)
        prev_dmask: np.ndarray | None = None
        prev_blur: np.ndarray | None = None
        prev: np.ndarray | None = None
        first_pts: float | None = None
        last_t = 0.0
        for i, frame in enumerate(container.decode(stream)):
            t = (
                float(frame.pts * frame.time_base)
                if frame.pts is not None and frame.time_base
                else i / fps_guess
            )
            if first_pts is None:
                first_pts = t
            t -= first_pts
            last_t = t
            gray, uv = _luma(frame, w, h, want_chroma=i % 3 == 0)
            times.append(t)
            bright.append(float(gray.mean()) / 255.0)
            if uv is not None:
                chroma.append(uv.reshape(-1, 2).astype(np.float32))
                chroma_t.append(t)
            if prev is not None:
                sx, sy, resp = _camera_shift(prev, gray, window)
                raw_diff.append(float(np.abs(prev.astype(np.int16) - gray).mean()) / 255.0)
                responses.append(resp)
                if abs(sx) > 0.3 or abs(sy) > 0.3:
                    aligned = cv2.warpAffine(
                        prev,
                        np.array([[1, 0, sx], [0, 1, sy]], dtype=np.float32),
                        (w, h),
                        borderMode=cv2.BORDER_REPLICATE,
                    )
                else:
                    aligned, sx, sy = prev, 0.0, 0.0
                diff.append(float(np.abs(aligned.astype(np.int16) - gray).mean()) / 255.0)
                res = dis.calc(aligned, gray, None)
                # what is left of the camera's motion after the whole-pixel-ish warp is a uniform bias
                res -= np.median(res[::3, ::3].reshape(-1, 2), axis=0)
                sub = res[::3, ::3][far]
                zoom = float(np.median((sub[:, 0] * cxs + sub[:, 1] * cys) / r2))
                if abs(zoom) * w / 2 > 0.3:  # more than ~0.3 px/frame at the frame edge
                    res[..., 0] -= zoom * cx
                    res[..., 1] -= zoom * cy
                else:
                    zoom = 0.0
                cam_px = float(np.hypot(sx, sy)) + abs(zoom) * w  # a zoom reads as dramatic as a pan
                mx, my = int(np.ceil(abs(sx))) + 2, int(np.ceil(abs(sy))) + 2
                res[:, :mx] = 0
                res[:, w - mx :] = 0
                res[:my] = 0
                res[h - my :] = 0
                mag = np.sqrt(res[..., 0] ** 2 + res[..., 1] ** 2)
                # warping blurs texture a little: demand more of "object motion" while the camera moves
                moving = mag > _FLOW_NOISE + 0.25 * cam_px
                res[~moving] = 0.0
                m = np.where(moving, mag, 0.0)
                total = float(m.sum())
                obj_e.append(total / (w * h) * fps_guess / w * 10.0)
                cam_s.append(cam_px * fps_guess / w)
                cam_dx.append(sx * fps_guess / w)
                pans.append(float((m * rx).sum() / total) if total > 1e-6 else 0.0)
                heights.append(float((m * ry).sum() / total) if total > 1e-6 else 0.5)
                flick.append(float((moving & (mag < 1.5)).mean()))
                areas.append(float(moving.mean()))
                # three-frame differencing: what changed both into and out of the previous frame is where
                # the moving things were in it, even when they move farther than their own size per frame
                blur = cv2.GaussianBlur(gray, (3, 3), 0).astype(np.int16)
                # blurring commutes with the (translation) alignment: reuse the previous frame's blur
                prev_b = (
                    prev_blur if prev_blur is not None else cv2.GaussianBlur(prev, (3, 3), 0).astype(np.int16)
                )
                if sx or sy:
                    prev_b = cv2.warpAffine(
                        prev_b.astype(np.float32),
                        np.array([[1, 0, sx], [0, 1, sy]], dtype=np.float32),
                        (w, h),
                        borderMode=cv2.BORDER_REPLICATE,
                    ).astype(np.int16)
                dmask = (np.abs(prev_b - blur) > _DIFF_LEVEL).astype(np.uint8)
                prev_blur = blur
                dmask[:, :mx] = 0
                dmask[:, w - mx :] = 0
                dmask[:my] = 0
                dmask[h - my :] = 0
                if zoom:
                    dmask[:] = 0
                if sx or sy:  # bring it back onto the previous frame's grid
                    dmask = cv2.warpAffine(
                        dmask,
                        np.array([[1, 0, -sx], [0, 1, -sy]], dtype=np.float32),
                        (w, h),
                        flags=cv2.INTER_NEAREST,
                    )
                if prev_dmask is not None:
                    sil_moments.append(_moments(prev_dmask & dmask, xx, yy))
                prev_dmask = (
                    dmask
                    if not (sx or sy)
                    else cv2.warpAffine(
                        dmask,
                        np.array([[1, 0, sx], [0, 1, sy]], dtype=np.float32),
                        (w, h),
                        flags=cv2.INTER_NEAREST,
                    )
                )
                # momentum of the whole frame and of its left and right halves (two things can move apart)
                half = w // 2
                moms.append(
                    np.stack(
                        [
                            res.reshape(-1, 2).sum(0),
                            res[:, :half].reshape(-1, 2).sum(0),
                            res[:, half:].reshape(-1, 2).sum(0),
                        ]
                    )
                    / (w * h)
                )
            prev = gray
            if i % 10 == 0:
                frac = t / total_guess if total_guess > 0 else 0.0
                progress(min(0.99, frac))
        n = len(times)
    if n < 2:
        raise EngineInputError("the video has fewer than two frames")
    fps = (n - 1) / times[-1] if times[-1] > 0 else fps_guess
    if abs(fps - fps_guess) / fps_guess < 0.02:
        fps = fps_guess
    duration = last_t + 1.0 / fps
    if total_guess > 0 and abs(total_guess - duration) < 1.5 / fps:
        duration = total_guess
    diff_arr = np.array(diff, np.float64)
    obj = np.array(obj_e, np.float64)
    mom = np.array(moms, np.float64)
    cut_idx = []
    for i in range(1, n):
        local = np.median(diff_arr[max(1, i - 6) : i + 7])
        # a cut: the frames no longer match under any shift, and differ much more than their neighbours do
        unmatched = responses[i] < 0.3 and raw_diff[i] > 0.05
        if (unmatched or diff_arr[i] > 0.09) and diff_arr[i] > 3.0 * local + 0.01:
            cut_idx.append(i)
    forbid = np.zeros(n, bool)
    cam_arr = np.array(cam_s, np.float64)
    cam_dx_arr = np.array(cam_dx, np.float64)
    for c in cut_idx:  # flow (and the camera shift) across a cut is meaningless
        forbid[max(0, c - 2) : c + 3] = True
        obj[c] = 0.0
        cam_arr[c] = cam_dx_arr[c] = 0.0
        mom[c] = mom[c - 1] if c > 0 else 0.0
    flow_acc = _direction_changes(mom, fps, w)
    while len(sil_moments) < n:
        sil_moments.append(np.zeros((3, 3)))
    tri_acc = _silhouette_turns(np.array(sil_moments[:n]))
    for c in cut_idx:
        tri_acc[max(0, c - 2) : c + 3] = 0.0
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
    sil = np.array(sil_moments[:n])
    events = []
    for i in peaks:
        j = min(n - 1, i + 1)
        if sil[i, 0, 0] > 0:  # where the thing was on that very frame (its silhouette)
            pan_i = (sil[i, 0, 1] - w / 2) / (w / 2)
            height_i = sil[i, 0, 2] / h
            size_i = sil[i, 0, 0] / (w * h)
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

    sat, warm, green, sky = _colour(chroma, h, w)
    bright_arr, flick_arr, t_arr = np.array(bright), np.array(flick), np.array(times)
    ct = np.array(chroma_t)
    edges = [0.0, *[times[c] for c in cut_idx], duration]
    scenes = []
    for s0, s1 in itertools.pairwise(edges):
        sel = (t_arr >= s0) & (t_arr < s1)
        part = [c for c, tc in zip(chroma, ct, strict=True) if s0 <= tc < s1]
        ss, sw, sg, sk = _colour(part, h, w)
        scenes.append(
            Scene(
                s0,
                s1,
                float(bright_arr[sel].mean()) if sel.any() else 0.5,
                ss,
                sw,
                float(flick_arr[sel].mean()) if sel.any() else 0.0,
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
        codec=str(stream.codec_context.name),
        times=np.array(times),
        object_energy=obj,
        camera_speed=cam_arr,
        camera_dx=cam_dx_arr,
        pan=np.array(pans),
        onset_strength=acc,
        events=events,
        cuts=[times[c] for c in cut_idx],
        brightness=float(np.mean(bright)),
        saturation=sat,
        warmth=warm,
        flicker=float(np.mean(flick)),
        sky_blue=sky,
        green=green,
        scenes=scenes,
    )
