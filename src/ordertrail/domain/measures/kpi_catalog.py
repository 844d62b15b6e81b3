"""The KPIs by name, what each means, and the measure (rows the database keeps per order,
parcel or return) each is counted from: the same rows give the figure and the orders behind
it, so a figure can always be checked by hand."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    """What one row of a measure stands for."""

    ORDER = "order"
    PARCEL = "parcel"
    RETURN = "return"
    SITE_PARCEL = "site_parcel"  # a parcel, seen from the site it left


class Measure(StrEnum):
    ORDERS = "orders"  # fulfilled | not_shipped
    ON_TIME = "on_time"  # on_time | late | no_promise (orders fully delivered)
    ORDER_CYCLE = "order_cycle_time"  # hours placed → every parcel in carrier possession
    CLICK_TO_DOOR = "click_to_door"  # hours placed → every parcel delivered
    ACCURACY = "order_accuracy"  # accurate | claim (orders shipped)
    EXCEPTIONS = "exceptions"  # one row per order and kind of case opened about it
    RETURNS = "returns"  # returned | kept (orders fully delivered)
    RETURN_CYCLE = "return_cycle_time"  # hours requested → refund or replacement released
    MESSAGES = "messages"  # messages sent to the customer, per order
    PAGE_VIEWS = "page_views"  # views of the order's tracking pages, per order
    WISMO = "wismo"  # answered | contacted (orders whose tracking page was viewed)
    COSTS = "costs"  # one row per cost of the order: outcome = currency, weight = minor units
    PARCEL_ON_TIME = "parcel_on_time"  # on_time | late | no_promise, per delivered parcel
    TRANSIT = "transit_time"  # hours carrier possession → delivered
    FIRST_ATTEMPT = "first_attempt"  # first_attempt | after_failed_attempt
    PARCEL_EXCEPTIONS = "parcel_exceptions"  # with_exception | none
    PICK_TO_PACK = "pick_to_pack"
    PACK_TO_LABEL = "pack_to_label"
    LABEL_TO_HANDOFF = "label_to_handoff"
    MISSED_SCANS = "missed_scans"  # complete | missed (parcels handed off)
    LATE_HANDOFFS = "late_handoffs"  # before_cutoff | after_cutoff (sites with a cut-off)


LEVEL: dict[Measure, Level] = {
    **dict.fromkeys(
        (
            Measure.ORDERS,
            Measure.ON_TIME,
            Measure.ORDER_CYCLE,
            Measure.CLICK_TO_DOOR,
            Measure.ACCURACY,
            Measure.EXCEPTIONS,
            Measure.RETURNS,
            Measure.MESSAGES,
            Measure.PAGE_VIEWS,
            Measure.WISMO,
            Measure.COSTS,
        ),
        Level.ORDER,
    ),
    Measure.RETURN_CYCLE: Level.RETURN,
    **dict.fromkeys(
        (
            Measure.PARCEL_ON_TIME,
            Measure.TRANSIT,
            Measure.FIRST_ATTEMPT,
            Measure.PARCEL_EXCEPTIONS,
        ),
        Level.PARCEL,
    ),
    **dict.fromkeys(
        (
            Measure.PICK_TO_PACK,
            Measure.PACK_TO_LABEL,
            Measure.LABEL_TO_HANDOFF,
            Measure.MISSED_SCANS,
            Measure.LATE_HANDOFFS,
        ),
        Level.SITE_PARCEL,
    ),
}


#: The breakdowns the report shows each measure by (week, carrier, service, lane, site); a
#: measure not named here is shown by every one. A duration shown only overall or week by week
#: is counted in far fewer groups without the rest (a year's click-to-door was 41k groups by
#: every breakdown, 5k by week).
BROKEN_DOWN_BY: dict[Measure, frozenset[str]] = {
    Measure.ORDER_CYCLE: frozenset({"week"}),
    Measure.CLICK_TO_DOOR: frozenset({"week"}),
    Measure.RETURN_CYCLE: frozenset(),
    Measure.TRANSIT: frozenset({"carrier", "service", "lane"}),
    **dict.fromkeys(
        (Measure.PICK_TO_PACK, Measure.PACK_TO_LABEL, Measure.LABEL_TO_HANDOFF),
        frozenset({"site"}),
    ),
}


@dataclass(frozen=True, slots=True)
class Kpi:
    name: str
    measure: Measure
    definition: str
    #: the outcomes the figure counts as its numerator (rates), else ()
    counted: tuple[str, ...] = ()


_KPIS = (
    Kpi(
        "on_time_delivery_rate",
        Measure.ON_TIME,
        "orders delivered on or before the end of the promised day (where the customer is) / "
        "orders delivered × 100; orders without a promise are counted apart",
        ("on_time",),
    ),
    Kpi(
        "order_cycle_time",
        Measure.ORDER_CYCLE,
        "hours from the order being placed to its last parcel in the carrier's hands",
    ),
    Kpi(
        "click_to_door",
        Measure.CLICK_TO_DOOR,
        "hours from the order being placed to its last parcel delivered",
    ),
    Kpi(
        "order_accuracy_rate",
        Measure.ACCURACY,
        "orders shipped without a return, a damaged parcel or a parcel reported missing / "
        "orders shipped × 100",
        ("accurate",),
    ),
    Kpi(
        "fulfillment_cost_per_order",
        Measure.COSTS,
        "fulfillment costs (postage, handling, returns) / orders shipped, per currency",
    ),
    Kpi(
        "first_attempt_delivery_rate",
        Measure.FIRST_ATTEMPT,
        "parcels delivered without a failed attempt before / parcels delivered × 100",
        ("first_attempt",),
    ),
    Kpi(
        "exception_rate",
        Measure.EXCEPTIONS,
        "orders with a case of each kind / orders × 100 (an order counts once per kind)",
    ),
    Kpi(
        "return_rate",
        Measure.RETURNS,
        "orders delivered with a return requested / orders delivered × 100",
        ("returned",),
    ),
    Kpi(
        "return_cycle_time",
        Measure.RETURN_CYCLE,
        "hours from a return being requested to its refund or replacement being released",
    ),
    Kpi(
        "messages_per_order",
        Measure.MESSAGES,
        "messages sent to customers / orders",
    ),
    Kpi(
        "tracking_page_views_per_order",
        Measure.PAGE_VIEWS,
        "views of an order's tracking pages (a lookup that matched, a message link, the "
        "parcel's page) / orders",
    ),
    Kpi(
        "wismo_contacts_avoided",
        Measure.WISMO,
        "orders whose customer looked at the tracking page and never reported a problem "
        "(known only for orders whose page was viewed)",
        ("answered",),
    ),
    Kpi(
        "transit_time",
        Measure.TRANSIT,
        "hours from the carrier taking a parcel to delivering it",
    ),
    Kpi(
        "parcel_on_time_rate",
        Measure.PARCEL_ON_TIME,
        "parcels delivered by the end of their order's promised day / parcels delivered "
        "with a promise × 100",
        ("on_time",),
    ),
    Kpi(
        "parcel_exception_rate",
        Measure.PARCEL_EXCEPTIONS,
        "parcels with any case opened about them / parcels × 100",
        ("with_exception",),
    ),
    Kpi("pick_to_pack", Measure.PICK_TO_PACK, "hours from the pick scan to the pack scan"),
    Kpi("pack_to_label", Measure.PACK_TO_LABEL, "hours from the pack scan to the label"),
    Kpi(
        "label_to_handoff",
        Measure.LABEL_TO_HANDOFF,
        "hours from the label to the carrier's hands",
    ),
    Kpi(
        "missed_scan_rate",
        Measure.MISSED_SCANS,
        "parcels handed to the carrier without a pick, pack or label scan / parcels handed "
        "off × 100",
        ("missed",),
    ),
    Kpi(
        "late_handoff_rate",
        Measure.LATE_HANDOFFS,
        "parcels handed to the carrier after the site's carrier cut-off (its local clock) / "
        "parcels handed off at sites with a cut-off × 100",
        ("after_cutoff",),
    ),
)

KPIS: dict[str, Kpi] = {kpi.name: kpi for kpi in _KPIS}
