"""Stage 1 — the portrait: load any photo the way a viewer sees it, find the face, return its 478-point mesh.

Why this shape:
* Photos arrive rotated by EXIF, with alpha, in grayscale, or as 10 MB camera JPEGs. We decode once with
  Pillow (using JPEG draft mode so a 24-megapixel photo is decoded at reduced size), apply EXIF rotation,
  flatten alpha onto a neutral background and resize to the render resolution *before* landmarking, so every
  later stage works in output pixels.
* mediapipe's face mesh (0.10.21, models in the wheel) only has a short-range detector, which misses small
  faces in a big photo and picks an arbitrary face in a group photo. So we first run the full-range face
  detector, choose the largest face near the centre, and run the mesh on a crop around it.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageOps

from kinema.engines.base import EngineInputError
from kinema.media.image_load import open_picture

from .landmarks import CHIN, IRIS_L, IRIS_R

MIN_IOD_PX = 18.0
"""Below this inter-ocular distance (output pixels) a mouth is a few pixels: refuse rather than smear."""


@dataclass(frozen=True)
class Portrait:
    """The portrait at render resolution and its face mesh (pixel coordinates of that image)."""

    image: np.ndarray
    """H×W×3 uint8 RGB, even width and height."""
    points: np.ndarray
    """(478, 2) float32 x, y in pixels."""
    depth: np.ndarray
    """(478,) float32 z in pixels (mediapipe scale: negative is towards the camera)."""
    shoulders: np.ndarray | None = None
    """(2, 2) float32 x, y of the subject's right then left shoulder joint, or None when the body model
    does not see both (a tight head crop)."""
    person: np.ndarray | None = None
    """H×W bool, the person (head, hair, body) as the body model segments it, or None when it found none."""

    @property
    def size(self) -> tuple[int, int]:
        return self.image.shape[1], self.image.shape[0]

    @property
    def iod(self) -> float:
        """Inter-ocular distance (iris centres) in pixels: the face's natural length unit."""
        return float(np.linalg.norm(self.points[IRIS_R] - self.points[IRIS_L]))

    @property
    def eye_axis(self) -> np.ndarray:
        """Unit vector from the image-left eye to the image-right eye (handles tilted portraits)."""
        v = self.points[IRIS_L] - self.points[IRIS_R]
        return (v / max(float(np.linalg.norm(v)), 1e-6)).astype(np.float32)


def target_size(width: int, height: int, max_short: int, max_long: int) -> tuple[int, int]:
    """Largest even size ≤ the caps with the input's aspect ratio (never upscales, never pads)."""
    scale = min(1.0, max_short / min(width, height), max_long / max(width, height))
    w = max(2, round(width * scale))
    h = max(2, round(height * scale))
    return w - (w % 2), h - (h % 2)


def load_image(path: str | Path, max_short: int = 720, max_long: int = 1280) -> np.ndarray:
    """Decode a photo as displayed (EXIF orientation, alpha flattened, RGB) at render resolution."""
    try:
        img = open_picture(path, max_short, max_long)  # a huge non-JPEG comes back already reduced
    except (OSError, ValueError) as exc:
        raise EngineInputError(f"image: not a readable picture ({exc})") from exc
    with img:
        pic: Image.Image = img
        if img.format == "JPEG":
            # Decode big JPEGs at a reduced scale directly (draft keeps ≥ the requested size); the caps are
            # symmetric in width/height, so the raw (pre-EXIF-rotation) orientation gives the same scale.
            img.draft("RGB", target_size(img.size[0], img.size[1], max_short, max_long))
        pic = ImageOps.exif_transpose(img)
        if pic.mode in ("RGBA", "LA", "PA") or (pic.mode == "P" and "transparency" in pic.info):
            rgba = pic.convert("RGBA")
            bg = Image.new("RGBA", rgba.size, (235, 235, 235, 255))
            pic = Image.alpha_composite(bg, rgba)
        rgb = np.asarray(pic.convert("RGB"))
    h0, w0 = rgb.shape[:2]
    tw, th = target_size(w0, h0, max_short, max_long)
    if (tw, th) != (w0, h0):
        # Resize to the scaled size, then crop the ≤1 px that makes the size even.
        scale = min(1.0, max_short / min(w0, h0), max_long / max(w0, h0))
        sw, sh = max(tw, round(w0 * scale)), max(th, round(h0 * scale))
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        rgb = cv2.resize(rgb, (sw, sh), interpolation=interp)
    return np.ascontiguousarray(rgb[:th, :tw])


