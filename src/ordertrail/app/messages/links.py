"""Tracking-link tokens, derived rather than stored: a message's link is an HMAC of the
message's id under the install's link secret, made when the message is sent; the tracking
page's ticket for an order is an HMAC of the order id and the month it is in. Only their
SHA-256 is stored (to find the order and when the link was made), so neither the outbox nor
any other table holds a token that opens an order, and the same message or month always
gets the same token: sending again or looking again writes no new row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

#: One ticket per order for this long; it is fresh (notify.LINK_LASTS) well beyond it.
TICKET_PERIOD = timedelta(days=30)


def message_token(secret: bytes, message_id: str) -> str:
    return _derived(secret, f"message:{message_id}")


def order_ticket(secret: bytes, order_id: str, now: datetime) -> str:
    period = int(now.timestamp() // TICKET_PERIOD.total_seconds())
    return _derived(secret, f"ticket:{period}:{order_id}")


def token_hash(token: str) -> str:
    """What is stored of a link token: whoever reads the database cannot open orders."""
    return hashlib.sha256(token.encode()).hexdigest()


def _derived(secret: bytes, what: str) -> str:
    digest = hmac.new(secret, what.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")  # 128 bits, 22 chars
