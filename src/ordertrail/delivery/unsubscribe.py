"""The one-click unsubscribe link of a customer's email (RFC 8058): `List-Unsubscribe` names
it, `List-Unsubscribe-Post` says a POST to it is enough, and the body shows it too. The link
holds the message's own link token (app/messages/subscriptions.py finds the order by it)."""

from __future__ import annotations

from ordertrail.app.addresses import part
from ordertrail.app.messages.delivery import Outgoing

ONE_CLICK = "List-Unsubscribe=One-Click"


def unsubscribe_link(public_url: str, outgoing: Outgoing) -> str | None:
    """Where a customer's email can be stopped; None for staff alerts and texts."""
    message = outgoing.message
    if message.channel != "email" or message.audience != "customer" or not outgoing.link_token:
        return None
    return f"{public_url.rstrip('/')}/unsubscribe/{part(outgoing.link_token)}"