_MP_LOCK = threading.Lock()  # mediapipe graphs are not thread-safe; landmarking is a one-off per job.


@functools.lru_cache(maxsize=1)
def _detector() -> Any:
    """The full-range face detector, built once per process (graph set-up costs ~0.2 s per job otherwise)."""
    from mediapipe.python.solutions import face_detection

    return face_detection.FaceDetection(model_selection=1, min_detection_confidence=0.5)


@functools.lru_cache(maxsize=2)
def _mesher(max_faces: int) -> Any:
    """A static-image face mesh (refined, 478 points), built once per process and face count."""
    from mediapipe.python.solutions import face_mesh

    return face_mesh.FaceMesh(static_image_mode=True, max_num_faces=max_faces, refine_landmarks=True,
                              min_detection_confidence=0.4)


@functools.lru_cache(maxsize=1)
def _body() -> Any:
    """BlazePose (full, ``model_complexity=1``: the heavy model is not in the wheel and would download),
    built once per process."""
    from mediapipe.python.solutions import pose

    return pose.Pose(static_image_mode=True, model_complexity=1, enable_segmentation=True,
                     min_detection_confidence=0.5)


def preload() -> None:
    """Build the mediapipe graphs and run each once (a worker warming up), not in its first job."""
    blank = np.full((96, 96, 3), 128, np.uint8)
    with _MP_LOCK:
        for graph in (_detector(), _mesher(4), _body()):
            graph.process(blank)


SHOULDER_R, SHOULDER_L = 12, 11
"""BlazePose landmark numbers of the subject's right and left shoulder."""


