"""Which tasks run upstream: the one rule shared by the API (to refuse what cannot be forwarded) and the jobs.

``KINEMA_UPSTREAM_ROUTES`` is ``all`` or a comma list of task kinds (``image2video``) and/or model names
(``kling-v2-6``); a task goes upstream when its kind or its ``model_name`` is listed. Nothing goes upstream
while ``KINEMA_UPSTREAM_URL`` is unset.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kinema.contract.kinds import KINDS
from kinema.settings import Settings

#: Kinds that can be forwarded: every kind. The queued ones by a worker (``kinema.jobs.upstream``); TTS,
#: answered inside the create request, by the API itself (``kinema.jobs.upstream_tts``).
FORWARDABLE = frozenset(str(spec.kind) for spec in KINDS.values())
#: Kinds whose upstream path has a list call (what ``kinema upstream check`` calls): the queued ones.
LISTABLE = frozenset(str(spec.kind) for spec in KINDS.values() if not spec.synchronous)

WORKER_PREFIX = "upstream/"
"""Prefix of the ``worker`` column of a task running upstream: the concurrency cap counts these rows."""


def route_names(settings: Settings) -> frozenset[str]:
    return frozenset(n.strip() for n in settings.upstream_routes.split(",") if n.strip())


def enabled(settings: Settings) -> bool:
    return bool(settings.upstream_url) and bool(route_names(settings))


def goes_upstream(settings: Settings, kind: str, params: Mapping[str, Any] | None) -> bool:
    """Whether a task of ``kind`` with these request fields runs upstream."""
    if not enabled(settings) or kind not in FORWARDABLE:
        return False
    names = route_names(settings)
    model = (params or {}).get("model_name")
    return "all" in names or kind in names or (isinstance(model, str) and model in names)
