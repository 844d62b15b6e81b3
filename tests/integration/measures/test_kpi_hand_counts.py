"""The KPIs still without a hand count (accuracy, exceptions by kind, first attempts, scan
dwell, missed scans, late hand-offs, the carrier scorecard) and the orders behind them, on the
small shop of tests/integration/measures/kpi_shop.py whose every figure is worked out in the
comments; on every backend."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordertrail.bootstrap import System
from ordertrail.web.app import create_app
from tests.factories import api_key
from tests.integration.measures.kpi_shop import open_shop
from tests.integration.measures.test_kpis import SCOPE_QUERY, the_report


@pytest.fixture
def shop(system: System) -> System:
    return open_shop(system)


def test_accuracy_exceptions_and_first_attempts_match_hand_counts(shop: System) -> None:
    kpis = the_report(shop)["kpis"]
    # shipped: A, B, C, D (E never left); C was damaged, D reported missing: 2 of 4 accurate
    assert kpis["order_accuracy_rate"] == {"value": 50.0, "numerator": 2, "denominator": 4}
    # of the 5 orders placed, one case of each kind: B's failed attempt, C's damage, D's report
    one_in_five = {"value": 20.0, "numerator": 1, "denominator": 5}
    assert kpis["exception_rate"] == {
        "denominator": 5,
        "by_kind": {
            "damaged": one_in_five,
            "delivered_reported_missing": one_in_five,
            "failed_attempt": one_in_five,
        },
    }
    # delivered: PA, PB, PC, PD; only PB missed the customer first (PA's stray attempt came
    # after its delivery)
    assert kpis["first_attempt_delivery_rate"] == {
        "value": 75.0,
        "numerator": 3,
        "denominator": 4,
    }


def test_scan_dwell_missed_scans_and_late_hand_offs_per_site_match_hand_counts(
    shop: System,
) -> None:
    louisville, reno = the_report(shop)["sites"]
    # PE was picked but never left: only parcels handed over count
    assert (louisville["site"], louisville["handed_off"]) == ("louisville", 2)
    # pick → pack 2 h (PA) and 1 h (PB): the median halfway, p90 nine tenths of the way
    assert louisville["pick_to_pack"] == {"median_hours": 1.5, "p90_hours": 1.9, "count": 2}
    assert louisville["pack_to_label"] == {"median_hours": 0.75, "p90_hours": 0.95, "count": 2}
    # label → hand-off: PA 16:00 → 21:00 (5 h), PB 14:30 → 21:01 (6 h 31, 6.5 in tenths)
    assert louisville["label_to_handoff"] == {
        "median_hours": 5.75,
        "p90_hours": 6.35,
        "count": 2,
    }
    assert louisville["missed_scan_rate"] == {"value": 0.0, "numerator": 0, "denominator": 2}
    # PA handed over at 16:00 sharp, on the cut-off; PB a minute after it
    assert louisville["late_handoff_rate"] == {"value": 50.0, "numerator": 1, "denominator": 2}

    assert (reno["site"], reno["handed_off"]) == ("reno", 2)
    # PC's pick was scanned on its order and counts for it: 1 h to pack; PD 3 h
    assert reno["pick_to_pack"] == {"median_hours": 2.0, "p90_hours": 2.8, "count": 2}
    # PC was never labelled: only PD's 1 h and 18:00 → 23:00 (6 h)
    assert reno["pack_to_label"] == {"median_hours": 1.0, "p90_hours": 1.0, "count": 1}
    assert reno["label_to_handoff"] == {"median_hours": 6.0, "p90_hours": 6.0, "count": 1}
    assert reno["missed_scan_rate"] == {"value": 50.0, "numerator": 1, "denominator": 2}
    # PC at 15:45 in Reno, after its 15:30 cut-off; PD at 15:00, before
    assert reno["late_handoff_rate"] == {"value": 50.0, "numerator": 1, "denominator": 2}


def _card(
    parcels: int, on_time: tuple[int, int], transit: tuple[float, float], first: int, trouble: int
) -> dict[str, Any]:
    def rate(n: int, of: int) -> dict[str, Any]:
        return {"value": round(100 * n / of, 2), "numerator": n, "denominator": of}

    return {
        "parcels": parcels,
        "on_time_delivery_rate": {**rate(*on_time), "excluded": {"no_promise": 0}},
        "transit_time": {"median_hours": transit[0], "p90_hours": transit[1], "count": parcels},
        "first_attempt_delivery_rate": rate(first, parcels),
        "exception_rate": rate(trouble, parcels),
    }


def test_the_carrier_scorecard_per_carrier_service_and_lane_matches_hand_counts(
    shop: System,
) -> None:
    fedex, ups = the_report(shop)["carriers"]
    # fedex: PC (late, 48 h, damaged) and PD (on time, 24 h, reported missing); both
    # delivered at the first try. Transit 24 and 48 h: median 36, p90 24 + 0.9 * 24
    home = _card(2, (1, 2), (36.0, 45.6), 2, 2)
    assert {k: fedex[k] for k in home} == home
    assert fedex["services"] == [{"service": "home", **home}]
    assert fedex["lanes"] == [{"lane": "reno → US", **home}]
    # ups, counting parcels handed over: PA (on time, 48 h) and PB (on time, 72 h, a failed
    # attempt and its case) — PE never left louisville, so it is a parcel with no exception
    # but no delivery either
    assert ups["carrier"] == "ups" and ups["parcels"] == 3
    assert ups["on_time_delivery_rate"]["numerator"] == 2
    assert ups["transit_time"] == {"median_hours": 60.0, "p90_hours": 69.6, "count": 2}
    assert ups["first_attempt_delivery_rate"]["numerator"] == 1
    assert ups["exception_rate"] == {"value": 33.33, "numerator": 1, "denominator": 3}
    ground, next_day = ups["services"]
    assert ground["service"] == "ground" and ground["parcels"] == 2  # PA and PE
    assert ground["transit_time"] == {"median_hours": 48.0, "p90_hours": 48.0, "count": 1}
    assert ground["exception_rate"]["numerator"] == 0
    assert next_day == {"service": "next_day_air", **_card(1, (1, 1), (72.0, 72.0), 0, 1)}
    # B went to Canada: a lane of its own
    to_canada, to_us = ups["lanes"]
    assert to_canada == {"lane": "louisville → CA", **_card(1, (1, 1), (72.0, 72.0), 0, 1)}
    assert to_us["lane"] == "louisville → US" and to_us["parcels"] == 2


def _behind(client: TestClient, headers: dict[str, str], name: str, **more: str) -> list[Any]:
    answer = client.get(
        f"/api/v1/kpis/{name}/orders", params={**SCOPE_QUERY, **more}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return [(row["order_id"], row["subject_id"], row["outcome"]) for row in answer.json()["orders"]]


def test_the_orders_behind_each_figure_are_exactly_its_numerator_and_denominator(
    shop: System,
) -> None:
    with TestClient(create_app(shop)) as client:
        support = api_key(shop, "support")

        def behind(name: str, **more: str) -> list[Any]:
            return _behind(client, support, name, **more)

        assert behind("order_accuracy_rate") == [
            ("A", "A", "accurate"),
            ("B", "B", "accurate"),
            ("C", "C", "claim"),
            ("D", "D", "claim"),
        ]
        assert behind("order_accuracy_rate", outcome="claim") == [
            ("C", "C", "claim"),
            ("D", "D", "claim"),
        ]
        assert behind("exception_rate") == [
            ("B", "B", "failed_attempt"),
            ("C", "C", "damaged"),
            ("D", "D", "delivered_reported_missing"),
        ]
        assert behind("first_attempt_delivery_rate", outcome="after_failed_attempt") == [
            ("B", "PB", "after_failed_attempt")
        ]
        assert [row[1] for row in behind("first_attempt_delivery_rate")] == [
            "PA",
            "PB",
            "PC",
            "PD",
        ]
        assert behind("missed_scan_rate", outcome="missed") == [("C", "PC", "missed")]
        assert behind("late_handoff_rate") == [
            ("A", "PA", "before_cutoff"),
            ("B", "PB", "after_cutoff"),
            ("C", "PC", "after_cutoff"),
            ("D", "PD", "before_cutoff"),
        ]
        # a duration lists each parcel with its hours: PC has no label, so no pack → label
        dwell = client.get(
            "/api/v1/kpis/pack_to_label/orders", params=SCOPE_QUERY, headers=support
        ).json()["orders"]
        assert [(row["subject_id"], row["hours"]) for row in dwell] == [
            ("PA", 1.0),
            ("PB", 0.5),
            ("PD", 1.0),
        ]
        # paging by order id: after B, the rest
        assert [row[0] for row in behind("order_accuracy_rate", after="B")] == ["C", "D"]
