"""`/hooks/{source}`: signed deliveries from carriers, aggregators and fleets.

The signature is checked on the raw body before anything is parsed: a bad or missing one is
401 and stores nothing. A good delivery is acknowledged with 200 even when some of what it
says cannot be used (those items are listed), because a sender that gets an error retries
the same delivery for days; a duplicate delivery changes nothing; events for shipments not
registered yet are held and attach themselves when the shipment is registered.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from ordertrail.app.intake.commands import RecordEvents, RegisterOrders, RegisterShipments
from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.app.intake.inbound import Handle, delivery_write
from ordertrail.sources.carriers import CarrierParseError
from ordertrail.sources.hooks import Parsed, SignatureRefused, hook_source, lower_headers
from ordertrail.web.api.answers import HookAnswer, shows
from ordertrail.web.api.docs import ApiRoute, Segment, refusals
from ordertrail.web.body_limit import HOOK_BYTES
from ordertrail.web.commits import committed
from ordertrail.web.problems import item_errors, problem


def router() -> APIRouter:
    hooks = APIRouter(prefix="/hooks", tags=["hooks"], route_class=ApiRoute)

    @hooks.post(
        "/{source}",
        response_model=None,
        responses=shows(HookAnswer, why="Taken in; `refused` lists what could not be used.")
        | refusals(
            {
                401: "The signature is missing, wrong or too old; nothing was stored.",
                404: "No hook is configured for this source.",
                413: f"The delivery is larger than {HOOK_BYTES} bytes.",
                422: "The delivery cannot be read; nothing was stored.",
            }
        ),
    )
    async def deliver(request: Request, source: Segment) -> Response:
        """A signed delivery from `source` (easypost, aftership, or any source signing per
        the Standard Webhooks spec with canonical events)."""
        system = request.app.state.system
        secret = system.settings.hook_secret(source)
        if secret is None:  # not counted: only configured sources name a figure
            return problem(404, "Not found", f"no hook is configured for '{source}'")
        source = source.lower()
        try:
            body = await request.body()  # web.body_limit stops it at a delivery's limit
        except HTTPException as refused:
            if refused.status_code == 413:
                system.meter.hook_refused(source, "too_large")
            raise
        hook = hook_source(source)
        headers = lower_headers(request.headers)
        try:
            hook.verify(body, headers, secret)
        except SignatureRefused as refusal:
            system.meter.hook_refused(source, "bad_signature")
            return problem(401, "Unauthorized", str(refusal))
        try:
            parsed = hook.parse(body, headers)
        except CarrierParseError as error:
            system.meter.hook_refused(source, "malformed")
            return problem(422, "Unreadable delivery", f"{error.where}: {error.message}")
        # the id is remembered in the same transaction as what the delivery stores: a
        # delivery that failed is read again, one that succeeded never twice
        outcomes: list[Any] = []
        work = partial(apply, system.meter, parsed, outcomes)
        delivery = hook.delivery_id(headers)
        write = delivery_write(source, delivery, system.clock, work)
        size = len(parsed.reports) + len(parsed.orders) + len(parsed.shipments)
        answer = await committed(request.app.state.commits, write, size)
        if answer is None:
            system.meter.hook_refused(source, "duplicate_delivery")
            return JSONResponse({"accepted": 0, "duplicates": 0, "duplicate_delivery": True})
        for tally in outcomes:  # counted once committed, not for a transaction undone
            system.meter.events_in(tally)
        return JSONResponse(answer)

    return hooks


def apply(meter: Any, parsed: Parsed, outcomes: list[Any], handle: Handle) -> dict[str, Any]:
    """Register the delivery's orders and parcels, then record its events (which may be
    about them); the answer lists what could not be used, as the sender numbered it.
    `outcomes` receives the events-in figures, to count once the delivery is committed."""
    outcomes.clear()  # a group commit may run a write again: only the last run counts
    registered = [handle(RegisterOrders(parsed.orders))] if parsed.orders else []
    if parsed.shipments:
        registered.append(handle(RegisterShipments(parsed.shipments)))
    # what an older copy of an order or parcel says happened is as old as the copy: not
    # recorded
    stale = {name for r in registered for name in r.stale}
    kept = [
        n
        for n, report in enumerate(parsed.reports)
        if report.order not in stale and report.shipment not in stale
    ]
    reports = [parsed.reports[n] for n in kept]
    if parsed.refused:  # items the parser could not read: refused before the use case
        outcomes.append({("unknown", "rejected"): len({p.index for p in parsed.refused})})
    result = handle(RecordEvents(reports, keep_unmatched=True))
    if result.outcomes:
        outcomes.append(result.outcomes)
    refused = parsed.refused + [
        ItemProblem(parsed.positions[kept[p.index]], p.field, p.message) for p in result.problems
    ]
    refused.sort(key=lambda p: p.index)
    answer: dict[str, Any] = {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "unmatched": result.unmatched,
        "refused": item_errors(refused),
    }
    if registered:
        answer["registered"] = sum(r.accepted for r in registered)
        answer["not_registered"] = [p.message for r in registered for p in r.problems]
    return answer
