"""Reports held for shipments nobody registered yet."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from ordertrail.app.intake.commands import EventReport
from ordertrail.app.ports import HeldReport
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Location, Source
from ordertrail.store.codec import location_json
from ordertrail.store.tables import unmatched_reports


class SqlUnmatched:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def keep(self, reports: Sequence[EventReport], received_at: datetime) -> int:
        rows: dict[str, dict[str, Any]] = {}
        for report in reports:
            body = _json(report)
            key = (
                report.key or hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
            )
            rows.setdefault(
                key,
                {
                    "key": key,
                    "shipment_name": report.shipment or "",
                    "received_at": received_at,
                    "report": body,
                },
            )
        if not rows:
            return 0
        held = set(
            self._conn.scalars(
                select(unmatched_reports.c.key).where(unmatched_reports.c.key.in_(sorted(rows)))
            )
        )
        new = [row for key, row in rows.items() if key not in held]
        if new:
            self._conn.execute(insert(unmatched_reports), new)
        return len(new)

    def take(self, names: Iterable[str]) -> list[tuple[EventReport, datetime]]:
        wanted = sorted(set(names))
        if not wanted:
            return []
        table = unmatched_reports
        query = select(table).where(table.c.shipment_name.in_(wanted)).order_by(table.c.seq)
        rows = list(self._conn.execute(query))
        if rows:
            self._conn.execute(delete(table).where(table.c.seq.in_([r.seq for r in rows])))
        return [(_report(row.report), row.received_at) for row in rows]

    def waiting(self, limit: int) -> list[HeldReport]:
        query = select(unmatched_reports).order_by(unmatched_reports.c.seq).limit(limit)
        return [
            HeldReport(
                shipment=row.shipment_name,
                source=row.report["source"],
                milestone=row.report.get("milestone"),
                raw_code=row.report.get("raw_code"),
                occurred_at=datetime.fromisoformat(row.report["occurred_at"]),
                received_at=row.received_at,
            )
            for row in self._conn.execute(query)
        ]

    def count(self) -> int:
        return int(self._conn.scalar(select(func.count()).select_from(unmatched_reports)) or 0)


def _json(report: EventReport) -> dict[str, Any]:
    location = report.location
    return {
        "source": str(report.source),
        "occurred_at": report.occurred_at.isoformat(),
        "milestone": report.milestone.value if report.milestone else None,
        "reason": report.reason.value if report.reason else None,
        "order": report.order,
        "shipment": report.shipment,
        "return": report.return_id,
        "key": report.key,
        "location": location_json(location) if location else None,
        "raw_code": report.raw_code,
        "raw_description": report.raw_description,
        "data": dict(report.data),
    }


def _report(value: dict[str, Any]) -> EventReport:
    return EventReport(
        source=Source.parse(value["source"]),
        occurred_at=datetime.fromisoformat(value["occurred_at"]),
        milestone=Milestone(value["milestone"]) if value.get("milestone") else None,
        reason=Reason(value["reason"]) if value.get("reason") else None,
        order=value.get("order"),
        shipment=value.get("shipment"),
        return_id=value.get("return"),
        key=value.get("key"),
        location=Location(**value["location"]) if value.get("location") else None,
        raw_code=value.get("raw_code"),
        raw_description=value.get("raw_description"),
        data=value.get("data") or {},
    )
