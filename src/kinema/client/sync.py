"""Blocking client over httpx."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from kinema.client.core import FAMILIES, Auth, Task, build_body, unwrap
from kinema.contract.kinds import PREFIXES, TTS, KindSpec


class Family:
    """One task family (avatar, image2video, video_to_audio): create, get, find, list, cancel, wait."""

    def __init__(self, client: Client, spec: KindSpec) -> None:
        self._c, self._spec, self._path = client, spec, spec.path

    def create(self, *args: Any, **kwargs: Any) -> Task:
        """Arguments as in :mod:`kinema.client.core` (``avatar_body`` …); paths and bytes go as base64."""
        return self._c._task("POST", self._path, json=build_body(self._spec, args, kwargs))

    def get(self, task_id: str) -> Task:
        return self._c._task("GET", f"{self._path}/{task_id}")

    def find(self, external_task_id: str) -> Task:
        return self._c._task("GET", self._path, params={"external_task_id": external_task_id})

    def list(self, page_num: int = 1, page_size: int = 30) -> list[Task]:
        data, rid = self._c._call("GET", self._path, params={"pageNum": page_num, "pageSize": page_size})
        return [Task(d, rid) for d in data]

    def cancel(self, task_id: str) -> Task:
        return self._c._task("POST", f"{self._path}/{task_id}/cancel")

    def queue(self, task_id: str) -> dict[str, int]:
        """Queue depth, running tasks and this task's position (kinema extension)."""
        data, _ = self._c._call("GET", f"{self._path}/{task_id}/queue")
        return dict(data)

    def callbacks(self, task_id: str) -> builtins.list[dict[str, Any]]:
        """Every callback delivery attempt of this task (kinema extension)."""
        data, _ = self._c._call("GET", f"{self._path}/{task_id}/callbacks")
        return list(data)

    def wait(
        self,
        task_id: str,
        timeout: float = 900.0,
        poll: float = 1.0,
        on_progress: Callable[[Task], None] | None = None,
    ) -> Task:
        """Poll until the task is terminal (``succeed``/``failed``); TimeoutError after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            task = self.get(task_id)
            if on_progress:
                on_progress(task)
            if task.done:
                return task
            if time.monotonic() > deadline:
                raise TimeoutError(f"task {task_id} still {task.status} after {timeout} s")
            time.sleep(poll)


class Client:
    """``Client(base_url, api_key=…)`` or ``Client(base_url, access_key=…, secret_key=…)`` (JWT).

    ``prefix`` is ``/kling/v1`` (gateway style, default) or ``/v1`` (official style). One :class:`Family` per
    queued kind of the kind table, named by its ``sdk_name``; the annotations below only tell type checkers
    about the families that exist today.
    """

    avatar: Family
    image2video: Family
    video_to_audio: Family

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        prefix: str = PREFIXES[0],
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._auth = Auth(api_key, access_key, secret_key)
        self._prefix = prefix.rstrip("/")
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)
        for sdk_name, spec in FAMILIES.items():
            setattr(self, sdk_name, Family(self, spec))

    def _call(self, method: str, path: str, **kwargs: Any) -> tuple[Any, str]:
        r = self._http.request(method, self._prefix + path, headers=self._auth.header(), **kwargs)
        try:
            body = r.json()
        except ValueError:
            body = r.text
        return unwrap(r.status_code, body)

    def _task(self, method: str, path: str, **kwargs: Any) -> Task:
        data, rid = self._call(method, path, **kwargs)
        return Task(data, rid)

    def tts(
        self, text: str, voice_id: str = "oversea_male1", language: str = "en", speed: float = 1.0
    ) -> Task:
        """Synchronous text to speech; ``.audio_id`` of the result feeds ``avatar.create(audio_id=…)``."""
        body = {"text": text, "voice_id": voice_id, "voice_language": language, "voice_speed": speed}
        return self._task("POST", TTS.path, json=body)

    def queue(self) -> dict[str, int]:
        data, _ = self._call("GET", "/queue")
        return dict(data)

    def download(self, url: str, dest: str | Path) -> Path:
        """Stream a result URL to ``dest``."""
        path = Path(dest)
        with self._http.stream("GET", url) as r:
            r.raise_for_status()
            with path.open("wb") as fh:
                for chunk in r.iter_bytes():
                    fh.write(chunk)
        return path

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
