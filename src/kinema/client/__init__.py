"""Python SDK for kinema (and any Kling-compatible server): sync and async clients.

from kinema.client import Client
with Client("http://127.0.0.1:8000", api_key="sk-kinema-…") as k:
    speech = k.tts("Hello there.", voice_id="oversea_male1", language="en")
    task = k.avatar.create(image="face.jpg", audio_id=speech.audio_id, prompt="smile")
    done = k.avatar.wait(task.task_id)
    k.download(done.videos[0]["url"], "talk.mp4")
"""

from kinema.client.aio import AsyncClient
from kinema.client.core import ApiError, Task
from kinema.client.sync import Client

__all__ = ["ApiError", "AsyncClient", "Client", "Task"]
