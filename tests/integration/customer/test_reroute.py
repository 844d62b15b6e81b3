"""A customer chooses how a parcel in trouble reaches them, from the order's page: what is
offered when, what lands on the timeline and with operations, and what is refused."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordertrail.app.casework.cases import find_cases, work_case
from ordertrail.app.customer.delivery_change import request_change
from ordertrail.app.customer.delivery_change_ports import CarrierAnswer
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.queries import shipment_detail
from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.domain.casework.cases import CaseAction, CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind, Team
from ordertrail.domain.customer.delivery_change import ChangeRefused, DeliveryChange
from ordertrail.domain.fold import Effect
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order

UPS, FEDEX = "1Z999AA10123456784", "123456789012"
ORDER_PAGE = {"order": "ORD-7", "email": "dana@example.com"}


@pytest.fixture
def system(database_url: str, clock: FixedClock) -> Iterator[System]:
    built = build(Settings(database_url=database_url), clock=clock)
    yield built
    built.close()


@pytest.fixture
def client(system: System, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        order = canonical_order("ORD-7", (UPS, "ups", {"HAT": 1}), (FEDEX, "fedex", {"MUG": 1}))
        order["customer"] |= {"country": "US", "time_zone": "America/New_York"}
        assert test_client.post("/api/v1/orders", json=order).status_code == 201
        said(test_client, clock, UPS, "carrier_accepted")
        said(test_client, clock, FEDEX, "carrier_accepted")
        missed(test_client, clock, UPS)
        yield test_client


def said(client: TestClient, clock: FixedClock, parcel: str, milestone: str, **more: Any) -> None:
    clock.advance(hours=3)
    carrier = "ups" if parcel == UPS else "fedex"
    event = {
        "shipment": parcel,
        "milestone": milestone,
        "source": f"carrier:{carrier}",
        "occurred_at": clock.now().isoformat(),
    }
    answer = client.post("/api/v1/events", json=[event | more])
    assert answer.status_code == 200 and not answer.json().get("problems"), answer.text


def missed(
    client: TestClient, clock: FixedClock, parcel: str, reason: str = "recipient_unavailable"
) -> None:
    said(client, clock, parcel, "out_for_delivery")
    said(client, clock, parcel, "delivery_attempted", reason=reason)


def order_page(client: TestClient) -> str:
    answer = client.get("/track", params=ORDER_PAGE)
    assert answer.status_code == 200
    return answer.text


def ticket_of(page: str) -> str:
    form = r'action="/track/delivery-change".*?name="ticket" value="([^"]+)"'
    found = re.search(form, page, re.S)
    assert found, "no delivery choice offered"
    return found.group(1)


def choose(client: TestClient, ticket: str, choice: str, day: str = "", tracking: str = UPS) -> Any:
    form = {"ticket": ticket, "tracking": tracking, "choice": choice, "day": day}
    return client.post("/track/delivery-change", data=form, follow_redirects=False)


def delivery_change_cases(system: System) -> list[Any]:
    query = CaseQuery(status=None, kind=ExceptionKind.DELIVERY_CHANGE)
    return find_cases(system.uows, query)


def test_a_first_missed_delivery_offers_no_choice_the_second_does(
    client: TestClient, clock: FixedClock
) -> None:
    assert 'action="/track/delivery-change"' not in order_page(client)
    missed(client, clock, UPS)
    page = order_page(client)
    assert "Choose how to get this parcel" in page
    assert "Send it to a pickup point near me" in page
    # the days offered: the next business days where the customer is, never a weekend
    days = re.findall(r'<option value="(\d{4}-\d\d-\d\d)">', page)
    assert len(days) == 5 and "2026-11-28" not in days and "2026-11-29" not in days
    assert page.count('action="/track/delivery-change"') == 1  # not for the parcel on its way


def test_choosing_a_pickup_point_lands_on_the_timeline_and_with_operations(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    missed(client, clock, UPS)
    ticket = ticket_of(order_page(client))
    answer = choose(client, ticket, "pickup_point")
    assert answer.status_code == 303 and answer.headers["location"] == f"/t/{ticket}"
    page = client.get(answer.headers["location"]).text
    assert "to send this parcel to a pickup point" in page
    assert "Our team is arranging it with the carrier" in page
    assert 'action="/track/delivery-change"' not in page  # no second form
    parcel = shipment_detail(system.uows, UPS)
    assert parcel is not None
    assert parcel.status == "delivery_attempted"  # the choice never moves the journey
    asked = [row for row in parcel.timeline if row.milestone == "delivery_change_requested"]
    assert len(asked) == 1 and asked[0].effect is Effect.NOTED
    assert asked[0].source == "customer" and asked[0].data["choice"] == "pickup_point"
    [case] = delivery_change_cases(system)
    assert case.team is Team.OPERATIONS and case.subject.id == UPS
    assert case.due_at - case.opened_at == ExceptionKind.DELIVERY_CHANGE.sla
    assert "pickup point" in case.detail and "karrio" in case.detail.lower()


def test_another_day_is_one_of_the_days_offered(client: TestClient, clock: FixedClock) -> None:
    missed(client, clock, UPS)
    page = order_page(client)
    ticket = ticket_of(page)
    saturday = choose(client, ticket, "another_day", "2026-11-28")
    assert saturday.status_code == 422
    assert "one of the days shown" in saturday.text
    none = choose(client, ticket, "another_day", "")
    assert none.status_code == 422 and "pick the day" in none.text
    day = re.findall(r'<option value="(\d{4}-\d\d-\d\d)">', page)[1]
    assert choose(client, ticket, "another_day", day).status_code == 303
    assert "to deliver this parcel on" in order_page(client)


def test_a_second_choice_while_one_is_pending_is_refused_with_a_clear_message(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    missed(client, clock, UPS)
    ticket = ticket_of(order_page(client))
    assert choose(client, ticket, "pickup_point").status_code == 303
    again = choose(client, ticket, "hold_at_facility")
    assert again.status_code == 409
    assert "already made a choice for this parcel" in again.text
    assert "Back to your order" in again.text
    parcel = shipment_detail(system.uows, UPS)
    assert parcel is not None
    asked = [row for row in parcel.timeline if row.milestone == "delivery_change_requested"]
    assert len(asked) == 1 and len(delivery_change_cases(system)) == 1


def test_once_staff_settle_it_the_next_choice_waits_for_news_from_the_carrier(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    missed(client, clock, UPS)
    ticket = ticket_of(order_page(client))
    assert choose(client, ticket, "pickup_point").status_code == 303
    [case] = delivery_change_cases(system)
    assert case.id is not None
    work_case(system.uows, case.id, CaseAction.RESOLVE, "ops:kim", "UPS will redirect", clock.now())
    page = order_page(client)
    assert "Our team has arranged it with the carrier" in page
    refused = choose(client, ticket, "hold_at_facility")
    assert refused.status_code == 409 and "once the carrier has news" in refused.text
    missed(client, clock, UPS)  # a third try fails: a new choice may be made
    assert choose(client, ticket_of(order_page(client)), "hold_at_facility").status_code == 303
    assert [c.status for c in delivery_change_cases(system)].count(CaseStatus.OPEN) == 1


def test_an_address_problem_offers_the_choice_after_one_attempt(
    client: TestClient, clock: FixedClock
) -> None:
    missed(client, clock, FEDEX, reason="address_issue")
    page = order_page(client)
    assert page.count('action="/track/delivery-change"') == 1
    assert f'name="tracking" value="{FEDEX}"' in page


def test_hostile_input_gets_a_clear_answer_and_changes_nothing(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    missed(client, clock, UPS)
    ticket = ticket_of(order_page(client))
    forged = choose(client, "A" * 22, "pickup_point")
    assert forged.status_code == 404 and "could not find that parcel" in forged.text
    not_this_order = choose(client, ticket, "pickup_point", tracking="1Z0000000000000000")
    assert not_this_order.status_code == 404
    moving = choose(client, ticket, "pickup_point", tracking=FEDEX)  # on its way: nothing to do
    assert moving.status_code == 409 and "cannot be changed now" in moving.text
    unknown = choose(client, ticket, "<script>alert(1)</script>")
    assert unknown.status_code == 422 and "<script>" not in unknown.text
    nul = choose(client, ticket, "pickup_point\x00")
    assert nul.status_code == 422
    huge = choose(client, ticket, "pickup_point", day="9" * 500)
    assert huge.status_code == 422
    assert delivery_change_cases(system) == []


class TakingCarrier:
    """A carrier whose own system takes the change (none reachable through karrio does)."""

    def ask(self, carrier: str, tracking_number: str, change: DeliveryChange) -> CarrierAnswer:
        return CarrierAnswer(True, reference=f"{carrier}-{tracking_number}-{change.choice}")


def test_a_carrier_that_takes_the_change_confirms_it_on_the_timeline_and_no_case_opens(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    missed(client, clock, UPS)
    ticket = ticket_of(order_page(client))
    made = request_change(
        system.uows, system.clock, TakingCarrier(), ticket, UPS, "hold_at_facility", ""
    )
    assert made.state == "confirmed"
    parcel = shipment_detail(system.uows, UPS)
    assert parcel is not None and parcel.status == "delivery_attempted"
    confirmed = [r for r in parcel.timeline if r.milestone == "delivery_change_confirmed"]
    assert len(confirmed) == 1 and confirmed[0].effect is Effect.NOTED
    assert confirmed[0].source == "carrier:ups"
    assert delivery_change_cases(system) == []
    assert "The carrier has confirmed it." in order_page(client)
    with pytest.raises(ChangeRefused) as refused:
        request_change(system.uows, system.clock, TakingCarrier(), ticket, UPS, "pickup_point", "")
    assert refused.value.why == "chosen"


def test_a_customer_may_not_claim_the_carrier_confirmed(
    client: TestClient, clock: FixedClock
) -> None:
    event = {
        "shipment": UPS,
        "milestone": "delivery_change_confirmed",
        "source": "customer",
        "occurred_at": clock.now().isoformat(),
    }
    answer = client.post("/api/v1/events", json=[event])
    assert answer.status_code == 200
    order = client.get("/api/v1/orders/ORD-7").json()
    parcel = next(p for p in order["shipments"] if p["tracking_number"] == UPS)
    assert parcel["status"] == "delivery_attempted"


def test_two_choices_sent_at_once_make_one_choice(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    missed(client, clock, UPS)
    ticket = ticket_of(order_page(client))
    outcomes: list[str] = []

    def send(choice: str) -> None:
        carriers = system.delivery_changes()
        try:
            request_change(system.uows, system.clock, carriers, ticket, UPS, choice, "")
            outcomes.append("made")
        except ChangeRefused as refused:
            outcomes.append(refused.why)

    both = [threading.Thread(target=send, args=(c,)) for c in ("pickup_point", "hold_at_facility")]
    for thread in both:
        thread.start()
    for thread in both:
        thread.join()
    assert sorted(outcomes) == ["made", "pending"]
    parcel = shipment_detail(system.uows, UPS)
    assert parcel is not None
    asked = [row for row in parcel.timeline if row.milestone == "delivery_change_requested"]
    assert len(asked) == 1 and len(delivery_change_cases(system)) == 1


class StoppingCarrier:
    """The process stops while the carrier is being asked: no answer and no case is kept."""

    def ask(self, carrier: str, tracking_number: str, change: DeliveryChange) -> CarrierAnswer:
        raise SystemExit("stopped")


def test_a_choice_lost_while_asking_the_carrier_may_be_made_again_later(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    missed(client, clock, UPS)
    ticket = ticket_of(order_page(client))
    with pytest.raises(SystemExit):
        request_change(
            system.uows, system.clock, StoppingCarrier(), ticket, UPS, "pickup_point", ""
        )
    page = order_page(client)
    assert "We are passing your choice to the carrier." in page
    assert choose(client, ticket, "hold_at_facility").status_code == 409
    clock.advance(minutes=20)
    assert choose(client, ticket_of(order_page(client)), "hold_at_facility").status_code == 303
    [case] = delivery_change_cases(system)
    assert "hold at facility" in case.detail
