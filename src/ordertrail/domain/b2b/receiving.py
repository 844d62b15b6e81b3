"""What a business-to-business order carries beyond a parcel's: who receives it (a company's
receiving site, not a person at a door), the buyer's purchase-order reference, and what the
delivery needs there (a dock appointment, a liftgate, receiving hours)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ordertrail.domain.model import DomainError

#: Longer than this is not a name or a reference but a paste accident.
LONGEST_TEXT = 200


@dataclass(frozen=True, slots=True)
class BusinessTerms:
    """The B2B side of an order. A company and its site are not personal data; a named
    contact at the dock would be, so none is kept here."""

    #: the receiving company ("Northwind Hardware")
    consignee: str
    #: which of its sites receives ("Louisville DC 2"), when it has several
    receiving_site: str | None = None
    #: the buyer's purchase-order reference, quoted on every paper at the dock
    purchase_order: str | None = None
    #: the site takes deliveries only at a booked time
    dock_appointment: bool = False
    #: no loading dock: the truck needs a liftgate
    liftgate: bool = False
    #: when the site receives, as the buyer says it ("Mon-Fri 07:00-15:00")
    receiving_hours: str | None = None

    def __post_init__(self) -> None:
        if not self.consignee.strip():
            raise DomainError("consignee", "a B2B order names the company that receives it")
        for name in ("consignee", "receiving_site", "purchase_order", "receiving_hours"):
            value = getattr(self, name)
            if value is not None and len(value) > LONGEST_TEXT:
                raise DomainError(name, f"is longer than {LONGEST_TEXT} characters")

    @property
    def needs(self) -> list[str]:
        """What the delivery needs, in the words a dispatcher uses."""
        said = []
        if self.dock_appointment:
            said.append("dock appointment")
        if self.liftgate:
            said.append("liftgate")
        if self.receiving_hours:
            said.append(f"receives {self.receiving_hours}")
        return said

    def as_data(self) -> dict[str, Any]:
        return {
            "consignee": self.consignee,
            "receiving_site": self.receiving_site,
            "purchase_order": self.purchase_order,
            "dock_appointment": self.dock_appointment,
            "liftgate": self.liftgate,
            "receiving_hours": self.receiving_hours,
        }

    @classmethod
    def from_data(cls, data: Any) -> BusinessTerms | None:
        """The stored form back (None: a consumer order)."""
        if not isinstance(data, dict) or not data.get("consignee"):
            return None
        return cls(
            consignee=str(data["consignee"]),
            receiving_site=data.get("receiving_site"),
            purchase_order=data.get("purchase_order"),
            dock_appointment=bool(data.get("dock_appointment")),
            liftgate=bool(data.get("liftgate")),
            receiving_hours=data.get("receiving_hours"),
        )
