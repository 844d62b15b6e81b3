"""Priority classes: which orders deserve a closer watch and more messages.

A shop's channels say it in many ways (a shipping method called "Express", Amazon's
`NextDay` service level, a large basket); every channel reader asks this one rule, so an order
is classed alike whichever way it came in.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Priority(StrEnum):
    ROUTINE = "routine"
    HIGH_VALUE = "high_value"
    TIME_SENSITIVE = "time_sensitive"


#: Orders worth this much (minor units of their currency) are watched as high-value.
HIGH_VALUE_FROM = 50_000

# Words shipping methods and service levels use for paid-for speed, in the channels we read:
# Shopify/WooCommerce method titles ("Express Shipping", "Overnight"), Amazon service levels
# ("Expedited", "NextDay", "SecondDay", "Priority", "SameDay").
_FAST = re.compile(
    r"express|expedited|overnight|next[\s_-]?day|second[\s_-]?day|same[\s_-]?day|priority"
    r"|2[\s_-]?day|1[\s_-]?day",
    re.IGNORECASE,
)


def priority_of(
    value_minor: int | None,
    service: str | None = None,
    *,
    high_value_from: int = HIGH_VALUE_FROM,
) -> Priority:
    """Time-sensitive when the customer paid for speed (a promise at risk costs most), else
    high-value when the basket is large, else routine."""
    if service and _FAST.search(service):
        return Priority.TIME_SENSITIVE
    if value_minor is not None and value_minor >= high_value_from:
        return Priority.HIGH_VALUE
    return Priority.ROUTINE
