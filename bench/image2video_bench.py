"""Speed of the image-to-video engine against a plain encode of the same frames (2-core CPU).

Run: ``.venv/bin/python bench/image2video_bench.py [case substrings]`` — prints a table. Targets: 5 s std
720p ≤ 3 s, 10 s pro 1080p ≤ 15 s. Each case names its model: the size and frame rate come from the
capability table (kling-v1: 720p 30 fps; kling-v1-6 pro: 1080p 30 fps; kling-v3 std: 720p 24 fps). Ratios
against a plain encode of the same frames at the same size and rate, measured in the same run, make the
numbers comparable on a shared, noisy machine; CPU seconds (all threads) are less sensitive to other load than
wall seconds. Peak RSS is reported too (frames are streamed, so it must not grow with length).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import skimage.data

from kinema.engines.image2video import CameraControl, DynamicMask, I2VOptions, Shot, render_image_to_video
from kinema.engines.image2video.settings import settings_for
from kinema.media.video_writer import VideoSettings, VideoWriter


def photo(name: str, w: int, h: int) -> np.ndarray:
    src = {
        "astronaut": skimage.data.astronaut,
        "coffee": skimage.data.coffee,
        "chelsea": skimage.data.chelsea,
    }[name]()
    sh, sw = src.shape[:2]
    if sw / sh > w / h:  # crop to the target aspect (top kept: faces live there), never stretch
        cw = round(sh * w / h)
        src = src[:, (sw - cw) // 2 : (sw - cw) // 2 + cw]
    else:
        src = src[: round(sw * h / w)]
    return np.ascontiguousarray(cv2.resize(src, (w, h), interpolation=cv2.INTER_CUBIC))


def plain_encode(img: np.ndarray, frames: int, mode: str, fps: int, out: Path) -> float:
    cfg = settings_for("kling-v1", mode)
    h, w = img.shape[:2]
    t = time.perf_counter()
    with VideoWriter(out, w, h, VideoSettings(fps=fps, preset=cfg.preset, crf=cfg.crf)) as wr:
        for i in range(frames):
            wr.write(np.roll(img, i, axis=1))
    return time.perf_counter() - t


THREE_SHOTS = (Shot("zoom in", 2), Shot("pan left", 1.5), Shot("zoom out", 1.5))


def main() -> None:
    # (label, model, mode, seconds, input width, input height, extra options)
    cases: list[tuple[str, str, str, int, int, int, dict[str, object]]] = [
        ("std 5s default prompt", "kling-v1", "std", 5, 1280, 720, {}),
        ("std 5s zoom=5", "kling-v1", "std", 5, 1280, 720, {"camera": CameraControl("simple", {"zoom": 5})}),
        ("std 5s down_back", "kling-v1", "std", 5, 1280, 720, {"camera": CameraControl("down_back")}),
        (
            "std 5s prompt ambient",
            "kling-v1",
            "std",
            5,
            1280,
            720,
            {"prompt": "wind in the trees, snow falling, flickering lights"},
        ),
        ("std 5s tail", "kling-v1", "std", 5, 1280, 720, {"tail": True}),
        ("std 5s brush", "kling-v1", "std", 5, 1280, 720, {"brush": True}),
        ("std 5s 512x384 scaled up", "kling-v1", "std", 5, 512, 384, {}),
        ("v3 std 5s three shots", "kling-v3", "std", 5, 1280, 720, {"shots": THREE_SHOTS}),
        (
            "pro 10s zoom=5",
            "kling-v1-6",
            "pro",
            10,
            1920,
            1080,
            {"camera": CameraControl("simple", {"zoom": 5})},
        ),
        ("pro 10s tail", "kling-v1-6", "pro", 10, 1920, 1080, {"tail": True}),
    ]
    only = sys.argv[1:]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        # one-off process start-up (mediapipe import and graph creation) is not per-clip cost: measure apart
        t = time.perf_counter()
        render_image_to_video(
            I2VOptions(image=photo("astronaut", 320, 240), duration_s=3), Path(tmp) / "w.mp4"
        )
        warm = time.perf_counter() - t
        for label, model, mode, dur, w, h, extra in cases:
            if only and not any(o in label for o in only):
                continue
            img = photo("astronaut", w, h)
            kw: dict[str, object] = {k: v for k, v in extra.items() if k in ("camera", "prompt", "shots")}
            if extra.get("tail"):
                kw["image_tail"] = np.ascontiguousarray(np.roll(img, w // 30, axis=1))
            if extra.get("brush"):
                mask = np.zeros((h, w), np.uint8)
                cv2.circle(mask, (w // 3, h // 2), h // 6, 255, -1)
                kw["dynamic_masks"] = (DynamicMask(mask, ((w / 3, h / 2), (w / 2, h / 3))),)
            opts = I2VOptions(image=img, model_name=model, mode=mode, duration_s=dur, **kw)  # type: ignore[arg-type]
            t, cpu = time.perf_counter(), time.process_time()
            res = render_image_to_video(opts, Path(tmp) / "out.mp4")
            took, cpu_s = time.perf_counter() - t, time.process_time() - cpu
            same = cv2.resize(img, (res.width, res.height), interpolation=cv2.INTER_CUBIC)
            base = plain_encode(same, res.frames, mode, res.fps, Path(tmp) / "plain.mp4")
            size = f"{res.width}x{res.height}@{res.fps}"
            rows.append((label, size, res.frames, took, cpu_s, base, took / base))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'case':28} {'size':>13} {'frames':>6} {'engine s':>9} {'cpu s':>6}", end=" ")
    print(f"{'plain enc s':>11} {'ratio':>6}")
    for label, size, n, took, cpu_s, base, ratio in rows:
        print(f"{label:28} {size:>13} {n:>6} {took:9.2f} {cpu_s:6.2f} {base:11.2f} {ratio:6.2f}")
    print(f"warm-up (imports + first model load + a 3 s 320x240 clip): {warm:.2f} s")
    print(f"peak RSS of this process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
