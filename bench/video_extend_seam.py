"""The seam of a video extension, measured on the decoded result, and the time an extension takes.

Run: ``.venv/bin/python bench/video_extend_seam.py [--size 1280x720]`` — prints one row per parent camera.
Each parent is a 5 s image-to-video clip (24 fps) of a photo; it is extended by 5 s. The seam measure is the
mean absolute grey difference (frames 320 px wide) between the last parent frame and the first new one,
against the pairs of the second before and after it: a jump makes the seam pair an outlier, smooth motion
does not. docs/video_extend.md has the numbers.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import skimage.data

from kinema.engines.image2video import (
    CameraControl,
    CameraMove,
    CameraPath,
    I2VOptions,
    render_image_to_video,
)
from kinema.engines.video_extend import ExtendOptions, extend_video
from kinema.engines.video_extend.motion import work_gray

PARENTS: dict[str, dict[str, object]] = {
    "pan 6 (ends at rest)": {"camera": CameraControl("simple", {"pan": 6})},
    "zoom -6": {"camera": CameraControl("simple", {"zoom": -6})},
    "roll 5": {"camera": CameraControl("simple", {"roll": 5})},
    "steady pan": {"camera_path": CameraPath(CameraMove(yaw=-0.06), 1.0, 1.0)},
    "default push-in": {},
}


def grey_diffs(path: Path) -> list[float]:
    cap = cv2.VideoCapture(str(path))
    grays = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        grays.append(work_gray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
    return [float(np.mean(np.abs(b.astype(np.int16) - a))) for a, b in itertools.pairwise(grays)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1280x720")
    w, h = (int(v) for v in parser.parse_args().size.split("x"))
    img = cv2.resize(skimage.data.coffee(), (w, h), interpolation=cv2.INTER_AREA)
    heads = ("seam", "max around", "median", "ratio", "extend s", "i2v s")
    print(f"{'parent':22s} " + " ".join(f"{x:>10s}" for x in heads))
    with tempfile.TemporaryDirectory() as tmp:
        for name, camera in PARENTS.items():
            parent = Path(tmp) / "parent.mp4"
            t0 = time.perf_counter()
            render_image_to_video(I2VOptions(image=img, duration_s=5, **camera), parent)  # type: ignore[arg-type]
            t1 = time.perf_counter()
            result = extend_video(parent, Path(tmp) / "out.mp4", ExtendOptions(seconds=5.0))
            t2 = time.perf_counter()
            d, n = grey_diffs(result.path), result.parent_frames
            seam, around = d[n - 1], d[n - 25 : n - 1] + d[n : n + 24]
            print(
                f"{name:22s} {seam:10.3f} {max(around):10.3f} {np.median(around):10.3f} "
                f"{seam / max(around):10.2f} {t2 - t1:10.1f} {t1 - t0:10.1f}"
            )


if __name__ == "__main__":
    main()
