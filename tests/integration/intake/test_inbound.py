"""A webhook delivery is taken in whole or not at all: what it registers, what it records and
its id are one transaction, so a delivery that failed half-way is read again in full, and one
that succeeded is never taken in twice."""

from __future__ import annotations

from typing import Any

import pytest

from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.app.intake.inbound import Handle, take_in
from ordertrail.app.queries import order_detail
from ordertrail.bootstrap import System
from ordertrail.sources.canonical import parse_event, parse_order
from tests.conftest import FixedClock
from tests.factories import canonical_order

PARCEL = "1Z999AA10123456784"


class Crash(Exception):
    pass


def delivery(clock: FixedClock, *, crash: bool) -> Any:
    def work(handle: Handle) -> int:
        handle(RegisterOrders([parse_order(canonical_order("ORD-1", (PARCEL, "ups", {"HAT": 1})))]))
        said = {"source": "carrier:ups", "shipment": PARCEL, "milestone": "carrier_accepted"}
        result = handle(
            RecordEvents([parse_event(said | {"occurred_at": clock.now().isoformat()})])
        )
        if crash:
            raise Crash("the process died after the events, before the commit")
        return int(result.accepted)

    return work


def test_a_delivery_that_failed_half_way_leaves_nothing_and_is_taken_in_again(
    system: System, clock: FixedClock
) -> None:
    with pytest.raises(Crash):
        take_in(system.uows, clock, "shopify", "delivery-1", delivery(clock, crash=True))
    assert order_detail(system.uows, "ORD-1") is None  # the order went with the events
    with system.uows(read_only=True) as uow:
        assert not uow.deliveries.seen("shopify", "delivery-1")

    taken = take_in(system.uows, clock, "shopify", "delivery-1", delivery(clock, crash=False))
    assert taken == 1
    detail = order_detail(system.uows, "ORD-1")
    assert detail is not None and detail.status == "shipped"
    again = take_in(system.uows, clock, "shopify", "delivery-1", delivery(clock, crash=False))
    assert again is None  # the same delivery a second time: nothing done
    assert len(order_detail(system.uows, "ORD-1").timeline) == 1  # type: ignore[union-attr]


def test_a_command_that_needs_its_own_transaction_is_not_run_inside_a_delivery(
    system: System, clock: FixedClock
) -> None:
    def work(handle: Handle) -> None:
        handle(RecordEvents([], all_or_nothing=True))

    with pytest.raises(ValueError, match="own transaction"):
        take_in(system.uows, clock, "shopify", "delivery-2", work)
    with system.uows(read_only=True) as uow:
        assert not uow.deliveries.seen("shopify", "delivery-2")
