"""The replies of the operator's routes: readiness (``/readyz``). ``/healthz`` is in :mod:`responses`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kinema.contract.responses import Reply


class ReadyChecks(BaseModel):
    """Each dependency this API process needs, reached just now."""

    model_config = ConfigDict(frozen=True)

    database: Literal["ok"]
    queue: Literal["ok"]
    storage: Literal["ok"]


class Ready(BaseModel):
    """``/readyz``: every dependency answers and the CPU queue is below the overload mark."""

    model_config = ConfigDict(frozen=True)

    status: Literal["ready"]
    checks: ReadyChecks
    queue_depth: int = Field(description="CPU-lane tasks waiting for a worker (submitted).")
    max_queue_depth: int = Field(
        description="KINEMA_READY_MAX_QUEUE_DEPTH: above it the server reports itself overloaded (503); "
        "0 means never."
    )


class ReadyReply(Reply[Ready]):
    """Readiness: database, queue and storage reachable, and not overloaded."""
