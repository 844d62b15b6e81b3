"""The simulated shop's B2B accounts and its van, as planned before a run: what the desk's
CSV says of an account's order, its pallets and short lines, what the freight carrier's hook
will say of the load and the dock, and the van's routes with each parcel's fate."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from ordertrail.simulate.b2b.accounts import ACCOUNTS, FREIGHT, B2BOrder
from ordertrail.simulate.b2b.freight import SOURCE
from ordertrail.simulate.channels import OrderFacts
from ordertrail.simulate.fleet.local_round import LOCAL
from ordertrail.simulate.store import Store, simulate
from ordertrail.sources.channels.generic_csv import read_orders
from ordertrail.sources.scans import read_scan

START = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def store() -> Store:
    return simulate(seed=7, start=START, days=30)


def test_the_desks_orders_are_the_accounts_larger_orders(store: Store) -> None:
    wholesale = [order for order in store.orders if order.channel == "wholesale"]
    assert {plan.order_id for plan in store.accounts} == {order.id for order in wholesale}
    assert all(len(order.lines) >= 2 for order in wholesale)
    assert {plan.account.consignee for plan in store.accounts} == {a.consignee for a in ACCOUNTS}
    assert all(order.customer.place == plan.account.place for order, plan in _pairs(store))


def test_pallets_carry_what_was_ordered_less_what_was_short(store: Store) -> None:
    shorts = 0
    for order, plan in _pairs(store):
        shipped = Counter[str]()
        for pallet in plan.pallets:
            assert read_scan(pallet.sscc).sscc == pallet.sscc  # a valid GS1 label
            shipped.update(dict(pallet.lines))
        shipped.update(dict(plan.short))
        assert shipped == Counter({sku: n for sku, n, _ in order.lines})
        shorts += bool(plan.short)
    assert 0 < shorts < len(store.accounts)
    serials = [p.sscc for plan in store.accounts for p in plan.pallets]
    assert len(serials) == len(set(serials)) and not set(serials) & {
        p.carton for p in store.parcels
    }


def test_the_desks_csv_reads_as_b2b_orders_and_the_shipped_one_puts_lines_on_pallets(
    store: Store,
) -> None:
    shipped_files = [r for r in store.reports if r.body.get("name", "").startswith("wholesale-s")]
    plan = next(p for p in store.accounts if p.short)
    text = next(r.body["text"] for r in shipped_files if plan.order_id in r.body["name"])
    [parsed] = list(read_orders(io.StringIO(text)))
    order = parsed[1]
    assert order is not None
    business = order.business
    assert business is not None and business.purchase_order == plan.purchase_order
    assert business.dock_appointment is plan.account.dock_appointment
    on_pallets = {s.tracking_number for s in order.shipments}
    assert on_pallets == {p.sscc for p in plan.pallets}
    assert all(s.carrier == FREIGHT for s in order.shipments)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert any(not row["tracking_number"] for row in rows)  # the short units: on no pallet


def test_the_freight_hook_says_the_dock_story_and_about_one_in_six_is_missed(
    store: Store,
) -> None:
    events: dict[str, list[dict[str, str]]] = {}
    for report in store.reports:
        if report.kind == "freight":
            for event in report.body["events"]:
                assert event["source"] == SOURCE and event["key"]
                events.setdefault(event.get("order") or event["shipment"], []).append(event)
    docked = [p for p in store.accounts if p.account.dock_appointment]
    for plan in docked:
        said = [e["milestone"] for e in events[plan.order_id]]
        assert said.count("dock_appointment_missed") == plan.misses
        assert said.count("dock_appointment_scheduled") == 1 + plan.misses
        assert said[-2:] == ["dock_checked_in", "unloaded"]
    for plan in store.accounts:
        for pallet in plan.pallets:
            assert [e["milestone"] for e in events[pallet.sscc]][-1] == "delivered"
    misses = sum(p.misses for p in docked)
    assert 0 < misses <= len(docked) // 2
    undocked = [p for p in store.accounts if not p.account.dock_appointment]
    assert all(p.order_id not in events for p in undocked)  # no dock, no appointment


def test_the_van_takes_every_parcel_for_the_shops_city_on_a_route_a_day(store: Store) -> None:
    local = {o.id for o in store.orders if o.customer.place == LOCAL and o.channel != "wholesale"}
    assert local and {p.order_id for p in store.local} == local
    assert not {p.order_id for p in store.parcels} & local  # no parcel carrier has them
    assert all(p.delivered is not None for p in store.local)
    days = [r.day for r in store.rounds]
    assert len(days) == len(set(days))  # one route a day
    attempted = [p for p in store.local if p.attempts]
    assert attempted and all(len(p.routes) == 2 for p in attempted)
    routes = {r.body["id"]: r.body for r in store.reports if r.kind == "route"}
    for parcel in store.local:
        for route_id in parcel.routes:
            stops = routes[route_id]["stops"]
            assert [parcel.tracking] in [stop["shipments"] for stop in stops]


def test_the_driver_delivers_with_proof_or_says_why_not(store: Store) -> None:
    actions = [r.body for r in store.reports if r.kind == "driver"]
    delivered = [a for a in actions if a["action"] == "delivered"]
    assert len(delivered) == len(store.local)
    assert all(a["signed_by"] and float(a["accuracy"]) > 0 for a in delivered)
    attempted = [a for a in actions if a["action"] == "attempted"]
    assert len(attempted) == sum(p.attempts for p in store.local)
    assert all(a["reason"] == "recipient_unavailable" for a in attempted)
    assert len({a["key"] for a in actions}) == len(actions)  # each its own idempotency key
    assert json.dumps(actions)  # plain data, as a form carries it


def test_the_same_seed_gives_the_same_accounts_and_rounds(store: Store) -> None:
    again = simulate(seed=7, start=START, days=30)
    assert again.accounts == store.accounts
    assert [p.tracking for p in again.local] == [p.tracking for p in store.local]
    assert again.rounds == store.rounds


def _pairs(store: Store) -> list[tuple[OrderFacts, B2BOrder]]:
    orders = {order.id: order for order in store.orders}
    return [(orders[plan.order_id], plan) for plan in store.accounts]
