"""A fleet's news about its stops, as the canonical event reports every source sends."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from ordertrail.app.intake.commands import EventReport, RecordEvents
from ordertrail.app.intake.handlers import BatchResult
from ordertrail.domain.fleet import MILESTONE_OF, SAID, GpsFix, Proof, Route, Stop, StopAction
from ordertrail.domain.fleet import stop_data as data_of
from ordertrail.domain.milestones import Reason
from ordertrail.domain.model import Source

#: How the use cases record events: `System.handle` (which also counts them for /metrics).
Record = Callable[[RecordEvents], BatchResult]


def stop_reports(
    route: Route,
    stops: tuple[Stop, ...],
    action: StopAction,
    occurred_at: datetime,
    key: str,
    *,
    driver: str | None = None,
    reason: Reason | None = None,
    proof: Proof | None = None,
    gps: GpsFix | None = None,
) -> list[EventReport]:
    """One report per parcel of the stops; each parcel's key comes from `key` (the sender's
    idempotency key for the action), so sending the action again repeats every report."""
    source = Source.parse(route.source)
    said = proof.description if proof is not None else SAID[action]
    return [
        EventReport(
            source=source,
            occurred_at=occurred_at,
            milestone=MILESTONE_OF[action],
            reason=reason,
            shipment=parcel,
            key=_parcel_key(route, key, parcel),
            raw_code=str(action),
            raw_description=said,
            data=data_of(route, stop, action, driver=driver, proof=proof, gps=gps),
        )
        for stop in stops
        for parcel in stop.shipments
    ]


def _parcel_key(route: Route, key: str, parcel: str) -> str:
    text = f"fleet:{route.fleet}:{route.id}:{key}:{parcel}"
    return "fleet-" + hashlib.sha256(text.encode()).hexdigest()[:32]
