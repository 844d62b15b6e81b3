"""Counting views of an order's tracking pages (for `tracking_page_views_per_order`).

A page is a read: it does not write. Views are tallied in memory, per order per day, and
stored together by a flusher every second or so (and when the app stops), one transaction for
all of them. A crash loses at most the views of the last second, which a per-order average
does not notice; a page view no longer waits for, or is lost to, another writer."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import UTC, date, datetime

from ordertrail.app.ports import DatabaseUnavailable, UnitOfWorkFactory, WriteConflict

#: How often the flusher stores the views counted since (seconds).
FLUSH_SECONDS = 1.0

_log = logging.getLogger(__name__)

Views = Counter[tuple[str, date]]


class ViewTally:
    """Views counted in memory (any thread may count), stored by `flush`: by the flusher
    `start` runs until `stop`, or by whoever needs the counts in the database now (a test)."""

    def __init__(self, uows: UnitOfWorkFactory, every: float = FLUSH_SECONDS) -> None:
        self._uows = uows
        self._every = every
        self._lock = threading.Lock()
        self._views: Views = Counter()
        self._stopped = threading.Event()
        self._flusher: threading.Thread | None = None

    def count(self, order_id: str, now: datetime) -> None:
        """One more view of the order's tracking pages today (UTC)."""
        key = (order_id, now.astimezone(UTC).date())
        with self._lock:
            self._views[key] += 1

    def flush(self) -> int:
        """Store the views counted so far in one transaction; how many were stored. While the
        database is busy (or out of room) they are kept for the next flush."""
        with self._lock:
            taken, self._views = self._views, Counter()
        if not taken:
            return 0
        try:
            with self._uows() as uow:
                uow.page_views.add_many(dict(taken))
                uow.commit()
        except (WriteConflict, DatabaseUnavailable):
            with self._lock:
                self._views.update(taken)  # counted again with what came meanwhile
            return 0
        return taken.total()

    def start(self) -> None:
        """Flush every `every` seconds in a thread of its own, until `stop`."""
        if self._flusher is not None and self._flusher.is_alive():
            return
        self._stopped.clear()
        self._flusher = threading.Thread(
            target=self._flush_until_stopped, name="ordertrail-page-views", daemon=True
        )
        self._flusher.start()

    def stop(self) -> None:
        """End the flusher and store what it had not stored yet."""
        self._stopped.set()
        if self._flusher is not None:
            self._flusher.join()
            self._flusher = None
        self.flush()

    def _flush_until_stopped(self) -> None:
        while not self._stopped.wait(self._every):
            try:
                self.flush()
            except Exception:  # the flusher outlives a bad moment: the next flush tries again
                _log.exception("page views not stored")
