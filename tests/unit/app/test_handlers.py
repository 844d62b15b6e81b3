"""The use cases, on in-memory ports: which reports are refused, and what lands."""

from __future__ import annotations

from typing import Any

import pytest

from ordertrail.app.intake.commands import EventReport, Rebuild, RecordEvents, RegisterOrders
from ordertrail.app.intake.handlers import BatchResult, handle
from ordertrail.app.queries import order_detail, shipment_detail
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Line, Shipment, Source
from tests.conftest import FixedClock
from tests.factories import at, order
from tests.unit.fakes import MemoryUnitOfWorkFactory

M = Milestone
UPS = "1Z999AA10123456784"


@pytest.fixture
def uows() -> MemoryUnitOfWorkFactory:
    factory = MemoryUnitOfWorkFactory()
    parcel = Shipment(UPS, "ORD-1", UPS, "ups", lines=(Line("DRILL-18V", 1),))
    bits = Shipment("BITS-1", "ORD-1", None, "fedex", lines=(Line("BIT-SET", 2),))
    handle(RegisterOrders([order("ORD-1", parcel, bits)]), factory, FixedClock(at(0)))
    return factory


def record(
    uows: MemoryUnitOfWorkFactory, *reports: EventReport, now_hours: float = 200
) -> BatchResult:
    result: BatchResult = handle(RecordEvents(reports), uows, FixedClock(at(now_hours)))
    return result


def report(
    milestone: Milestone | None, hours: float, source: str = "carrier:ups", **fields: Any
) -> EventReport:
    fields.setdefault("shipment", UPS)
    return EventReport(
        source=Source.parse(source), occurred_at=at(hours), milestone=milestone, **fields
    )


def test_good_reports_land_and_re_derive_the_order(uows: MemoryUnitOfWorkFactory) -> None:
    result = record(uows, report(M.CARRIER_ACCEPTED, 1), report(M.IN_TRANSIT, 5))
    assert (result.accepted, result.duplicates, result.problems) == (2, 0, [])
    detail = order_detail(uows, "ORD-1")
    assert detail is not None
    assert detail.status == "partially_shipped"
    assert {s.id: s.status for s in detail.shipments} == {UPS: "in_transit", "BITS-1": None}


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        (report(M.IN_TRANSIT, 1, shipment="1ZNOPE"), "shipment", "no shipment has id"),
        (report(M.IN_TRANSIT, 1, shipment=None, order="ORD-404"), "order", "no order has id"),
        (report(M.IN_TRANSIT, 1, shipment=None), "order", "name the event's order"),
        (report(M.DELIVERED, 1, shipment=None, order="ORD-1"), "milestone", "said of a shipment"),
        (report(M.ORDER_PLACED, 1, "channel:shopify"), "milestone", "said of a order"),
        (report(M.IN_TRANSIT, 1, order="ORD-2"), "order", "belongs to order 'ORD-1'"),
        (report(M.IN_TRANSIT, 1, "ops:maria"), "data.why", "must say why"),
        (report(M.IN_TRANSIT, 1, reason=Reason.WEATHER), "reason", "takes no reason"),
        (report(None, 1), "milestone", "at least a raw_code"),
        (report(M.IN_TRANSIT, 300), "occurred_at", "in the future"),
        (
            report(M.RETURN_REQUESTED, 1, "customer", shipment=None, return_id="RMA-1"),
            "return",
            "name its order",
        ),
    ],
)
def test_each_bad_report_is_refused_with_its_field_and_the_rest_land(
    uows: MemoryUnitOfWorkFactory, bad: EventReport, field: str, words: str
) -> None:
    result = record(uows, report(M.CARRIER_ACCEPTED, 1), bad, report(M.IN_TRANSIT, 5))
    assert result.accepted == 2
    [problem] = result.problems
    assert (problem.index, problem.field) == (1, field)
    assert words in problem.message


def test_a_trouble_report_without_a_reason_gets_other(uows: MemoryUnitOfWorkFactory) -> None:
    record(uows, report(M.CARRIER_ACCEPTED, 1), report(M.EXCEPTION, 3))
    detail = shipment_detail(uows, UPS)
    assert detail is not None
    assert (detail.status, detail.exception_reason) == ("exception", "other")


