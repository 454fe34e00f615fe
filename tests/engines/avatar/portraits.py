"""Portraits for the rig tests and the engine fingerprint: a found face shrunk past the face stage."""

from __future__ import annotations

import cv2
import numpy as np

from kinema.engines.avatar.face import Portrait


def scaled_portrait(p: Portrait, iod_px: float, canvas: tuple[int, int] = (320, 240)) -> Portrait:
    """``p`` shrunk so its eye distance is ``iod_px``, centred on a grey canvas, the mesh scaled alike.

    The face stage refuses faces this small (``face.MIN_IOD_PX``), so the found mesh is scaled rather than
    searched for again: this exercises the rig on a mouth only a few pixels wide.
    """
    s = iod_px / p.iod
    small = cv2.resize(p.image, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    cw, ch = canvas
    img = np.full((ch, cw, 3), 128, np.uint8)
    h, w = small.shape[:2]
    ox, oy = (cw - w) // 2, (ch - h) // 2
    img[oy : oy + h, ox : ox + w] = small
    pts = (p.points * s + np.array([ox, oy], np.float32)).astype(np.float32)
    return Portrait(image=img, points=pts, depth=(p.depth * s).astype(np.float32))


def zoomed_portrait(p: Portrait, iod_px: float, size: int = 512) -> Portrait:
    """A ``size``² crop of ``p`` around its face, enlarged so its eye distance is ``iod_px``, the mesh alike.

    The big side-lit face that showed an octagonal mouth had 174 px between the eyes; the test images are
    smaller, so the found mesh is scaled with the pixels (a face this big needs no new search).
    """
    s = iod_px / p.iod
    centre = p.points.mean(0)
    x0, y0 = centre - size / (2 * s)
    mat = np.array([[s, 0, -s * x0], [0, s, -s * y0]], np.float32)
    img = cv2.warpAffine(p.image, mat, (size, size), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
    pts = (p.points - np.array([x0, y0], np.float32)) * s
    return Portrait(image=img, points=pts.astype(np.float32), depth=(p.depth * s).astype(np.float32))
