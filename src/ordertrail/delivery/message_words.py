"""Words messages say about a parcel beyond their templates: the carrier's reason in the
customer's language ("recipient unavailable", never `recipient_unavailable`) and a promised
day written as their language writes dates."""

from __future__ import annotations

from datetime import date

from ordertrail.languages import dates
from ordertrail.languages.speech import N_, _

REASONS = {
    "address_issue": N_("address issue"),
    "recipient_unavailable": N_("recipient unavailable"),
    "business_closed": N_("business closed"),
    "access_restricted": N_("access restricted"),
    "refused": N_("refused"),
    "damaged": N_("damaged"),
    "lost": N_("lost"),
    "customs_hold": N_("customs hold"),
    "payment_required": N_("payment required"),
    "weather": N_("weather"),
    "carrier_delay": N_("carrier delay"),
    "other": N_("other"),
}


def reason_words(reason: str) -> str:
    """The carrier's reason, said where the message is written (in its language)."""
    return _(REASONS.get(reason, REASONS["other"]))


def iso_day(text: str) -> str:
    """A day kept as ISO text ("2026-12-04"), as the customer's language writes it."""
    try:
        return dates.day_year(date.fromisoformat(text))
    except ValueError:
        return text
