"""Recording fulfillment costs: each cost lands on its own; one naming a parcel, return or
order nobody knows is refused with its position, the others land."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.domain.measures.costs import Cost, CostTarget


@dataclass(slots=True)
class CostsRecorded:
    accepted: int = 0
    duplicates: int = 0
    problems: list[ItemProblem] = field(default_factory=list)


def record_costs(
    uows: UnitOfWorkFactory, given: Sequence[tuple[int, Cost]], now: datetime
) -> CostsRecorded:
    """Record costs given with their positions (index or line); a cost recorded before (its
    key) is a duplicate."""
    result = CostsRecorded()
    with uows() as uow:
        targets = [
            (c.target.value, c.target_id) for _, c in given if c.target is not CostTarget.SITE
        ]
        owners = uow.costs.orders_of(targets)
        known: list[Cost] = []
        for index, cost in given:
            if cost.target is CostTarget.SITE or (cost.target.value, cost.target_id) in owners:
                known.append(cost)
                continue
            what = cost.target.value
            result.problems.append(ItemProblem(index, what, f"no {what} '{cost.target_id}'"))
        result.accepted = uow.costs.add(known, now)
        result.duplicates = len(known) - result.accepted
        uow.commit()
    return result
