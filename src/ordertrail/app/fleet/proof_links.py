"""Links to a delivery's photo and signature: signed and short-lived, so a proof file is
never public. The link holds the reference and when it stops working, signed with a key
derived from the install's link secret; nothing is stored per link."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta

#: Long enough to read the page and open the photo; a link copied elsewhere soon stops.
LINK_LASTS = timedelta(minutes=30)
REFERENCE = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp)$")


def proof_link(secret: bytes, reference: str, now: datetime) -> str:
    until = int((now + LINK_LASTS).timestamp())
    return f"/proof/{reference}?until={until}&sig={_signature(secret, reference, until)}"


def link_opens(secret: bytes, reference: str, until: int, signature: str, now: datetime) -> bool:
    """Is this the link we made for `reference`, and is it still fresh?"""
    if not REFERENCE.fullmatch(reference) or until < now.timestamp():
        return False
    return hmac.compare_digest(_signature(secret, reference, until), signature)


def _signature(secret: bytes, reference: str, until: int) -> str:
    key = hmac.new(secret, b"proof-links", hashlib.sha256).digest()  # apart from other tokens
    digest = hmac.new(key, f"{reference}:{until}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")
