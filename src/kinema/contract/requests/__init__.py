"""Request bodies of the create endpoints, one module per family, validated against
:class:`~kinema.contract.limits.Limits` (spec §2–§5).

Field names are exactly the wire names. Shared field rules are in :mod:`.fields`; turning a raw body into
a model (or a Kling error) is :mod:`kinema.contract.parsing`. The names below are what other packages import.
"""

from kinema.contract.parsing import error_from_validation, parse_page, parse_request
from kinema.contract.requests.avatar import AvatarCreate
from kinema.contract.requests.fields import MODES, WatermarkInfo, check_media, is_url
from kinema.contract.requests.image2video import (
    CAMERA_AXES,
    CAMERA_TYPES,
    MODEL_NAMES,
    CameraConfig,
    CameraControl,
    DynamicMask,
    Element,
    Image2VideoCreate,
    MultiPrompt,
    Trajectory,
    VoiceRef,
)
from kinema.contract.requests.text2video import Text2VideoCreate
from kinema.contract.requests.text_to_audio import TextToAudioCreate
from kinema.contract.requests.tts import TtsCreate
from kinema.contract.requests.video_extend import VideoExtendCreate
from kinema.contract.requests.video_to_audio import VideoToAudioCreate
from kinema.contract.requests.voices import CustomVoiceCreate, DeleteVoice

__all__ = [
    "CAMERA_AXES",
    "CAMERA_TYPES",
    "MODEL_NAMES",
    "MODES",
    "AvatarCreate",
    "CameraConfig",
    "CameraControl",
    "CustomVoiceCreate",
    "DeleteVoice",
    "DynamicMask",
    "Element",
    "Image2VideoCreate",
    "MultiPrompt",
    "Text2VideoCreate",
    "TextToAudioCreate",
    "Trajectory",
    "TtsCreate",
    "VideoExtendCreate",
    "VideoToAudioCreate",
    "VoiceRef",
    "WatermarkInfo",
    "check_media",
    "error_from_validation",
    "is_url",
    "parse_page",
    "parse_request",
]
