"""One output frame: move the vertices, warp the portrait, paint the mouth interior and the lids, move the
camera."""

from __future__ import annotations

import cv2
import numpy as np

from .lids import paint_lids
from .mouth import paint_mouth
from .pose import Frame
from .rig import Rig
from .warp import PiecewiseAffineWarp


class Renderer:
    """Renders frames for one portrait; holds the reusable buffers."""

    def __init__(self, rig: Rig, high_quality: bool = False) -> None:
        self.rig = rig
        # pro mode samples bicubically (sharper skin texture under the warp), std bilinearly (faster)
        interp = cv2.INTER_CUBIC if high_quality else cv2.INTER_LINEAR
        self.warp = PiecewiseAffineWarp(rig.texture.image, rig.all_src, rig.mesh.moving, interp)

    def render(self, f: Frame) -> np.ndarray:
        """One output frame (RGB uint8, portrait size)."""
        dst = self.rig.dest_points(f)
        frame = self.warp(dst)
        paint_mouth(frame, dst, f, self.rig)
        paint_lids(frame, dst, f, self.rig)
        return camera(frame, f)


def camera(frame: np.ndarray, f: Frame) -> np.ndarray:
    """Zoom about the centre and pan (fractions of the frame), edges reflected; identity when still."""
    if abs(f.zoom - 1.0) < 1e-4 and abs(f.pan_x) < 1e-5 and abs(f.pan_y) < 1e-5:
        return frame
    h, w = frame.shape[:2]
    cx, cy = w / 2, h / 2
    z = f.zoom
    # output q = z * (p - c) + c + pan
    mat = np.array([[z, 0, (1 - z) * cx + f.pan_x * w], [0, z, (1 - z) * cy + f.pan_y * h]], np.float32)
    return cv2.warpAffine(frame, mat, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
