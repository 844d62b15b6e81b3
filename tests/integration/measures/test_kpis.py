"""The KPI report against hand-computed figures on small fixed data sets, on every backend."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ordertrail.app.intake.commands import EventReport, RecordEvents, RegisterOrders
from ordertrail.app.measures.costs import record_costs
from ordertrail.app.measures.kpi_table import COLUMNS
from ordertrail.app.measures.kpis import orders_behind, report, scope_of
from ordertrail.app.sites import save_sites
from ordertrail.bootstrap import System
from ordertrail.cli import app
from ordertrail.domain.measures.costs import Cost, CostKind, CostTarget, money_of
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Customer, Order, Shipment, Site, Source
from ordertrail.web.app import create_app
from tests.factories import api_key, sign_in

PLACED = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
PROMISED = date(2026, 11, 10)
#: the promised day ends at midnight in New York: 05:00 UTC the next day
PROMISE_ENDS = datetime(2026, 11, 11, 5, 0, tzinfo=UTC)
UPS = Source.parse("carrier:ups")
SCOPE = {"since": date(2026, 11, 1), "until": date(2026, 11, 30)}
SCOPE_QUERY = {"since": "2026-11-01", "until": "2026-11-30"}


def an_order(order_id: str, *parcels: str, promised: bool = True, **more: Any) -> Order:
    return Order(
        id=order_id,
        channel="shopify",
        placed_at=more.pop("placed_at", PLACED),
        customer=Customer(email="dana@example.com", time_zone="America/New_York", country="US"),
        promised_by=PROMISED if promised else None,
        shipments=tuple(
            Shipment(p, order_id, tracking_number=p, carrier="ups", site=more.get("site"))
            for p in parcels
        ),
    )


def step(parcel: str, milestone: Milestone, at: datetime, **more: Any) -> EventReport:
    source = more.pop("source", UPS)
    return EventReport(source=source, occurred_at=at, milestone=milestone, shipment=parcel, **more)


def delivered(parcel: str, at: datetime) -> list[EventReport]:
    return [
        step(parcel, Milestone.CARRIER_ACCEPTED, PLACED + timedelta(hours=20)),
        step(parcel, Milestone.DELIVERED, at),
    ]


def the_report(system: System, **filters: Any) -> dict[str, Any]:
    scope = scope_of(system.clock.now(), **{**SCOPE, **filters})
    return report(system.uows, scope)


def test_nine_hundred_of_a_thousand_deliveries_on_time_is_ninety_percent(system: System) -> None:
    on_time = datetime(2026, 11, 10, 20, 0, tzinfo=UTC)
    orders, events = [], []
    for n in range(900):
        orders.append(an_order(f"ON-{n}", f"P-ON-{n}"))
        events += delivered(f"P-ON-{n}", on_time)
    for n in range(98):
        orders.append(an_order(f"LATE-{n}", f"P-LATE-{n}"))
        events += delivered(f"P-LATE-{n}", on_time + timedelta(days=3))
    # a minute after the promised day ended where the customer is: late
    orders.append(an_order("MINUTE", "P-MINUTE"))
    events += delivered("P-MINUTE", PROMISE_ENDS + timedelta(minutes=1))
    # a split order, one parcel on time and one late: one delivery, and a late one
    orders.append(an_order("SPLIT", "P-SPLIT-A", "P-SPLIT-B"))
    events += delivered("P-SPLIT-A", on_time) + delivered("P-SPLIT-B", on_time + timedelta(2))
    # delivered, but nothing was promised: left out of the rate and counted apart
    orders.append(an_order("NO-PROMISE", "P-NO-PROMISE", promised=False))
    events += delivered("P-NO-PROMISE", on_time)
    # not delivered yet: no delivery to judge
    orders.append(an_order("ON-ITS-WAY", "P-ON-ITS-WAY"))
    events.append(step("P-ON-ITS-WAY", Milestone.IN_TRANSIT, on_time))
    assert not system.handle(RegisterOrders(orders)).problems
    assert not system.handle(RecordEvents(events)).problems

    figures = the_report(system)

    assert figures["kpis"]["on_time_delivery_rate"] == {
        "value": 90.0,
        "numerator": 900,
        "denominator": 1000,
        "excluded": {"no_promise": 1},
    }
    assert figures["orders"] == {"placed": 1002, "fulfilled": 1002}
    late = orders_behind(
        system.uows, "on_time_delivery_rate", scope_of(system.clock.now(), **SCOPE), outcome="late"
    )
    assert {"MINUTE", "SPLIT"} <= {row.order_id for row in late}
    assert len(late) == 100
    assert [row.order_id for row in late].count("SPLIT") == 1
    ups = figures["carriers"][0]
    assert ups["carrier"] == "ups"
    # per parcel, the split order's early parcel is on time
    assert ups["on_time_delivery_rate"]["numerator"] == 901
    assert ups["on_time_delivery_rate"]["denominator"] == 1001


def test_durations_costs_attempts_returns_and_exceptions_match_hand_counts(
    system: System,
) -> None:
    hours = [10, 20, 30]
    orders = [an_order(f"O-{h}", f"P-{h}", site="louisville") for h in hours]
    events = []
    for h in hours:
        events += [
            step(
                f"P-{h}",
                Milestone.PICKED,
                PLACED + timedelta(hours=1),
                source=Source.parse("warehouse:louisville"),
            ),
            step(
                f"P-{h}",
                Milestone.PACKED,
                PLACED + timedelta(hours=2),
                source=Source.parse("warehouse:louisville"),
            ),
            step(f"P-{h}", Milestone.CARRIER_ACCEPTED, PLACED + timedelta(hours=h / 2)),
            step(f"P-{h}", Milestone.DELIVERED, PLACED + timedelta(hours=h)),
        ]
    # the 30 h parcel missed the customer once first
    events.append(
        step(
            "P-30",
            Milestone.DELIVERY_ATTEMPTED,
            PLACED + timedelta(hours=25),
            reason=Reason.RECIPIENT_UNAVAILABLE,
        )
    )
    orders.append(an_order("O-EUR", "P-EUR"))
    events += delivered("P-EUR", PLACED + timedelta(hours=40))
    save_sites(
        system.uows,
        [Site("louisville", "Louisville DC", time_zone="America/New_York", cutoff=time(16, 0))],
    )
    assert not system.handle(RegisterOrders(orders)).problems
    assert not system.handle(RecordEvents(events)).problems
    costs = [
        Cost(
            CostTarget.SHIPMENT, "P-10", CostKind.POSTAGE, money_of("4.95", "USD"), PROMISED, "test"
        ),
        Cost(
            CostTarget.ORDER, "O-20", CostKind.HANDLING, money_of("1.05", "usd"), PROMISED, "test"
        ),
        Cost(CostTarget.ORDER, "O-EUR", CostKind.HANDLING, money_of("2", "EUR"), PROMISED, "test"),
        Cost(
            CostTarget.SITE,
            "louisville",
            CostKind.HANDLING,
            money_of("10", "USD"),
            PROMISED,
            "test",
        ),
        Cost(CostTarget.ORDER, "NOBODY", CostKind.HANDLING, money_of("1", "USD"), PROMISED, "test"),
    ]
    recorded = record_costs(system.uows, list(enumerate(costs)), system.clock.now())
    assert (recorded.accepted, [p.index for p in recorded.problems]) == (4, [4])
    again = record_costs(system.uows, list(enumerate(costs[:4])), system.clock.now())
    assert (again.accepted, again.duplicates) == (0, 4)

    figures = the_report(system)
    kpis = figures["kpis"]

    # louisville picked at +1 h and packed at +2 h, never labelled; handed to UPS at 17:00,
    # 22:00 and 03:00 UTC: 12:00, 17:00 and 22:00 in Louisville, two after its 16:00 cut-off
    [louisville] = figures["sites"]
    assert louisville["site"] == "louisville" and louisville["handed_off"] == 3
    assert louisville["pick_to_pack"] == {"median_hours": 1.0, "p90_hours": 1.0, "count": 3}
    assert louisville["pack_to_label"]["count"] == 0
    assert louisville["missed_scan_rate"] == {"value": 100.0, "numerator": 3, "denominator": 3}
    assert louisville["late_handoff_rate"] == {"value": 66.67, "numerator": 2, "denominator": 3}
    # 10, 20, 30 and 40 hours: median 25, p90 between the 3rd and 4th (37)
    assert kpis["click_to_door"] == {"median_hours": 25.0, "p90_hours": 37.0, "count": 4}
    assert kpis["order_cycle_time"] == {"median_hours": 12.5, "p90_hours": 18.5, "count": 4}
    assert kpis["first_attempt_delivery_rate"] == {"value": 75.0, "numerator": 3, "denominator": 4}
    cost = kpis["fulfillment_cost_per_order"]
    assert cost["denominator"] == 4
    assert cost["by_currency"] == {
        "EUR": {"value": 0.5, "numerator": 2.0, "numerator_minor": 200},
        "USD": {"value": 4.0, "numerator": 16.0, "numerator_minor": 1600},
    }


def test_the_command_prints_the_report_and_imports_costs_by_line(
    system: System, database_url: str, tmp_path: Path
) -> None:
    assert not system.handle(RegisterOrders([an_order("O-1", "P-1")])).problems
    assert not system.handle(RecordEvents(delivered("P-1", PLACED + timedelta(hours=30)))).problems
    costs = tmp_path / "costs.csv"
    costs.write_text(
        "shipment,kind,amount,currency,date\n"
        "P-1,postage,4.95,USD,2026-11-03\n"
        "P-1,postage,4.955,USD,2026-11-03\n"
        "P-404,postage,1.00,USD,2026-11-03\n"
    )
    imported = run(database_url, "import", "costs", str(costs), "--format", "csv")
    assert imported.exit_code == 2
    assert "line 3: amount: '4.955' has more than 2 decimals for USD" in imported.stderr
    assert "line 4: shipment: no shipment 'P-404'" in imported.stderr
    assert "1 recorded" in imported.stdout
    again = run(database_url, "import", "costs", str(costs), "--json")
    assert json.loads(again.stdout)["duplicates"] == 1

    printed = run(database_url, "kpis", "--since", "2026-11-01", "--until", "2026-11-30", "--json")
    assert printed.exit_code == 0, printed.output
    figures = json.loads(printed.stdout)
    assert figures["period"] == {"since": "2026-11-01", "until": "2026-11-30"}
    assert figures["filters"] == {"channel": None, "carrier": None, "site": None}
    assert figures["kpis"]["click_to_door"] == {"median_hours": 30.0, "p90_hours": 30.0, "count": 1}
    per_order = figures["kpis"]["fulfillment_cost_per_order"]["by_currency"]["USD"]
    assert per_order["value"] == 4.95
    table = run(database_url, "kpis", "--since", "2026-11-01", "--until", "2026-11-30")
    assert "on_time_delivery_rate" in table.stdout and "100.0 (1 / 1)" in table.stdout
    other = run(
        database_url,
        "kpis",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-30",
        "--carrier",
        "dhl",
        "--json",
    )
    assert json.loads(other.stdout)["orders"]["placed"] == 0
    backwards = run(database_url, "kpis", "--since", "2026-12-01", "--until", "2026-11-30")
    assert backwards.exit_code == 2 and "--since" in backwards.stderr
    assert run(database_url, "kpis", "--since", "soon").exit_code == 2


def run(url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", url, *args], catch_exceptions=False)


def test_the_api_answers_the_report_the_orders_behind_a_figure_and_takes_costs(
    system: System,
) -> None:
    on_time = datetime(2026, 11, 10, 20, 0, tzinfo=UTC)
    orders = [an_order("A-1", "PA-1"), an_order("A-2", "PA-2"), an_order("A-3", "PA-3")]
    events = delivered("PA-1", on_time) + delivered("PA-2", PROMISE_ENDS + timedelta(minutes=1))
    assert not system.handle(RegisterOrders(orders)).problems
    assert not system.handle(RecordEvents(events)).problems
    query = {"since": "2026-11-01", "until": "2026-11-30"}
    with TestClient(create_app(system)) as client:
        support = api_key(system, "support")
        answer = client.get("/api/v1/kpis", params=query, headers=support)
        assert answer.status_code == 200
        assert answer.json()["kpis"]["on_time_delivery_rate"]["numerator"] == 1
        late = client.get(
            "/api/v1/kpis/on_time_delivery_rate/orders",
            params={**query, "outcome": "late"},
            headers=support,
        ).json()
        assert [row["order_id"] for row in late["orders"]] == ["A-2"]
        assert late["orders"][0]["subject_id"] == "A-2"
        unknown = client.get("/api/v1/kpis/happiness/orders", headers=support)
        assert unknown.status_code == 404
        backwards = client.get(
            "/api/v1/kpis", params={"since": "2026-12-01", "until": "2026-11-01"}, headers=support
        )
        assert backwards.status_code == 422 and "since" in backwards.json()["detail"]
        warehouse = client.get("/api/v1/kpis", headers=api_key(system, "warehouse"))
        assert warehouse.status_code == 403
        costs = [
            {
                "shipment": "PA-1",
                "kind": "postage",
                "amount": 495,
                "currency": "USD",
                "date": "2026-11-03",
            },
            {
                "order": "A-2",
                "kind": "handling",
                "amount": 200,
                "currency": "EUR",
                "date": "2026-11-03",
            },
            {
                "order": "A-404",
                "kind": "handling",
                "amount": 1,
                "currency": "EUR",
                "date": "2026-11-03",
            },
            {"order": "A-3", "kind": "bribe", "amount": 1, "currency": "EUR", "date": "2026-11-03"},
        ]
        ops = api_key(system, "ops")
        refused = client.post("/api/v1/costs", json=costs, headers=ops)
        assert refused.status_code == 422
        assert [(e["index"], e["field"]) for e in refused.json()["errors"]] == [
            (2, "order"),
            (3, "kind"),
        ]
        assert refused.json()["accepted"] == 2
        assert client.post("/api/v1/costs", json=costs[:2], headers=ops).json() == {
            "accepted": 0,
            "duplicates": 2,
        }
        assert client.post("/api/v1/costs", json=costs[:1], headers=support).status_code == 403
        figures = client.get("/api/v1/kpis", params=query, headers=support).json()
    by_currency = figures["kpis"]["fulfillment_cost_per_order"]["by_currency"]
    assert set(by_currency) == {"USD", "EUR"}
    assert by_currency["USD"]["numerator_minor"] == 495
    assert by_currency["EUR"]["numerator_minor"] == 200


def test_tracking_page_views_are_counted_per_order_when_the_page_shows_it(
    system: System,
) -> None:
    on_time = datetime(2026, 11, 10, 20, 0, tzinfo=UTC)
    orders = [an_order("V-1", "1Z999AA10123456784"), an_order("V-2", "PV-2")]
    assert not system.handle(RegisterOrders(orders)).problems
    assert not system.handle(RecordEvents(delivered("1Z999AA10123456784", on_time))).problems
    with TestClient(create_app(system)) as client:
        seen = client.get("/track", params={"order": "V-1", "email": "dana@example.com"})
        assert seen.status_code == 200
        assert client.get("/track/1Z999AA10123456784").status_code == 200
        wrong = client.get("/track", params={"order": "V-2", "email": "eve@example.com"})
        assert wrong.status_code == 404  # a lookup that did not match shows nothing: no view
    kpis = the_report(system)["kpis"]
    assert kpis["tracking_page_views_per_order"] == {"value": 1.0, "numerator": 2, "denominator": 2}
    assert kpis["wismo_contacts_avoided"] == {"value": 1, "orders_viewed": 1, "contacted": 0}


def test_page_views_reach_the_database_when_flushed_and_when_the_app_stops_once_each(
    system: System,
) -> None:
    assert not system.handle(RegisterOrders([an_order("W-1", "PW-1")])).problems
    views = lambda: the_report(system)["kpis"]["tracking_page_views_per_order"]["numerator"]  # noqa: E731
    with TestClient(create_app(system)) as client:
        for _ in range(3):
            assert client.get("/track/PW-1").status_code == 200
        assert system.views.flush() == 3
        assert views() == 3
        assert system.views.flush() == 0  # nothing stored twice
        assert client.get("/track/PW-1").status_code == 200
    assert views() == 4  # the last view, stored as the app stopped


def test_the_console_report_refuses_a_bad_filter_by_name_and_a_role_without_kpis(
    system: System,
) -> None:
    assert not system.handle(RegisterOrders([an_order("C-1", "PC-1")])).problems
    assert not system.handle(RecordEvents(delivered("PC-1", PLACED + timedelta(hours=30)))).problems
    with TestClient(create_app(system)) as client:
        sign_in(client, system, "warehouse")
        assert ">KPIs</a>" not in client.get("/ops/orders").text
        assert client.get("/ops/kpis").status_code == 403
        assert client.get("/ops/kpis.csv").status_code == 403
    with TestClient(create_app(system)) as client:
        sign_in(client, system, "ops")
        assert ">KPIs</a>" in client.get("/ops").text
        bad = client.get("/ops/kpis", params={"since": "last monday"})
        assert bad.status_code == 422 and "since: &#39;last monday&#39; is not a date" in bad.text
        backwards = client.get(
            "/ops/kpis.csv", params={"since": "2026-12-01", "until": "2026-11-30"}
        )
        assert backwards.status_code == 422 and backwards.text.startswith("since:")
        sheet = client.get("/ops/kpis.csv", params={**SCOPE_QUERY, "site": "reno"})
        assert sheet.headers["content-type"].startswith("text/csv")
        assert sheet.text.splitlines()[0] == ",".join(COLUMNS)
        assert "report,,on_time_delivery_rate,,0,0" in sheet.text  # no parcel left reno
        sheet = client.get("/ops/kpis.csv", params=SCOPE_QUERY)
        assert "report,,click_to_door,,,,30.0,30.0,1" in sheet.text
        assert "carrier,ups,parcels,,,,,,1" in sheet.text
        assert client.get("/ops/kpis/happiness").status_code == 404
