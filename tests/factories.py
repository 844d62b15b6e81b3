"""Small builders for domain values, so tests read as the business would tell them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from ordertrail.app.staff.access import add_staff, issue_key
from ordertrail.bootstrap import System
from ordertrail.domain.access import Role
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import (
    Line,
    Order,
    Shipment,
    Source,
    Subject,
    SubjectKind,
    TrackingEvent,
    default_event_key,
)

DAY0 = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
PARCEL = Subject(SubjectKind.SHIPMENT, "1Z999AA10123456784")


def at(hours: float) -> datetime:
    """A moment `hours` after the start of the story."""
    return DAY0 + timedelta(hours=hours)


def event(
    milestone: Milestone | str | None,
    hours: float,
    source: str = "carrier:ups",
    *,
    subject: Subject = PARCEL,
    reason: Reason | None = None,
    raw_code: str | None = None,
    key: str | None = None,
    received: float | None = None,
    **data: Any,
) -> TrackingEvent:
    stone = Milestone(milestone) if milestone else None
    parsed = Source.parse(source)
    occurred = at(hours)
    return TrackingEvent(
        key=key or default_event_key(parsed, subject, stone, occurred, raw_code),
        subject=subject,
        milestone=stone,
        source=parsed,
        occurred_at=occurred,
        received_at=at(received if received is not None else hours + 0.1),
        reason=reason,
        order_id="ORD-1",
        raw_code=raw_code,
        data=data,
    )


def order(order_id: str = "ORD-1", *shipments: Shipment, lines: tuple[Line, ...] = ()) -> Order:
    return Order(
        id=order_id,
        channel="shopify",
        placed_at=DAY0,
        lines=lines or (Line("DRILL-18V", 1), Line("BIT-SET", 2)),
        shipments=shipments,
    )


def canonical_order(order_id: str, *parcels: tuple[str, str, dict[str, int]]) -> dict[str, Any]:
    """A canonical order JSON; each parcel is (tracking number, carrier, {sku: quantity})."""
    lines: dict[str, int] = {} if parcels else {"DRILL-18V": 1}  # an order lists something
    for _, _, carried in parcels:
        for sku, quantity in carried.items():
            lines[sku] = lines.get(sku, 0) + quantity
    return {
        "id": order_id,
        "channel": "shopify",
        "placed_at": "2026-11-18T14:02:00+00:00",
        "customer": {"name": "Dana Reyes", "email": "dana@example.com", "postal_code": "40213"},
        "lines": [{"sku": sku, "quantity": q} for sku, q in lines.items()],
        "shipments": [
            {
                "tracking_number": number,
                "carrier": carrier,
                "lines": [{"sku": sku, "quantity": q} for sku, q in carried.items()],
            }
            for number, carrier, carried in parcels
        ],
    }


def api_key(system: System, role: str = "admin", *, site: str | None = None) -> dict[str, str]:
    """Headers carrying a fresh API key of `role` (what every `/api/v1` call needs)."""
    issued = issue_key(
        system.uows, f"tests-{role}", Role(role), "tests", system.clock.now(), site=site
    )
    return {"Authorization": f"Bearer {issued.secret}"}


STAFF_PASSWORD = "correct horse battery staple"


def login_token(client: Any) -> str:
    """The token the sign-in form carries (and pins in a cookie), as a browser gets it."""
    form = client.get("/ops/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token, form.text
    return token.group(1)


def staff_member(system: System, role: str, email: str = "") -> str:
    """Add (or reset) a staff member of `role` with STAFF_PASSWORD; their email."""
    email = email or f"{role}@shop.example"
    now = system.clock.now()
    add_staff(system.uows, system.passwords, email, role.title(), Role(role), STAFF_PASSWORD, now)
    return email


def sign_in(client: Any, system: System, role: str = "ops", email: str = "") -> str:
    """Add a staff member of `role`, sign them in through the real form, and return the
    session's CSRF token (what every console form posts)."""
    email = staff_member(system, role, email)
    answer = client.post(
        "/ops/login",
        data={"email": email, "password": STAFF_PASSWORD, "login_token": login_token(client)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get("/ops")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, page.text
    return csrf.group(1)
