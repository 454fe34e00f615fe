"""Stage 4 — frames: move the mesh, warp the portrait, paint the mouth interior and eyelids, move the camera.

Why it is built this way (see docs/avatar.md and the prototype notes):
* **Exact piecewise-affine inverse warp** (:mod:`.warp`). The portrait is triangulated once (face mesh + two
  rings of anchors + the image border, :mod:`.mesh`). Per frame every moved triangle's inverse affine is
  applied per pixel (vectorised, float32) and the frame is produced by one ``cv2.remap`` limited to the
  moving bounding box.
* **The triangulation is computed on a virtually opened mouth**, so no triangle ever bridges the upper and
  lower lip: the mouth opening is its own set of triangles, painted over by a synthesized interior.
* **Jaw rotates about the hinge in 3D** using the mesh's depth, cheeks follow with a falloff; head motion is a
  3D rotation of the mesh about a pivot in the neck; hair follows through the anchor ring, background stays
  (:mod:`.face_model`, :mod:`.pose`).
* **Mouth interior** (:mod:`.mouth`) over a smooth, feathered opening (:mod:`.opening`: centre line and half
  height smoothed about the corners, coverage from the distance to the edges): a cavity lit near the lips
  and dark at the back, upper teeth (the source's own teeth, kept rigid with the upper jaw, when it shows
  them), lower teeth with the jaw, a tongue on open vowels, grain matched to the photo (:mod:`.palette`).
* **Blinks** (:mod:`.lids`) composite a synthesized lid (skin colour sampled above the eye, lash line), never
  a warped lid.
* **Closing an open or toothy smile** seals the lips along their whole width (:func:`.pose.with_seal`) and
  warps a texture whose opening is filled with lip (:mod:`.closed_lips`), so no dark notches are left.
* **The shoulders follow the head and breathing** through anchors on the shoulder line (BlazePose, found
  once per portrait), with fixed guards around them; ring anchors on the background stay (:mod:`.mesh`).

Everything per portrait is computed once by :class:`Rig`; :class:`Renderer` turns a :class:`Frame` into an
image.
"""

from .pose import MAX_GAP, Frame
from .renderer import Renderer
from .rig import Rig

__all__ = ["MAX_GAP", "Frame", "Renderer", "Rig"]
