"""AfterShip trackings: `checkpoints[]` of a tracking, as GET /trackings returns it
(`data.tracking`), as a webhook sends it (`msg`), or bare.

AfterShip relays the underlying carrier (`slug`, kept in `data`); the events' source is
`carrier:aftership`. `checkpoint_time` follows the carrier: with an offset it is kept as
said, without one it is placed in the checkpoint's country or state and flagged.
"""

from __future__ import annotations

from typing import Any

from ordertrail.app.intake.commands import EventReport
from ordertrail.domain.mapping import normalize_code
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Source
from ordertrail.sources.carriers.aftership.codes import BY_SUBTAG, BY_TAG, SILENT_SUBTAGS
from ordertrail.sources.carriers.base import (
    CarrierParseError,
    carrier_report,
    dig,
    event_key,
    iso_date,
    items,
    load_json,
    moment,
    place_of,
    text,
)

SOURCE = Source.parse("carrier:aftership")
_SILENT = {normalize_code(subtag) for subtag in SILENT_SUBTAGS}


class AftershipAdapter:
    name = "aftership"

    def parse(self, payload: bytes) -> list[EventReport]:
        tracking, where = _tracking(load_json(payload))
        number = text(dig(tracking, where, "tracking_number"), f"{where}.tracking_number")
        if number is None:
            raise CarrierParseError(f"{where}.tracking_number", "is empty")
        slug = text(tracking.get("slug"), f"{where}.slug")
        promised = iso_date(tracking.get("expected_delivery"))
        checkpoints = items(tracking.get("checkpoints"), f"{where}.checkpoints")
        return [
            _report(number, checkpoint, f"{where}.checkpoints[{c}]", slug, promised)
            for c, checkpoint in enumerate(checkpoints)
        ]


def _tracking(body: Any) -> tuple[dict[str, Any], str]:
    """The tracking object, wherever this kind of payload keeps it."""
    for path in (("data", "tracking"), ("msg",), ("data",), ()):
        found = body
        for step in path:
            found = found.get(step) if isinstance(found, dict) else None
        if isinstance(found, dict) and "tracking_number" in found:
            return found, ".".join(path)
    raise CarrierParseError("(payload)", "holds no AfterShip tracking (data.tracking or msg)")


def _report(
    number: str, checkpoint: Any, where: str, slug: str | None, promised: str | None
) -> EventReport:
    if not isinstance(checkpoint, dict):
        raise CarrierParseError(where, "should be an object")
    tag = text(checkpoint.get("tag"), f"{where}.tag")
    subtag = text(checkpoint.get("subtag"), f"{where}.subtag")
    milestone, reason, raw_code = _meaning(tag, subtag)
    message = text(checkpoint.get("message"), f"{where}.message")
    location = place_of(
        checkpoint, where, city="city", region="state", country="country_iso3", postal_code="zip"
    )
    stamp = dig(checkpoint, where, "checkpoint_time")
    occurred_at, assumed = moment(stamp, f"{where}.checkpoint_time", location)
    data = {
        "carrier": slug,
        "aftership_tag": tag,
        "carrier_code": text(checkpoint.get("raw_tag"), f"{where}.raw_tag"),
        "time_zone_assumed": assumed,
        "estimated_delivery": promised,
    }
    return carrier_report(
        SOURCE,
        number,
        occurred_at,
        (milestone, reason, raw_code),
        key=event_key("aftership", number, str(stamp), tag, subtag, message),
        location=location,
        description=message,
        data=data,
    )


def _meaning(
    tag: str | None, subtag: str | None
) -> tuple[Milestone | None, Reason | None, str | None]:
    """The subtag, else AfterShip's tag; a subtag known to say nothing stays unmapped."""
    if subtag:
        if normalize_code(subtag) in _SILENT:
            return None, None, subtag
        meant = BY_SUBTAG.lookup(subtag)
        if meant[0] is not None:
            return (*meant, subtag)
    return (*BY_TAG.lookup(tag), tag)


ADAPTER = AftershipAdapter()
