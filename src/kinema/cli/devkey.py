"""The development API key printed by ``kinema serve``: made once, kept in the data folder (mode 0600) so
every start prints the same key. Keys are stored hashed in the database; this file is the only clear copy."""

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
