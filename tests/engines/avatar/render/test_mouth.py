"""The painted mouth interior: no dark outline along the lips, lit near them and dark at the back, on a big,
a medium and a 22-px face.

Before, a "contact shadow" darkened the interior by up to 45 % along the mask's edge and the cavity was
black up to the lips: the band just inside the lips' inner edge had its darkest tenth at 0.19–0.27 of the
lips' lightness on every face and frame, a black ring at 3× zoom. Now that band is the lips' inner surface
and the lit edge of the cavity (≥ 0.55 of the lips).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kinema.engines.avatar.face import Portrait
from kinema.engines.avatar.landmarks import LIPS_INNER, LOWER_LIP_CENTRE, UPPER_LIP_CENTRE
from kinema.engines.avatar.render import Frame, Renderer, Rig

from ..portraits import scaled_portrait, zoomed_portrait
from .test_closed_lips import lip_lightness

FRAMES = {
    "open vowel": Frame(open=0.9, tongue=0.6, width=0.15),
    "rounded vowel": Frame(open=0.3, width=-0.9),
    "turned": Frame(open=0.6, width=0.3, yaw=0.08, roll=0.05),
}


@pytest.fixture(scope="module", params=["big", "medium", "small"])
def rig(request: pytest.FixtureRequest, astronaut: Portrait) -> Rig:
    portrait = {
        "big": lambda: zoomed_portrait(astronaut, 160),
        "medium": lambda: astronaut,
        "small": lambda: scaled_portrait(astronaut, 22, (360, 360)),
    }[request.param]()
    return Rig(portrait)


def inner_band_darkness(frame: np.ndarray, dst: np.ndarray, rig: Rig) -> float:
    """Darkest tenth of the band 0.02 IOD (≥ 1 px) wide just inside the lips' inner edge, relative to the
    lips' lightness: a black outline around the opening is well under 0.3."""
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    poly = np.zeros(grey.shape, np.uint8)
    cv2.fillPoly(poly, [np.round(dst[LIPS_INNER] * 4).astype(np.int32)], 1, cv2.LINE_8, shift=2)
    k = max(1, round(0.02 * rig.iod))
    band = (poly > 0) & (cv2.erode(poly, np.ones((2 * k + 1, 2 * k + 1), np.uint8)) == 0)
    return float(np.percentile(grey[band], 10)) / lip_lightness(rig)


@pytest.mark.parametrize("name", list(FRAMES))
def test_no_dark_outline_inside_the_lips(rig: Rig, name: str) -> None:
    f = FRAMES[name]
    frame = Renderer(rig).render(f)
    assert inner_band_darkness(frame, rig.dest_points(f), rig) > 0.45


def test_the_cavity_is_lit_near_the_lower_lip_and_dark_towards_the_back(rig: Rig) -> None:
    f = Frame(open=0.9)
    frame = cv2.cvtColor(Renderer(rig).render(f), cv2.COLOR_RGB2GRAY).astype(np.float32)
    dst = rig.dest_points(f)
    top, bottom = dst[UPPER_LIP_CENTRE], dst[LOWER_LIP_CENTRE]
    gap = float(bottom[1] - top[1])
    x = round((top[0] + bottom[0]) / 2)
    near_lip = frame[round(bottom[1] - max(1.0, 0.08 * gap)), x]
    back = frame[round(bottom[1] - 0.35 * gap), x]  # below the upper teeth, above the lower ones
    assert back < near_lip
    assert back < 0.5 * lip_lightness(rig)
