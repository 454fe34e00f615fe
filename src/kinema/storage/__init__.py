"""Blob storage: a local folder (default) or S3-compatible storage, behind one small interface."""

from kinema.storage.base import BlobInfo, Storage
from kinema.storage.factory import make_storage

__all__ = ["BlobInfo", "Storage", "make_storage"]
