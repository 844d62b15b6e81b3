"""Exception rules, one scenario each: events and a controlled clock open a case with the
right owner, update it, resolve it when the parcel recovers, and never open it twice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordertrail.app.casework.cases import learn_rhythms, sweep
from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order, staff_member

UPS = "1Z999AA10123456784"


@pytest.fixture
def system(database_url: str, clock: FixedClock) -> Iterator[System]:
    built = build(Settings(database_url=database_url), clock=clock)
    yield built
    built.close()


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        order = canonical_order("ORD-1", (UPS, "ups", {"HAT": 1}))
        order["customer"]["country"] = "US"
        assert test_client.post("/api/v1/orders", json=order).status_code == 201
        yield test_client


def say(client: TestClient, clock: FixedClock, milestone: str, **more: Any) -> None:
    event = {
        "source": "carrier:ups",
        "shipment": UPS,
        "milestone": milestone,
        "occurred_at": clock.now().isoformat(),
    }
    answer = client.post("/api/v1/events", json=[event | more])
    assert answer.status_code == 200, answer.text


def parcel_with(client: TestClient, order_id: str, number: str, milestone: str, at: str) -> None:
    """Another order with one parcel, which has reached `milestone` at `at`."""
    client.post("/api/v1/orders", json=canonical_order(order_id, (number, "ups", {"X": 1})))
    event = {"source": "carrier:ups", "shipment": number, "milestone": milestone}
    assert client.post("/api/v1/events", json=[event | {"occurred_at": at}]).status_code == 200


def cases(client: TestClient, status: str = "open") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(f"/api/v1/exceptions?status={status}").json()
    return found


def kinds(client: TestClient, status: str = "open") -> list[tuple[str, str]]:
    return [(case["kind"], case["team"]) for case in cases(client, status)]


def test_a_failed_attempt_opens_a_support_case_that_resolves_on_delivery(
    client: TestClient, clock: FixedClock
) -> None:
    say(client, clock, "carrier_accepted")
    clock.advance(hours=20)
    attempt = {"reason": "recipient_unavailable", "key": "attempt-1"}
    say(client, clock, "delivery_attempted", **attempt)
    assert kinds(client) == [("failed_attempt", "support")]
    [case] = cases(client)
    assert case["due_at"] > case["opened_at"] and case["order_id"] == "ORD-1"
    say(client, clock, "delivery_attempted", **attempt)  # the carrier sends it again
    assert len(cases(client)) == 1
    clock.advance(hours=20)
    say(client, clock, "out_for_delivery")
    assert cases(client) == []
    [resolved] = cases(client, "resolved")
    assert [note["what"].split(":")[0] for note in resolved["history"]] == ["opened", "resolved"]
    clock.advance(hours=1)
    say(client, clock, "delivery_attempted", reason="business_closed")
    assert kinds(client) == [("failed_attempt", "support")]  # a second attempt: a new case


@pytest.mark.parametrize(
    ("milestone", "reason", "kind"),
    [
        ("exception", "address_issue", "address_issue"),
        ("delivery_attempted", "address_issue", "address_issue"),
        ("exception", "damaged", "damaged"),
        ("exception", "lost", "lost"),
        ("delivery_attempted", "refused", "refused"),
        ("exception", "customs_hold", "customs_hold"),
        ("exception", "weather", "carrier_exception"),
        ("returned_to_sender", "refused", "returned_to_sender"),
    ],
)
def test_each_trouble_is_its_own_kind(
    client: TestClient, clock: FixedClock, milestone: str, reason: str, kind: str
) -> None:
    say(client, clock, "carrier_accepted")
    clock.advance(hours=5)
    say(client, clock, milestone, reason=reason)
    assert [k for k, _ in kinds(client)] == [kind]


def test_delivering_somewhere_else_goes_to_support(client: TestClient, clock: FixedClock) -> None:
    say(client, clock, "carrier_accepted")
    clock.advance(hours=30)
    say(client, clock, "out_for_delivery", location={"city": "Windsor", "country": "CA"})
    assert kinds(client) == [("destination_mismatch", "support")]
    assert "CA" in cases(client)[0]["detail"]


def test_sources_that_disagree_stand_until_ops_corrects(
    client: TestClient, clock: FixedClock
) -> None:
    say(client, clock, "carrier_accepted")
    clock.advance(hours=1)
    say(client, clock, "in_transit", source="warehouse:lou")  # a warehouse cannot say this
    assert kinds(client) == [("status_conflict", "operations")]
    clock.advance(hours=1)
    say(client, clock, "in_transit", source="ops:key:tests-admin", data={"why": "checked with UPS"})
    assert cases(client) == []


def test_a_return_that_starts_moving_tells_the_returns_team(
    client: TestClient, clock: FixedClock
) -> None:
    say(client, clock, "delivered")
    clock.advance(days=3)
    moving = {"source": "carrier:ups", "return": "RET-1", "order": "ORD-1"}
    for milestone in ("return_requested", "return_in_transit"):
        event = moving | {"milestone": milestone, "occurred_at": clock.now().isoformat()}
        event["source"] = "customer" if milestone == "return_requested" else "carrier:ups"
        assert client.post("/api/v1/events", json=[event]).status_code == 200
        clock.advance(hours=2)
    assert kinds(client) == [("return_in_motion", "returns")]
    received = moving | {"milestone": "return_received", "occurred_at": clock.now().isoformat()}
    client.post("/api/v1/events", json=[received])
    assert cases(client) == []


def test_a_missing_hand_off_scan_is_found_by_the_sweep(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    client.put("/api/v1/sites/lou", json={"name": "Louisville"})
    scan = {"site": "lou", "station": "s", "operator": "ana", "step": "pack", "code": UPS}
    assert client.post("/api/v1/scans", json=scan).status_code == 201
    clock.advance(hours=7)
    assert sweep(system.uows, clock.now()).opened == 0
    clock.advance(hours=2)
    assert sweep(system.uows, clock.now()).opened == 1
    assert kinds(client) == [("missing_scan", "warehouse")]
    with system.uows(read_only=True) as uow:  # the warehouse is told, as for any case
        alerts = [(m.channel, m.kind) for m in uow.outbox.find() if m.audience == "staff"]
    assert ("team", "exception:missing_scan") in alerts
    clock.advance(hours=5)
    assert sweep(system.uows, clock.now()).looked_at == 0  # found: not looked at again
    say(client, clock, "carrier_accepted")
    assert cases(client) == []


def test_a_stall_is_judged_by_the_lane_rhythm(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    say(client, clock, "carrier_accepted")
    clock.advance(hours=2)
    say(client, clock, "in_transit")
    clock.advance(hours=30)
    assert sweep(system.uows, clock.now()).opened == 0  # 48 h by default
    clock.advance(hours=19)
    result = sweep(system.uows, clock.now())
    assert (result.opened, result.by_kind) == (1, {"stalled": 1})
    assert kinds(client) == [("stalled", "operations")]
    assert sweep(system.uows, clock.now()).opened == 0
    say(client, clock, "in_transit", key="moving-again")
    assert cases(client) == []


def test_a_fast_lane_stalls_sooner(client: TestClient, system: System, clock: FixedClock) -> None:
    # thirty delivered parcels on the lane, each with in transit scans 10 h apart
    for n in range(30):
        number = f"ACME-{n:04d}"
        order = canonical_order(f"HIST-{n}", (number, "ups", {"HAT": 1}))
        order["customer"]["country"] = "US"
        client.post("/api/v1/orders", json=order)
        start = clock.now() - timedelta(days=5)
        events = [
            {
                "source": "carrier:ups",
                "shipment": number,
                "milestone": milestone,
                "occurred_at": (start + timedelta(hours=10 * i)).isoformat(),
            }
            for i, milestone in enumerate(
                ("carrier_accepted", "in_transit", "in_transit", "delivered")
            )
        ]
        assert client.post("/api/v1/events", json=events).status_code == 200
    assert learn_rhythms(system.uows, clock.now()) >= 1
    say(client, clock, "in_transit")
    clock.advance(hours=13)
    assert sweep(system.uows, clock.now()).by_kind == {"stalled": 1}


def test_a_delivered_parcel_reported_missing_holds_the_proof(
    client: TestClient, clock: FixedClock
) -> None:
    url = f"/api/v1/shipments/{UPS}/reported-missing"
    report = {"by": "support:kim", "note": "customer says the porch was empty"}
    assert client.post(url, json=report).status_code == 409  # not delivered yet
    place = {"city": "Louisville", "region": "KY", "country": "US"}
    say(client, clock, "delivered", location=place, data={"signed_by": "FRONT DOOR"})
    opened = client.post(url, json=report)
    assert opened.status_code == 201
    case = opened.json()
    assert (case["kind"], case["team"]) == ("delivered_reported_missing", "support")
    assert "FRONT DOOR" in case["detail"] and "Louisville" in case["detail"]
    assert client.post(url, json=report).json()["id"] == case["id"]
    clock.advance(days=2)
    say(client, clock, "delivered", key="late-copy")  # news does not close it; people do
    assert len(cases(client)) == 1


def test_the_sweep_looks_only_at_parcels_that_are_due(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    for n in range(40):
        parcel_with(client, f"D-{n}", f"DONE-{n:03d}", "delivered", clock.now().isoformat())
    say(client, clock, "in_transit")
    clock.advance(days=3)
    assert sweep(system.uows, clock.now()).looked_at == 1


def test_several_sweepers_never_open_a_case_twice(
    client: TestClient, system: System, clock: FixedClock, backend: str
) -> None:
    for n in range(60):
        parcel_with(client, f"S-{n}", f"SLOW-{n:03d}", "in_transit", clock.now().isoformat())
    clock.advance(days=3)
    results = []

    def run() -> None:
        results.append(sweep(system.uows, clock.now(), batch=7))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.opened for r in results) == 60
    assert len([c for c in cases(client) if c["kind"] == "stalled"]) == 60


def test_support_acknowledges_assigns_notes_and_resolves_a_case(
    client: TestClient, clock: FixedClock, system: System
) -> None:
    say(client, clock, "carrier_accepted")
    clock.advance(hours=20)
    say(client, clock, "delivery_attempted", reason="address_issue", key="attempt-1")
    [case] = cases(client)
    support = api_key(system, "support")
    staff_member(system, "support", "sam@shop.example")

    def work(action: str, text: str = "") -> Any:
        url = f"/api/v1/exceptions/{case['id']}/{action}"
        return client.post(url, json={"text": text}, headers=support)

    assert work("acknowledge").json()["acknowledged_by"] == "key:tests-support"
    assert work("assign", "sam@shop.example").json()["assigned_to"] == "sam@shop.example"
    assert work("note", "").status_code == 422
    assert work("note", "customer gave a new unit number").status_code == 200
    clock.advance(minutes=5)
    resolved = work("resolve", "carrier rerouted to the new address").json()
    assert resolved["status"] == "resolved"
    history = [(n["what"], n["by"]) for n in resolved["history"]]
    assert history[1:] == [
        ("acknowledged", "key:tests-support"),
        ("assigned to sam@shop.example", "key:tests-support"),
        ("note: customer gave a new unit number", "key:tests-support"),
        ("resolved: carrier rerouted to the new address", "key:tests-support"),
    ]
    assert work("acknowledge").status_code == 409  # resolved: only notes now
    assert work("note", "closing the loop").status_code == 200
    say(client, clock, "in_transit")  # the cause still stands; the case stays resolved
    assert cases(client) == []
    assert client.post("/api/v1/exceptions/99999/resolve", json={}).status_code == 404
    assert client.post(f"/api/v1/exceptions/{case['id']}/reopen", json={}).status_code == 422


def test_an_ops_correction_is_an_event_with_its_reason_and_sets_the_status(
    client: TestClient, clock: FixedClock, system: System
) -> None:
    say(client, clock, "carrier_accepted")
    clock.advance(hours=30)
    say(client, clock, "exception", reason="damaged")
    url = f"/api/v1/shipments/{UPS}/corrections"
    no_reason = client.post(url, json={"milestone": "delivered", "note": " "})
    assert no_reason.status_code == 422
    support = api_key(system, "support")
    note = "customer confirmed by phone the parcel arrived intact"
    answer = client.post(url, json={"milestone": "delivered", "note": note}, headers=support)
    assert answer.status_code == 201, answer.text
    parcel = answer.json()
    assert parcel["status"] == "delivered"
    last = parcel["timeline"][-1]
    assert last["source"] == "ops:key:tests-support" and last["data"]["why"] == note
    warehouse = api_key(system, "warehouse")
    assert (
        client.post(url, json={"milestone": "lost", "note": "x"}, headers=warehouse).status_code
        == 403
    )


def test_a_parcel_not_delivered_by_the_promised_day_opens_one_case_and_one_apology(
    client: TestClient, system: System, clock: FixedClock
) -> None:
    for order_id, number in (("ORD-LATE", "LATE-1"), ("ORD-ONTIME", "ONTIME-1")):
        order = canonical_order(order_id, (number, "ups", {"HAT": 1}))
        order["promised_by"] = "2026-11-26"
        order["customer"]["time_zone"] = "America/Chicago"  # the day ends 06:00 UTC on the 27th
        assert client.post("/api/v1/orders", json=order).status_code == 201
        say(client, clock, "carrier_accepted", shipment=number)
    clock.advance(hours=20)
    say(client, clock, "delivered", shipment="ONTIME-1")
    say(client, clock, "in_transit", shipment="LATE-1")
    clock.current = clock.current.replace(day=27, hour=5)
    sweep(system.uows, clock.now())
    assert kinds(client) == []  # still the promised day in Chicago
    clock.advance(hours=2)
    assert sweep(system.uows, clock.now()).by_kind == {"promise_missed": 1}
    [case] = cases(client)
    assert (case["kind"], case["team"], case["subject"]["id"]) == (
        "promise_missed",
        "support",
        "LATE-1",
    )
    with system.uows(read_only=True) as uow:
        told = {(m.audience, m.channel, m.kind): m for m in uow.outbox.find(order_id="ORD-LATE")}
    alert = told[("staff", "team", "exception:promise_missed")]
    apology = told[("customer", "email", "running_late")]
    assert alert.available_at < apology.available_at  # staff first
    clock.advance(hours=3)
    assert sweep(system.uows, clock.now()).opened == 0  # one look per promise
    with system.uows(read_only=True) as uow:
        assert len(uow.outbox.find(order_id="ORD-LATE")) == len(told)
        assert [m for m in uow.outbox.find(order_id="ORD-ONTIME") if "late" in m.kind] == []
    say(client, clock, "delivered", shipment="LATE-1")
    assert cases(client) == []  # it arrived: the case resolves itself
    assert [c["kind"] for c in cases(client, "resolved")] == ["promise_missed"]