def test_a_return_named_with_its_order_opens_itself(uows: MemoryUnitOfWorkFactory) -> None:
    record(uows, report(M.CARRIER_ACCEPTED, 1), report(M.DELIVERED, 30))
    requested = report(
        M.RETURN_REQUESTED, 50, "customer", shipment=None, order="ORD-1", return_id="RMA-1"
    )
    assert record(uows, requested).accepted == 1
    later = report(M.RETURN_RECEIVED, 80, "warehouse:reno", shipment=None, return_id="RMA-1")
    assert record(uows, later).accepted == 1
    detail = order_detail(uows, "ORD-1")
    assert detail is not None
    assert [(r.id, r.status) for r in detail.returns] == [("RMA-1", "return_received")]
    assert detail.status == "partially_delivered"  # the bits have not reached the customer
    bits = {"shipment": "BITS-1", "source": "carrier:fedex"}
    record(uows, report(M.CARRIER_ACCEPTED, 20, **bits), report(M.DELIVERED, 40, **bits))
    detail = order_detail(uows, "ORD-1")
    assert detail is not None and detail.status == "return_in_progress"


def test_a_late_event_refolds_the_history(uows: MemoryUnitOfWorkFactory) -> None:
    record(uows, report(M.CARRIER_ACCEPTED, 1), report(M.OUT_FOR_DELIVERY, 20))
    record(uows, report(M.DELIVERY_ATTEMPTED, 22, reason=Reason.RECIPIENT_UNAVAILABLE))
    late_but_older = report(M.IN_TRANSIT, 10)
    record(uows, late_but_older)
    detail = shipment_detail(uows, UPS)
    assert detail is not None
    assert (detail.status, len(detail.timeline)) == ("delivery_attempted", 4)


def test_rebuild_reproduces_what_incremental_updates_made(
    uows: MemoryUnitOfWorkFactory,
) -> None:
    record(
        uows,
        report(M.CARRIER_ACCEPTED, 1),
        report(M.DELIVERED, 30),
        report(M.PICKED, 0, "warehouse:reno", shipment="BITS-1"),
    )
    before = (dict(uows.committed.states), dict(uows.committed.summaries))
    result = handle(Rebuild(), uows, FixedClock(at(100)))
    assert (result.subjects, result.events, result.orders) == (2, 3, 1)
    assert (uows.committed.states, uows.committed.summaries) == before
    assert uows.committed.summaries["ORD-1"].status == "partially_delivered"


def test_an_order_cannot_take_another_orders_parcel(uows: MemoryUnitOfWorkFactory) -> None:
    thief = order("ORD-2", Shipment(UPS, "ORD-2", UPS, "ups"))
    honest = order("ORD-3", Shipment("NEW-1", "ORD-3", "NEW-1", "dhl"))
    result = handle(RegisterOrders([thief, honest]), uows, FixedClock(at(0)))
    assert result.accepted == 1
    assert [(p.index, p.field) for p in result.problems] == [(0, "shipments")]
    assert "ORD-3" in uows.committed.orders and "ORD-2" not in uows.committed.orders


def test_a_report_a_day_ahead_is_tolerated_as_clock_drift(
    uows: MemoryUnitOfWorkFactory,
) -> None:
    ahead = report(M.CARRIER_ACCEPTED, 200 + 23)
    assert record(uows, ahead, now_hours=200).accepted == 1


def test_a_return_with_no_readable_event_changes_nothing_now_or_after_rebuild(
    uows: MemoryUnitOfWorkFactory,
) -> None:
    record(uows, report(M.CARRIER_ACCEPTED, 1), report(M.DELIVERED, 30))
    record(
        uows,
        report(M.CARRIER_ACCEPTED, 1, shipment="BITS-1"),
        report(M.DELIVERED, 31, shipment="BITS-1"),
    )
    odd = report(
        None, 50, "customer", shipment=None, order="ORD-1", return_id="RMA-9", raw_code="RTN?"
    )
    assert record(uows, odd).accepted == 1
    assert uows.committed.summaries["ORD-1"].status == "delivered"
    handle(Rebuild(), uows, FixedClock(at(100)))
    assert uows.committed.summaries["ORD-1"].status == "delivered"


