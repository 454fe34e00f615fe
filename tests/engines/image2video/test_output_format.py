"""Output size and frame rate per model and mode (the capability map), scaling small inputs up, and
multi-shot clips: hard cuts where the shot durations put them, a distinct motion in each shot."""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import numpy as np
import pytest

from kinema.contract.capabilities import IMAGE2VIDEO_CAPS, output_format
from kinema.engines.base import EngineInputError
from kinema.engines.image2video import I2VOptions, Shot, render_image_to_video, upscale
from kinema.engines.image2video.settings import settings_for
from kinema.engines.image2video.shots import intelligent_shots, shot_spans, split_prompt

from .helpers import frames, photo, ssim


def _probe(path: Path) -> tuple[int, int, float, int]:
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        n = sum(1 for _ in c.decode(video=0))
        return s.codec_context.width, s.codec_context.height, float(s.average_rate or 0), n


# --------------------------------------------------------------------------- the table


@pytest.mark.parametrize(
    ("model", "std", "pro"),
    [
        ("kling-v1", (720, 30), (720, 30)),
        ("kling-v1-5", (720, 30), (1080, 30)),
        ("kling-v1-6", (720, 30), (1080, 30)),
        ("kling-v2-master", (720, 24), (720, 24)),
        ("kling-v2-1", (720, 24), (1080, 24)),
        ("kling-v2-1-master", (720, 24), (1080, 24)),
        ("kling-v2-5-turbo", (720, 24), (1080, 24)),
        ("kling-v2-6", (720, 24), (1080, 24)),
        ("kling-v3", (720, 24), (1080, 24)),
    ],
)
def test_capability_map_sizes_and_rates(model: str, std: tuple[int, int], pro: tuple[int, int]) -> None:
    for mode, (short, fps) in (("std", std), ("pro", pro)):
        out = output_format(model, mode)
        assert (out.short_side, out.fps) == (short, fps)
        cfg = settings_for(model, mode)  # the engine reads the same table
        assert (cfg.short_side, cfg.fps) == (short, fps)


def test_every_model_has_a_row() -> None:
    assert all(set(caps.output) == {"std", "pro"} for caps in IMAGE2VIDEO_CAPS.values())
    assert output_format("no-such-model", "std") == output_format("kling-v1", "std")


# --------------------------------------------------------------------------- rendering at that size


@pytest.mark.parametrize(
    ("model", "mode", "size", "fps"),
    [
        ("kling-v1", "std", (960, 720), 30),  # a 512x384 photo is scaled up, 4:3 kept
        ("kling-v2-master", "pro", (960, 720), 24),
        ("kling-v2-1", "pro", (1440, 1080), 24),
    ],
)
def test_default_output_follows_model_and_mode(
    tmp_path: Path, model: str, mode: str, size: tuple[int, int], fps: int
) -> None:
    img = photo("chelsea", 512, 384)
    res = render_image_to_video(
        I2VOptions(image=img, duration_s=1, model_name=model, mode=mode), tmp_path / "o.mp4"
    )
    assert (res.width, res.height, res.fps, res.frames) == (*size, fps, fps)
    assert _probe(tmp_path / "o.mp4") == (*size, float(fps), fps)


def test_small_input_is_scaled_up_with_its_aspect_and_detail(tmp_path: Path) -> None:
    img = photo("astronaut", 400, 300)
    res = render_image_to_video(
        I2VOptions(image=img, duration_s=1, short_side=600, fps=12, prompt="static camera"),
        tmp_path / "u.mp4",
    )
    assert (res.width, res.height) == (800, 600)
    first = frames(tmp_path / "u.mp4")[0]
    assert ssim(first, upscale(img, 800, 600)) >= 0.97  # frame 0 is the enlarged photo
    # the enlargement is sharper than plain bicubic, which is the same but without the unsharp mask
    import cv2

    lap = lambda im: cv2.Laplacian(cv2.cvtColor(im, cv2.COLOR_RGB2GRAY), cv2.CV_32F).var()  # noqa: E731
    assert lap(upscale(img, 800, 600)) > 1.2 * lap(cv2.resize(img, (800, 600), interpolation=cv2.INTER_CUBIC))


