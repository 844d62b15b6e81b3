"""Finding a customer's order on a public page: by its number with the email address or the
postal code it was sent to (`/track`, `/returns`), or by a ticket a page handed out once the
order was found (the forms of both pages carry one, so nothing typed goes back into a page).

One set of rules and one set of counters for every page that can reveal an order, so moving
between the pages buys a guesser nothing: "not found" and "does not match" are the same
answer; lookups are limited per client and per identifier; only a miss counts against the
identifier (a customer's own looks do not), and only many misses from everywhere together
pause it for everyone (web/guard.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from fastapi import Request
from limits import parse
from starlette.concurrency import run_in_threadpool

from ordertrail.app.customer.tracking import PublicOrder, public_order
from ordertrail.app.messages.notify import order_of_token
from ordertrail.domain.lookup_keys import order_key
from ordertrail.web.guard import Limiter, Refusal

PER_CLIENT = parse("30/minute")  # every lookup from one address
PER_IDENTIFIER = parse("10/minute")  # lookups of one order or ticket that found nothing
#: the same from every address together: past this, looking it up pauses for everyone
OVERALL = parse("100/10 minutes")
#: the limits of every lookup that can reveal an order (the counts live in app.state)
LOOKUPS = Limiter("track", PER_CLIENT, PER_IDENTIFIER, OVERALL)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Miss:
    """Why nothing is shown: `needs_proof` (no email or postal code), `busy` (rate limited),
    `no_order` (unknown or not matching: the same) or `no_ticket`."""

    problem: str
    status: int
    retry_after: int | None = None

    @classmethod
    def busy(cls, refused: Refusal) -> Miss:
        return cls("busy", 429, refused.retry_after)


async def find_order(
    request: Request, order: str, email: str, postal_code: str
) -> PublicOrder | Miss:
    """The customer's order, when the email or postal code matches it."""
    system = request.app.state.system
    now = system.clock.now()
    looking = partial(public_order, system.uows, order, email, postal_code, now=now)
    return await look_up(request, order, email, postal_code, looking)


async def look_up(
    request: Request, order: str, email: str, postal_code: str, reading: Callable[[], T | None]
) -> T | Miss:
    """What `reading` finds of the order (in a thread: it reads the database) once the
    lookup is allowed; it is None when the email or postal code does not match."""
    if not (email.strip() or postal_code.strip()):
        return Miss("needs_proof", 422)
    identifier = f"order:{order_key(order)}"
    if refused := LOOKUPS.refusal(request, identifier):
        return Miss.busy(refused)
    found: T | None = await run_in_threadpool(reading)
    if found is None:
        LOOKUPS.wrong(request, identifier)
        return Miss("no_order", 404)
    return found


async def order_of_ticket(request: Request, ticket: str) -> str | Miss:
    """The order a page's ticket (or a message's link token) opens while it is fresh."""
    identifier = f"token:{ticket}"
    if refused := LOOKUPS.refusal(request, identifier):
        return Miss.busy(refused)
    system = request.app.state.system
    opening = partial(order_of_token, system.uows, ticket, system.clock.now())
    order_id: str | None = await run_in_threadpool(opening)
    if order_id is None:
        LOOKUPS.wrong(request, identifier)
        return Miss("no_ticket", 404)
    return order_id
