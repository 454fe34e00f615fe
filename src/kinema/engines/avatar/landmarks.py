"""Names for the mediapipe face-mesh landmarks the avatar engine reads (478 points: the refined mesh).

Every index the engine uses is named here, once; other modules index the mesh only through these names, so
"which point is the chin" is answered in one place and a change such as "move the lower lid" reads as words.

Sides follow the subject, as mediapipe's own numbering does: ``_R`` is the subject's right, which is the
image's *left* in a front-facing photo (``MOUTH_CORNER_R`` = 61 has the smaller x, ``IRIS_R`` = 468 is the
image-left eye).
"""

from __future__ import annotations

MESH_POINTS = 468
"""Points 0..467 are the face surface; 468..477 are the two irises (centre, then four rim points each)."""
IRIS_R = 468
IRIS_L = 473

NOSE_TIP = 1
NOSE_BRIDGE = 6
"""Between the eyes."""
NOSE_BASE = (2, 98, 327)
"""Subnasale and the two alae: the jaw hinge sits level with them."""
CHIN = 152
EAR_LINE = (234, 454)
"""Where the face oval meets each ear: the rig measures depth from the line between them."""

# Lips. Outer contour, inner contour, and each split into an upper and a lower arc, corner to corner.
LIPS_OUTER = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146]
LIPS_INNER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95]
INNER_UPPER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308]
INNER_LOWER = [308, 324, 318, 402, 317, 14, 87, 178, 88, 95, 78]
OUTER_UPPER = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291]
OUTER_LOWER = [291, 375, 321, 405, 314, 17, 84, 181, 91, 146, 61]
MOUTH_CORNER_R = 61
MOUTH_CORNER_L = 291
MOUTH_CORNERS = (MOUTH_CORNER_R, MOUTH_CORNER_L)
"""Outer lip corners: where the mouth's width is measured and a smile pulls."""
INNER_CORNER_R = 78
INNER_CORNER_L = 308
INNER_CORNERS = (INNER_CORNER_R, INNER_CORNER_L)
LIP_CORNERS = (*MOUTH_CORNERS, *INNER_CORNERS)
"""Shared by the upper and the lower lip: they move half with the jaw."""
UPPER_LIP_CENTRE = 13
"""The middle of the inner upper lip."""
LOWER_LIP_CENTRE = 14
"""The middle of the inner lower lip: its depth sets the jaw's lever arm."""
UPPER_LIP_MID = (82, UPPER_LIP_CENTRE, 312)
"""The middle three points of the inner upper lip (the upper teeth hang from here)."""
LOWER_LIP_MID = (87, LOWER_LIP_CENTRE, 317)
"""The middle three points of the inner lower lip."""

# Eye contours, subject's right eye (image left) and left eye; upper then lower lid, corner to corner.
EYE_R_UPPER = [33, 246, 161, 160, 159, 158, 157, 173, 133]
EYE_R_LOWER = [33, 7, 163, 144, 145, 153, 154, 155, 133]
EYE_L_UPPER = [263, 466, 388, 387, 386, 385, 384, 398, 362]
EYE_L_LOWER = [263, 249, 390, 373, 374, 380, 381, 382, 362]
BROW_R = [70, 63, 105, 66, 107, 46, 53, 52, 65, 55]
BROW_L = [300, 293, 334, 296, 336, 276, 283, 282, 295, 285]

FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
             148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109]
CHEEK_R_CENTRE = 205
"""Middle of the subject's right cheek: a smooth skin patch, where the photo's grain is measured."""
CHEEK_R = (CHEEK_R_CENTRE, 50, 187, 207, 206)
"""A patch of the subject's right cheek: the skin colour."""
