"""A B2B order as its account manager lives it, through the real API on a real database: three
lines for a hardware chain's distribution centre, shipped short on two pallets (SSCC labels),
a dock appointment moved and then missed, the case it opens for the accounts team, the truck
booked again and unloaded with a damaged unit, and the order open until the short line is
settled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordertrail.app.queries import order_detail
from ordertrail.bootstrap import System
from ordertrail.domain.model import Subject, SubjectKind
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, sign_in

ORDER = "PO-ORD-7001"
#: two pallets, each with its GS1 serial shipping container code
PALLET_1, PALLET_2 = "000123456789012345", "000123456789012352"
DRILLS, SAWS, BITS = "DRILL-18V", "SAW-CIRC", "BIT-SET"


def b2b_order(saws: int = 4) -> dict[str, Any]:
    return {
        "id": ORDER,
        "channel": "edi",
        "placed_at": "2026-11-16T09:00:00-05:00",
        "customer": {"name": "Receiving", "email": "dock@northwind.example", "country": "US"},
        "lines": [
            {"sku": DRILLS, "quantity": 10, "name": "18V drill"},
            {"sku": SAWS, "quantity": saws, "name": "Circular saw"},
            {"sku": BITS, "quantity": 2, "name": "Bit set"},
        ],
        "shipments": [
            # the warehouse had 3 saws of 4: the order ships short
            {
                "tracking_number": PALLET_1,
                "carrier": "rl",
                "lines": [{"sku": DRILLS, "quantity": 10}],
            },
            {
                "tracking_number": PALLET_2,
                "carrier": "rl",
                "lines": [{"sku": SAWS, "quantity": 3}, {"sku": BITS, "quantity": 2}],
            },
        ],
        "business": {
            "consignee": "Northwind Hardware",
            "receiving_site": "Louisville DC 2",
            "purchase_order": "4500012345",
            "dock_appointment": True,
            "liftgate": False,
            "receiving_hours": "Mon-Fri 07:00-15:00",
        },
    }


@pytest.fixture
def api(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system), headers=api_key(system)) as client:
        assert client.post("/api/v1/orders", json=b2b_order()).status_code == 201
        yield client


def said(client: TestClient, clock: FixedClock, *events: dict[str, Any]) -> Any:
    at = {"occurred_at": clock.now().isoformat()}
    answer = client.post("/api/v1/events", json=[at | event for event in events])
    assert answer.status_code == 200, answer.text
    return answer.json()


def dock(milestone: str, **data: Any) -> dict[str, Any]:
    return {"order": ORDER, "milestone": milestone, "source": "carrier:rl", "data": data}


def lines(system: System) -> dict[str, tuple[int, int, int, int, int]]:
    """Per SKU: ordered, shipped, delivered, short, damaged."""
    detail = order_detail(system.uows, ORDER)
    assert detail is not None
    return {
        line.sku: (line.ordered, line.shipped, line.delivered, line.short, line.damaged)
        for line in detail.line_progress
    }


def status(system: System) -> str:
    detail = order_detail(system.uows, ORDER)
    assert detail is not None
    return detail.status


def dock_cases(system: System) -> list[Any]:
    with system.uows(read_only=True) as uow:
        found = uow.cases.for_subjects([Subject(SubjectKind.ORDER, ORDER)], open_only=False)
    return found.get(Subject(SubjectKind.ORDER, ORDER), [])


def window(day: int, start: int, end: int) -> dict[str, str]:
    return {
        "window_start": f"2026-11-{day}T{start:02d}:00:00-05:00",
        "window_end": f"2026-11-{day}T{end:02d}:00:00-05:00",
    }


def test_a_short_shipped_order_with_a_missed_dock_appointment(
    api: TestClient, system: System, clock: FixedClock
) -> None:
    detail = order_detail(system.uows, ORDER)
    assert detail is not None and detail.business is not None
    assert detail.business.purchase_order == "4500012345"
    assert detail.business.needs == ["dock appointment", "receives Mon-Fri 07:00-15:00"]
    assert lines(system)[SAWS] == (4, 0, 0, 1, 0)  # one saw is on no pallet at all

    accepted = {"milestone": "carrier_accepted", "source": "carrier:rl"}
    said(api, clock, *[accepted | {"shipment": pallet} for pallet in (PALLET_1, PALLET_2)])
    assert status(system) == "partially_shipped"  # everything that exists left; one saw did not

    said(api, clock, dock("dock_appointment_requested"))
    said(api, clock, dock("dock_appointment_scheduled", dock="7", **window(19, 8, 10)))
    clock.advance(hours=20)
    said(api, clock, dock("dock_appointment_moved", dock="7", **window(20, 13, 15)))
    assert dock_cases(system) == []
    clock.advance(days=1)
    said(api, clock, dock("dock_appointment_missed"))

    [case] = dock_cases(system)
    assert case.status == "open" and case.team == "accounts"
    assert "13:00" in case.detail or "18:00" in case.detail  # the window it missed
    detail = order_detail(system.uows, ORDER)
    assert detail is not None and detail.needs_attention
    assert detail.appointment is not None and detail.appointment.moves == 1

    # booked again: the truck comes, is unloaded, one drill arrived broken
    clock.advance(hours=3)
    said(api, clock, dock("dock_appointment_scheduled", **window(23, 8, 10)))
    [case] = dock_cases(system)
    assert case.status == "resolved"
    clock.advance(days=2)
    said(api, clock, dock("dock_checked_in"))
    said(
        api,
        clock,
        *[
            {"shipment": p, "milestone": "delivered", "source": "carrier:rl"}
            for p in (PALLET_1, PALLET_2)
        ],
    )
    clock.advance(hours=1)
    said(api, clock, dock("unloaded", damaged=[{"sku": DRILLS, "quantity": 1}]))

    assert lines(system) == {
        DRILLS: (10, 10, 10, 0, 1),
        SAWS: (4, 3, 3, 1, 0),
        BITS: (2, 2, 2, 0, 0),
    }
    assert status(system) == "partially_delivered"  # the short saw is not settled yet

    # the buyer agrees to take 3 saws: the channel sends the order with the line changed
    assert api.post("/api/v1/orders", json=b2b_order(saws=3)).status_code in (200, 201)
    assert status(system) == "delivered"
    assert lines(system)[SAWS] == (3, 3, 3, 0, 0)
    timeline = [row.milestone for row in order_detail(system.uows, ORDER).timeline]  # type: ignore[union-attr]
    assert timeline.count("dock_appointment_scheduled") == 2
    assert "dock_appointment_missed" in timeline and "unloaded" in timeline

    # the receiving site reads it on the tracking page (the order, with its email)
    public = api.get("/track", params={"order": ORDER, "email": "dock@northwind.example"}).text
    assert "Delivery to Northwind Hardware, Louisville DC 2" in public
    assert "Your purchase order 4500012345" in public
    assert 'data-state="unloaded"' in public and "1 × 18V drill arrived damaged" in public

    # the account manager reads it all on the order's page
    csrf = sign_in(api, system, "ops")
    assert csrf
    page = api.get(f"/ops/orders/{ORDER}").text
    assert "Delivery to Northwind Hardware" in page and "4500012345" in page
    assert 'data-state="unloaded"' in page
    assert 'data-sku="DRILL-18V"' in page


def test_an_appointment_report_that_cannot_be_read_is_refused_and_nothing_is_stored(
    api: TestClient, system: System, clock: FixedClock
) -> None:
    bad = [
        dock("dock_appointment_scheduled"),  # no window
        dock("dock_appointment_moved", window_start="tomorrow", window_end="later"),
        dock("dock_appointment_scheduled", **window(20, 15, 13)),  # ends before it starts
        dock("unloaded", damaged=[{"sku": DRILLS, "quantity": 0}]),
        dock("unloaded", damaged="one drill"),
        # said of a pallet, not of the order
        {"shipment": PALLET_1, "milestone": "dock_checked_in", "source": "carrier:rl"},
    ]
    for event in bad:
        answer = api.post("/api/v1/events", json=[event | {"occurred_at": clock.now().isoformat()}])
        assert answer.status_code == 422, (event, answer.text)
    detail = order_detail(system.uows, ORDER)
    assert detail is not None and detail.appointment is None
    assert not [row for row in detail.timeline if row.milestone and "dock" in row.milestone]


def test_a_b2b_order_needs_a_consignee_and_sane_fields(api: TestClient) -> None:
    order = b2b_order()
    for business in (
        {"consignee": ""},
        {"consignee": "   "},
        {"consignee": "N" * 201},
        {"purchase_order": "4500012345"},
        {"consignee": "Northwind", "liftgate": "maybe"},
        {"consignee": "Northwind", "dock": "7"},
    ):
        answer = api.post("/api/v1/orders", json=order | {"id": "PO-BAD", "business": business})
        assert answer.status_code == 422, (business, answer.text)
    assert api.get("/api/v1/orders/PO-BAD").status_code == 404
