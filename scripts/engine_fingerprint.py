#!/usr/bin/env python3
"""Engine fingerprint: one SHA-256 per case over the *decoded* output of the avatar, image-to-video and
video-to-audio engines, for fixed inputs built here.

Why: the engines are deterministic for a given input and seed, so a refactor that is meant to be a pure move
(splitting a module, naming constants) must leave every hash unchanged. File hashes are not used: container
metadata (encoder version strings, muxer timestamps) could change without a single pixel changing; decoded
frames and samples are what a viewer sees and hears.

Inputs, all built in this script: the astronaut portrait from scikit-image (also grey, rotated, with a
rendered closed mouth and scaled down to a ~10 px eye distance), a sentence spoken by the bundled Piper
voice through kinema's TTS engine, small photos for image-to-video, and a synthetic bouncing-ball video for
video-to-audio. Durations and sizes are small so the whole run takes well under two minutes on two cores.

usage: .venv/bin/python scripts/engine_fingerprint.py [--only avatar,i2v,v2a] [--keep DIR]

Output: ``<case> <sha256> <what was hashed>`` per line; a case that raises prints ``ERROR <type>: <message>``
instead of a hash (so the run before a crash fix still records every other case).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image
from skimage import data

# the source next to this script, whatever is installed (the hashes are of *this* checkout's engines)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # the tests' input builders

from tests.engines.avatar.portraits import scaled_portrait

from kinema.engines.avatar import AvatarOptions, render_avatar
from kinema.engines.avatar.face import Portrait, load_portrait
from kinema.engines.avatar.render import Frame, Renderer, Rig
from kinema.engines.avatar.speech import Phone
from kinema.engines.image2video import CameraControl, DynamicMask, I2VOptions, render_image_to_video
from kinema.engines.tts import TtsSetup, synthesize
from kinema.engines.video_to_audio import video_to_audio
from kinema.media.audio_io import write_wav
from kinema.media.video_writer import VideoSettings, VideoWriter

SENTENCE = "Hello there. My name is Kinema, and I move my mouth."
TINY_IOD_PX = 10.0

# Poses rendered straight through the avatar renderer (no encoder in between): every painter runs at least
# once (mouth interior with tongue and both tooth rows, lids, head rotation, smile, rounding, brows, camera).
POSES = (
    Frame(),
    Frame(open=1.0, tongue=1.0),
    Frame(open=0.6, width=0.8, smile=0.7, brow=0.5),
    Frame(open=0.4, width=-1.0, tuck=0.6, blink=0.5),
    Frame(open=0.2, blink=1.0, yaw=0.15, pitch=-0.08, roll=0.05, dx=0.03, dy=-0.02),
    Frame(open=0.7, tongue=0.5, blink=0.9, zoom=1.12, pan_x=0.02, pan_y=-0.01),
)


class Digest:
    """SHA-256 over arrays, each prefixed by its dtype and shape (so a reshaped array does not collide)."""

    def __init__(self) -> None:
        self._h = hashlib.sha256()
        self.parts: list[str] = []

    def add(self, label: str, arr: np.ndarray) -> None:
        a = np.ascontiguousarray(arr)
        self._h.update(f"{label}|{a.dtype.str}|{a.shape}".encode())
        self._h.update(a.tobytes())

    def note(self, text: str) -> None:
        self.parts.append(text)

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def hash_media(path: Path, digest: Digest | None = None) -> Digest:
    """Decoded video frames (RGB) and decoded audio samples (float, planar as decoded) of a media file."""
    d = digest or Digest()
    with av.open(str(path)) as c:
        if c.streams.video:
            frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
            for i, f in enumerate(frames):
                d.add(f"{path.suffix}:v{i}", f)
            h, w = frames[0].shape[:2] if frames else (0, 0)
            d.note(f"{len(frames)} frames {w}x{h}")
    with av.open(str(path)) as c:
        if c.streams.audio:
            chunks = [f.to_ndarray() for f in c.decode(audio=0)]
            samples = np.concatenate(chunks, axis=1) if chunks else np.zeros((1, 0), np.float32)
            d.add(f"{path.suffix}:a", samples)
            d.note(f"{samples.shape[1]} samples x{samples.shape[0]}")
    return d


def hash_poses(rig: Rig, high_quality: bool = False) -> Digest:
    """Raw frames of :data:`POSES` rendered for one rig (no encoder: the strictest check of the renderer)."""
    d = Digest()
    r = Renderer(rig, high_quality=high_quality)
    for i, pose in enumerate(POSES):
        d.add(f"pose{i}", r.render(pose))
    d.note(f"{len(POSES)} raw frames {rig.w}x{rig.h}, src teeth {rig.has_src_teeth}")
    return d


# ---------------------------------------------------------------------------------------------------- inputs
class Inputs:
    """Every input, built once on first use in a scratch folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._portrait: Portrait | None = None
        self._speech: tuple[Path, list[Phone]] | None = None

    def astronaut_png(self) -> Path:
        p = self.root / "astronaut.png"
        if not p.exists():
            Image.fromarray(data.astronaut()).save(p)
        return p

    def portrait(self) -> Portrait:
        if self._portrait is None:
            self._portrait = load_portrait(self.astronaut_png())
        return self._portrait

    def speech(self) -> tuple[Path, list[Phone]]:
        """The sentence from the bundled Piper voice: a WAV and its phone timings."""
        if self._speech is None:
            # Piper, whatever the TTS default: the hashes must not change with it
            sp = synthesize(SENTENCE, "en", setup=TtsSetup(en="piper"))
            wav = self.root / "speech.wav"
            write_wav(sp.samples, sp.sample_rate, wav)
            self._speech = (wav, [Phone(p.p, p.start, p.end) for p in sp.phones])
        return self._speech

    def photo(self, name: str, w: int = 240, h: int = 180) -> np.ndarray:
        """A scikit-image photo centre-cropped to the aspect of ``w``x``h`` and resized (area filter)."""
        src = {"astronaut": data.astronaut, "coffee": data.coffee, "chelsea": data.chelsea}[name]()
        sh, sw = src.shape[:2]
        if sw / sh > w / h:
            cw = round(sh * w / h)
            src = src[:, (sw - cw) // 2 : (sw - cw) // 2 + cw]
        else:
            ch = round(sw * h / w)
            src = src[(sh - ch) // 2 : (sh - ch) // 2 + ch]
        return np.ascontiguousarray(cv2.resize(src, (w, h), interpolation=cv2.INTER_AREA))

    def ball_video(self) -> Path:
        """2 s at 25 fps, 192x108: a textured floor and a ball that bounces at frames 12, 30 and 48."""
        p = self.root / "ball.mp4"
        if p.exists():
            return p
        w, h, fps, n = 192, 108, 25, 50
        rng = np.random.default_rng(1)
        coarse = rng.uniform(0, 1, (h // 12 + 2, w // 12 + 2)).astype(np.float32)
        blotch = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
        bg = np.clip(70 + 90 * blotch + rng.uniform(-8, 8, (h, w)), 0, 255).astype(np.uint8)
        bg = np.repeat(bg[..., None], 3, axis=2)
        floor, top, r = 0.85 * h, 0.15 * h, 7
        bounces = (12, 30, 48, 66)
        with VideoWriter(p, w, h, VideoSettings(fps=fps, preset="ultrafast", crf=18, threads=1)) as vw:
            for i in range(n):
                if i <= bounces[0]:
                    y = top + (floor - top) * (i / bounces[0]) ** 2
                else:
                    prev = max(b for b in bounces if b <= i)
                    nxt = min(b for b in bounces if b > i)
                    u = (i - prev) / (nxt - prev)
                    y = floor - 3.2 * (floor - top) * u * (1 - u)
                f = bg.copy()
                cv2.circle(f, (w // 2, round(y - r)), r, (250, 235, 90), -1, cv2.LINE_AA)
                cv2.circle(f, (w // 2 - 2, round(y - r) - 2), 2, (120, 110, 40), -1, cv2.LINE_AA)
                vw.write(f)
        return p


# ---------------------------------------------------------------------------------------------------- cases
def avatar_cases(inp: Inputs) -> Iterable[tuple[str, Callable[[], Digest]]]:
    def engine(name: str, **kw: object) -> Callable[[], Digest]:
        def run() -> Digest:
            wav, phones = inp.speech()
            out = inp.root / f"{name}.mp4"
            render_avatar(inp.astronaut_png(), wav, out, AvatarOptions(phones=phones, **kw))  # type: ignore[arg-type]
            return hash_media(out)

        return run

    def poses_of(image: Callable[[], np.ndarray], name: str) -> Callable[[], Digest]:
        def run() -> Digest:
            p = inp.root / f"{name}.png"
            Image.fromarray(image()).save(p)
            return hash_poses(Rig(load_portrait(p), seed=5))

        return run

    def rotated() -> np.ndarray:
        img = inp.portrait().image
        h, w = img.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 15, 1.0)
        return cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REFLECT)

    def closed_mouth() -> np.ndarray:
        # the astronaut shows her teeth; the same face rendered with sealed lips exercises the synthetic teeth
        return Renderer(Rig(inp.portrait())).render(Frame(open=0.0))

    def grey() -> np.ndarray:
        return np.repeat(cv2.cvtColor(inp.portrait().image, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)

    yield "avatar/std", engine("avatar-std")
    yield "avatar/pro-prompt", engine("avatar-pro", mode="pro", seed=3,
                                      prompt="a friendly smile, nodding, excited, slow push-in")
    yield "avatar/poses", lambda: hash_poses(Rig(inp.portrait(), seed=5))
    yield "avatar/poses-pro", lambda: hash_poses(Rig(inp.portrait(), seed=5), high_quality=True)
    yield "avatar/poses-rotated", poses_of(rotated, "rotated")
    yield "avatar/poses-closed-mouth", poses_of(closed_mouth, "closed")
    yield "avatar/poses-grey", poses_of(grey, "grey")
    yield "avatar/poses-tiny-face", lambda: hash_poses(Rig(scaled_portrait(inp.portrait(), TINY_IOD_PX)))


def i2v_cases(inp: Inputs) -> Iterable[tuple[str, Callable[[], Digest]]]:
    def case(name: str, **kw: object) -> Callable[[], Digest]:
        def run() -> Digest:
            kw.setdefault("image", inp.photo("astronaut"))
            out = inp.root / f"{name}.mp4"
            # explicit size and rate: hashes stay comparable with runs from before the model's size table
            render_image_to_video(I2VOptions(duration_s=2, short_side=144, fps=24, **kw), out)  # type: ignore[arg-type]
            return hash_media(out)

        return run

    brush = np.zeros((180, 240), np.uint8)
    cv2.circle(brush, (70, 120), 30, 255, -1)
    static = np.zeros((180, 240), np.uint8)
    static[:, 150:] = 255
    tail = cv2.warpAffine(
        inp.photo("chelsea"), np.array([[1.06, 0, -7], [0, 1.06, -5]], np.float32), (240, 180),
        borderMode=cv2.BORDER_REFLECT,
    )
    yield "i2v/plain", case("i2v-plain")
    yield "i2v/camera-zoom", case("i2v-zoom", camera=CameraControl("simple", {"zoom": 5}))
    yield "i2v/prompt-ambient", case("i2v-ambient", image=inp.photo("coffee"),
                                     prompt="steam rising, gentle wind, slow push in", seed=2)
    yield "i2v/motion-brush", case("i2v-brush", static_mask=static,
                                   dynamic_masks=(DynamicMask(brush, ((70.0, 60.0), (130.0, 90.0))),))
    yield "i2v/image-tail", case("i2v-tail", image=inp.photo("chelsea"), image_tail=tail)
    # No multi-shot case: its rendered frames are reproducible (6/6 identical through a sink), but the encoded
    # file is not. Encoding the same frames with a hard cut through VideoWriter gave 4 distinct files among 8
    # runs when frames arrived fast and 8/8 identical with 10 ms between frames, so x264's output depends
    # on timing at a scene cut (threads=2).


def v2a_cases(inp: Inputs) -> Iterable[tuple[str, Callable[[], Digest]]]:
    def run() -> Digest:
        res = video_to_audio(inp.ball_video(), inp.root / "v2a", "a rubber ball bouncing", "calm piano",
                             seed=4, name="ball")
        d = hash_media(res.wav)
        return hash_media(res.video, d)

    yield "v2a/ball", run


FAMILIES = {"avatar": avatar_cases, "i2v": i2v_cases, "v2a": v2a_cases}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default=",".join(FAMILIES), help="comma-separated families: avatar,i2v,v2a")
    ap.add_argument("--keep", type=Path, help="write the inputs and outputs here instead of a temp folder")
    args = ap.parse_args(argv)
    families = [f.strip() for f in args.only.split(",") if f.strip()]
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        ap.error(f"--only: unknown families {unknown}; choose from {list(FAMILIES)}")
    t_all = time.perf_counter()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="kinema-fp-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        inp = Inputs(root)
        for fam in families:
            for name, run in FAMILIES[fam](inp):
                t = time.perf_counter()
                try:
                    d = run()
                except Exception as exc:  # a crashing case is a result too (recorded, not fatal)
                    failures += 1
                    print(f"{name:28s} ERROR {type(exc).__name__}: {exc}", flush=True)
                    continue
                dt = time.perf_counter() - t
                print(f"{name:28s} {d.hexdigest()}  ({'; '.join(d.parts)}; {dt:.1f} s)", flush=True)
    print(f"total {time.perf_counter() - t_all:.1f} s, {failures} case(s) raised", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

