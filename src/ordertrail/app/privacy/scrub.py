"""What counts as a customer's personal data in stored text and payloads, and its replacement.

Two rules together. By name: a payload field whose name says it holds a person's name, email,
phone, address or postal code (`signed_by`, `recipient`, `address1` ...) is replaced whatever
it holds. By value: anywhere else, the erased customer's own name (whole, and each of its
words), email, phone and postal code are replaced where they appear (a carrier's "left with
DANA REYES", a case quoting the customer). What a status is derived from — milestones, times,
reasons, the estimated delivery, the country and region — is never touched, so the log still
folds to the same statuses after an erasure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import Customer, Location, TrackingEvent

#: What an erased value reads as, everywhere.
ERASED = "[erased]"

#: Payload fields that hold a person's contact details by their very name.
_PERSONAL_FIELDS = frozenset(
    {
        "signed_by",
        "signatory",
        "received_by",
        "recipient",
        "recipient_name",
        "name",
        "first_name",
        "last_name",
        "full_name",
        "customer_name",
        "contact",
        "street",
        "postal_code",
        "postcode",
        "zip",
        "zip_code",
    }
)
_PERSONAL_PARTS = ("email", "phone", "address", "street")

#: At these milestones the parcel is at the customer's door: the postal code is theirs.
_AT_THE_DOOR = frozenset({Milestone.DELIVERED, Milestone.DELIVERY_ATTEMPTED})

#: Shorter name words ("Li", "Al") are still replaced, but only whole and as said.
_SHORTEST_WORD = 2


@dataclass(frozen=True, slots=True)
class PersonalValues:
    """The erased customer's own values, looked for in free text."""

    phrases: tuple[str, ...] = ()
    postal_code: str | None = None

    @classmethod
    def of(cls, customer: Customer | None) -> PersonalValues:
        if customer is None:
            return cls()
        whole = [v.strip() for v in (customer.name, customer.email, customer.phone) if v]
        words = (customer.name or "").replace(".", " ").split()
        phrases = [*whole, *(w for w in words if len(w) >= _SHORTEST_WORD)]
        if customer.postal_code:
            phrases.append(customer.postal_code.strip())
        # longest first, so "Dana Reyes" goes whole before "Dana" is looked for
        unique = sorted({p for p in phrases if p and p != ERASED}, key=lambda p: (-len(p), p))
        return cls(tuple(unique), _postal(customer.postal_code))

    def pattern(self) -> re.Pattern[str] | None:
        if not self.phrases:
            return None
        alternatives = "|".join(re.escape(phrase) for phrase in self.phrases)
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _postal(code: str | None) -> str | None:
    return "".join((code or "").split()).upper() or None


def is_personal_field(name: str) -> bool:
    folded = name.casefold()
    return folded in _PERSONAL_FIELDS or any(part in folded for part in _PERSONAL_PARTS)


def scrub_text(text: str, values: PersonalValues) -> str:
    pattern = values.pattern()
    return pattern.sub(ERASED, text) if pattern else text


def scrub_json(value: Any, values: PersonalValues, *, field: str | None = None) -> Any:
    """A stored JSON value with personal data replaced (see the module's two rules)."""
    if isinstance(value, Mapping):
        return {key: scrub_json(item, values, field=str(key)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_json(item, values, field=field) for item in value]
    if field is not None and is_personal_field(field) and value not in (None, "", ERASED):
        return ERASED
    if isinstance(value, str):
        return scrub_text(value, values)
    return value


def scrub_event(event: TrackingEvent, values: PersonalValues) -> TrackingEvent:
    """The event with its personal parts replaced: the postal code where the parcel reached
    the customer, their values in the carrier's words, personal payload fields, and a local
    delivery's proof (the phone's position at their door, who took it, the photo and
    signature references)."""
    location = event.location
    if location is not None and location.postal_code:
        at_door = event.milestone in _AT_THE_DOOR
        if at_door or _postal(location.postal_code) == values.postal_code:
            location = replace(location, postal_code=None)
    description = event.raw_description
    if description:
        description = scrub_text(description, values)
    data = _without_proof(scrub_json(dict(event.data), values))
    return replace(event, location=_kept(location), raw_description=description, data=data)


#: What a driver's delivery keeps that points at a person: the handoff's `where` when it
#: names who took the parcel, and the photo and signature (files in the proof store).
_PROOF_FILES = ("photo", "signature")


def proof_files(event: TrackingEvent) -> list[str]:
    """The proof store's references a delivery's event holds (to delete with the customer)."""
    proof = event.data.get("proof")
    if not isinstance(proof, Mapping):
        return []
    return [
        ref for name in _PROOF_FILES if isinstance(ref := proof.get(name), str) and ref != ERASED
    ]


def _without_proof(data: dict[str, Any]) -> dict[str, Any]:
    if "gps" in data:
        data["gps"] = ERASED  # where the phone was: the customer's door
    proof = data.get("proof")
    if isinstance(proof, Mapping):
        proof = dict(proof)
        for name in _PROOF_FILES:
            if proof.get(name):
                proof[name] = ERASED
        if proof.get("handoff") == "handed_to" and proof.get("where"):
            proof["where"] = ERASED  # a person's name (a neighbour's, perhaps)
        data["proof"] = proof
    return data


def _kept(location: Location | None) -> Location | None:
    return None if location == Location() else location
