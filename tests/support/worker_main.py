"""``python -m tests.support.worker_main``: ``run_worker`` with settings from ``KINEMA_*`` variables (the
durability tests start and kill this as a real process group)."""

from __future__ import annotations

from kinema.settings import Settings
from kinema.worker import run_worker

if __name__ == "__main__":
    settings = Settings()
    run_worker(settings, settings.workers)
