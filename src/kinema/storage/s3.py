"""S3-compatible storage through boto3 (AWS, MinIO, Ceph RGW, …; ``endpoint_url`` selects the service)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from kinema.storage.base import BlobInfo, Storage


class S3Storage(Storage):
    def __init__(self, bucket: str, endpoint_url: str | None, region: str, prefix: str = "") -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client: Any = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)

    def _k(self, key: str) -> str:
        return self.prefix + key

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (handy for development servers)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        self.client.upload_file(str(path), self.bucket, self._k(key), ExtraArgs={"ContentType": content_type})

    def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._k(key), Body=data, ContentType=content_type)

    def info(self, key: str) -> BlobInfo | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._k(key))
        except ClientError:
            return None
        return BlobInfo(size=int(head["ContentLength"]), content_type=head.get("ContentType", ""))

    def open_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        obj = self.client.get_object(Bucket=self.bucket, Key=self._k(key), Range=f"bytes={start}-{end}")
        yield from obj["Body"].iter_chunks(256 * 1024)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._k(key))

    def download_to(self, key: str, dest: Path) -> None:
        self.client.download_file(self.bucket, self._k(key), str(dest))

    def direct_url(self, key: str, ttl_s: int) -> str | None:
        url: str = self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": self._k(key)}, ExpiresIn=ttl_s
        )
        return url
