"""End-to-end properties of rendered clips (small outputs at the photo's own size and 24 fps to stay fast; the
model/mode sizes and rates are in test_output_format.py)."""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from kinema.engines.base import Cancelled, EngineInputError
from kinema.engines.image2video import CameraControl, DynamicMask, I2VOptions, render_image_to_video

from .helpers import frames, photo, similarity, ssim, textured

SMALL = {"short_side": 240, "fps": 24}
"""The size and rate of these tests' clips (the photos are 320x240): fast, and what the asserts expect."""


def _own_size(kw: dict[str, object]) -> None:
    """Render at the input photo's own short side and 24 fps unless the test says otherwise."""
    src = kw.get("image") if kw.get("image") is not None else kw.get("image_tail")
    if isinstance(src, np.ndarray):
        kw.setdefault("short_side", min(src.shape[:2]))
    for key, value in SMALL.items():
        kw.setdefault(key, value)


def render(tmp_path: Path, name: str = "out.mp4", **kw: object) -> tuple[list[np.ndarray], object]:
    kw.setdefault("image", photo())
    _own_size(kw)
    opts = I2VOptions(**kw)  # type: ignore[arg-type]
    res = render_image_to_video(opts, tmp_path / name)
    return frames(tmp_path / name), res


def test_output_container(tmp_path: Path) -> None:
    img = photo("coffee", 322, 214)  # odd-ish sizes: output must be even with the same aspect
    clip, res = render(tmp_path, image=img, duration_s=5, short_side=214)
    assert res.frames == 120 and res.fps == 24  # type: ignore[attr-defined]
    with av.open(str(tmp_path / "out.mp4")) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264"
        assert s.average_rate == 24
        assert s.width % 2 == 0 and s.height % 2 == 0
        assert abs(s.width / s.height - 322 / 214) < 0.02
        assert abs(float(c.duration) / 1e6 - 5.0) < 0.1
    assert len(clip) == 120


def test_mode_caps_short_side(tmp_path: Path) -> None:
    from kinema.engines.image2video import output_size

    assert output_size(1920, 1080, 720) == (1280, 720)
    assert output_size(1080, 1920, 720) == (720, 1280)
    assert output_size(400, 300, 720) == (960, 720)  # a small input is scaled up to the short side
    assert output_size(513, 385, 720) == (958, 720)  # even sizes


def test_first_frame_is_the_photo_and_default_clip_moves(tmp_path: Path) -> None:
    img = photo()
    clip, _ = render(tmp_path, image=img, duration_s=3)
    assert ssim(clip[0], img) >= 0.97
    assert ssim(clip[-1], img) < 0.95  # without a prompt the clip still lives


# the direction of every camera axis and preset on rendered frames: tests/engines/image2video/test_camera.py


def test_parallax_person_moves_more_than_background(tmp_path: Path) -> None:
    img = photo("astronaut", 320, 320)
    clip, _ = render(tmp_path, image=img, duration_s=3, camera=CameraControl("simple", {"horizontal": 8}))
    top_right = np.zeros(img.shape[:2], bool)
    top_right[:110, 230:] = True  # shuttle and backdrop, away from the person
    face = np.zeros(img.shape[:2], bool)
    face[30:130, 110:190] = True
    _, _, bg_tx, _ = similarity(clip[0], clip[-1], top_right)
    _, _, fg_tx, _ = similarity(clip[0], clip[-1], face)
    assert fg_tx < bg_tx  # both move left (camera right); the near person further than the backdrop
    assert abs(fg_tx - bg_tx) > 2


def test_frame_to_frame_change_is_smooth(tmp_path: Path) -> None:
    clip, _ = render(tmp_path, image=photo(), duration_s=3, camera=CameraControl("simple", {"zoom": 6}))
    diffs = np.array([np.mean(np.abs(a.astype(np.float32) - b)) for a, b in itertools.pairwise(clip)])
    jumps = np.abs(np.diff(diffs))
    assert jumps.max() < 3.0 * np.median(diffs) + 0.5


