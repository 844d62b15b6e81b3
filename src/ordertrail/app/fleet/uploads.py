"""What a proof upload must be: an image of a kind we know, told by its first bytes (a file's
name and the type the phone declares are what the sender says, not what the file is), and no
larger than a phone's photo needs."""

from __future__ import annotations

from ordertrail.app.fleet.ports import ProofRefused

PHOTO_BYTES = 8 * 1024 * 1024
SIGNATURE_BYTES = 512 * 1024

#: (first bytes, offset of the second marker, second marker, media type)
_KINDS = (
    (b"\xff\xd8\xff", 0, b"", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, b"", "image/png"),
    (b"RIFF", 8, b"WEBP", "image/webp"),
)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def image_type(content: bytes) -> str | None:
    for head, offset, marker, media_type in _KINDS:
        if content.startswith(head) and (not marker or content[offset:].startswith(marker)):
            return media_type
    return None


def checked(field: str, content: bytes, limit: int, *, only: str | None = None) -> str:
    """The media type of an acceptable upload; ProofRefused says why another is not."""
    if not content:
        raise ProofRefused(field, "is empty")
    if len(content) > limit:
        raise ProofRefused(
            field, f"is {len(content):,} bytes; at most {limit:,} are kept", too_large=True
        )
    found = image_type(content)
    if found is None or (only is not None and found != only):
        wanted = only or "a JPEG, PNG or WebP image"
        raise ProofRefused(field, f"is not {wanted} (judged by its content, not its name)")
    return found
