"""Split a photo into depth layers without a depth network.

Two kinds of depth, because they fail differently:

* **Discrete foreground objects** (people from mediapipe's selfie segmentation; otherwise the one sharp
  subject of a shallow-depth-of-field photo) are cut out with soft, edge-aware alpha and moved as rigid near
  layers. Their outline is a real depth discontinuity, so they must not be stretched; what they uncover is
  inpainted once.
* **The rest** gets a *continuous* inverse depth from monocular cues: lower in the frame is nearer (ground
  plane), in focus is nearer (photographers focus on the subject), salient is nearer, sky is far. A smooth
  field can be warped with one remap without tearing, which a stack of flat cards could not do.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import cv2
import numpy as np

PLATE_NEAR = 0.6
PLATE_FAR = 0.12
OBJECT_Q = 0.9
_WORK = 256  # analysis resolution (long side); cues are low-frequency


@dataclass(frozen=True)
class DepthLayers:
    """Inverse depth of the background plate and the soft alphas of near objects (full resolution)."""

    plate_q: np.ndarray
    objects: tuple[np.ndarray, ...]
    object_q: tuple[float, ...]
    object_kind: tuple[str, ...]
    faces: tuple[Box, ...]
    sky: np.ndarray


def _small(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    s = _WORK / max(h, w)
    return cv2.resize(rgb, (max(8, round(w * s)), max(8, round(h * s))), interpolation=cv2.INTER_AREA)


Box = tuple[float, float, float, float]


def face_boxes(rgb: np.ndarray) -> list[Box]:
    """Face boxes ``(x0, y0, x1, y1)`` in pixels from mediapipe's full-range face detector."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            from mediapipe.python.solutions import face_detection

            with face_detection.FaceDetection(model_selection=1, min_detection_confidence=0.5) as fd:
                res = fd.process(np.ascontiguousarray(rgb))
    except Exception:  # a cue, not a requirement
        return []
    h, w = rgb.shape[:2]
    out = []
    for det in res.detections or []:
        box = det.location_data.relative_bounding_box
        out.append((box.xmin * w, box.ymin * h, (box.xmin + box.width) * w, (box.ymin + box.height) * h))
    return out


def person_alpha(rgb: np.ndarray) -> tuple[np.ndarray, list[Box]] | None:
    """Soft mask of people (float32 in [0, 1], full size), or None when nobody is in the picture.

    Selfie segmentation also fires on cups, cats and lamps, so a mask only counts as a person when a face
    detector finds a face inside it.
    """
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            from mediapipe.python.solutions import selfie_segmentation  # heavy import, only when needed

            with selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
                res = seg.process(np.ascontiguousarray(rgb))
    except Exception:
        return None
    mask = getattr(res, "segmentation_mask", None)
    if mask is None:
        return None
    mask = mask.astype(np.float32)
    hard = mask > 0.5
    if hard.mean() < 0.02 or hard.mean() > 0.9:
        return None
    # keep the components that matter (drop specks the model hallucinates)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(hard.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    total = hard.sum()
    for i in range(1, n):
        if stats[i, cv2.CC_STAT_AREA] >= 0.05 * total:
            keep[i] = True
    core = keep[labels]
    hh, ww = core.shape
    faces = [
        b
        for b in face_boxes(rgb)
        if core[min(hh - 1, max(0, int((b[1] + b[3]) / 2))), min(ww - 1, max(0, int((b[0] + b[2]) / 2)))]
    ]
    if not faces:
        return None
    support = cv2.dilate(core.astype(np.uint8), np.ones((15, 15), np.uint8)) > 0
    mask = mask * support
    return refine_alpha(rgb, mask), faces


