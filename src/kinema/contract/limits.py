"""Every number and rule switch of the Kling contract, in one frozen object (spec §2–§5, §7, §11).

Sources disagree on several limits (avatar audio 300 s vs 60 s, i2v prompt 2500 vs 500 chars, durations
5/10 vs 3..15, …). The default ``kling`` profile takes the more permissive official reading; ``cometapi``
takes the gateway's narrower numbers; ``strict`` additionally rejects what upstream rejects even where
being lenient is harmless (``data:`` URI prefixes, webp/webm inputs, durations other than 5/10). Any single
field can still be overridden by name through ``Settings.limit_overrides`` — the field names below are the
setting names, listed in ``docs/limits.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from kinema.contract.limit_bounds import check_bounds

if TYPE_CHECKING:
    from kinema.settings import Settings

MB = 1024 * 1024


class Limits(BaseModel):
    """The limits in force for one server. Frozen: built once at start-up and shared by every request."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- images (image, image_tail, masks)
    image_max_bytes: int = 10 * MB
    image_min_side_px: int = 300
    image_aspect_min: float = 1 / 2.5
    image_aspect_max: float = 2.5
    #: Decompression-bomb guard: declared width × height above this is refused before decoding.
    image_max_pixels: int = 50_000_000

    # --- avatar
    avatar_audio_min_s: float = 2.0
    avatar_audio_max_s: float = 300.0
    sound_file_max_bytes: int = 5 * MB
    avatar_prompt_max_chars: int = 2500
    require_avatar_prompt: bool = False

    # --- image2video
    i2v_prompt_max_chars: int = 2500
    i2v_negative_prompt_max_chars: int = 2500
    cfg_scale_min: float = 0.0
    cfg_scale_max: float = 1.0
    i2v_duration_min_s: int = 3
    i2v_duration_max_s: int = 15
    #: Strict reading of S7/C2: only "5" and "10".
    i2v_duration_only_5_10: bool = False
    require_i2v_image: bool = False
    trajectory_min_points: int = 2
    trajectory_max_points: int = 77
    dynamic_masks_max: int = 6
    camera_value_min: float = -10.0
    camera_value_max: float = 10.0
    multi_prompt_max: int = 6
    multi_prompt_prompt_max_chars: int = 512
    element_list_max: int = 3
    voice_list_max: int = 2

    # --- video extension
    #: The extended video (parent + continuation) lasts at most this long (upstream: 3 minutes); a parent is
    #: extendable while it is at least ``EXTEND_MIN_S`` (4 s) shorter.
    extend_total_max_s: float = 180.0

    # --- video to audio
    v2a_video_max_bytes: int = 100 * MB
    v2a_video_min_s: float = 3.0
    v2a_video_max_s: float = 20.0
    v2a_prompt_max_chars: int = 200
    #: Frame rate measured from the packets (frames / real length), not the header's claim: a 16×16 clip
    #: at 10,000 fps kept a worker busy 100× longer than a normal one (issue 13).
    v2a_video_fps_max: float = 240.0
    #: Frames in ``video_url``: the engine needs two; 240 fps × 20 s is 4,800.
    v2a_video_frames_min: int = 2
    v2a_video_frames_max: int = 5000

    # --- text to audio
    t2a_prompt_max_chars: int = 200
    t2a_duration_min_s: float = 3.0
    t2a_duration_max_s: float = 10.0

    # --- resource guards: what checking one input may cost this server (not from the Kling contract)
    #: Memory one image check at create may spend decoding pixels. A bigger WebP (or progressive JPEG) is
    #: checked from its structure only, and the worker decodes it (and fails the task if it is broken).
    image_check_memory_bytes: int = 64 * MB
    #: Input checks too heavy for the event loop run in threads, at most this many at once per API process;
    #: further creates wait their turn.
    media_checks_concurrent: int = 2

    # --- tts
    tts_text_max_chars: int = 1000
    tts_speed_min: float = 0.8
    tts_speed_max: float = 2.0

    # --- lists
    page_num_max: int = 1000
    page_size_max: int = 500
    page_size_default: int = 30

    # --- shared
    external_task_id_max_chars: int = 256
    callback_url_max_chars: int = 2048
    url_max_chars: int = 8192
    #: Container/encoder padding makes a 2.000 s clip report 2.02 s; durations within this margin pass.
    duration_tolerance_s: float = 0.05
    allow_data_uri: bool = True
    #: webp images, mp4-branded audio, webm/mkv video: decodable and harmless, but not documented.
    allow_extra_formats: bool = True
    strict: bool = False

    def strictened(self) -> Limits:
        """This profile with the strict switches on (the numbers of the profile are kept)."""
        return self.model_copy(
            update={
                "strict": True,
                "allow_data_uri": False,
                "allow_extra_formats": False,
                "i2v_duration_only_5_10": True,
            }
        )


PROFILES: dict[str, Limits] = {
    "kling": Limits(),
    "cometapi": Limits(
        avatar_audio_max_s=60.0,
        i2v_prompt_max_chars=500,
        i2v_negative_prompt_max_chars=200,
    ),
}

#: Switches that only the strict cometapi reading turns on (some CometAPI pages mark these required).
_COMETAPI_STRICT = {"require_avatar_prompt": True, "require_i2v_image": True}


def _coerce(name: str, value: Any, current: Any) -> Any:
    """Turn an override (a float from the settings JSON) into the field's own type, or fail loudly."""
    if isinstance(current, bool):
        if value in (0, 1, True, False):
            return bool(value)
        raise ValueError(f"limit override {name!r} must be 0/1 or true/false, got {value!r}")
    if isinstance(current, int):
        if isinstance(value, bool) or float(value) != int(value):
            raise ValueError(f"limit override {name!r} must be an integer, got {value!r}")
        return int(value)
    if isinstance(value, bool):
        raise ValueError(f"limit override {name!r} must be a number, got {value!r}")
    return float(value)


def build_limits(profile: str, *, strict: bool = False, overrides: dict[str, Any] | None = None) -> Limits:
    """The limits of ``profile``, strictened if asked, with single ``overrides`` applied last.

    Raises ``ValueError`` for an unknown profile or override name so a typo stops the server at start-up
    instead of silently doing nothing, and for an override beyond what kinema can honour
    (:mod:`kinema.contract.limit_bounds`).
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown limits profile {profile!r}; expected one of {sorted(PROFILES)}")
    limits = PROFILES[profile]
    if strict:
        limits = limits.strictened()
        if profile == "cometapi":
            limits = limits.model_copy(update=_COMETAPI_STRICT)
    if overrides:
        fields = Limits.model_fields
        unknown = sorted(set(overrides) - set(fields))
        if unknown:
            raise ValueError(f"unknown limit override(s) {unknown}; valid names are in docs/limits.md")
        current = limits.model_dump()
        update = {name: _coerce(name, value, current[name]) for name, value in overrides.items()}
        # Re-validate so the result is a proper Limits, not a copy with unchecked values.
        limits = Limits.model_validate({**current, **update})
    check_bounds(limits)
    return limits


def limits_from_settings(settings: Settings) -> Limits:
    """The limits for a :class:`kinema.settings.Settings` (profile, ``strict``, ``limit_overrides``)."""
    return build_limits(
        settings.limits_profile, strict=bool(settings.strict), overrides=dict(settings.limit_overrides or {})
    )
