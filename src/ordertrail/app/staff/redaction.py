"""What a role without access to customer contact details sees.

Contact details hide in more places than the customer record: a carrier's words ("left with
DANA REYES"), what a source put in `data` (who signed), why staff corrected a status, and the
text of exception cases (a reported-missing case quotes the customer and the proof of
delivery). For such roles every free text is replaced by what the system itself says.
"""

from __future__ import annotations

from dataclasses import replace

from ordertrail.app.casework.staff_words import kind_words
from ordertrail.app.queries import OrderDetail, ShipmentDetail, TimelineRow
from ordertrail.domain.access import Permission, Principal
from ordertrail.domain.casework.cases import Case, CaseNote
from ordertrail.domain.casework.exceptions import CUSTOMERS_OWN, Team
from ordertrail.domain.model import Customer


def sees_contact(who: Principal) -> bool:
    return who.may(Permission.READ_CONTACT)


def order_for(who: Principal, detail: OrderDetail) -> OrderDetail:
    if sees_contact(who):
        return detail
    # where it goes (country, zone) is enough to pack and ship it; who gets it is not
    customer = Customer(country=detail.customer.country, time_zone=detail.customer.time_zone)
    return replace(
        detail,
        customer=customer,
        shipments=[parcel_for(who, s) for s in detail.shipments],
        timeline=[_row(row) for row in detail.timeline],
    )


def parcel_for(who: Principal, detail: ShipmentDetail) -> ShipmentDetail:
    if sees_contact(who):
        return detail
    return replace(detail, timeline=[_row(row) for row in detail.timeline])


def _row(row: TimelineRow) -> TimelineRow:
    # a delivery scan's postal code is the customer's; the city says enough where it was
    place = replace(row.location, postal_code=None) if row.location else None
    return replace(row, raw_description=None, data={}, location=place)


def cases_for(who: Principal, cases: list[Case]) -> list[Case]:
    """Cases as the role may see them: without contact access, no reported-missing case or
    customer's message (they are the customer's own account) and no free text on the others,
    except the warehouse's own findings, which the rules write."""
    if sees_contact(who):
        return cases
    return [_case(case) for case in cases if case.kind not in CUSTOMERS_OWN]


def _case(case: Case) -> Case:
    detail = case.detail if case.team is Team.WAREHOUSE else kind_words(case.kind)
    history = tuple(CaseNote(n.at, n.what.split(":", 1)[0], n.by) for n in case.history)
    return replace(case, detail=detail, history=history)
