"""Reading warehouse barcodes: every form a GS1 label arrives in, carrier labels, cards, and
anything else a scanner can type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import DomainError
from ordertrail.domain.priority import Priority, priority_of
from ordertrail.domain.warehouse import MissingScan, Step, missing_scan
from ordertrail.sources.scans import (
    Badge,
    Carton,
    Product,
    Reference,
    StepCard,
    TrackingLabel,
    read_scan,
    scan_command,
)

SSCC = "376012345000000010"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BADGE:ana", Badge(operator="ana")),
        ("STATION:pack-3", Badge(station="pack-3")),
        ("step:handoff", StepCard(Step.HANDOFF)),
        (f"]C100{SSCC}\x1d400ORD-1001", Carton(SSCC, "ORD-1001")),  # FNC1 as GS
        (f"(00){SSCC}(400)ORD-1001", Carton(SSCC, "ORD-1001")),  # human-readable
        (f"00{SSCC}", Carton(SSCC)),  # no symbology prefix
        (f"{SSCC}\n", Carton(SSCC)),  # a bare SSCC, Enter included
        ("1Z999AA10123456784", TrackingLabel("1Z999AA10123456784", "ups")),
        ("(420)40213(94)00111899223197428497", TrackingLabel("9400111899223197428497", "usps")),
        ("5901234123457", Product("5901234123457")),
        ("(01)05901234123457", Product("05901234123457")),
        ("#1001", Reference("#1001")),
    ],
)
def test_what_a_barcode_names(text: str, expected: object) -> None:
    assert read_scan(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "nothing was scanned"),
        ("(00)376012345000000019", "check digit"),
        ("1Z999AA10123456785", "check digit"),
        ("STEP:FLY", "not a step"),
        ("BADGE:", "holds no value"),
        ("(99)abc", "names no carton"),
        ("]C1(((", "GS1"),
        ("a\x07b", "not a barcode"),
        ("9" * 500, "not a barcode"),
    ],
)
def test_unreadable_barcodes_say_why(text: str, words: str) -> None:
    with pytest.raises(DomainError) as refused:
        read_scan(text)
    assert words in refused.value.message


@given(st.text(max_size=80))
def test_any_typed_text_is_read_or_refused_with_a_reason(text: str) -> None:
    try:
        read_scan(text)
    except DomainError as error:
        assert error.field == "scan" and error.message


@given(st.text(alphabet="0123456789()]C1\x1d", max_size=60))
def test_gs1_shaped_noise_is_read_or_refused_with_a_reason(text: str) -> None:
    try:
        read_scan(text)
    except DomainError as error:
        assert error.message


def test_a_label_step_takes_the_carrier_label_or_a_new_carton_id() -> None:
    base = {"site": "lou", "station": "s", "operator": "ana", "step": Step.RELABEL}
    relabel = scan_command(**base, target=f"(00){SSCC}(400)ORD-1", label="1Z999AA10123456784")
    assert (relabel.target, relabel.order, relabel.label) == (SSCC, "ORD-1", "1Z999AA10123456784")
    assert relabel.label_carrier == "ups" and relabel.label_is_tracking
    new_carton = scan_command(**base, target=SSCC, label="(00)376012345000000027")
    assert not new_carton.label_is_tracking
    with pytest.raises(DomainError):
        scan_command(**base, target=SSCC, label="BADGE:bob")


NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "hours", "expected"),
    [
        (Milestone.PACKED, 9, MissingScan.NOT_HANDED_OFF),
        (Milestone.PACKED, 7, None),
        (Milestone.LABEL_CREATED, 25, MissingScan.NOT_ACCEPTED),
        (Milestone.LABEL_CREATED, 23, None),
        (Milestone.CARRIER_ACCEPTED, 500, None),
        (None, 500, None),
    ],
)
def test_a_scan_is_missing_only_after_its_wait(
    status: Milestone | None, hours: int, expected: MissingScan | None
) -> None:
    assert missing_scan(status, NOW - timedelta(hours=hours), NOW) == expected


@pytest.mark.parametrize(
    ("value", "service", "expected"),
    [
        (2_000, "Standard Shipping", Priority.ROUTINE),
        (80_000, "Standard Shipping", Priority.HIGH_VALUE),
        (2_000, "Express Shipping", Priority.TIME_SENSITIVE),
        (80_000, "NextDay", Priority.TIME_SENSITIVE),
        (None, None, Priority.ROUTINE),
    ],
)
def test_priority_classes(value: int | None, service: str | None, expected: Priority) -> None:
    assert priority_of(value, service) is expected
