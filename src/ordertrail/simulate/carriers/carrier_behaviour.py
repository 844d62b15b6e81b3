"""How the simulated carriers really deliver, for delivery-date purposes: ONE table, printed by
`ordertrail bench eta`, so what the estimate is measured against is in plain view (and nobody
tunes the model to it unseen).

Per carrier and distance zone (1 near, 3 far, see lanes.DESTINATIONS):

- `days`: business days on the road the carrier plans for (after the site's cut-off);
- `spread`: chances of 0, 1, 2 extra business days on an ordinary journey;
- `tail`: chance of a fat-tail journey, 3 to `tail_days` extra business days (a missed
  trailer, a mis-sort), told by no scan;
- `says`: the carrier's own estimate at hand-off, in business days (below `days`: optimistic);
- `monday`: chance that a parcel due on a Monday (or the day after a holiday) is a day late,
  the backlog of the days off; the carrier's own date never allows for it.

Across the board, a parcel whose road crosses a public holiday is a day late with chance
`HOLIDAY_LATE`; `DELAYED` of parcels are held by a reported delay (weather or the carrier),
`DELAY_DAYS` business days, with a new carrier date that is right; `ATTEMPTED` fail a first
delivery attempt and are delivered the next business day.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Behaviour:
    carrier: str
    zone: int
    days: int
    spread: tuple[float, float, float]
    tail: float
    tail_days: int
    says: int
    monday: float


BEHAVIOUR = (
    Behaviour("ups", 1, 1, (0.85, 0.12, 0.03), 0.01, 4, 1, 0.15),
    Behaviour("ups", 2, 2, (0.80, 0.16, 0.04), 0.02, 4, 2, 0.15),
    Behaviour("ups", 3, 3, (0.75, 0.20, 0.05), 0.03, 5, 3, 0.20),
    Behaviour("fedex", 1, 1, (0.85, 0.12, 0.03), 0.01, 4, 1, 0.10),
    Behaviour("fedex", 2, 2, (0.75, 0.20, 0.05), 0.02, 4, 1, 0.15),  # optimistic
    Behaviour("fedex", 3, 3, (0.70, 0.22, 0.08), 0.03, 5, 2, 0.20),  # optimistic
    Behaviour("usps", 1, 2, (0.70, 0.22, 0.08), 0.03, 5, 1, 0.25),  # optimistic
    Behaviour("usps", 2, 3, (0.60, 0.28, 0.12), 0.06, 6, 2, 0.30),  # optimistic, fat tail
    Behaviour("usps", 3, 4, (0.55, 0.30, 0.15), 0.10, 7, 3, 0.30),  # optimistic, fat tail
    Behaviour("dhl", 1, 1, (0.80, 0.15, 0.05), 0.02, 4, 1, 0.20),
    Behaviour("dhl", 2, 2, (0.70, 0.22, 0.08), 0.04, 5, 2, 0.25),
    Behaviour("dhl", 3, 3, (0.65, 0.25, 0.10), 0.08, 6, 2, 0.25),  # optimistic, fat tail
)

HOLIDAY_LATE = 0.5
DELAYED = 0.04
DELAY_DAYS = (1, 3)
ATTEMPTED = 0.05


def behaviour(carrier: str, zone: int) -> Behaviour:
    return next(b for b in BEHAVIOUR if (b.carrier, b.zone) == (carrier, zone))


def table_rows() -> list[dict[str, object]]:
    """The table as the benchmark prints it."""
    return [
        {
            "carrier": b.carrier,
            "zone": b.zone,
            "days": b.days,
            "extra_0_1_2": list(b.spread),
            "tail": b.tail,
            "tail_up_to": b.tail_days,
            "carrier_says": b.says,
            "optimistic": b.says < b.days,
            "late_after_days_off": b.monday,
        }
        for b in BEHAVIOUR
    ]
