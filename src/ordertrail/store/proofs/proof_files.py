"""Delivery photos and signatures in a folder: `<folder>/<first two hex>/<sha256>.<ext>`.

Named by the SHA-256 of their bytes, so a resent photo lands on the file already there and a
reference names exactly one content. Written to a temporary name and renamed into place, so a
crash never leaves half a photo under a real name. The folder is never served as static files:
pages open a file only through a signed, expiring link (`/proof/...`)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ordertrail.app.fleet.proof_links import REFERENCE
from ordertrail.app.fleet.uploads import EXTENSIONS

_TYPES = {extension: media_type for media_type, extension in EXTENSIONS.items()}


class FolderProofFiles:
    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def put(self, content: bytes, media_type: str) -> str:
        reference = f"{hashlib.sha256(content).hexdigest()}.{EXTENSIONS[media_type]}"
        path = self._path(reference)
        if path.exists():
            return reference
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as part:
            part.write(content)
            part.flush()
            os.fsync(part.fileno())
        Path(part.name).replace(path)
        return reference

    def get(self, reference: str) -> tuple[bytes, str] | None:
        if not REFERENCE.fullmatch(reference):  # never a path outside the folder
            return None
        path = self._path(reference)
        if not path.is_file():
            return None
        return path.read_bytes(), _TYPES[reference.rsplit(".", 1)[1]]

    def delete(self, reference: str) -> bool:
        if not REFERENCE.fullmatch(reference):
            return False
        path = self._path(reference)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def _path(self, reference: str) -> Path:
        return self._folder / reference[:2] / reference
