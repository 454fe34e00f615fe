"""Quality of the image-to-video engine on several photos; prints a table and writes contact sheets.

Run: ``.venv/bin/python bench/image2video_quality.py [--size 1280x720] [--out /tmp/i2v/quality]``.

Checks (targets from the issue):
* ``ssim0``: frame 0 vs the input photo (≥ 0.98); ``codec``: SSIM of the *still photo alone* through the same
  encoder settings — the ceiling any engine can reach after H.264 (the engine's raw frame 0 is the photo);
* ``ssim_tail``: last frame vs ``image_tail`` (≥ 0.95), where the tail is the photo seen by a moved camera;
  ``mid_gain`` is SSIM of the middle frame against the true middle view minus that of a plain cross-fade
  (positive = the flow interpolation beats a dissolve);
* ``traj%``: motion-brush region position error vs its trajectory, max over sampled frames, in % of the image
  diagonal (≤ 3 %), measured by masked template matching of the region, not by the engine's own numbers;
* ``static``: mean grey-level change of static-mask pixels over the clip (< 1);
* ``flicker``: 95th percentile of |Δ(frame-to-frame change)| relative to the mean change (smooth ≈ < 0.5),
  plus ``lum``: the largest frame-to-frame jump of mean luminance in grey levels.
Decoded frames are measured (codec included). Look at the sheets too.
"""

from __future__ import annotations

import argparse
import itertools
import math
import tempfile
from pathlib import Path

import av
import cv2
import numpy as np
import skimage.data
from skimage.metrics import structural_similarity

from kinema.engines.image2video import CameraControl, DynamicMask, I2VOptions, render_image_to_video
from kinema.engines.image2video.settings import settings_for
from kinema.media.video_writer import VideoSettings, VideoWriter

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field")


