"""The addresses of the pages staff and customers open, built in one place.

Every id that goes into an address is percent-encoded here: Shopify's order numbers begin
with `#`, which a browser reads as the start of a fragment (`/ops/orders/#1029` asks for
`/ops/orders/`), and an id or tracking number may hold `/`, `?` or spaces.
"""

from __future__ import annotations

from urllib.parse import quote


def part(value: object) -> str:
    """One path segment or query value, every reserved character encoded."""
    return quote(str(value), safe="")


def order_page(order_id: str) -> str:
    """An order's page in the ops console."""
    return f"/ops/orders/{part(order_id)}"


def parcel_page(tracking_number: str) -> str:
    """A parcel's public tracking page (below the tracking page's own address)."""
    return f"/track/{part(tracking_number)}"