def test_a_return_is_opened_only_by_an_event_that_is_stored(
    uows: MemoryUnitOfWorkFactory,
) -> None:
    taken = report(M.CARRIER_ACCEPTED, 1, key="k-1")
    record(uows, taken)
    reused = report(
        M.RETURN_REQUESTED,
        50,
        "customer",
        shipment=None,
        order="ORD-1",
        return_id="RMA-2",
        key="k-1",
    )
    result = record(uows, reused)
    assert (result.accepted, [p.field for p in result.problems]) == (0, ["key"])
    assert "RMA-2" not in uows.committed.returns


def test_a_key_re_sent_with_the_same_report_is_a_duplicate_with_another_a_refusal(
    uows: MemoryUnitOfWorkFactory,
) -> None:
    first = report(M.IN_TRANSIT, 5, key="carrier-42")
    record(uows, first)
    same = record(uows, first, report(M.CARRIER_ACCEPTED, 1))
    assert (same.accepted, same.duplicates, same.problems) == (1, 1, [])
    other = record(uows, report(M.DELIVERED, 9, key="carrier-42"))
    assert (other.accepted, other.duplicates) == (0, 0)
    assert "already used for a different event" in other.problems[0].message
    within = record(uows, report(M.OUT_FOR_DELIVERY, 7, key="k9"), report(M.DELIVERED, 8, key="k9"))
    assert (within.accepted, [p.index for p in within.problems]) == (1, [1])


@pytest.mark.parametrize(
    ("claimant", "words"),
    [
        (Shipment("NEW-1", "ORD-2", UPS, "ups"), "already belongs to order 'ORD-1'"),
        (Shipment("BITS-1", "ORD-2", None, "ups"), "already belongs to order 'ORD-1'"),
        (Shipment(UPS + "-X", "ORD-1", "BITS-1", "ups"), "already belongs to order 'ORD-1'"),
    ],
)
def test_no_name_can_point_at_two_shipments(
    uows: MemoryUnitOfWorkFactory, claimant: Shipment, words: str
) -> None:
    result = handle(RegisterOrders([order("ORD-2", claimant)]), uows, FixedClock(at(0)))
    assert result.accepted == 0
    assert words in result.problems[0].message


def test_one_batch_cannot_give_a_new_parcel_to_two_orders(uows: MemoryUnitOfWorkFactory) -> None:
    twice = [order(f"ORD-{n}", Shipment("NEW-1", f"ORD-{n}", "T-NEW", "ups")) for n in (5, 6)]
    doubled = order(
        "ORD-7", Shipment("A", "ORD-7", "T-SAME", "ups"), Shipment("B", "ORD-7", "T-SAME", "ups")
    )
    result = handle(RegisterOrders([*twice, doubled]), uows, FixedClock(at(0)))
    assert result.accepted == 1
    assert [p.index for p in result.problems] == [1, 2]
    assert "'T-SAME' already names shipment 'A'" in result.problems[1].message


def test_a_mapping_reads_history_again_and_rebuild_agrees(uows: MemoryUnitOfWorkFactory) -> None:
    from ordertrail.app.intake.commands import MapCode

    record(uows, report(M.CARRIER_ACCEPTED, 1), report(None, 40, raw_code="0044"))  # = 044
    assert shipment_detail(uows, UPS).status == "carrier_accepted"  # type: ignore[union-attr]
    result = handle(MapCode("ups", "044", M.DELIVERED, None, "ops:lee"), uows, FixedClock(at(50)))
    assert (result.subjects, result.events) == (1, 2)
    assert shipment_detail(uows, UPS).status == "delivered"  # type: ignore[union-attr]
    before = (dict(uows.committed.states), dict(uows.committed.summaries))
    handle(Rebuild(), uows, FixedClock(at(60)))
    assert (uows.committed.states, uows.committed.summaries) == before
    kept = [e.milestone for e in uows.committed.events.values() if e.raw_code]
    assert kept == [None], "the log keeps events as they arrived"
