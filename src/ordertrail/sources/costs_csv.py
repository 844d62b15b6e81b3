"""The costs CSV: one cost a row, for postage from a label export, handling and return costs.

Columns (a header row names them; order does not matter):

    order | shipment | return | site, kind, amount, currency, date[, key]

Exactly one of `order`, `shipment` (its id or tracking number), `return` or `site` says what
the cost is for. `kind` is postage, handling or return; `amount` is written as people write
it (4.95), in `currency` (ISO 4217, kept as given); `date` is the day it was incurred. `key`
names the cost when two identical rows are really two costs; without it a row imported again
is the same cost.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date

from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.domain.measures.costs import Cost, CostKind, CostTarget, money_of
from ordertrail.domain.model import DomainError

REQUIRED = ("kind", "amount", "currency", "date")
_TARGETS = tuple(target.value for target in CostTarget)


def read_costs(lines: Iterable[str]) -> Iterator[tuple[int, Cost | None, list[ItemProblem]]]:
    """(line, the cost or None, its problems), in file order."""
    reader = csv.DictReader(lines)
    columns = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in columns]
    if missing or not any(t in columns for t in _TARGETS):
        needs = [*missing, *([] if any(t in columns for t in _TARGETS) else ["order"])]
        yield 1, None, [ItemProblem(1, "(header)", "needs the columns " + ", ".join(needs))]
        return
    for row in reader:
        line = reader.line_num
        try:
            yield line, _cost({k: (v or "").strip() for k, v in row.items() if k}), []
        except DomainError as error:
            yield line, None, [ItemProblem(line, error.field, error.message)]


def _cost(row: dict[str, str]) -> Cost:
    named = [(t, row[t]) for t in _TARGETS if row.get(t)]
    if len(named) != 1:
        raise DomainError("order", "name exactly one of order, shipment, return or site")
    target, target_id = named[0]
    try:
        kind = CostKind(row["kind"].lower())
    except ValueError:
        choices = ", ".join(k.value for k in CostKind)
        raise DomainError("kind", f"'{row['kind']}' is not one of {choices}") from None
    try:
        day = date.fromisoformat(row["date"])
    except ValueError:
        raise DomainError("date", f"'{row['date']}' is not a date like 2026-11-20") from None
    return Cost(
        CostTarget(target),
        target_id,
        kind,
        money_of(row["amount"], row["currency"]),
        day,
        source="import:csv",
        key=row.get("key", ""),
    )
