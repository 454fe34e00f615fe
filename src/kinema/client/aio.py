"""Asyncio client over httpx: the same surface as :class:`kinema.client.Client`, awaitable."""

from __future__ import annotations

import asyncio
import builtins
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from kinema.client.core import FAMILIES, Auth, Task, build_body, unwrap
from kinema.contract.kinds import PREFIXES, TTS, KindSpec


class AsyncFamily:
    def __init__(self, client: AsyncClient, spec: KindSpec) -> None:
        self._c, self._spec, self._path = client, spec, spec.path

    async def create(self, *args: Any, **kwargs: Any) -> Task:
        return await self._c._task("POST", self._path, json=build_body(self._spec, args, kwargs))

    async def get(self, task_id: str) -> Task:
        return await self._c._task("GET", f"{self._path}/{task_id}")

    async def find(self, external_task_id: str) -> Task:
        return await self._c._task("GET", self._path, params={"external_task_id": external_task_id})

    async def list(self, page_num: int = 1, page_size: int = 30) -> list[Task]:
        data, rid = await self._c._call(
            "GET", self._path, params={"pageNum": page_num, "pageSize": page_size}
        )
        return [Task(d, rid) for d in data]

    async def cancel(self, task_id: str) -> Task:
        return await self._c._task("POST", f"{self._path}/{task_id}/cancel")

    async def queue(self, task_id: str) -> dict[str, int]:
        data, _ = await self._c._call("GET", f"{self._path}/{task_id}/queue")
        return dict(data)

    async def callbacks(self, task_id: str) -> builtins.list[dict[str, Any]]:
        data, _ = await self._c._call("GET", f"{self._path}/{task_id}/callbacks")
        return list(data)

    async def wait(self, task_id: str, timeout: float = 900.0, poll: float = 1.0) -> Task:
        deadline = time.monotonic() + timeout
        while True:
            task = await self.get(task_id)
            if task.done:
                return task
            if time.monotonic() > deadline:
                raise TimeoutError(f"task {task_id} still {task.status} after {timeout} s")
            await asyncio.sleep(poll)


class AsyncClient:
    """The asyncio twin of :class:`kinema.client.Client`: one :class:`AsyncFamily` per queued kind."""

    avatar: AsyncFamily
    image2video: AsyncFamily
    video_to_audio: AsyncFamily

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        prefix: str = PREFIXES[0],
        timeout: float = 120.0,
    ) -> None:
        self._auth = Auth(api_key, access_key, secret_key)
        self._prefix = prefix.rstrip("/")
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout)
        for sdk_name, spec in FAMILIES.items():
            setattr(self, sdk_name, AsyncFamily(self, spec))

    async def _call(self, method: str, path: str, **kwargs: Any) -> tuple[Any, str]:
        r = await self._http.request(method, self._prefix + path, headers=self._auth.header(), **kwargs)
        try:
            body = r.json()
        except ValueError:
            body = r.text
        return unwrap(r.status_code, body)

    async def _task(self, method: str, path: str, **kwargs: Any) -> Task:
        data, rid = await self._call(method, path, **kwargs)
        return Task(data, rid)

    async def tts(
        self, text: str, voice_id: str = "oversea_male1", language: str = "en", speed: float = 1.0
    ) -> Task:
        body = {"text": text, "voice_id": voice_id, "voice_language": language, "voice_speed": speed}
        return await self._task("POST", TTS.path, json=body)

    async def download(self, url: str, dest: str | Path) -> Path:
        path = Path(dest)
        async with self._http.stream("GET", url) as r:
            r.raise_for_status()
            with path.open("wb") as fh:
                async for chunk in r.aiter_bytes():
                    fh.write(chunk)
        return path

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
