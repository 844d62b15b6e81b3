"""Counting views of an order's tracking pages (for `tracking_page_views_per_order`)."""

from __future__ import annotations

from datetime import UTC, datetime

from ordertrail.app.ports import DatabaseUnavailable, UnitOfWorkFactory, WriteConflict


def count_view(uows: UnitOfWorkFactory, order_id: str, now: datetime) -> None:
    """One more view of the order's tracking pages today. Never waits for another writer: a
    page is a read, and while the database is busy (or out of room) the view goes uncounted."""
    try:
        with uows(wait=False) as uow:
            uow.page_views.count(order_id, now.astimezone(UTC).date())
            uow.commit()
    except (WriteConflict, DatabaseUnavailable):  # a full disk too: the page still shows
        return
