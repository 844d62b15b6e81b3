"""What erasure counts as personal data in carrier words and payloads, and what it leaves:
a status is still folded from the same facts, and scrubbing twice changes nothing more."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ordertrail.app.privacy.scrub import ERASED, PersonalValues, scrub_event, scrub_json
from ordertrail.domain.fold import Effect, fold, timeline
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import Customer, Location
from tests.factories import event

DANA = Customer(
    name="Dana Reyes", email="dana@example.com", phone="+15555550100", postal_code="40213"
)


def delivered(description: str, **data: object) -> object:
    made = event(Milestone.DELIVERED, 30, **data)
    place = Location(city="LOUISVILLE", region="KY", country="US", postal_code="40213-1234")
    return replace(made, raw_description=description, location=place)


def test_the_carriers_words_lose_the_customer_and_keep_where_it_was_left() -> None:
    said = delivered(
        "LEFT AT FRONT DOOR, SIGNED BY DANA REYES",
        signed_by="D. REYES",
        estimated_delivery="2026-11-20",
        pieces=2,
    )
    scrubbed = scrub_event(said, PersonalValues.of(DANA))  # type: ignore[arg-type]
    assert scrubbed.raw_description == f"LEFT AT FRONT DOOR, SIGNED BY {ERASED}"
    assert scrubbed.data == {"signed_by": ERASED, "estimated_delivery": "2026-11-20", "pieces": 2}
    assert scrubbed.location == Location(city="LOUISVILLE", region="KY", country="US")
    before, after = fold([said]), fold([scrubbed])  # type: ignore[list-item]
    assert replace(after, status_location=None) == replace(before, status_location=None)
    assert scrub_event(scrubbed, PersonalValues.of(DANA)) == scrubbed


def test_a_hubs_postal_code_stays_and_the_customers_goes_wherever_it_is() -> None:
    hub = replace(
        event(Milestone.IN_TRANSIT, 5),
        location=Location(city="Louisville", country="US", postal_code="40209"),
    )
    near = replace(hub, location=Location(country="US", postal_code=" 40213 "))
    values = PersonalValues.of(DANA)
    assert scrub_event(hub, values) == hub
    assert scrub_event(near, values).location == Location(country="US")


@pytest.mark.parametrize(
    "name",
    ["O'Brien (Jr.)", "Zoë [admin] *", "a.b", "  ", "Li", "\\d+ .*"],
)
def test_hostile_names_are_matched_as_said_and_never_as_patterns(name: str) -> None:
    values = PersonalValues.of(Customer(name=name, email="x+y@example.com"))
    text = f"For {name.strip()} at x+y@example.com; parcel 12345 on the van"
    scrubbed = scrub_json({"note": text}, values)["note"]
    assert "x+y@example.com" not in scrubbed
    assert "parcel 12345 on the van" in scrubbed  # nothing else matched by accident
    if name.strip():
        assert name.strip() not in scrubbed


def test_payload_fields_named_for_contacts_go_whatever_they_hold() -> None:
    payload = {
        "recipient": {"address1": "12 Elm St", "city": "Louisville"},
        "Customer_Email": "someone.else@example.com",
        "phones": ["+1 555 0199"],
        "facility": "SLCA",
        "empty_name": "",
    }
    assert scrub_json(payload, PersonalValues()) == {
        "recipient": {"address1": ERASED, "city": "Louisville"},
        "Customer_Email": ERASED,
        "phones": [ERASED],
        "facility": "SLCA",
        "empty_name": "",
    }


def test_an_ops_record_without_a_milestone_is_noted_not_unmapped() -> None:
    erasure = event(None, 40, "ops:privacy-officer", raw_code="customer_data_erased")
    carrier = event(None, 41, raw_code="ZZ")
    rows = timeline([event(Milestone.IN_TRANSIT, 5), erasure, carrier])
    assert [effect for _, effect in rows] == [Effect.APPLIED, Effect.NOTED, Effect.UNMAPPED]
    state = fold([event(Milestone.IN_TRANSIT, 5), erasure])
    assert (state.status, state.unmapped) == (Milestone.IN_TRANSIT, 0)
