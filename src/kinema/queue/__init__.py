"""Hand a task id to a worker: Huey (SQLite embedded, Redis at scale) rings the doorbell; the task row in the
database is the truth (see :mod:`kinema.jobs.runner`). The workers themselves are :mod:`kinema.worker`."""

from kinema.queue.app import HueyDoorbell, JobHandler, enqueue, make_huey, pending_count, set_handler

__all__ = ["HueyDoorbell", "JobHandler", "enqueue", "make_huey", "pending_count", "set_handler"]