def find_body(rgb: np.ndarray, iod: float) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(shoulders, person mask) of the picture; see :class:`Portrait`. Run once per portrait.

    The shoulders must be sure (visibility ≥ 0.5), inside the picture (10 % slack) and at least an eye
    distance apart, else the pose model has latched onto something else and they are None.
    """
    h, w = rgb.shape[:2]
    with _MP_LOCK:
        res = _body().process(np.ascontiguousarray(rgb))
    if res.pose_landmarks is None:
        return None, None
    person = None if res.segmentation_mask is None else np.asarray(res.segmentation_mask) > 0.5
    lm = res.pose_landmarks.landmark
    pts = []
    for k in (SHOULDER_R, SHOULDER_L):
        p = lm[k]
        if p.visibility < 0.5 or not (-0.1 < p.x < 1.1 and -0.1 < p.y < 1.1):
            return None, person
        pts.append((p.x * w, p.y * h))
    out = np.array(pts, np.float32)
    if float(np.linalg.norm(out[1] - out[0])) < iod:
        return None, person
    return out, person


def _detect_faces(rgb: np.ndarray) -> list[tuple[float, float, float, float, float]]:
    """Full-range face detector → boxes (x0, y0, x1, y1, score) in pixels."""
    h, w = rgb.shape[:2]
    out: list[tuple[float, float, float, float, float]] = []
    det = _detector()
    # (shared detector: callers hold _MP_LOCK)
    # Whole picture first; if nothing is found, overlapping tiles (the model sees 192 px, so a small face
    # in a big photo vanishes when the whole picture is shrunk to that).
    tiles = [(0, 0, w, h)]
    t = max(64, min(w, h) // 2)
    step = max(32, t // 2)
    grid = [(x, y, min(w, x + t), min(h, y + t)) for y in range(0, max(1, h - t // 2), step)
            for x in range(0, max(1, w - t // 2), step)]
    for k, (x0, y0, x1, y1) in enumerate(tiles + grid):
        if k > 0 and out:
            break
        res = det.process(np.ascontiguousarray(rgb[y0:y1, x0:x1]))
        tw, th = x1 - x0, y1 - y0
        for d in res.detections or []:
            bb = d.location_data.relative_bounding_box
            out.append((x0 + bb.xmin * tw, y0 + bb.ymin * th, x0 + (bb.xmin + bb.width) * tw,
                        y0 + (bb.ymin + bb.height) * th, d.score[0]))
    return out


def _mesh(rgb: np.ndarray, max_faces: int = 4) -> list[np.ndarray]:
    """Face mesh on an image → list of (478, 3) arrays in pixels (z scaled like x)."""
    h, w = rgb.shape[:2]
    res = _mesher(max_faces).process(np.ascontiguousarray(rgb))
    faces = []
    for lm in res.multi_face_landmarks or []:
        faces.append(np.array([(p.x * w, p.y * h, p.z * w) for p in lm.landmark], np.float32))
    return faces


def _centrality_score(box: tuple[float, float, float, float], w: int, h: int) -> float:
    """Prefer big faces, penalise distance from the image centre (a group photo's main subject)."""
    x0, y0, x1, y1 = box
    area = max(x1 - x0, 1.0) * max(y1 - y0, 1.0)
    cx, cy = (x0 + x1) / 2 / w - 0.5, (y0 + y1) / 2 / h - 0.5
    return area * (1.0 - min(0.8, 1.2 * float(np.hypot(cx, cy))))


def _mesh_detected(rgb: np.ndarray) -> list[np.ndarray]:
    """Full-range detection (with tiles), then the mesh on a generous crop around the best detections."""
    h, w = rgb.shape[:2]
    boxes = _detect_faces(rgb)
    candidates: list[np.ndarray] = []
    for x0, y0, x1, y1, _score in sorted(boxes, key=lambda b: -_centrality_score(b[:4], w, h))[:3]:
        # Crop a generous square around the detection so the mesh model sees a "selfie-like" face.
        side = 2.2 * max(x1 - x0, y1 - y0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        cx0, cy0 = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
        cx1, cy1 = int(min(w, cx + side / 2)), int(min(h, cy + side / 2))
        crop = rgb[cy0:cy1, cx0:cx1]
        if crop.shape[0] < 16 or crop.shape[1] < 16:
            continue
        scale = 1.0
        if max(crop.shape[:2]) < 256:  # tiny faces: upsample so the mesh model has pixels to work with
            scale = 256 / max(crop.shape[:2])
            crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        for f in _mesh(crop, max_faces=4):
            f = f / scale
            f[:, 0] += cx0
            f[:, 1] += cy0
            candidates.append(f)
        if candidates:
            break
    return candidates


def find_face(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks of the main face: ((478, 2) xy, (478,) z) in pixels of ``rgb``.

    Raises :class:`EngineInputError` when there is no face, or the face is too small to animate.
    """
    h, w = rgb.shape[:2]
    with _MP_LOCK:
        # Typical portraits: the mesh's own (short-range) detector finds the face on the whole picture. Only
        # when it finds nothing, or only small faces, run the full-range detector and mesh crops around it.
        candidates: list[np.ndarray] = list(_mesh(rgb, max_faces=4))
        big = [f for f in candidates if float(np.linalg.norm(f[IRIS_R, :2] - f[IRIS_L, :2])) >= 40]
        if not big:
            candidates += _mesh_detected(rgb)
    if not candidates:
        raise EngineInputError("image: no face found in the picture; use a clear, front-facing portrait")

    def mesh_score(f: np.ndarray) -> float:
        x0, y0 = f[:, :2].min(0)
        x1, y1 = f[:, :2].max(0)
        return _centrality_score((float(x0), float(y0), float(x1), float(y1)), w, h)

    best = max(candidates, key=mesh_score)
    xy, z = best[:, :2].copy(), best[:, 2].copy()
    iod = float(np.linalg.norm(xy[IRIS_R] - xy[IRIS_L]))
    if iod < MIN_IOD_PX:
        raise EngineInputError(
            f"image: the face is too small to animate ({iod:.0f} px between the eyes at render size, "
            f"need ≥ {MIN_IOD_PX:.0f}); crop the picture closer to the face"
        )
    return xy.astype(np.float32), z.astype(np.float32)


def load_portrait(path: str | Path, max_short: int = 720, max_long: int = 1280) -> Portrait:
    """Image file → :class:`Portrait` at render resolution (the whole face stage)."""
    rgb = load_image(path, max_short, max_long)
    xy, z = find_face(rgb)
    iod = float(np.linalg.norm(xy[IRIS_R] - xy[IRIS_L]))
    shoulders, person = find_body(rgb, iod)
    if shoulders is not None and float(shoulders[:, 1].min()) < float(xy[CHIN, 1]) - 0.5 * iod:
        shoulders = None  # shoulders level with the mouth: not a head-and-shoulders picture
    return Portrait(image=rgb, points=xy, depth=z, shoulders=shoulders, person=person)
