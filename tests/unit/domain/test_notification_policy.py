"""The notification policy, pure: which changes earn which messages, for whom, and when."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from ordertrail.bootstrap import policy_of
from ordertrail.config import Settings
from ordertrail.domain.fold import SubjectState, fold
from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason
from ordertrail.domain.model import Subject, SubjectKind
from ordertrail.domain.notifications import (
    MessageKind,
    Policy,
    Recipient,
    outside_quiet_hours,
    plan,
    still_worth_sending,
)
from tests.factories import PARCEL, event

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ROUTINE, VIP = Recipient(), Recipient(priority="high_value")


def kinds(history: list[object], recipient: Recipient = ROUTINE) -> list[MessageKind]:
    """Every message the events earn, fed one at a time as they would arrive."""
    said, state = [], SubjectState()
    for item in history:
        after = fold([item], state)  # type: ignore[list-item]
        said += [p.kind for p in plan(PARCEL, state, after, recipient, NOON)]
        state = after
    return said


def test_a_smooth_parcel_earns_shipped_out_for_delivery_and_delivered() -> None:
    history = [
        event(M.LABEL_CREATED, 1),
        event(M.CARRIER_ACCEPTED, 2),
        event(M.IN_TRANSIT, 3),
        event(M.IN_TRANSIT, 4),
        event(M.OUT_FOR_DELIVERY, 5),
        event(M.DELIVERED, 6),
        event(M.OUT_FOR_DELIVERY, 7),  # late scan after delivery: nothing
    ]
    assert kinds(history) == [
        MessageKind.SHIPPED,
        MessageKind.OUT_FOR_DELIVERY,
        MessageKind.DELIVERED,
    ]
    assert MessageKind.IN_TRANSIT in kinds(history, VIP)


def test_internal_scans_say_nothing_and_a_first_movement_is_shipped() -> None:
    history = [event(M.PICKED, 1, "warehouse:lou"), event(M.PACKED, 2, "warehouse:lou")]
    assert kinds(history) == []
    assert kinds([event(M.IN_TRANSIT, 1)]) == [MessageKind.SHIPPED]


def test_every_failed_attempt_is_news_and_waits_for_staff() -> None:
    first = event(M.DELIVERY_ATTEMPTED, 1, reason=Reason.RECIPIENT_UNAVAILABLE, key="a1")
    second = event(M.DELIVERY_ATTEMPTED, 2, reason=Reason.BUSINESS_CLOSED, key="a2")
    before = fold([event(M.CARRIER_ACCEPTED, 0)])
    after = fold([first], before)
    [planned] = plan(PARCEL, before, after, ROUTINE, NOON, Policy(time_zone="Europe/London"))
    assert planned.not_before == NOON + Policy().staff_lead
    again = plan(PARCEL, after, fold([second], after), ROUTINE, NOON)
    assert again[0].dedupe != planned.dedupe


def test_a_delay_within_the_promise_is_not_worth_a_message() -> None:
    before = fold([event(M.IN_TRANSIT, 0)])
    late = event(M.DELAYED, 1, reason=Reason.WEATHER, estimated_delivery="2026-11-28")
    promised_later = Recipient(promised_by=date(2026, 11, 30))
    promised_sooner = Recipient(promised_by=date(2026, 11, 27))
    after = fold([late], before)
    assert plan(PARCEL, before, after, promised_later, NOON) == []
    assert [p.kind for p in plan(PARCEL, before, after, promised_sooner, NOON)] == [
        MessageKind.DELAYED
    ]


@pytest.mark.parametrize(
    ("local", "zone", "expected_local"),
    [
        (time(22, 30), "America/Chicago", time(8, 0)),  # the next morning
        (time(6, 15), "America/Chicago", time(8, 0)),  # this morning
        (time(12, 0), "America/Chicago", time(12, 0)),
        (time(21, 0), "Asia/Tokyo", time(8, 0)),
        (time(23, 59), None, time(8, 0)),  # the brand's zone (UTC by default)
    ],
)
def test_quiet_hours(local: time, zone: str | None, expected_local: time) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone or "UTC")
    moment = datetime.combine(date(2026, 11, 25), local, tzinfo=tz)
    held = outside_quiet_hours(moment.astimezone(UTC), zone, Policy())
    assert held.astimezone(tz).time() == expected_local
    assert held >= moment


def test_a_message_is_dropped_once_the_parcel_moved_past_it() -> None:
    assert not still_worth_sending(MessageKind.OUT_FOR_DELIVERY, M.DELIVERED)
    assert still_worth_sending(MessageKind.OUT_FOR_DELIVERY, M.OUT_FOR_DELIVERY)
    assert still_worth_sending(MessageKind.DELIVERED, M.DELIVERED)


def test_the_policy_comes_from_settings() -> None:
    policy = policy_of(
        Settings(
            messages={"routine": ["shipped", "delivered"]},
            sms_messages=[],
            quiet_from=time(22, 0),
            staff_lead_minutes=30,
        )
    )
    assert policy.kinds("routine") == {MessageKind.SHIPPED, MessageKind.DELIVERED}
    assert policy.kinds("unknown_class") == policy.kinds("routine")
    assert policy.sms == frozenset() and policy.staff_lead == timedelta(minutes=30)
    with pytest.raises(ValueError):
        policy_of(Settings(messages={"routine": ["a_kind_nobody_knows"]}))


@pytest.mark.parametrize(
    ("news", "expected"),
    [
        (event(M.EXCEPTION, 1, reason=Reason.ADDRESS_ISSUE), "address_issue"),
        (event(M.DELIVERY_ATTEMPTED, 1, reason=Reason.ADDRESS_ISSUE), "address_issue"),
        (event(M.EXCEPTION, 1, reason=Reason.DAMAGED), "damaged"),
        (event(M.EXCEPTION, 1, reason=Reason.LOST), "lost"),
        (event(M.RETURNED_TO_SENDER, 1), "returned_to_sender"),
        (event(M.EXCEPTION, 1, reason=Reason.CUSTOMS_HOLD), "customs_hold"),
        (event(M.DELAYED, 1, reason=Reason.PAYMENT_REQUIRED), "customs_hold"),
    ],
)
def test_trouble_the_customer_must_know_of_is_said_once_after_staff_heard(
    news: object, expected: str
) -> None:
    before = fold([event(M.CARRIER_ACCEPTED, 0)])
    after = fold([news], before)  # type: ignore[list-item]
    [planned] = plan(PARCEL, before, after, ROUTINE, NOON)
    assert planned.kind == MessageKind(expected)
    assert planned.earliest == NOON + Policy().staff_lead  # staff first
    # once per parcel: the same trouble reported again is not a second message
    assert planned.dedupe == f"shipment:{PARCEL.id}:{expected}"
    # and it is dropped unsent if the parcel has moved on before it could go
    assert still_worth_sending(planned.kind, after.status, after.reason)
    assert not still_worth_sending(planned.kind, M.DELIVERED, None)
    assert not still_worth_sending(planned.kind, M.IN_TRANSIT, None)


def test_an_address_issue_is_worth_a_text_message() -> None:
    assert MessageKind.ADDRESS_ISSUE in Policy().sms
    assert MessageKind.DAMAGED not in Policy().sms


def test_a_return_tells_its_customer_approved_received_and_released_unless_they_never_asked() -> (
    None
):
    rma = Subject(SubjectKind.RETURN, "RMA-1001")
    history = [
        event(M.RETURN_REQUESTED, 1, "customer", subject=rma),
        event(M.RETURN_APPROVED, 1.5, "system", subject=rma),
        event(M.RETURN_RECEIVED, 30, "carrier:ups", subject=rma),
        event(M.REPLACEMENT_RELEASED, 31, "ops:staff:kim@shop.example", subject=rma),
    ]
    said, unasked, state = [], [], SubjectState()
    for item in history:
        after = fold([item], state)
        said += [p.kind for p in plan(rma, state, after, ROUTINE, NOON)]
        unasked += [p.kind for p in plan(rma, state, after, ROUTINE, NOON, asked=False)]
        state = after
    assert said == [
        MessageKind.RETURN_APPROVED,
        MessageKind.RETURN_RECEIVED,
        MessageKind.REPLACEMENT_RELEASED,
    ]
    # a parcel the customer refused comes back as a return: no "approved" for them
    assert unasked == [MessageKind.RETURN_RECEIVED, MessageKind.REPLACEMENT_RELEASED]
