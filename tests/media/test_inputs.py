"""Media inputs: content checks per kind, decompression bombs, EXIF, durations, and request resolution."""

from __future__ import annotations

import asyncio
import base64
import struct
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from kinema.contract.errors import Code, KlingError
from kinema.contract.limits import PROFILES, Limits, build_limits
from kinema.contract.requests import AvatarCreate, Image2VideoCreate, VideoToAudioCreate
from kinema.media.inputs import MediaFile, load_media, resolve_create_inputs
from kinema.settings import Settings
from tests.media.helpers import aac_bytes, image_bytes, mp3_bytes, mp4_bytes, wav_bytes
from tests.support.hostile_media import aac_m4a, fast_video, lying_duration, padded_png

KLING = PROFILES["kling"]
STRICT = build_limits("kling", strict=True)
SETTINGS = Settings(allow_private_urls=True, fetch_timeout_s=2.0)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def load(tmp: Path, field: str, value: str, kind: Any, limits: Limits = KLING, **kw: Any) -> MediaFile:
    return asyncio.run(
        load_media(field, value, kind, limits=limits, settings=SETTINGS, dest_dir=tmp / "in", **kw)
    )


def rejected(tmp: Path, field: str, value: str, kind: Any, limits: Limits = KLING, **kw: Any) -> str:
    with pytest.raises(KlingError) as info:
        load(tmp, field, value, kind, limits, **kw)
    assert info.value.code == Code.INVALID_PARAM
    assert info.value.message.startswith(f"{field}: "), info.value.message
    return info.value.message


def png_with_declared_size(width: int, height: int) -> bytes:
    """A valid small PNG whose IHDR claims ``width``×``height`` (CRC fixed): a decompression bomb header."""
    data = bytearray(image_bytes(8, 8, "PNG"))
    ihdr = bytearray(data[12:29])  # type + 13 bytes of IHDR data
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


# ------------------------------------------------------------------ images


def test_png_base64_stays_in_memory_with_its_real_extension(tmp_path: Path) -> None:
    png = image_bytes(800, 600)
    media = load(tmp_path, "image", b64(png), "image")
    assert (media.format, media.width, media.height) == ("png", 800, 600)
    assert media.filename == "image.png" and media.data == png and media.size == len(png)
    assert media.path is None and media.duration_s is None
    assert not (tmp_path / "in").exists()  # nothing touched the disk


def test_url_input_is_streamed_to_a_file_named_by_content(
    tmp_path: Path, http_server: str, served_files: dict[str, bytes]
) -> None:
    served_files["photo.bin"] = image_bytes(400, 300)
    media = load(tmp_path, "image", f"{http_server}/file/photo.bin", "image")
    assert media.data is None and media.path == tmp_path / "in" / "image.png"
    assert media.path.stat().st_size == media.size
    assert not list((tmp_path / "in").glob("*.part"))


def test_png_named_jpg_by_url_is_fine(
    tmp_path: Path, http_server: str, served_files: dict[str, bytes]
) -> None:
    served_files["photo.jpg"] = image_bytes(400, 400, "PNG")
    media = load(tmp_path, "image", f"{http_server}/file/photo.jpg", "image")
    assert media.format == "png" and media.filename == "image.png"


def test_text_claiming_to_be_an_image_is_rejected(tmp_path: Path) -> None:
    message = rejected(tmp_path, "image", b64(b"this is definitely a JPEG, trust me" * 10), "image")
    assert "unsupported format unknown" in message and "jpeg, png" in message
    assert not (tmp_path / "in").exists()  # nothing written


def test_gif_and_strict_webp(tmp_path: Path) -> None:
    assert "unsupported format gif" in rejected(tmp_path, "image", b64(image_bytes(400, 400, "GIF")), "image")
    webp = b64(image_bytes(400, 400, "WEBP"))
    assert load(tmp_path, "image", webp, "image").format == "webp"
    assert "unsupported format webp" in rejected(tmp_path, "image", webp, "image", STRICT)


def test_min_side_and_aspect(tmp_path: Path) -> None:
    assert "at least 300 px, got 299x600" in rejected(tmp_path, "image", b64(image_bytes(299, 600)), "image")
    wide = b64(image_bytes(1000, 300))  # 3.33:1
    assert "aspect ratio" in rejected(tmp_path, "image", wide, "image")
    assert load(tmp_path, "image_tail", wide, "image", check_aspect=False).width == 1000  # no aspect rule
    assert load(tmp_path, "image", b64(image_bytes(750, 300)), "image").width == 750  # exactly 2.5:1
    assert load(tmp_path, "image", b64(image_bytes(300, 750)), "image").height == 750  # exactly 1:2.5
    # masks: no min side, no aspect rule (mismatches fail the task later, as upstream does)
    assert load(tmp_path, "static_mask", b64(image_bytes(100, 20)), "mask").width == 100


