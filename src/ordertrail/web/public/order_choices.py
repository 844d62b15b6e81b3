"""What the order's page lets the customer decide (a delivery change for a parcel in trouble,
texts for the order), with the ticket their forms carry."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ordertrail.app.customer.tracking import PublicOrder, ticket_for
from ordertrail.domain.milestones import TROUBLE
from ordertrail.web.public.reroute import choices
from ordertrail.web.public.subscribe import sms_view


async def customer_choices(
    request: Request, order: PublicOrder, ticket: str | None
) -> dict[str, Any]:
    """The page's context for _reroute.html and _subscribe.html."""
    system = request.app.state.system
    now = system.clock.now()
    if ticket is None:  # the page made one only for a delivered parcel's forms
        ticket = await run_in_threadpool(partial(ticket_for, system.uows, order.order_id, now))
    # only a parcel in trouble can have a choice to make or one made
    troubled = [
        p.tracking_number for p in order.parcels if p.status in TROUBLE and p.tracking_number
    ]
    changes = await choices(request, order.order_id, troubled, now) if troubled else {}
    sms = await sms_view(request, order.order_id)
    return {"changes": changes, "choice_ticket": ticket, "sms": sms}
