"""The returns desk in the console without a browser: the queue in its four groups with the
inspection's age against the SLA, a return's page, and every action as the signed-in staff
member with their why. Roles are held to their part (support decides, the warehouse handles
goods), and what the rules refuse is said on the page and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ordertrail.app.intake.commands import RegisterOrders
from ordertrail.app.returns.commands import ReceiveReturn
from ordertrail.app.returns.views import return_view
from ordertrail.bootstrap import System
from ordertrail.domain.returns.return_lines import ReturnLine, ReturnReason
from ordertrail.sources.canonical import parse_order
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import canonical_order, sign_in
from tests.integration.returns.test_returns import CLERK, ask, carrier, delivered_order, stored

R = ReturnReason


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system)) as test_client:
        yield test_client


def another_delivered(system: System, clock: FixedClock, order_id: str) -> None:
    """A second order like the first (a drill and two bit sets), in its own parcel."""
    order = canonical_order(order_id, (f"1Z{order_id}", "ups", {"DRILL": 1, "BITS": 2}))
    order["value"] = {"amount": 30000, "currency": "USD"}
    system.handle(RegisterOrders([parse_order(order)]))
    carrier(system, clock, f"1Z{order_id}", "delivered")


def section(page: str, heading: str) -> str:
    """The text of one group of the queue, from its heading to the next."""
    found = re.search(rf"<h2 id=\"[a-z]+-h\">{heading}.*?(?=<h2 |\Z)", page, re.S)
    assert found, page
    return found.group(0)


def test_the_queue_groups_returns_and_marks_an_overdue_inspection(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    delivered_order(system, clock)
    another_delivered(system, clock, "ORD-2")
    another_delivered(system, clock, "ORD-3")
    drill = ask(system, ReturnLine("DRILL", 1, R.DAMAGED))  # inspected before a refund
    bits = ask(system, ReturnLine("BITS", 1, R.WARRANTY), order="ORD-2")  # left to a person
    later = ask(system, ReturnLine("BITS", 2, R.OTHER), order="ORD-3")
    system.handle(ReceiveReturn(drill.id, CLERK, {"DRILL": 1}))
    clock.advance(hours=49)  # past the 48 h inspection SLA
    sign_in(client, system, "ops")

    page = client.get("/ops/returns")
    assert page.status_code == 200
    assert bits.id in section(page.text, "Awaiting approval")
    assert later.id in section(page.text, "In transit")
    waiting = section(page.text, "Awaiting inspection")
    assert drill.id in waiting and "49 h of 48 h (DRILL)" in waiting and "overdue" in waiting
    assert "None." in section(page.text, "Decided and closed")
    assert 'href="/ops/returns"' in page.text  # in the console's navigation


def test_a_clerk_receives_inspects_and_refunds_and_the_timeline_says_who_and_why(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("DRILL", 1, R.DAMAGED), ReturnLine("BITS", 2, R.DEFECTIVE))
    csrf = sign_in(client, system, "ops", "kim@shop.example")
    url = f"/ops/returns/{file.id}"
    page = client.get(url)
    assert "DRILL (damaged): inspected before any refund" in page.text  # the policy's why
    assert "nothing has been received yet" in page.text  # why the refund waits

    received = client.post(
        f"{url}/receive",
        data={"csrf": csrf, "sku": ["DRILL", "BITS"], "quantity": ["1", "2"], "why": "dock 3"},
    )
    assert received.status_code == 200 and "Goods received" in received.text
    clock.advance(hours=2)
    inspect = {"csrf": csrf, "sku": "DRILL", "disposition": "scrap", "damaged": "1"}
    inspect |= {"note": "housing cracked", "photo": "cam/17.jpg"}
    assert "Line inspected" in client.post(f"{url}/inspect", data=inspect).text
    clock.advance(minutes=5)
    inspect = {"csrf": csrf, "sku": "BITS", "disposition": "restock", "damaged": "0"}
    shown = client.post(f"{url}/inspect", data=inspect)
    assert "The policy allows 300.00 USD now" in shown.text
    refunded = client.post(f"{url}/refund", data={"csrf": csrf, "why": "inspected, drill scrap"})
    assert "Refund released" in refunded.text and "300.00 USD" in refunded.text

    view = return_view(system.uows, file.id)
    assert view is not None and view.status == "refund_released"
    drill = next(line for line in view.lines if line.sku == "DRILL")
    assert (drill.disposition, drill.damaged, drill.note, drill.photo) == (
        "scrap",
        1,
        "housing cracked",
        "cam/17.jpg",
    )
    staff = [
        (s.milestone, s.why) for s in view.timeline if s.source == "ops:staff:kim@shop.example"
    ]
    assert staff == [
        ("return_received", "dock 3"),
        ("disposition_decided", "housing cracked"),
        ("disposition_decided", "inspected: restock"),
        ("refund_released", "inspected, drill scrap"),
    ]
    assert "Decided and closed" in client.get("/ops/returns").text


def test_staff_approve_with_a_reason_and_an_empty_reason_is_refused(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    delivered_order(system, clock)
    claim = ask(system, ReturnLine("DRILL", 1, R.WARRANTY))
    csrf = sign_in(client, system, "support")
    before = stored(system)
    refused = client.post(f"/ops/returns/{claim.id}/approve", data={"csrf": csrf, "why": " "})
    assert refused.status_code == 422
    assert "say why it is approved" in refused.text
    assert stored(system) == before
    approved = client.post(
        f"/ops/returns/{claim.id}/approve", data={"csrf": csrf, "why": "known motor fault"}
    )
    assert "Return approved" in approved.text
    view = return_view(system.uows, claim.id)
    assert view is not None and view.status == "return_approved"
    assert view.timeline[-1].source == "ops:staff:support@shop.example"
    assert view.timeline[-1].why == "known motor fault"


@pytest.mark.parametrize(
    ("action", "form", "says"),
    [
        ("refund", {}, "nothing has been received yet"),
        ("inspect", {"sku": "DRILL", "disposition": "restock"}, "has not been received"),
        ("inspect", {"sku": "SAW", "disposition": "restock"}, "SAW&#39; is not a line of"),
        ("receive", {"sku": "DRILL", "quantity": "0"}, "count at least one unit"),
        ("receive", {"sku": "DRILL", "quantity": "5"}, "only 1 of 1 asked back are still out"),
        ("replacement", {}, "only once the goods are back"),
    ],
)
def test_refused_actions_say_why_on_the_page_and_change_nothing(
    client: TestClient,
    system: System,
    clock: FixedClock,
    action: str,
    form: dict[str, str],
    says: str,
) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("DRILL", 1, R.DAMAGED))
    csrf = sign_in(client, system, "ops")
    before = stored(system)
    answer = client.post(f"/ops/returns/{file.id}/{action}", data={"csrf": csrf, **form})
    assert answer.status_code == 422
    assert says in answer.text and 'role="alert"' in answer.text
    assert stored(system) == before


def test_an_inspection_with_more_damaged_than_received_is_refused(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("BITS", 1, R.DEFECTIVE))
    csrf = sign_in(client, system, "ops")
    client.post(
        f"/ops/returns/{file.id}/receive", data={"csrf": csrf, "sku": "BITS", "quantity": 1}
    )
    before = stored(system)
    form = {"csrf": csrf, "sku": "BITS", "disposition": "scrap", "damaged": "2"}
    answer = client.post(f"/ops/returns/{file.id}/inspect", data=form)
    assert answer.status_code == 422 and "2 damaged, but 1 were received" in answer.text
    assert stored(system) == before


@pytest.mark.parametrize(
    ("role", "action", "form"),
    [
        ("warehouse", "refund", {}),
        ("warehouse", "approve", {"why": "looks fine"}),
        ("support", "receive", {"sku": "DRILL", "quantity": "1"}),
        ("support", "inspect", {"sku": "DRILL", "disposition": "scrap"}),
    ],
)
def test_each_role_does_only_its_part(
    client: TestClient,
    system: System,
    clock: FixedClock,
    role: str,
    action: str,
    form: dict[str, str],
) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("DRILL", 1, R.WARRANTY))
    csrf = sign_in(client, system, role)
    page = client.get(f"/ops/returns/{file.id}")
    assert page.status_code == 200 and 'href="/ops/returns"' in page.text
    before = stored(system)
    answer = client.post(f"/ops/returns/{file.id}/{action}", data={"csrf": csrf, **form})
    assert answer.status_code == 403 and "Your role may not" in answer.text
    assert stored(system) == before


def test_forms_without_the_session_token_or_sign_in_change_nothing(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("DRILL", 1, R.WARRANTY))
    before = stored(system)
    anonymous = client.post(
        f"/ops/returns/{file.id}/approve", data={"why": "ok"}, follow_redirects=False
    )
    assert anonymous.status_code == 303 and "/ops/login" in anonymous.headers["location"]
    assert client.get("/ops/returns", follow_redirects=False).status_code == 303
    sign_in(client, system, "ops")
    stale = client.post(f"/ops/returns/{file.id}/approve", data={"csrf": "x", "why": "ok"})
    assert stale.status_code == 403 and "stale" in stale.text
    assert client.get("/ops/returns/RMA-9").status_code == 404
    assert stored(system) == before
