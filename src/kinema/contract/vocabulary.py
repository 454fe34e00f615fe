"""Names shared by every layer, defined once.

``TaskKind`` is the kind stored in ``tasks.kind`` and used in routes, the registry and the SDK; its values are
the wire-independent names kinema has always stored, so existing rows keep their meaning.
"""

from __future__ import annotations

from enum import StrEnum


class TaskKind(StrEnum):
    """One task kind per create endpoint. Everything else about a kind is its row in ``contract.kinds``."""

    AVATAR = "avatar"
    IMAGE2VIDEO = "image2video"
    VIDEO_TO_AUDIO = "video_to_audio"
    TTS = "tts"
