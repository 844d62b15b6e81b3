"""What the carrier said about a delivery that the customer can use to find the parcel: where
it was left, and who signed for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Words carriers use for where they left a parcel, and how the customer is told; the first
#: that appears in the carrier's description wins.
PLACES = (
    ("parcel locker", "Left in a parcel locker"),
    ("mailbox", "Left in or at the mailbox"),
    ("mail box", "Left in or at the mailbox"),
    ("mail room", "Left in the mail room"),
    ("mailroom", "Left in the mail room"),
    ("front desk", "Handed in at the front desk"),
    ("reception", "Handed in at reception"),
    ("leasing office", "Left at the leasing office"),
    ("front door", "Left at the front door"),
    ("porch", "Left on the porch"),
    ("back door", "Left at the back door"),
    ("side door", "Left at the side door"),
    ("garage", "Left in the garage"),
    ("neighbor", "Left with a neighbour"),
    ("neighbour", "Left with a neighbour"),
    ("safe place", "Left in a safe place"),
    ("post office", "Picked up at the post office"),
    ("access point", "Left at a pickup point"),
    ("pickup point", "Left at a pickup point"),
    ("parcel shop", "Left at a pickup point"),
    ("loading dock", "Left at the loading dock"),
)

#: Where carriers put the name of whoever signed.
SIGNER_KEYS = ("signed_by", "signatory", "received_by")


@dataclass(frozen=True, slots=True)
class DeliveryProof:
    left: str | None  # "Left in or at the mailbox"
    signed_by: str | None  # an initial and a surname: "D. Reyes"


def delivery_proof(description: str | None, data: Mapping[str, Any]) -> DeliveryProof | None:
    said = (description or "").casefold()
    left = next((words for clue, words in PLACES if clue in said), None)
    signer = next((str(data[key]) for key in SIGNER_KEYS if data.get(key)), None)
    if left is None and signer is None:
        return None
    return DeliveryProof(left, _initial_and_surname(signer) if signer else None)


def _initial_and_surname(name: str) -> str | None:
    """Enough to tell a neighbour's signature from one's own, and no more: "D. Reyes"."""
    words = [word.title() if word.isupper() else word for word in name.replace(".", " ").split()]
    if not words:
        return None
    return f"{words[0][0]}. {' '.join(words[1:])}" if len(words) > 1 else words[0]
