"""The local fleet's rules: routes, windows, GPS fixes, stops ahead, what an upload is, and
the links that open a proof for a while."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ordertrail.app.fleet.ports import ProofRefused
from ordertrail.app.fleet.proof_links import link_opens, proof_link
from ordertrail.app.fleet.uploads import checked, image_type
from ordertrail.domain.fleet import (
    GpsFix,
    Route,
    Stop,
    Window,
    stop_done,
    stops_ahead,
    window_of,
)
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import DomainError
from tests.fleet_story import photo, signature

NOON = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_a_route_refuses_a_parcel_on_two_stops_and_two_stops_with_one_number() -> None:
    with pytest.raises(DomainError, match="parcel 'P1' is on two stops"):
        Route("R-1", "local", "Sam", date(2026, 11, 25), (Stop(1, ("P1",)), Stop(2, ("P1",))))
    with pytest.raises(DomainError, match="two stops have the same number"):
        Route("R-1", "local", "Sam", date(2026, 11, 25), (Stop(1, ("P1",)), Stop(1, ("P2",))))
    with pytest.raises(DomainError, match="a stop needs a parcel"):
        Stop(1, ())


@pytest.mark.parametrize(
    ("start", "end", "said"),
    [
        (NOON, NOON, "ends before it starts"),
        (NOON, NOON + timedelta(hours=13), "at most 12 hours"),
        (NOON.replace(tzinfo=None), NOON + timedelta(hours=2), "needs a UTC offset"),
    ],
)
def test_a_window_is_a_few_hours_with_offsets(start: datetime, end: datetime, said: str) -> None:
    with pytest.raises(DomainError, match=said):
        Window(start, end)


def test_a_window_read_back_from_an_event_that_does_not_hold_one_is_none() -> None:
    assert window_of({"window": {"from": "soon", "until": "later"}}) is None
    assert window_of({"window": "14-16"}) is None
    window = Window(NOON, NOON + timedelta(hours=2))
    assert window_of({"window": window.as_data()}) == window


@pytest.mark.parametrize(
    ("latitude", "longitude", "accuracy", "said"),
    [
        (38.2, -85.7, None, "gps.accuracy: a GPS point needs its accuracy"),
        (38.2, None, 10.0, "needs both latitude and longitude"),
        (91.0, -85.7, 10.0, "gps.latitude"),
        (38.2, -181.0, 10.0, "gps.longitude"),
        (38.2, -85.7, 0.0, "gps.accuracy"),
        (38.2, -85.7, float("nan"), "gps.accuracy"),
        (38.2, -85.7, 50_000.0, "gps.accuracy"),
    ],
)
def test_a_gps_fix_needs_a_real_position_and_its_accuracy(
    latitude: float | None, longitude: float | None, accuracy: float | None, said: str
) -> None:
    with pytest.raises(DomainError, match=said):
        GpsFix.given(latitude, longitude, accuracy)


def test_no_position_at_all_is_no_fix() -> None:
    assert GpsFix.given(None, None, None) is None


def test_stops_ahead_counts_only_the_stops_still_to_make_before_mine() -> None:
    assert stops_ahead([2, 3, 5], 5) == 2
    assert stops_ahead([5], 5) == 0
    assert stop_done([Milestone.DELIVERED, Milestone.DELIVERY_ATTEMPTED])
    assert not stop_done([Milestone.DELIVERED, Milestone.OUT_FOR_DELIVERY])
    assert not stop_done([None])


def test_an_upload_is_judged_by_its_bytes_not_its_name() -> None:
    assert image_type(photo()) == "image/jpeg"
    assert image_type(signature()) == "image/png"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"GIF89a") is None
    with pytest.raises(ProofRefused, match="not a JPEG, PNG or WebP image"):
        checked("photo", b"<html>", 1000)
    with pytest.raises(ProofRefused, match="is empty"):
        checked("photo", b"", 1000)
    with pytest.raises(ProofRefused, match="not image/png") as refused:
        checked("signature", photo(), 10**6, only="image/png")
    assert not refused.value.too_large
    with pytest.raises(ProofRefused) as large:
        checked("photo", photo(), 10)
    assert large.value.too_large


def test_a_proof_link_opens_its_file_until_it_expires_and_no_other() -> None:
    secret, reference = b"s" * 32, "a" * 64 + ".jpg"
    link = proof_link(secret, reference, NOON)
    until = int(link.split("until=")[1].split("&")[0])
    signature_given = link.split("sig=")[1]
    assert link_opens(secret, reference, until, signature_given, NOON + timedelta(minutes=29))
    assert not link_opens(secret, reference, until, signature_given, NOON + timedelta(minutes=31))
    assert not link_opens(secret, "b" * 64 + ".jpg", until, signature_given, NOON)
    assert not link_opens(b"t" * 32, reference, until, signature_given, NOON)
    assert not link_opens(secret, reference, until + 3600, signature_given, NOON)
    assert not link_opens(secret, "../../etc/passwd", until, signature_given, NOON)