def test_exif_orientation_gives_the_displayed_size(tmp_path: Path) -> None:
    rotated = b64(image_bytes(320, 900, "JPEG", orientation=6))  # stored 320x900 (2.81), shown 900x320 (2.81)
    upright = b64(image_bytes(320, 700, "JPEG", orientation=8))
    media = load(tmp_path, "image", upright, "image")
    assert (media.width, media.height) == (700, 320)
    assert "900x320" in rejected(tmp_path, "image", rotated, "image")
    same = load(tmp_path, "image", b64(image_bytes(320, 700, "JPEG", orientation=1)), "image")
    assert (same.width, same.height) == (320, 700)


def test_decompression_bomb_is_refused_from_the_header(tmp_path: Path) -> None:
    message = rejected(tmp_path, "image", b64(png_with_declared_size(20000, 20000)), "image")
    assert "exceeds the limit" in message
    small_cap = build_limits("kling", overrides={"image_max_pixels": 1_000_000})
    assert "1200x1000 pixels exceeds the limit of 1000000" in rejected(
        tmp_path, "image", b64(image_bytes(1200, 1000)), "image", small_cap
    )


def test_truncated_image_is_rejected(tmp_path: Path) -> None:
    data = image_bytes(600, 600, "JPEG")
    assert "could not be decoded" in rejected(tmp_path, "image", b64(data[: len(data) // 3]), "image")


def test_base64_rules(tmp_path: Path) -> None:
    png = image_bytes(400, 400)
    assert "not valid base64" in rejected(tmp_path, "image", "@@@@" + b64(png), "image")
    assert "not valid base64" in rejected(tmp_path, "image", "abcde", "image")
    # Unpadded, wrapped and URL-safe encodings decode to the same image.
    wrapped = "\n".join(b64(png)[i : i + 76] for i in range(0, len(b64(png)), 76)).rstrip("=")
    assert load(tmp_path, "image", wrapped, "image").width == 400
    urlsafe = base64.urlsafe_b64encode(png).decode()
    assert load(tmp_path, "image", urlsafe, "image").width == 400
    data_uri = "data:image/png;base64," + b64(png)
    assert load(tmp_path, "image", data_uri, "image").format == "png"
    assert "data: URI" in rejected(tmp_path, "image", data_uri, "image", STRICT)


def test_size_cap_is_checked_before_decoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kinema.media.inputs as inputs_mod

    def no_decode(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("decoded an oversized input")

    monkeypatch.setattr(inputs_mod.base64, "b64decode", no_decode)
    huge = "A" * (14 * 1024 * 1024)  # decodes to ~10.5 MB > 10 MB
    assert "larger than 10485760 bytes" in rejected(tmp_path, "image", huge, "image")


def test_size_cap_by_url(tmp_path: Path, http_server: str, served_files: dict[str, bytes]) -> None:
    served_files["big.png"] = image_bytes(400, 400)
    small = build_limits("kling", overrides={"image_max_bytes": 100})
    message = rejected(tmp_path, "image", f"{http_server}/file/big.png", "image", small)
    assert "could not fetch URL" in message and "larger than 100 bytes" in message


# ------------------------------------------------------------------ audio and video


def test_audio_formats_and_durations(tmp_path: Path) -> None:
    rules = {"min_s": 2.0, "max_s": 300.0}
    wav = load(tmp_path, "sound_file", b64(wav_bytes(tmp_path, 3.0)), "audio", **rules)
    assert wav.format == "wav" and wav.duration_s == pytest.approx(3.0, abs=0.05)
    assert wav.filename == "sound_file.wav" and wav.data is not None
    assert load(tmp_path, "sound_file", b64(mp3_bytes(tmp_path, 2.5)), "audio", **rules).format == "mp3"
    assert (
        load(tmp_path, "sound_file", b64(aac_bytes(tmp_path, 2.5, "ipod")), "audio", **rules).format == "m4a"
    )
    assert (
        load(tmp_path, "sound_file", b64(aac_bytes(tmp_path, 2.5, "adts")), "audio", **rules).format == "aac"
    )
    generic = load(tmp_path, "sound_file", b64(aac_bytes(tmp_path, 2.5, "mp4")), "audio", **rules)
    assert generic.format == "m4a" and generic.filename.endswith(".m4a")
    short = rejected(tmp_path, "sound_file", b64(wav_bytes(tmp_path, 1.0)), "audio", **rules)
    assert "must last 2 to 300 s, got 1.00 s" in short


def test_undecodable_audio_is_rejected(tmp_path: Path) -> None:
    fake_mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 40
    assert "could not be decoded" in rejected(tmp_path, "sound_file", b64(fake_mp3), "audio")
    png = b64(image_bytes(400, 400))
    assert "unsupported format png" in rejected(tmp_path, "sound_file", png, "audio")


def test_video_formats_and_durations(tmp_path: Path) -> None:
    rules = {"min_s": 3.0, "max_s": 20.0}
    clip = load(tmp_path, "video_url", b64(mp4_bytes(tmp_path, 4.0)), "video", **rules)
    assert (clip.format, clip.width, clip.height) == ("mp4", 64, 48)
    assert clip.duration_s == pytest.approx(4.0, abs=0.25)
    assert (
        load(tmp_path, "video_url", b64(mp4_bytes(tmp_path, 4.0, fmt="mov")), "video", **rules).format
        == "mov"
    )
    webm = b64(mp4_bytes(tmp_path, 4.0, fmt="webm"))
    assert load(tmp_path, "video_url", webm, "video", **rules).format == "webm"
    assert "unsupported format webm" in rejected(tmp_path, "video_url", webm, "video", STRICT, **rules)
    assert "must last 3 to 20 s" in rejected(
        tmp_path, "video_url", b64(mp4_bytes(tmp_path, 2.0)), "video", **rules
    )
    assert "must last 3 to 20 s" in rejected(
        tmp_path, "video_url", b64(mp4_bytes(tmp_path, 21.0)), "video", **rules
    )
    assert "no video stream" in rejected(tmp_path, "video_url", b64(aac_bytes(tmp_path, 4, "mp4")), "video")


def test_header_durations_are_not_believed(tmp_path: Path) -> None:
    """Issue 13: an M4A saying 3 s but holding 20 s, an MP4 saying 5 s but holding 30 s."""
    m4a = lying_duration(aac_m4a(tmp_path / "long.m4a", 20.0).read_bytes(), 3.0)
    message = rejected(tmp_path, "sound_file", b64(m4a), "audio", min_s=2.0, max_s=10.0)
    assert "must last 2 to 10 s, got more than 10 s" in message
    assert load(tmp_path, "sound_file", b64(m4a), "audio", max_s=30.0).duration_s == pytest.approx(
        20, abs=0.1
    )
    mp4 = lying_duration(mp4_bytes(tmp_path, 30.0), 5.0)
    message = rejected(tmp_path, "video_url", b64(mp4), "video", min_s=3.0, max_s=20.0)
    assert message == "video_url: must last 3 to 20 s, got more than 20 s"


def test_frame_rate_and_frame_count_bounds(tmp_path: Path) -> None:
    rules = {"min_s": 3.0, "max_s": 20.0}
    fast = fast_video(tmp_path / "fast.mp4", fps=1000, seconds=3.0).read_bytes()
    message = rejected(tmp_path, "video_url", b64(fast), "video", **rules)
    assert message == "video_url: frame rate must be at most 240 fps, got 1000 fps"
    # the check follows whatever limits it is handed (an operator cannot raise these past their start-up
    # bounds, tests/contract/test_limit_bounds.py; a GPU deployment with other bounds could)
    lenient = Limits().model_copy(update={"v2a_video_fps_max": 2000, "v2a_video_frames_max": 10_000})
    assert load(tmp_path, "video_url", b64(fast), "video", lenient, **rules).duration_s == pytest.approx(3.0)
    clip = b64(mp4_bytes(tmp_path, 4.0, fps=5))  # 20 frames
    few = build_limits("kling", overrides={"v2a_video_frames_max": 10})
    assert "must have at most 10 frames" in rejected(tmp_path, "video_url", clip, "video", few, **rules)
    many = build_limits("kling", overrides={"v2a_video_frames_min": 30})
    assert "must have at least 30 frames, got 20" in rejected(
        tmp_path, "video_url", clip, "video", many, **rules
    )


def test_a_huge_image_never_blocks_the_event_loop(tmp_path: Path) -> None:
    """Issue 13: a 140 KB PNG declaring 7000x7000 used to be decoded on the loop (~0.65 s stall)."""
    png = b64(padded_png(7000, 7000))

    async def main() -> tuple[MediaFile, float]:
        gaps: list[float] = []

        async def ticker() -> None:
            last = time.perf_counter()
            while True:
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        tick = asyncio.create_task(ticker())
        await asyncio.sleep(0.02)
        media = await load_media(
            "image", png, "image", limits=KLING, settings=SETTINGS, dest_dir=tmp_path / "in"
        )
        await asyncio.sleep(0.02)  # let the ticker see a stall that ended with the check
        tick.cancel()
        return media, max(gaps)

    media, worst_gap = asyncio.run(main())
    assert (media.width, media.height) == (7000, 7000)
    assert worst_gap < 0.15, worst_gap


# ------------------------------------------------------------------ whole requests


def test_resolve_avatar_and_cometapi_audio_limit(tmp_path: Path) -> None:
    image = b64(image_bytes(512, 512, "JPEG"))
    req = AvatarCreate.model_validate({"image": image, "sound_file": b64(wav_bytes(tmp_path, 61.0))})
    files = asyncio.run(
        resolve_create_inputs("avatar", req, limits=KLING, settings=SETTINGS, dest_dir=tmp_path / "a")
    )
    assert set(files) == {"image", "audio"}
    assert files["audio"].filename == "audio.wav" and files["audio"].duration_s == pytest.approx(
        61.0, abs=0.05
    )
    with pytest.raises(KlingError, match=r"^sound_file: must last 2 to 60 s"):
        asyncio.run(
            resolve_create_inputs(
                "avatar", req, limits=PROFILES["cometapi"], settings=SETTINGS, dest_dir=tmp_path / "b"
            )
        )
    by_id = AvatarCreate.model_validate({"image": image, "audio_id": "42"})
    files = asyncio.run(
        resolve_create_inputs("avatar", by_id, limits=KLING, settings=SETTINGS, dest_dir=tmp_path / "c")
    )
    assert set(files) == {"image"}


def test_resolve_image2video_names_every_mask(tmp_path: Path) -> None:
    mask = b64(image_bytes(128, 72))
    traj = [{"x": 0, "y": 0}, {"x": 5, "y": 5}]
    req = Image2VideoCreate.model_validate(
        {
            "image": b64(image_bytes(640, 360)),
            "static_mask": mask,
            "dynamic_masks": [{"mask": mask, "trajectories": traj}, {"mask": mask, "trajectories": traj}],
        }
    )
    files = asyncio.run(
        resolve_create_inputs("image2video", req, limits=KLING, settings=SETTINGS, dest_dir=tmp_path)
    )
    assert list(files) == ["image", "static_mask", "dynamic_mask_0", "dynamic_mask_1"]
    assert files["dynamic_mask_1"].filename == "dynamic_mask_1.png"
    bad = req.model_copy(
        update={
            "dynamic_masks": [
                req.dynamic_masks[0],
                req.dynamic_masks[1].model_copy(update={"mask": b64(b"not an image at all")}),
            ]
        }
    )  # type: ignore[index]
    with pytest.raises(KlingError, match=r"^dynamic_masks\[1\]\.mask: unsupported format"):
        asyncio.run(
            resolve_create_inputs("image2video", bad, limits=KLING, settings=SETTINGS, dest_dir=tmp_path)
        )


def test_resolve_image_tail_has_no_aspect_rule(tmp_path: Path) -> None:
    req = Image2VideoCreate.model_validate({"image_tail": b64(image_bytes(1000, 300))})
    files = asyncio.run(
        resolve_create_inputs("image2video", req, limits=KLING, settings=SETTINGS, dest_dir=tmp_path)
    )
    assert list(files) == ["image_tail"]


def test_resolve_video_to_audio_by_url(
    tmp_path: Path, http_server: str, served_files: dict[str, bytes]
) -> None:
    served_files["clip.bin"] = mp4_bytes(tmp_path, 5.0)
    req = VideoToAudioCreate.model_validate({"video_url": f"{http_server}/file/clip.bin"})
    files = asyncio.run(
        resolve_create_inputs("video_to_audio", req, limits=KLING, settings=SETTINGS, dest_dir=tmp_path / "v")
    )
    assert (
        files["video"].path is not None
        and files["video"].path.name == "video.mp4"
        and files["video"].duration_s == pytest.approx(5.0, abs=0.25)
    )
    guarded = Settings(allow_private_urls=False)
    with pytest.raises(KlingError, match=r"^video_url: could not fetch URL: .*non-public"):
        asyncio.run(
            resolve_create_inputs(
                "video_to_audio", req, limits=KLING, settings=guarded, dest_dir=tmp_path / "w"
            )
        )
