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