def test_tail_ends_on_last_frame(tmp_path: Path) -> None:
    a = photo("chelsea")
    b = np.ascontiguousarray(np.roll(a, 12, axis=1))
    clip, _ = render(tmp_path, image=a, image_tail=b, duration_s=3)
    assert ssim(clip[0], a) >= 0.97
    assert ssim(clip[-1], b) >= 0.95
    # the middle frame is an interpolation, not a ghosted cross-fade: sharper than the 50/50 blend
    mid = clip[len(clip) // 2]
    blend = cv2.addWeighted(a, 0.5, b, 0.5, 0)
    lap = lambda im: cv2.Laplacian(cv2.cvtColor(im, cv2.COLOR_RGB2GRAY), cv2.CV_32F).var()  # noqa: E731
    assert lap(mid) > 1.15 * lap(blend)


def test_tail_alone_lands_on_it(tmp_path: Path) -> None:
    tail = photo("coffee")
    opts = I2VOptions(image=None, image_tail=tail, duration_s=3, **SMALL)  # type: ignore[arg-type]
    render_image_to_video(opts, tmp_path / "t.mp4")
    clip = frames(tmp_path / "t.mp4")
    assert ssim(clip[-1], tail) >= 0.95
    assert ssim(clip[0], tail) < ssim(clip[-1], tail)


def _disc_scene() -> tuple[np.ndarray, np.ndarray]:
    img = cv2.cvtColor(cv2.cvtColor(textured(seed=3), cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.circle(img, (80, 120), 22, (255, 0, 255), -1)
    cv2.circle(mask, (80, 120), 24, 255, -1)
    return img, mask


def _magenta_centroid(frame: np.ndarray) -> tuple[float, float]:
    f = frame.astype(np.int32)
    sel = (f[..., 0] > 180) & (f[..., 2] > 180) & (f[..., 1] < 90)
    ys, xs = np.nonzero(sel)
    return float(xs.mean()), float(ys.mean())


def test_dynamic_mask_follows_trajectory(tmp_path: Path) -> None:
    img, mask = _disc_scene()
    h = img.shape[0]
    # wire coordinates: origin bottom-left
    traj = ((80.0, h - 120.0), (230.0, h - 70.0))
    clip, _ = render(tmp_path, image=img, duration_s=3, dynamic_masks=(DynamicMask(mask, traj),))
    for i in (0, len(clip) // 3, len(clip) // 2, len(clip) - 1):
        t = i / (len(clip) - 1)
        expect = (80 + 150 * t, 120 - 50 * t)
        got = _magenta_centroid(clip[i])
        assert np.hypot(got[0] - expect[0], got[1] - expect[1]) < 0.03 * np.hypot(320, 240)
    # the old place is filled, not left magenta or black
    start = clip[-1][110:130, 70:90].astype(np.int32)
    assert not ((start[..., 0] > 180) & (start[..., 1] < 90)).any()
    assert start.mean() > 20


def test_static_mask_stays_frozen(tmp_path: Path) -> None:
    img = photo("astronaut", 320, 240)
    static = np.zeros(img.shape[:2], np.uint8)
    static[:, :110] = 255
    dyn = np.zeros(img.shape[:2], np.uint8)
    cv2.circle(dyn, (250, 150), 25, 255, -1)
    clip, _ = render(
        tmp_path,
        image=img,
        duration_s=3,
        prompt="a woman breathing, wind, snow",
        static_mask=static,
        dynamic_masks=(DynamicMask(dyn, ((250, 90), (200, 60))),),
    )
    region = static > 0
    grey = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY).astype(np.float32) for f in clip]
    for g in grey[1:]:
        assert np.mean(np.abs(g - grey[0])[region]) < 1.0
    assert np.mean(np.abs(grey[-1] - grey[0])[~region]) > 1.0


def test_mask_aspect_mismatch_fails(tmp_path: Path) -> None:
    img = photo()
    bad = np.full((240, 240), 255, np.uint8)
    with pytest.raises(EngineInputError, match="aspect ratio"):
        render(tmp_path, image=img, static_mask=bad)
    with pytest.raises(EngineInputError, match="same resolution"):
        render(
            tmp_path,
            image=img,
            static_mask=np.full((240, 320), 255, np.uint8),
            dynamic_masks=(DynamicMask(np.full((120, 160), 255, np.uint8), ((1, 1), (5, 5))),),
        )


def test_mask_from_png_file_at_other_resolution(tmp_path: Path) -> None:
    img, mask = _disc_scene()
    big = cv2.resize(mask, (640, 480), interpolation=cv2.INTER_NEAREST)
    cv2.imwrite(str(tmp_path / "m.png"), big)
    # trajectory in *image* pixels (the image is 320x240)
    clip, _ = render(
        tmp_path,
        image=img,
        duration_s=3,
        dynamic_masks=(DynamicMask(tmp_path / "m.png", ((80, 120), (80, 200))),),
    )
    x, y = _magenta_centroid(clip[-1])
    assert abs(x - 80) < 6 and abs(y - 40) < 6


def test_cancellation_stops_rendering(tmp_path: Path) -> None:
    calls: list[float] = []

    def progress(f: float) -> None:
        calls.append(f)
        if len(calls) > 10:
            raise Cancelled()

    with pytest.raises(Cancelled):
        opts = I2VOptions(image=photo(), duration_s=5, **SMALL)  # type: ignore[arg-type]
        render_image_to_video(opts, tmp_path / "c.mp4", progress)
    assert len(calls) == 11


def test_progress_is_reported_per_frame(tmp_path: Path) -> None:
    calls: list[float] = []
    opts = I2VOptions(image=photo(), duration_s=3, **SMALL)  # type: ignore[arg-type]
    render_image_to_video(opts, tmp_path / "p.mp4", calls.append)
    assert len(calls) >= 72
    assert calls == sorted(calls) and calls[-1] == 1.0


def test_deterministic(tmp_path: Path) -> None:
    kw = {"image": photo(), "duration_s": 3, "prompt": "snow falling, wind"}
    a, _ = render(tmp_path, "a.mp4", **kw)
    b, _ = render(tmp_path, "b.mp4", **kw)
    assert all(np.array_equal(x, y) for x, y in zip(a[::10], b[::10], strict=True))


def test_control_groups_are_exclusive(tmp_path: Path) -> None:
    img = photo()
    mask = np.full((240, 320), 255, np.uint8)
    with pytest.raises(EngineInputError, match="cannot be combined"):
        render(tmp_path, image=img, camera=CameraControl("simple", {"zoom": 3}), static_mask=mask)
    with pytest.raises(EngineInputError, match="cannot be combined"):
        render(tmp_path, image=img, image_tail=img, camera=CameraControl("down_back"))


def test_brush_region_inside_a_static_area_still_moves(tmp_path: Path) -> None:
    img, mask = _disc_scene()
    h = img.shape[0]
    static = np.full(img.shape[:2], 255, np.uint8)  # everything frozen except what the brush moves
    clip, _ = render(
        tmp_path,
        image=img,
        duration_s=3,
        static_mask=static,
        dynamic_masks=(DynamicMask(mask, ((80.0, h - 120.0), (200.0, h - 120.0))),),
    )
    x, y = _magenta_centroid(clip[-1])
    assert abs(x - 200) < 6 and abs(y - 120) < 6
    start = clip[-1][110:130, 70:90].astype(np.int32)
    assert not ((start[..., 0] > 180) & (start[..., 1] < 90)).any()  # no copy left behind


def test_a_huge_picture_is_read_reduced(tmp_path: Path) -> None:
    """Issue 13: a 7000x7000 input was held at full size twice (BGR and RGB, ~300 MB) before any resize."""
    from kinema.engines.image2video import _load_rgb
    from tests.media.test_image_load import MB, peak_growth
    from tests.support.hostile_media import padded_png

    path = tmp_path / "big.png"
    path.write_bytes(padded_png(7000, 7000))
    out: list[np.ndarray] = []
    growth = peak_growth(lambda: out.append(_load_rgb(path, "image", 720)))
    assert out[0].shape == (1750, 1750, 3)
    assert growth < 250 * MB, growth / MB
