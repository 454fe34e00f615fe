"""Python SDK for kinema (and any Kling-compatible server): sync and async clients.

from kinema.client import Client
with Client("http://127.0.0.1:8000", api_key="sk-kinema-…") as k:
    speech = k.tts("Hello there, and welcome to kinema, your own video studio.", voice_id="oversea_male1")
    task = k.avatar.create("face.jpg", audio_id=speech.audio_id, prompt="smile")
    done = k.avatar.wait(task.task_id)
    k.download(done.videos[0], "talk.mp4")

Each family's ``create`` takes its request model's fields by name (:mod:`kinema.client.bodies`), checks
them with that model before sending, and every call returns the kind's task model
(:mod:`kinema.client.tasks`, the contract's response models with shortcuts). Errors are one exception class
per family of Kling codes (:mod:`kinema.client.errors`).
"""

from kinema.client.aio import AsyncClient, AsyncFamily
from kinema.client.errors import (
    AccountError,
    ApiError,
    AuthenticationError,
    ConcurrencyLimitError,
    InvalidRequestError,
    KlingApiError,
    NotFoundError,
    PolicyError,
    RateLimitError,
    ServerError,
    UnexpectedReplyError,
)
from kinema.client.sync import Client, Family
from kinema.client.tasks import (
    GenericTask,
    Task,
    TextToAudioTask,
    TtsTask,
    VideoExtendTask,
    VideoTask,
    VideoToAudioTask,
)

__all__ = [
    "AccountError",
    "ApiError",
    "AsyncClient",
    "AsyncFamily",
    "AuthenticationError",
    "Client",
    "ConcurrencyLimitError",
    "Family",
    "GenericTask",
    "InvalidRequestError",
    "KlingApiError",
    "NotFoundError",
    "PolicyError",
    "RateLimitError",
    "ServerError",
    "Task",
    "TextToAudioTask",
    "TtsTask",
    "UnexpectedReplyError",
    "VideoExtendTask",
    "VideoTask",
    "VideoToAudioTask",
]