def load(name: str, w: int, h: int) -> np.ndarray:
    src = getattr(skimage.data, name)()
    sh, sw = src.shape[:2]
    if sw / sh > w / h:
        cw = round(sh * w / h)
        src = src[:, (sw - cw) // 2 : (sw - cw) // 2 + cw]
    else:
        ch = round(sw * h / w)
        src = src[:ch]  # keep the top: faces and skies live there
    return np.ascontiguousarray(cv2.resize(src, (w, h), interpolation=cv2.INTER_CUBIC))


def decode(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


def grey(a: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    return float(structural_similarity(grey(a), grey(b), data_range=255))


def flicker(clip: list[np.ndarray]) -> tuple[float, float]:
    g = [grey(f).astype(np.float32) for f in clip]
    d = np.array([np.mean(np.abs(a - b)) for a, b in itertools.pairwise(g)])
    jumps = np.abs(np.diff(d))
    lum = np.array([x.mean() for x in g])
    return float(np.percentile(jumps, 95) / (d.mean() + 0.5)), float(np.abs(np.diff(lum)).max())


def view(img: np.ndarray, scale: float, dx: float) -> np.ndarray:
    """The photo seen by a camera that zoomed by ``scale`` and slid ``dx`` pixels (a plausible last frame)."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 0.0, scale)
    m[0, 2] += dx
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT_101)


def locate(frame: np.ndarray, tmpl: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    res = cv2.matchTemplate(grey(frame), grey(tmpl), cv2.TM_SQDIFF, mask=mask)
    _, _, loc, _ = cv2.minMaxLoc(res)
    return float(loc[0]), float(loc[1])


def sheet(clip: list[np.ndarray], path: Path, k: int = 6) -> None:
    idx = np.linspace(0, len(clip) - 1, k).astype(int)
    th = 200
    tiles = [cv2.resize(clip[i], (round(clip[i].shape[1] * th / clip[i].shape[0]), th)) for i in idx]
    cv2.imwrite(str(path), cv2.cvtColor(np.hstack(tiles), cv2.COLOR_RGB2BGR))


def main() -> None:  # noqa: PLR0915 -- a script: one measurement after another
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--out", default="/tmp/i2v/quality")
    ap.add_argument("--duration", type=int, default=5)
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    diag = math.hypot(w, h)
    rows: list[tuple[str, str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        mp4 = Path(tmp) / "o.mp4"
        for name in PHOTOS:
            img = load(name, w, h)
            std = settings_for("kling-v1", "std")
            with VideoWriter(mp4, w, h, VideoSettings(fps=24, preset=std.preset, crf=std.crf)) as wr:
                for _ in range(12):
                    wr.write(img)
            ceiling = ssim(decode(mp4)[0], img)
            cases: dict[str, I2VOptions] = {
                "default": I2VOptions(image=img, duration_s=args.duration),
                "zoom=6": I2VOptions(
                    image=img, duration_s=args.duration, camera=CameraControl("simple", {"zoom": 6})
                ),
                "pan=-6": I2VOptions(
                    image=img, duration_s=args.duration, camera=CameraControl("simple", {"pan": -6})
                ),
                "down_back": I2VOptions(
                    image=img, duration_s=args.duration, camera=CameraControl("down_back")
                ),
                "ambient": I2VOptions(
                    image=img,
                    duration_s=args.duration,
                    prompt="wind in the trees, clouds drifting, water ripples",
                ),
            }
            tail = view(img, 1.12, 0.04 * w)
            cases["tail"] = I2VOptions(image=img, image_tail=tail, duration_s=args.duration)
            # motion brush: an ellipse around the image centre moves right-up; the left quarter is frozen
            dyn = np.zeros((h, w), np.uint8)
            cx, cy = w // 2, h // 2
            cv2.ellipse(dyn, (cx, cy), (w // 10, h // 8), 0, 0, 360, 255, -1)
            static = np.zeros((h, w), np.uint8)
            static[:, : w // 4] = 255
            traj = ((cx, h - cy), (cx + 0.10 * w, h - cy + 0.05 * h), (cx + 0.18 * w, h - cy - 0.03 * h))
            cases["brush"] = I2VOptions(
                image=img,
                duration_s=args.duration,
                prompt="gentle wind",
                static_mask=static,
                dynamic_masks=(DynamicMask(dyn, traj),),
            )
            for label, opts in cases.items():
                render_image_to_video(opts, mp4)
                clip = decode(mp4)
                m: dict[str, float] = {"ssim0": ssim(clip[0], img), "codec": ceiling}
                m["flicker"], m["lum"] = flicker(clip)
                if label == "tail":
                    m["ssim_tail"] = ssim(clip[-1], tail)
                    mid = clip[len(clip) // 2]
                    t = (len(clip) // 2) / (len(clip) - 1)
                    truth = view(img, 1 + 0.12 * t, 0.04 * w * t)
                    fade = cv2.addWeighted(img, 1 - t, tail, t, 0)
                    m["mid_gain"] = ssim(mid, truth) - ssim(fade, truth)
                if label == "brush":
                    y0, y1 = cy - h // 8, cy + h // 8
                    x0, x1 = cx - w // 10, cx + w // 10
                    tmpl = img[y0:y1, x0:x1]
                    tmask = np.ascontiguousarray(dyn[y0:y1, x0:x1])
                    eroded = cv2.erode(tmask, np.ones((9, 9), np.uint8))  # ignore the feathered rim
                    pts = np.array([[p[0], h - p[1]] for p in traj], dtype=np.float64)
                    worst = 0.0
                    for i in np.linspace(0, len(clip) - 1, 9).astype(int):
                        s = i / (len(clip) - 1) * (len(pts) - 1)
                        k = min(int(s), len(pts) - 2)
                        p = pts[k] * (1 - (s - k)) + pts[k + 1] * (s - k)
                        fx, fy = locate(clip[i], tmpl, eroded)
                        err = math.hypot(fx - x0 - (p[0] - pts[0, 0]), fy - y0 - (p[1] - pts[0, 1]))
                        worst = max(worst, err)
                    m["traj%"] = 100 * worst / diag
                    reg = static > 0
                    g0 = grey(clip[0]).astype(np.float32)
                    m["static"] = max(float(np.mean(np.abs(grey(f) - g0)[reg])) for f in clip)
                rows.append((name, label, m))
                sheet(clip, out / f"{name}_{label}.png")
    cols = ["ssim0", "codec", "ssim_tail", "mid_gain", "traj%", "static", "flicker", "lum"]
    print(f"{'photo':17} {'case':10} " + " ".join(f"{c:>9}" for c in cols))
    for name, label, m in rows:
        print(f"{name:17} {label:10} " + " ".join(f"{m[c]:9.3f}" if c in m else f"{'':>9}" for c in cols))
    worst_ssim0 = min(m["ssim0"] for _, _, m in rows)
    print(f"\nworst ssim0 {worst_ssim0:.3f} (target ≥ 0.98); sheets in {out}")


if __name__ == "__main__":
    main()
