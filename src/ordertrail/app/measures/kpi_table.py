"""The KPI report as rows (a spreadsheet, the console's figures): one row per figure, with
the counts behind it, for the whole report and per carrier, service, lane, site and week."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

#: The figures a manager reads first, in the order the console shows them.
HEADLINES = (
    "on_time_delivery_rate",
    "click_to_door",
    "order_cycle_time",
    "order_accuracy_rate",
    "first_attempt_delivery_rate",
    "return_rate",
    "return_cycle_time",
    "fulfillment_cost_per_order",
    "messages_per_order",
    "tracking_page_views_per_order",
)

COLUMNS = (
    "section",
    "group",
    "kpi",
    "value",
    "numerator",
    "denominator",
    "median_hours",
    "p90_hours",
    "count",
)


def figure_rows(section: str, group: str, name: str, figure: Any) -> Iterator[dict[str, Any]]:
    """One figure as rows: a rate with its counts, a duration with its count, a cost per
    currency (never added across currencies), an exception rate per kind."""
    row: dict[str, Any] = {"section": section, "group": group, "kpi": name}
    if figure is None:
        yield row
    elif "median_hours" in figure:
        yield {**row, **{k: figure[k] for k in ("median_hours", "p90_hours", "count")}}
    elif "by_currency" in figure:
        for currency, cost in figure["by_currency"].items():
            yield {
                **row,
                "group": f"{group} {currency}".strip(),
                "value": cost["value"],
                "numerator": cost["numerator"],
                "denominator": figure["denominator"],
            }
    elif "by_kind" in figure:
        for kind, rate in figure["by_kind"].items():
            yield from figure_rows(section, group, f"{name}:{kind}", rate)
    elif "orders_viewed" in figure:
        yield {
            **row,
            "value": figure["value"],
            "numerator": figure["value"],
            "denominator": figure["orders_viewed"],
        }
    else:
        yield {**row, **{k: figure.get(k) for k in ("value", "numerator", "denominator")}}


def report_rows(figures: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every figure of a report (app.kpis.report), as rows under COLUMNS."""
    for name, figure in figures["kpis"].items():
        yield from figure_rows("report", "", name, figure)
    for carrier in figures["carriers"]:
        yield from _scorecard("carrier", carrier["carrier"], carrier)
        for service in carrier["services"]:
            yield from _scorecard("service", f"{carrier['carrier']} {service['service']}", service)
        for lane in carrier["lanes"]:
            yield from _scorecard("lane", f"{carrier['carrier']} {lane['lane']}", lane)
    for site in figures["sites"]:
        for name, figure in site.items():
            if name == "handed_off":
                yield {"section": "site", "group": site["site"], "kpi": name, "count": figure}
            elif name != "site":
                yield from figure_rows("site", site["site"], name, figure)
    for week in figures["weeks"]:
        yield {
            "section": "week",
            "group": week["week_of"],
            "kpi": "orders",
            "count": week["orders"],
        }
        for name in ("on_time_delivery_rate", "click_to_door"):
            yield from figure_rows("week", week["week_of"], name, week[name])


def _scorecard(section: str, group: str, card: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    yield {"section": section, "group": group, "kpi": "parcels", "count": card["parcels"]}
    for name in ("on_time_delivery_rate", "transit_time", "first_attempt_delivery_rate"):
        yield from figure_rows(section, group, name, card[name])
    yield from figure_rows(section, group, "exception_rate", card["exception_rate"])
