"""The handles a kinema process needs, built one way for the API, the workers and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kinema.db.engine import Database
from kinema.db.migrate import upgrade
from kinema.observe import metrics
from kinema.queue import HueyDoorbell
from kinema.settings import Settings
from kinema.storage import Storage, make_storage
from kinema.storage.urls import UrlSigner


class Doorbell(Protocol):
    """The queue as the job system uses it. It only rings: the task row is the truth, so a ring may be lost
    or doubled (the reaper rings again, a claim drops duplicates). A protocol so that ``jobs`` needs no
    import of ``queue``, whose workers run ``jobs``."""

    def ring(self, task_id: str, lane: str = ...) -> None:
        """Tell a worker of ``lane`` (a :class:`~kinema.contract.vocabulary.Lane`; CPU by default) that this
        committed task is waiting."""

    def pending(self, lane: str = ...) -> int:
        """Rings waiting in the lane's queue (not those being worked on)."""


@dataclass
class Runtime:
    settings: Settings
    db: Database
    storage: Storage
    urls: UrlSigner
    doorbell: Doorbell

    def close(self) -> None:
        self.db.dispose()


def build_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Create the data folder, bring the schema up to date, and open database, storage and queue. Metric
    values of this process go to the deployment's folder from here on (every process builds a runtime
    before it records anything: the API, the workers before they fork, the CLI's commands)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    metrics.configure(settings)
    url = settings.resolved_database_url
    if migrate:
        upgrade(url)
    storage = make_storage(settings)
    return Runtime(
        settings=settings,
        db=Database(url),
        storage=storage,
        urls=UrlSigner(settings, storage),
        doorbell=HueyDoorbell(settings),
    )
