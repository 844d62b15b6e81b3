"""The help a tracking page offers matches the parcel: a stall we noticed, a failed attempt,
an address problem, a delivery that is not there; and what the carrier said of a trouble's
next step, and its tracking page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ordertrail.app.customer.carrier_links import carrier_link
from ordertrail.app.customer.support_prompts import ParcelSituation, Situation, support_prompt
from ordertrail.domain.casework.cases import Case, CaseNote
from ordertrail.domain.casework.exceptions import ExceptionKind
from ordertrail.domain.customer.delivery_proof import DeliveryProof
from ordertrail.domain.customer.trouble_details import TroubleDetails, trouble_details
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Subject, SubjectKind

NEW_YORK = ZoneInfo("America/New_York")
OPENED = datetime(2026, 11, 25, 15, 14, tzinfo=UTC)


def _case(kind: ExceptionKind, *notes: CaseNote) -> Case:
    return Case(
        Subject(SubjectKind.SHIPMENT, "shp_1"), "ORD-7", kind, "cause", OPENED,
        OPENED + timedelta(hours=8), "detail", history=notes,
    )  # fmt: skip


def _situation(
    status: Milestone | None,
    reason: Reason | None = None,
    cases: tuple[Case, ...] = (),
    trouble: TroubleDetails = TroubleDetails(),
    proof: DeliveryProof | None = None,
) -> ParcelSituation:
    return ParcelSituation(status, reason, trouble, proof, cases, NEW_YORK)


def test_a_stall_we_noticed_says_when_we_opened_the_case_in_the_customers_time() -> None:
    prompt = support_prompt(_situation(Milestone.IN_TRANSIT, cases=(_case(ExceptionKind.STALLED),)))
    assert prompt.situation is Situation.STALLED
    assert "We noticed and opened a case with the carrier at 10:14 on Wed 25 Nov." in prompt.says


def test_a_failed_attempt_says_when_the_carrier_comes_again_and_where_to_collect() -> None:
    trouble = TroubleDetails(date(2026, 11, 27), "Corner Shop", "Mon–Sat 8–20")
    prompt = support_prompt(_situation(Milestone.DELIVERY_ATTEMPTED, trouble=trouble))
    assert prompt.situation is Situation.FAILED_ATTEMPT
    assert "The carrier will try again on Friday 27 November." in prompt.says
    assert "You can also collect it at Corner Shop." in prompt.says
    plain = support_prompt(_situation(Milestone.DELIVERY_ATTEMPTED))
    assert "The carrier usually tries again on the next working day." in plain.says


def test_an_address_problem_asks_to_confirm_the_address_before_anything_else() -> None:
    stalled = (_case(ExceptionKind.STALLED),)
    prompt = support_prompt(
        _situation(Milestone.DELIVERY_ATTEMPTED, Reason.ADDRESS_ISSUE, cases=stalled)
    )
    assert prompt.situation is Situation.ADDRESS_ISSUE
    assert prompt.heading == "Please confirm your address" and len(prompt.steps) == 3


def test_delivered_but_missing_gives_the_proof_and_the_steps() -> None:
    proof = DeliveryProof(left="Left in or at the mailbox", signed_by=None)
    prompt = support_prompt(_situation(Milestone.DELIVERED, proof=proof))
    assert prompt.situation is Situation.DELIVERED
    assert "The carrier says: Left in or at the mailbox." in prompt.says
    assert prompt.steps[0].startswith("Look around your door")


def test_the_customers_own_message_is_acknowledged_with_its_time() -> None:
    wrote = CaseNote(OPENED + timedelta(minutes=6), "customer wrote: hello", "customer")
    prompt = support_prompt(
        _situation(Milestone.IN_TRANSIT, cases=(_case(ExceptionKind.CUSTOMER_MESSAGE, wrote),))
    )
    assert prompt.situation is Situation.ON_ITS_WAY
    assert prompt.message_at is not None and f"{prompt.message_at:%H:%M}" == "10:20"
    assert prompt.case_opened_at is not None


def test_only_the_few_readable_trouble_facts_are_taken_from_the_carriers_data() -> None:
    data = {
        "next_attempt": "2026-11-27T09:00:00-05:00",
        "access_point": {"name": "Corner\x00 Shop", "hours": "9–5"},
        "signed_by": "Dana Reyes",
    }
    assert trouble_details(data) == TroubleDetails(date(2026, 11, 27), "Corner Shop", "9–5")
    assert not trouble_details({"next_attempt": "soon", "pickup_point": 42})


def test_the_carriers_page_holds_the_number_and_nothing_else() -> None:
    assert carrier_link("UPS", "1Z999AA10123456784") == (
        "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    )
    assert carrier_link("dhl-express", "12 34").endswith("tracking-id=12%2034")
    assert carrier_link("ups", "a&b=c/../x").endswith("tracknum=a%26b%3Dc%2F..%2Fx")
    assert carrier_link("easypost", "EZ1") is None and carrier_link(None, "1") is None
