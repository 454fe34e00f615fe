"""Pick the storage backend from settings."""

from __future__ import annotations

from kinema.settings import Settings
from kinema.storage.base import Storage


def make_storage(settings: Settings) -> Storage:
    if settings.storage == "s3":
        from kinema.storage.s3 import S3Storage

        store = S3Storage(
            settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region, settings.s3_prefix
        )
        store.ensure_bucket()
        return store
    from kinema.storage.local import LocalStorage

    return LocalStorage(settings.data_dir / "blobs")