def test_large_input_is_scaled_down(tmp_path: Path) -> None:
    res = render_image_to_video(
        I2VOptions(image=photo("coffee", 900, 600), duration_s=1, short_side=300, fps=12), tmp_path / "d.mp4"
    )
    assert (res.width, res.height) == (450, 300)


# --------------------------------------------------------------------------- multi-shot


def test_shot_spans_put_cuts_at_the_summed_durations() -> None:
    assert shot_spans([2.0, 1.5, 1.5], 24) == [(0, 48), (48, 36), (84, 36)]
    assert shot_spans([10 / 3] * 3, 30) == [(0, 100), (100, 100), (200, 100)]
    assert shot_spans([5.0], 30) == [(0, 150)]


def test_multi_shot_clip_cuts_where_the_durations_say(tmp_path: Path) -> None:
    shots = (Shot("fast zoom in", 2), Shot("fast pan left", 1.5), Shot("fast zoom out", 1.5))
    res = render_image_to_video(
        I2VOptions(image=photo("chelsea", 320, 240), duration_s=5, shots=shots, short_side=240, fps=24),
        tmp_path / "s.mp4",
    )
    clip = frames(tmp_path / "s.mp4")
    assert len(clip) == res.frames == 120
    assert res.cuts == (48, 84)
    diffs = np.array([np.mean(np.abs(a.astype(np.float32) - b)) for a, b in itertools.pairwise(clip)])
    # the two largest frame-to-frame changes are the cuts, within one frame of 2 s and 3.5 s
    found = sorted(int(i) + 1 for i in np.argsort(diffs)[-2:])
    assert abs(found[0] - 48) <= 1 and abs(found[1] - 84) <= 1, found
    within = np.delete(diffs, [47, 83])
    assert diffs[47] > 3 * within.max() and diffs[83] > 3 * within.max(), (diffs[[47, 83]], within.max())
    # each shot opens on the photo again and moves its own way
    assert ssim(clip[48], clip[0]) > 0.95 and ssim(clip[84], clip[0]) > 0.95
    assert res.motions["shot1_camera_tz"] > 0 > res.motions["shot3_camera_tz"]
    assert res.motions["shot2_camera_yaw"] < 0


def test_shots_without_camera_words_still_differ(tmp_path: Path) -> None:
    shots = (Shot("a cat", 1), Shot("a cat", 1), Shot("a cat", 1))
    res = render_image_to_video(
        I2VOptions(image=photo("chelsea", 320, 240), duration_s=3, shots=shots, short_side=240, fps=12),
        tmp_path / "d.mp4",
    )
    assert "shot1_camera_tz" in res.motions and "shot2_camera_tx" in res.motions
    assert "shot3_camera_tz" in res.motions  # push-in, sideways truck, push-in


def test_shots_must_add_up_and_exclude_a_last_frame(tmp_path: Path) -> None:
    img = photo()
    with pytest.raises(EngineInputError, match="add up to 4 s, not the clip's 5 s"):
        render_image_to_video(
            I2VOptions(image=img, duration_s=5, shots=(Shot("a", 2), Shot("b", 2))), tmp_path / "x.mp4"
        )
    with pytest.raises(EngineInputError, match="image_tail"):
        render_image_to_video(
            I2VOptions(image=img, image_tail=img, duration_s=5, shots=(Shot("a", 5),)), tmp_path / "y.mp4"
        )


def test_intelligence_split_rule() -> None:
    assert split_prompt("A cat sleeps. Slow zoom in! Then pan left; finally tilt up") == [
        "A cat sleeps",
        "Slow zoom in",
        "pan left",
        "tilt up",
    ]
    assert split_prompt("zoom in and then pan right, then zoom out") == ["zoom in", "pan right", "zoom out"]
    assert split_prompt("one two three. four. five. six. seven. eight", 3) == [
        "one two three",
        "four",
        "five. six. seven. eight",
    ]
    assert split_prompt("   ") == [""]
    shots = intelligent_shots("Wind in the trees. Then zoom in", 5)
    assert [s.duration_s for s in shots] == [2.5, 2.5] and all(s.scene for s in shots)
    # at most one shot per whole second
    assert len(intelligent_shots("a. b. c. d. e. f. g", 3)) == 3
