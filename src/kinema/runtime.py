"""The handles a kinema process needs, built one way for the API, the workers and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from kinema.db.engine import Database
from kinema.db.migrate import upgrade
from kinema.settings import Settings
from kinema.storage import Storage, make_storage
from kinema.storage.urls import UrlSigner


@dataclass
class Runtime:
    settings: Settings
    db: Database
    storage: Storage
    urls: UrlSigner

    def close(self) -> None:
        self.db.dispose()


def build_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Create the data folder, bring the schema up to date, and open database and storage."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    if migrate:
        upgrade(url)
    storage = make_storage(settings)
    return Runtime(settings=settings, db=Database(url), storage=storage, urls=UrlSigner(settings, storage))
