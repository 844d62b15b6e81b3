"""One case on a page of its own: the case and its history, the order's whole timeline with
every parcel, and what the customer was told (and by which channel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ordertrail.app.casework.case_views import CasesShown, show_cases
from ordertrail.app.effect_ports import CaseQuery, OutboxMessage
from ordertrail.app.ports import UnitOfWorkFactory
from ordertrail.app.queries import OrderDetail, order_detail, outbox_messages
from ordertrail.domain.casework.cases import Case


@dataclass(frozen=True, slots=True)
class CasePage:
    case: Case
    shown: CasesShown
    order: OrderDetail | None
    messages: list[OutboxMessage]
    #: the order's other cases, open or not, so the case is read among its neighbours
    others: list[Case]


def case_page(uows: UnitOfWorkFactory, case_id: int, now: datetime) -> CasePage | None:
    with uows(read_only=True) as uow:
        found = uow.cases.find(CaseQuery(status=None, case_id=case_id, limit=1))
        if not found:
            return None
        case = found[0]
        others = [
            c
            for c in uow.cases.find(CaseQuery(status=None, order_id=case.order_id, limit=50))
            if c.id != case.id
        ]
    return CasePage(
        case=case,
        shown=show_cases(uows, [case, *others], now),
        order=order_detail(uows, case.order_id),
        messages=outbox_messages(uows, None, case.order_id, 200),
        others=others,
    )
