"""The development API key printed by ``kinema serve``: made once, kept in the data folder (mode 0600) so
every start prints the same key. Keys are stored hashed in the database; this file is the only clear copy.

The playground (``kinema.api.playground``) reads it back to pre-fill its key field, for loopback callers
only: whoever sits at the server's own machine could read the file anyway.
"""

from __future__ import annotations

import os
from pathlib import Path

from kinema.accounts import account_for_key, create_api_key
from kinema.runtime import Runtime

FILENAME = "dev-api-key"


def ensure_dev_key(rt: Runtime) -> str:
    path: Path = rt.settings.data_dir / FILENAME
    if path.exists():
        key = path.read_text().strip()
        if key and account_for_key(rt.db, key):
            return key
    cred = create_api_key(rt.db, "default", name="development key (kinema serve)")
    assert cred.api_key is not None
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(cred.api_key + "\n")
    return cred.api_key


def read_dev_key(data_dir: Path) -> str | None:
    """The key ``ensure_dev_key`` wrote, or ``None`` when there is none (``kinema serve`` never ran here, or
    the API runs without it, as in a scale-out deployment)."""
    try:
        key = (data_dir / FILENAME).read_text().strip()
    except OSError:
        return None
    return key or None
