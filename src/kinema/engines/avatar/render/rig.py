"""The rig: everything computed once per portrait, as a list of steps that each return what they compute.

``Rig(portrait)`` reads the inner lip from the pixels (:mod:`.lips`), builds the face model
(:mod:`.face_model`), the anchors and the triangulation (:mod:`.mesh`) and samples colours and grain
(:mod:`.palette`); per frame, :meth:`Rig.dest_points` moves every vertex for a :class:`.pose.Frame`.
"""

from __future__ import annotations

import numpy as np

from ..face import Portrait
from ..landmarks import CHIN, LIPS_INNER
from .closed_lips import closed_lip_texture
from .face_model import build_face_model, depth_in_iod
from .geometry import LocalFrame
from .lips import refine_inner_lip
from .mesh import build_anchors, triangulate
from .palette import cut_out_teeth, measure_grain, sample_palette
from .pose import Frame, body_shift, deform_local, head_rotation, move_head, with_seal


class Rig:
    """One portrait, ready to animate. Every attribute is set once, here, from a step's return value."""

    def __init__(self, portrait: Portrait, seed: int = 0) -> None:
        self.image = portrait.image
        self.h, self.w = self.image.shape[:2]
        self.coords = LocalFrame.of(portrait)
        self.iod = self.coords.iod
        mesh_pts = portrait.points.astype(np.float32)
        lip = refine_inner_lip(self.image, mesh_pts)
        self.points = _with_inner_lip(mesh_pts, lip.points)
        """(478, 2) float32 source mesh in pixels, with the inner lip as the pixels show it."""
        self.src_teeth_mask = lip.teeth_mask
        z = depth_in_iod(portrait.depth, self.iod)
        self.face = with_seal(build_face_model(self.coords.to_local(self.points), z))
        chin_v = float(self.face.local[CHIN, 1])
        self.anchors = build_anchors(self.points, self.coords, self.face.z, chin_v, (self.w, self.h),
                                     portrait.shoulders, portrait.person)
        self.all_src = np.concatenate([self.points, self.anchors.points]).astype(np.float32)
        """Source positions of every warp vertex: the mesh, then the anchors."""
        opened = self.coords.from_local(deform_local(self.face, Frame(open=1.0)))
        self.mesh = triangulate(opened, self.anchors, self.face.z)
        self.palette = sample_palette(self.image, self.points, self.iod, lip.teeth_mask)
        self.grain = measure_grain(self.image, self.points, self.iod, seed)
        self.src_teeth = cut_out_teeth(self.image, lip.teeth_mask)
        self.texture = closed_lip_texture(self.image, self.points, lip.opening_mask, self.iod,
                                          self.face.gap0)
        """What the warp samples: the photo with its opening filled with lip (:mod:`.closed_lips`)."""

    @property
    def has_src_teeth(self) -> bool:
        """The photo shows teeth, which are then pasted rigidly with the upper jaw."""
        return self.src_teeth is not None

    def dest_points(self, f: Frame) -> np.ndarray:
        """All vertex positions (mesh + anchors) in output pixels for one frame, before the camera."""
        face, anchors = self.face, self.anchors
        rot = head_rotation(f)
        pivot = face.hinges.pivot
        mesh = self.coords.from_local(move_head(deform_local(face, f), face.z, pivot, rot, f))
        # anchors: the same rigid head motion, scaled by their weight
        a_mov = self.coords.from_local(move_head(anchors.local, anchors.z, pivot, rot, f))
        a_dst = anchors.points + (a_mov - anchors.points) * anchors.weight[:, None]
        a_dst += anchors.body[:, None] * (self.coords.from_local(body_shift(f)[None, :]) - self.coords.origin)
        return np.concatenate([mesh, a_dst]).astype(np.float32)


def _with_inner_lip(pts: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """A copy of the mesh with the inner-lip points replaced."""
    out = pts.copy()
    out[LIPS_INNER] = inner
    return out
