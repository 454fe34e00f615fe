"""MotionTracker alone, on hand-made frame pairs: camera shift, object motion, silhouettes."""

from __future__ import annotations

import numpy as np

from kinema.engines.video_to_audio.motion import MotionTracker, direction_changes, silhouette_turns
from tests.engines.video_to_audio.synth_clips import _texture


def _gray(h: int = 90, w: int = 160, seed: int = 1) -> np.ndarray:
    return _texture(h, w, seed)[..., 0]


def test_camera_shift_is_camera_not_object() -> None:
    world = _texture(90, 200, 3)[..., 0]
    tr = MotionTracker(160, 90, fps=25)
    assert tr.step(np.ascontiguousarray(world[:, 10:170])) is None  # the first frame has no pair
    pair = tr.step(np.ascontiguousarray(world[:, 14:174]))  # content moves 4 px left
    assert pair is not None
    assert abs(pair.camera_dx - (-4 * 25 / 160)) < 0.05 and pair.camera_speed > 0.5
    assert pair.object_energy < 0.05 and pair.match > 0.5


def test_object_motion_is_located_and_silhouetted() -> None:
    bg = _gray()
    tr = MotionTracker(160, 90, fps=25)
    pairs = []
    for x in (100, 108, 116):  # a bright square moving right on the right half
        f = bg.copy()
        f[40:52, x : x + 12] = 240
        pairs.append(tr.step(f))
    last = pairs[-1]
    assert last is not None and last.camera_speed == 0.0
    assert last.object_energy > 0.1 and last.pan > 0.3
    assert last.silhouette is not None  # the middle frame's silhouette: centred on its square
    area, x, y = last.silhouette[0]
    assert area > 20 and abs(x - 113.5) < 3 and abs(y - 45.5) < 3


def test_detection_functions_peak_where_motion_turns() -> None:
    mom = np.zeros((12, 3, 2))
    mom[1:7, :, 0] = 1.0  # moving right ...
    mom[7:, :, 0] = -1.0  # ... then left from frame 6 on
    d = direction_changes(mom, fps=25, w=160)
    assert int(np.argmax(d)) == 6
    sil = np.zeros((12, 3, 3))
    sil[:, :, 0] = 50
    xs = [10, 20, 30, 40, 50, 60, 50, 40, 30, 20, 10, 0]  # turns back at frame 5
    sil[:, :, 1] = np.array(xs)[:, None]
    assert int(np.argmax(silhouette_turns(sil))) == 5
