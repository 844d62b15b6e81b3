"""Delivery photos and signatures in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, ...):
`<prefix><sha256>.<ext>`, the same references as the folder store, so a shop can move its
files from one to the other and nothing that points at them changes.

The bucket stays private: pages open a file only through OrderTrail's signed, expiring link
(`/proof/...`), which reads it from here."""

from __future__ import annotations

import hashlib
from typing import Any

from ordertrail.app.fleet.proof_links import REFERENCE
from ordertrail.app.fleet.uploads import EXTENSIONS

_TYPES = {extension: media_type for media_type, extension in EXTENSIONS.items()}


class BucketProofFiles:
    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix

    @classmethod
    def connect(
        cls,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> BucketProofFiles:
        import boto3  # only a shop that keeps proof in a bucket pays for loading it
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            # path-style addressing: what MinIO and most self-hosted stores answer to; and
            # checksums only where S3 requires them, since several S3-compatible stores
            # refuse the newer default ones
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )
        return cls(client, bucket, prefix)

    def put(self, content: bytes, media_type: str) -> str:
        reference = f"{hashlib.sha256(content).hexdigest()}.{EXTENSIONS[media_type]}"
        # the same bytes make the same name: writing them again changes nothing
        self._client.put_object(
            Bucket=self._bucket, Key=self._key(reference), Body=content, ContentType=media_type
        )
        return reference

    def get(self, reference: str) -> tuple[bytes, str] | None:
        if not REFERENCE.fullmatch(reference):  # never a key outside the prefix
            return None
        try:
            found = self._client.get_object(Bucket=self._bucket, Key=self._key(reference))
        except self._client.exceptions.NoSuchKey:
            return None
        return found["Body"].read(), _TYPES[reference.rsplit(".", 1)[1]]

    def delete(self, reference: str) -> bool:
        if not REFERENCE.fullmatch(reference) or self.get(reference) is None:
            return False
        self._client.delete_object(Bucket=self._bucket, Key=self._key(reference))
        return True

    def _key(self, reference: str) -> str:
        return f"{self._prefix}{reference}"
