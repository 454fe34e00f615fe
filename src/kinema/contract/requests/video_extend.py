"""The video-extension create body (``POST …/videos/video-extend``): continue a kinema video by 4–5 s.

Upstream extends only outputs of its v1.x models; kinema extends any video it made (image to video, avatar,
video to audio, an earlier extension), found by ``video_id`` in the caller's account. The prompt and negative
prompt share image to video's limits (the continuation is rendered by that engine), and ``cfg_scale`` its
range. That the whole extended video stays within ``extend_total_max_s`` is checked against the video's
recorded length at create time (:mod:`kinema.contract.kinds`, ``VIDEO_EXTEND``).
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator, model_validator

from kinema.contract.model_names import IMAGE2VIDEO_MODELS, check_model
from kinema.contract.requests.fields import (
    MODES,
    IdStr,
    Number,
    OptStr,
    VideoPromptBody,
    WatermarkInfo,
    one_of,
    optional,
    required_in_schema,
    rule,
)

#: Seconds one extension adds: 5 s, or less (never under 4 s) where that keeps the total within the limit.
EXTEND_MIN_S = 4.0
EXTEND_MAX_S = 5.0


class VideoExtendCreate(VideoPromptBody):
    """POST /v1/videos/video-extend."""

    model_config = required_in_schema("video_id")

    video_id: IdStr = optional(
        "id of a video made by this server for this account (any kind, an extension too); "
        "the extended video must stay within 3 minutes."
    )
    prompt: str | None = optional(
        "What happens next, <=2500 chars (500 on the cometapi profile); camera words steer the "
        "continuation, otherwise it carries on the video's own camera motion.",
        maxLength=2500,
    )
    negative_prompt: str | None = optional(
        "Motions to avoid, <=2500 chars (200 on the cometapi profile).", maxLength=2500
    )
    cfg_scale: Number | None = optional("Prompt adherence in [0, 1], default 0.5.", minimum=0, maximum=1)
    watermark_info: WatermarkInfo | None = optional('{"enabled": bool}')
    # Official examples send these two. The CPU continuation keeps the parent's size and is rendered by one
    # engine setting, so there they are listed in task_info.unsupported_fields; a generative image-to-video
    # pipeline configured for the model (docs/gpu.md) honours both.
    model_name: OptStr = Field(
        None,
        validation_alias=AliasChoices("model_name", "model"),
        description="Accepted as upstream's examples send it (an unknown name: code 1203). When this "
        "server has a generative image-to-video model for it (or, when left out, for the parent's model) "
        "that model generates the continuation; otherwise it changes nothing and is listed in "
        "task_info.unsupported_fields.",
        json_schema_extra={"enum": list(IMAGE2VIDEO_MODELS)},
    )
    mode: OptStr = optional(
        "std or pro, accepted as upstream's examples send it; the continuation keeps the parent's size. On a "
        "generative model it sets the denoising steps and generation size; otherwise it is listed in "
        "task_info.unsupported_fields.",
        enum=list(MODES),
    )

    @field_validator("model_name")
    @classmethod
    def _model(cls, value: str | None) -> str | None:
        return None if value is None else check_model(value, "image2video")

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str | None) -> str | None:
        return None if value is None else one_of(value, MODES)




    @model_validator(mode="after")
    def _rules(self) -> VideoExtendCreate:
        if self.video_id is None:
            raise rule("is required", "video_id")
        return self
