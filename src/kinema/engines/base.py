"""Types every engine shares: the progress callback and the two ways an engine can refuse to finish.

Engines are pure functions of their inputs. They report progress through a callback; the job layer's
callback raises :class:`Cancelled` when the task was cancelled, which stops the engine between frames.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[float], None]
"""Called with a fraction in [0, 1]. May raise :class:`Cancelled` to stop the engine."""


def no_progress(_fraction: float) -> None:
    """Progress sink for callers that do not care (library use, tests)."""


class Cancelled(Exception):
    """Raised by a progress callback to stop an engine; the job ends as cancelled/failed."""


class EngineInputError(ValueError):
    """The inputs cannot be rendered (no face found, mask aspect mismatch, ...).

    The message is shown to the API client as ``task_status_msg``, so it must say what is wrong in words a
    client understands. Retrying will not help: the job layer fails the task at once.
    """
