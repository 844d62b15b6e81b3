"""The figures of a simulated run, for `ordertrail demo`: what the database holds, what the
system concluded and said, and how that compares with what really happened."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from ordertrail.app.measures.kpi_table import HEADLINES
from ordertrail.app.measures.kpis import report, scope_of
from ordertrail.app.queries import unmapped_codes
from ordertrail.bootstrap import System
from ordertrail.simulate.returns.truth import ASKED_WITHIN, ReturnVerdict
from ordertrail.simulate.run import RunResult, Sent
from ordertrail.simulate.store import Fate, Store
from ordertrail.simulate.truth import Verdict
from ordertrail.store import tables


def figures(
    system: System,
    store: Store,
    result: RunResult,
    verdict: Verdict,
    returns: ReturnVerdict | None = None,
) -> dict[str, Any]:
    with system.engine.connect() as connection:
        counted = {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in (
                ("orders", tables.orders),
                ("shipments", tables.shipments),
                ("events", tables.events),
            )
        }
    unmapped = unmapped_codes(system.uows, limit=1000)
    per_order = Counter(verdict.messages_per_order)
    said: dict[str, Any] = {
        "days": store.days,
        **counted,
        "unmapped_codes": len(unmapped),
        "unmapped_events": sum(code.events for code in unmapped),
        "exceptions_by_kind": dict(sorted(verdict.exceptions_by_kind.items())),
        "messages_by_kind": dict(sorted(verdict.messages_by_kind.items())),
        "messages_per_order": _spread(per_order, counted["orders"]),
        "max_messages_smooth_routine_order": verdict.max_smooth_routine,
        "duplicate_messages": len(verdict.duplicates),
        "truth": {
            "parcels": len(store.parcels),
            "judged": verdict.judged,
            "misses": len(verdict.misses),
            "overtaken": len(verdict.overtaken),
            "false_alarms": len(verdict.false_alarms),
            "contradicting_messages": len(verdict.contradicting),
            # which parcels, so a figure above zero can be looked into
            "details": verdict.misses
            + verdict.overtaken
            + verdict.false_alarms
            + verdict.contradicting,
        },
        "delivery_windows": {
            "delivered": verdict.eta_judged,
            "changes": verdict.eta_changes,
        },
        "refused_inputs": len(result.refused),
        "kpis": headline_kpis(system, store),
    }
    if returns is not None:
        said["returns"] = return_figures(returns)
        truth: dict[str, Any] = said["truth"]
        truth["returns_judged"] = returns.judged
        truth["return_mismatches"] = len(returns.mismatches)
        truth["refused_not_returned"] = len(returns.refused_not_returned)
        truth["details"] += returns.mismatches + returns.refused_not_returned
    return said


#: The states the demo counts returns in, in the order a return goes through them.
RETURN_STATES = (
    "requested",
    "approved",
    "in_transit",
    "received",
    "refunded",
    "replaced",
    "rejected",
)


def return_figures(verdict: ReturnVerdict) -> dict[str, Any]:
    """Returns by state, and the customers' return rate over the orders delivered long
    enough ago for their customers to have asked."""
    return {
        "by_state": {state: verdict.by_state.get(state, 0) for state in RETURN_STATES},
        "rate": {
            "delivered_orders": verdict.delivered_orders,
            "customer_returns": verdict.customer_returns,
            "percent": round(100 * verdict.rate, 1),
            "delivered_days_ago": ASKED_WITHIN.days,
        },
    }


def headline_kpis(system: System, store: Store) -> dict[str, Any]:
    """The headline KPIs of the orders placed in the simulated days, as the report has them
    (counts beside every ratio)."""
    first = store.start.date()
    scope = scope_of(system.clock.now(), first, first + timedelta(days=store.days - 1))
    shown = report(system.uows, scope)
    return {"period": shown["period"], **{name: shown["kpis"][name] for name in HEADLINES}}


def _spread(per_order: Counter[str], orders: int) -> dict[str, float | int]:
    """How many customer emails an order got: the mean over all orders, and the most."""
    total = sum(per_order.values())
    return {
        "mean": round(total / orders, 2) if orders else 0,
        "max": max(per_order.values(), default=0),
    }


@dataclass(frozen=True, slots=True)
class Showcase:
    """An order worth opening first: a split whose parcel failed a delivery attempt."""

    order_id: str
    tracking: str
    token: str | None


def showcase(store: Store, sent: list[Sent]) -> Showcase | None:
    tokens = {s.order_id: s.token for s in sent if s.token}
    parcels_of = Counter(p.order_id for p in store.parcels)
    ranked = sorted(
        store.parcels,
        key=lambda p: (
            p.fate is not Fate.FAILED_ATTEMPT,
            parcels_of[p.order_id] < 2,
            p.order_id not in tokens,
            p.fate is Fate.SMOOTH,
        ),
    )
    if not ranked:
        return None
    chosen = ranked[0]
    return Showcase(chosen.order_id, chosen.tracking, tokens.get(chosen.order_id))
