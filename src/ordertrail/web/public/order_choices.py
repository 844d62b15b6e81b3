"""What the order's page lets the customer decide (a delivery change for a parcel in trouble,
texts for the order), with the ticket their forms carry."""

from __future__ import annotations

from typing import Any

from ordertrail.app.customer.tracking_page import OrderPage
from ordertrail.web.public.reroute import choice_views
from ordertrail.web.public.subscribe import sms_view


def customer_choices(page: OrderPage) -> dict[str, Any]:
    """The page's context for _reroute.html and _subscribe.html."""
    return {
        "changes": choice_views(page.changes),
        "choice_ticket": page.ticket,
        "sms": sms_view(page.subscription),
    }
