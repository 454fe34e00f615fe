#!/usr/bin/env python3
"""Hard portraits for the avatar renderer: contact sheets with a 3× mouth zoom, and artefact figures.

usage: .venv/bin/python bench/avatar_hard_portraits.py [--out /tmp/avatar_hard] [--photos DIR]
       [--docs docs] [--only smile,astronaut]

Portraits: photos shipped in Debian's ``opencv-doc`` 4.6 documentation (a toothy smile with stubble, a
goatee, parted lips under side light; get them with ``apt-get download opencv-doc && dpkg -x
opencv-doc_*.deb /tmp/opencv-doc`` and pass ``--photos /tmp/opencv-doc/usr/share/doc/opencv-doc``), the
scikit-image astronaut, and honest synthetic variants of those (black-and-white, a side-light gradient, a
down-scaled small face). Missing photos are skipped with a note.

Per portrait: rest, open vowel, rounded vowel, closure (turned head) and blink, the source first; a second
row zooms the mouth 3× (nearest neighbour, so every pixel shows). Printed per portrait:
  corner  share of pixels darker than half the lips' lightness within 0.12 IOD of the mouth corners, in the
          source and at worst over the closed frames (dark notches; beards and stubble raise both);
  seam    the darkest point of the closed lip line relative to the lips (a black smear is < 0.4);
  far_bg  share of background pixels farther than 0.5 IOD from the person that change on a head turn with
          breathing (the background must stay put);
  ring    darkest tenth of the band just inside the lips' inner edge ÷ the lips' lightness, worst open frame
          (a black outline around the opening is < 0.3);
  kink    largest second difference (px) of the opening's edges between the corners, worst open frame (the
          corners of a polygonal mouth are jumps in slope; a smooth curve stays near 0.05);
  ms      render time per frame (contended machine: compare within one run);
  mouth   CPU ms per frame of the mouth interior alone (best of 5 passes over 40 speech-like frames).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.engines.avatar.render.test_closed_lips import corner_notch_share, seam_darkest  # noqa: E402
from tests.engines.avatar.render.test_mouth import inner_band_darkness  # noqa: E402
from tests.engines.avatar.render.test_opening import edge_kink  # noqa: E402

from kinema.engines.avatar.face import load_portrait  # noqa: E402
from kinema.engines.avatar.landmarks import INNER_CORNER_L, INNER_CORNER_R, LIPS_OUTER  # noqa: E402
from kinema.engines.avatar.render import Frame, Renderer, Rig  # noqa: E402
from kinema.engines.avatar.render.mouth import paint_mouth  # noqa: E402
from kinema.engines.avatar.render.opening import find_opening  # noqa: E402

POSES = [
    ("rest", Frame()),
    ("open vowel", Frame(open=0.9, tongue=0.6, width=0.15)),
    ("rounded vowel", Frame(open=0.3, width=-0.9)),
    ("closure", Frame(width=0.1, yaw=0.03, roll=0.02, dy=0.012)),
    ("blink", Frame(open=0.05, blink=1.0)),
]
CLOSED = (0, 3)
OPEN = (1, 2)
PHOTOS = {
    "smile": "opencv4/html/227943776_1.jpg",
    "goatee": "opencv4/html/230501201_1.jpg",
    "parted_sidelit": "opencv4/html/06.jpg",
}


def build_portraits(photos: Path, out: Path) -> dict[str, Path]:
    """The hard portraits as PNG files in ``out`` (photos that are not there are skipped)."""
    from skimage import data

    imgs: dict[str, np.ndarray] = {}
    for name, rel in PHOTOS.items():
        bgr = cv2.imread(str(photos / rel))
        if bgr is None:
            print(f"# {name}: {photos / rel} not found, skipped", file=sys.stderr)
            continue
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        imgs[name] = rgb[:, :540] if name == "parted_sidelit" else rgb  # the "Source" panel of a figure
    if "smile" in imgs:
        smile = imgs["smile"]
        grey = cv2.cvtColor(smile, cv2.COLOR_RGB2GRAY)
        imgs["smile_bw"] = np.dstack([grey] * 3)
        ramp = np.linspace(1.25, 0.35, smile.shape[1], dtype=np.float32)[None, :, None]
        imgs["smile_sidelight"] = np.clip(smile * ramp, 0, 255).astype(np.uint8)
    astro = data.astronaut()
    imgs["astronaut"] = astro
    small = cv2.resize(astro, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    canvas = np.full((360, 360, 3), 120, np.uint8)
    canvas[50:50 + small.shape[0], 50:50 + small.shape[1]] = small
    imgs["astronaut_small"] = canvas  # 22 px between the eyes
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, img in imgs.items():
        paths[name] = out / f"{name}.png"
        Image.fromarray(img).save(paths[name])
    return paths


def contact_sheet(rig: Rig, frames: list[np.ndarray], tile: int = 144) -> np.ndarray:
    """Source + frames, face crops on top, the mouth at 3× below."""
    iod = rig.iod
    face_c = rig.points[:468].mean(0)
    mouth_c = rig.points[LIPS_OUTER].mean(0)
    top, bottom = [], []
    for img in [rig.image, *frames]:
        s = int(1.5 * iod)
        x0, y0 = max(0, int(face_c[0]) - s), max(0, int(face_c[1]) - s)
        top.append(cv2.resize(img[y0:y0 + 2 * s, x0:x0 + 2 * s], (tile, tile), interpolation=cv2.INTER_AREA))
        hw, hh = int(0.62 * iod), int(0.32 * iod)
        x0, y0 = max(0, int(mouth_c[0]) - hw), max(0, int(mouth_c[1]) - hh)
        m = img[y0:y0 + 2 * hh, x0:x0 + 2 * hw]
        bottom.append(cv2.resize(m, (m.shape[1] * 3, m.shape[0] * 3), interpolation=cv2.INTER_NEAREST))
    width = max(tile * len(top), sum(b.shape[1] for b in bottom))

    def pad(row: np.ndarray) -> np.ndarray:
        return np.pad(row, ((0, 0), (0, width - row.shape[1]), (0, 0)), constant_values=255)

    return np.vstack([pad(np.hstack(top)), pad(np.hstack(bottom))])


def far_background_change(rig: Rig, r: Renderer, person: np.ndarray | None) -> float:
    """Share of background pixels (> 0.5 IOD from the person) that change on a turn with breathing."""
    if person is None:
        return float("nan")
    k = 2 * int(0.5 * rig.iod) + 1
    far = cv2.dilate(person.astype(np.uint8), np.ones((k, k), np.uint8)) == 0
    moved = r.render(Frame(yaw=0.05, roll=0.04, dx=0.02, dy=0.012))
    diff = np.abs(moved.astype(int) - r.render(Frame()).astype(int)).max(2)
    return float((diff[far] > 2).mean()) if far.any() else float("nan")


def measure(name: str, path: Path, out: Path) -> dict[str, float | str]:
    """One portrait: sheet written to ``out``, figures returned."""
    portrait = load_portrait(path)
    rig = Rig(portrait)
    r = Renderer(rig)
    t = time.perf_counter()
    frames = [r.render(f) for _, f in POSES]
    ms = (time.perf_counter() - t) / len(POSES) * 1000
    Image.fromarray(contact_sheet(rig, frames)).save(out / f"sheet_{name}.png")
    closed = [(frames[i], rig.dest_points(POSES[i][1])) for i in CLOSED]
    opened = [(frames[i], rig.dest_points(POSES[i][1])) for i in OPEN]
    return {
        "portrait": name, "size": f"{rig.w}x{rig.h}", "iod": round(rig.iod),
        "teeth": str(rig.has_src_teeth), "shoulders": str(portrait.shoulders is not None),
        "corner_src": corner_notch_share(rig.image, rig.all_src, rig),
        "corner_closed": max(corner_notch_share(f, d, rig) for f, d in closed),
        "seam": min(seam_darkest(f, d, rig) for f, d in closed),
        "far_bg": far_background_change(rig, r, portrait.person),
        "ring": min(inner_band_darkness(f, d, rig) for f, d in opened),
        "kink": max(opening_kink(d, rig) for _, d in opened), "ms": ms, "mouth": mouth_cpu_ms(rig, r),
    }


def mouth_cpu_ms(rig: Rig, r: Renderer, passes: int = 5) -> float:
    """CPU milliseconds per frame spent painting the mouth interior, best of ``passes`` over 40 frames that
    open, spread and round like speech (the warped frames are made once, outside the clock)."""
    k = np.arange(40)
    poses = [Frame(open=float(o), width=float(w), tongue=0.6 * float(o))
             for o, w in zip(np.abs(np.sin(0.37 * k)), np.sin(0.21 * k), strict=True)]
    dsts = [rig.dest_points(f) for f in poses]
    warped = [r.warp(d) for d in dsts]
    best = float("inf")
    for _ in range(passes):
        t = time.process_time()
        for f, d, w in zip(poses, dsts, warped, strict=True):
            paint_mouth(w.copy(), d, f, rig)
        best = min(best, (time.process_time() - t) / len(poses) * 1000)
    return best


def opening_kink(dst: np.ndarray, rig: Rig) -> float:
    """:func:`edge_kink` of the opening at ``dst`` (0 when the lips are shut)."""
    m = find_opening(dst, rig.w, rig.h, rig.iod)
    if m is None:
        return 0.0
    return edge_kink(m.alpha, m.x0, (float(dst[INNER_CORNER_R, 0]), float(dst[INNER_CORNER_L, 0])))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="/tmp/avatar_hard")
    ap.add_argument("--photos", default="/usr/share/doc/opencv-doc")
    ap.add_argument("--docs", default="", help="also write small palette PNG sheets here (docs/)")
    ap.add_argument("--only", default="", help="comma-separated subset")
    a = ap.parse_args()
    out = Path(a.out)
    paths = build_portraits(Path(a.photos), out / "portraits")
    if a.only:
        paths = {k: v for k, v in paths.items() if k in a.only.split(",")}
    cols = ["portrait", "size", "iod", "teeth", "shoulders", "corner_src", "corner_closed", "seam", "far_bg",
            "ring", "kink", "ms", "mouth"]
    print("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
    for name, path in paths.items():
        row = measure(name, path, out)
        print("| " + " | ".join(f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c]) for c in cols)
              + " |", flush=True)
        if a.docs:
            sheet = Image.open(out / f"sheet_{name}.png").convert("RGB")
            sheet.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
                Path(a.docs) / f"avatar-hard-{name}.png", optimize=True)


if __name__ == "__main__":
    main()