def refine_alpha(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Snap a rough matte to the photo's edges (guided filter) and sharpen its transition."""
    h, w = alpha.shape
    r = max(2, round(max(h, w) / 160))
    guide = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0  # uint8 guides give NaNs
    refined = cv2.ximgproc.guidedFilter(guide, alpha.astype(np.float32), r, 1e-3)
    # contrast-stretch the transition so the core is opaque and the outside clear
    refined = np.clip((refined - 0.3) / 0.4, 0.0, 1.0)
    return refined.astype(np.float32)


def sharpness(rgb_small: np.ndarray) -> np.ndarray:
    """Local focus measure in [0, 1]: log energy of the Laplacian, smoothed over a region."""
    grey = cv2.cvtColor(rgb_small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lap = cv2.Laplacian(grey, cv2.CV_32F, ksize=3)
    energy = cv2.GaussianBlur(lap * lap, (0, 0), 4.0)
    e = np.log1p(energy)
    lo, hi = np.percentile(e, 5), np.percentile(e, 98)
    return np.clip((e - lo) / max(hi - lo, 1e-6), 0.0, 1.0).astype(np.float32)


def saliency(rgb_small: np.ndarray) -> np.ndarray:
    """Spectral-residual saliency in [0, 1] (OpenCV contrib), blurred to a region cue."""
    sal = cv2.saliency.StaticSaliencySpectralResidual.create()
    ok, smap = sal.computeSaliency(cv2.cvtColor(rgb_small, cv2.COLOR_RGB2BGR))
    if not ok:
        return np.zeros(rgb_small.shape[:2], np.float32)
    smap = cv2.GaussianBlur(smap.astype(np.float32), (0, 0), 6.0)
    return (smap / max(float(smap.max()), 1e-6)).astype(np.float32)


def sky_likelihood(rgb_small: np.ndarray) -> np.ndarray:
    """Bright, low-texture, blue-or-grey pixels connected to the top edge."""
    hsv = cv2.cvtColor(rgb_small, cv2.COLOR_RGB2HSV).astype(np.float32)
    h, w = rgb_small.shape[:2]
    sharp = sharpness(rgb_small)
    value = hsv[..., 2] / 255.0
    sat = hsv[..., 1] / 255.0
    hue = hsv[..., 0] * 2.0
    blue = ((hue > 180) & (hue < 250)).astype(np.float32)
    greyish = (sat < 0.18).astype(np.float32)
    # blue skies may be dark (dusk); grey/white skies must be bright
    skyish = ((blue > 0) & (value > 0.2)) | ((greyish > 0) & (value > 0.45))
    cand = ((sharp < 0.45) & skyish).astype(np.uint8)
    cand = np.asarray(cv2.morphologyEx(cand, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)))
    _, labels = cv2.connectedComponents(cand, connectivity=4)
    touching = set(np.unique(labels[0, :]).tolist()) - {0}
    sky = np.isin(labels, list(touching)).astype(np.float32) if touching else np.zeros((h, w), np.float32)
    if sky.mean() < 0.03:
        return np.zeros((h, w), np.float32)
    return cv2.GaussianBlur(sky, (0, 0), 2.0)


def subject_alpha(rgb: np.ndarray, sharp_small: np.ndarray) -> np.ndarray | None:
    """The in-focus subject of a shallow-depth-of-field photo, or None when focus is spread evenly."""
    hard = sharp_small > 0.55
    frac = float(hard.mean())
    if not 0.04 < frac < 0.5:  # larger "subjects" (close-ups) cut badly through soft fur/skin: skip
        return None
    inside = float(sharp_small[hard].mean())
    outside = float(sharp_small[~hard].mean())
    if outside > 0.25 or inside - outside < 0.5:
        return None  # the background is not clearly blurred: no clean subject/background split
    # a *blurred* background still has soft structure; a featureless one (clear sky, studio sweep, night)
    # has none, and cutting a "subject" out of it would move a blob of sky as a card
    small = cv2.resize(rgb, (hard.shape[1], hard.shape[0]), interpolation=cv2.INTER_AREA)
    g = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32), (0, 0), 2.0)
    soft_structure = np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
    if float(soft_structure[~hard].mean()) < 10.0:
        return None
    hard_u8 = cv2.morphologyEx(hard.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(hard_u8, connectivity=8)
    if n < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    blob = (labels == biggest).astype(np.uint8)
    # fill interior holes so the subject moves as one piece
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(blob)
    cv2.drawContours(filled, contours, -1, 1, thickness=-1)
    h, w = rgb.shape[:2]
    big = cv2.resize(filled.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return refine_alpha(rgb, big)


def estimate_layers(rgb: np.ndarray, use_person: bool = True) -> DepthLayers:
    """Analyse the photo once: the plate's inverse depth, near objects (with alpha) and the sky."""
    h, w = rgb.shape[:2]
    small = _small(rgb)
    sh, sw = small.shape[:2]
    sharp = sharpness(small)
    sal = saliency(small)
    sky = sky_likelihood(small)

    objects: list[np.ndarray] = []
    kinds: list[str] = []
    found = person_alpha(rgb) if use_person else None
    faces: list[Box] = []
    if found is not None:
        objects.append(found[0])
        faces = found[1]
        kinds.append("person")
    else:
        subject = subject_alpha(rgb, sharp)
        if subject is not None:
            objects.append(subject)
            kinds.append("subject")

    ys = np.linspace(0.0, 1.0, sh, dtype=np.float32)[:, None] * np.ones((1, sw), np.float32)
    q: np.ndarray = 0.55 * ys**1.3 + 0.25 * sharp + 0.20 * sal
    q = q * (1.0 - sky)  # sky is at infinity
    # under the objects the plate is background: replace by the surrounding depth
    if objects:
        occ = cv2.resize(np.maximum.reduce(objects), (sw, sh), interpolation=cv2.INTER_AREA) > 0.05
        q = _fill_from_surroundings(q, occ)
    guide = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    q = cv2.ximgproc.guidedFilter(guide, q.astype(np.float32), 8, 1e-2)
    q = cv2.GaussianBlur(q, (0, 0), 3.0)
    lo, hi = float(q.min()), float(q.max())
    q = (q - lo) / max(hi - lo, 1e-6)
    plate_q = np.asarray(
        cv2.resize(
            (PLATE_FAR + (PLATE_NEAR - PLATE_FAR) * q).astype(np.float32),
            (w, h),
            interpolation=cv2.INTER_LINEAR,
        )
    )
    sky_full = cv2.resize(sky, (w, h), interpolation=cv2.INTER_LINEAR)
    return DepthLayers(
        plate_q=plate_q.astype(np.float32),
        objects=tuple(objects),
        object_q=tuple(OBJECT_Q for _ in objects),
        object_kind=tuple(kinds),
        faces=tuple(faces),
        sky=sky_full.astype(np.float32),
    )


def _fill_from_surroundings(values: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Normalised-convolution fill of ``values`` where ``hole`` is set (smooth, no streaks)."""
    known = (~hole).astype(np.float32)
    if known.sum() < 1:
        return values
    num = values * known
    out = values.copy()
    todo = hole.copy()
    for sigma in (4.0, 12.0, 40.0, 120.0):
        n = cv2.GaussianBlur(num, (0, 0), sigma)
        d = cv2.GaussianBlur(known, (0, 0), sigma)
        good = todo & (d > 1e-3)
        out[good] = n[good] / d[good]
        todo &= ~good
        if not todo.any():
            break
    out[todo] = float(values[~hole].mean())
    return out
