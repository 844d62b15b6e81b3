"""Recorded carrier payloads, event by event, as a logistics person would read them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from ordertrail.app.intake.commands import EventReport
from ordertrail.domain.milestones import Milestone as M
from ordertrail.domain.milestones import Reason as R
from ordertrail.sources.carriers import CarrierParseError, adapter
from tests.paths import FIXTURES

CARRIERS = FIXTURES / "carriers"


def read(name: str, fixture: str) -> list[EventReport]:
    return adapter(name).parse((CARRIERS / fixture).read_bytes())


def story(reports: list[EventReport]) -> list[tuple[str, M | None, R | None, str | None]]:
    """(event time as said, milestone, reason, raw code), oldest first."""
    ordered = sorted(reports, key=lambda r: r.occurred_at)
    return [(r.occurred_at.isoformat(), r.milestone, r.reason, r.raw_code) for r in ordered]


def test_ups_label_then_delivery_with_facility_times_placed_in_new_jersey() -> None:
    reports = read("ups", "ups_track_v1_postman_example_1Z1442YY7229014688.json")
    assert story(reports) == [
        ("2022-01-26T15:16:41-05:00", M.LABEL_CREATED, None, "003"),
        ("2022-01-26T16:30:00-05:00", M.DELIVERED, None, "011"),
    ]
    delivered, label = reports
    assert delivered.data["time_zone_assumed"] == "America/New_York"
    assert "other scans" in label.data["time_zone_assumed"]  # the label scan had no city
    assert delivered.location is not None and delivered.location.city == "PARAMUS"


def test_ups_attempts_weather_and_codes_nobody_mapped() -> None:
    reports = read("ups", "ups_track_v1_exceptions_made.json")
    assert story(reports) == [
        ("2026-11-19T10:02:00-05:00", M.LABEL_CREATED, None, "003"),
        ("2026-11-20T06:15:00-06:00", M.DELAYED, R.WEATHER, "032"),
        ("2026-11-20T22:15:00-05:00", None, None, "044"),  # "on its way to UPS": unmapped
        ("2026-11-21T08:12:00-05:00", M.OUT_FOR_DELIVERY, None, "OT"),
        ("2026-11-21T14:30:00-05:00", M.DELIVERY_ATTEMPTED, R.RECIPIENT_UNAVAILABLE, "022"),
    ]
    attempt = reports[0]
    assert "time_zone_assumed" not in attempt.data  # UPS gave the offset itself
    assert attempt.data["estimated_delivery"] == "2026-11-24"


def test_ups_placeholder_example_reads_without_inventing_anything() -> None:
    (report,) = read("ups", "ups_track_v1_api_doc_example.json")
    # statusCode 003 wins over its contradictory type X and customs text
    assert (report.milestone, report.raw_code) == (M.LABEL_CREATED, "003")
    assert report.location is not None and report.location.city == "Wayne"


def test_fedex_keeps_offsets_as_said_and_reads_out_for_delivery_from_the_scan() -> None:
    reports = read("fedex", "fedex_track_v1_738488882438_delivered.json")
    by_code = {r.raw_code: r for r in reports}
    assert by_code["OD"].milestone is M.OUT_FOR_DELIVERY  # its derivedStatusCode says IT
    assert by_code["DL"].occurred_at.isoformat() == "2024-08-20T12:41:57-04:00"
    pickup = by_code["PU"]
    assert pickup.milestone is M.CARRIER_ACCEPTED
    assert pickup.occurred_at.utcoffset() == timedelta(hours=-5)  # Mankato, MN in August
    assert pickup.data["time_zone_assumed"] == "America/Chicago"
    assert by_code["OC"].milestone is M.LABEL_CREATED
    assert len(reports) == 17


def test_fedex_failed_attempt_return_and_an_unknown_scan() -> None:
    assert story(read("fedex", "fedex_track_v1_exceptions_made.json")) == [
        ("2026-11-20T09:26:00-07:00", M.IN_TRANSIT, None, "DP"),
        ("2026-11-21T07:00:00-07:00", None, None, "ZZ"),
        ("2026-11-22T08:01:00-06:00", M.OUT_FOR_DELIVERY, None, "OD"),
        ("2026-11-22T15:10:00-06:00", M.DELIVERY_ATTEMPTED, R.OTHER, "DE/007"),
        ("2026-11-23T09:05:00-06:00", M.RETURNED_TO_SENDER, None, "RS"),
    ]


def test_fedex_not_found_gives_no_events_and_a_pickup_for_the_other_number() -> None:
    reports = read("fedex", "fedex_track_v1_api_doc_example.json")
    # the result's own trackingNumberInfo names the parcel; the not-found number has no scans
    assert {r.shipment for r in reports} == {"128667043726"}
    assert reports[0].milestone is M.CARRIER_ACCEPTED


@pytest.mark.parametrize(
    ("name", "payload", "where"),
    [
        ("ups", b"{}", "trackResponse"),
        (
            "ups",
            b'{"trackResponse": {"shipment": [{"package": [{"activity": []}]}]}}',
            "trackingNumber",
        ),
        (
            "ups",
            b'{"trackResponse": {"shipment": [{"package": [{"trackingNumber": "1Z",'
            b' "activity": [{"status": {}, "date": "2026-99-99"}]}]}]}}',
            "date",
        ),
        (
            "fedex",
            b'{"output": {"completeTrackResults": [{"trackResults": [{"scanEvents":'
            b' [{"date": "yesterday", "eventType": "DL"}], "trackingNumberInfo":'
            b' {"trackingNumber": "1"}}]}]}}',
            "date",
        ),
        ("fedex", b"[1, 2]", "output"),
    ],
)
def test_broken_payloads_name_the_place(name: str, payload: bytes, where: str) -> None:
    with pytest.raises(CarrierParseError) as caught:
        adapter(name).parse(payload)
    assert where in caught.value.where


def test_easypost_tracker_relays_the_carriers_label_steps() -> None:
    reports = read("easypost", "easypost_tracker_EZ1000000001_pre_transit.json")
    assert [(r.milestone, r.raw_code) for r in reports] == [
        (M.LABEL_CREATED, "pre_transit"),
        (M.LABEL_CREATED, "pre_transit"),
    ]
    assert all(r.data["carrier"] == "USPS" for r in reports)
    assert str(reports[0].source) == "carrier:easypost"


def test_easypost_webhook_with_delay_attempt_and_silence() -> None:
    assert story(read("easypost", "easypost_event_tracker_updated_made.json")) == [
        ("2026-11-19T22:00:00+00:00", M.LABEL_CREATED, None, "label_created"),
        ("2026-11-20T03:45:00+00:00", M.CARRIER_ACCEPTED, None, "received_at_origin_facility"),
        ("2026-11-21T10:11:00+00:00", M.IN_TRANSIT, None, "arrived_at_facility"),
        ("2026-11-21T18:00:00+00:00", M.DELAYED, R.WEATHER, "weather_delay"),
        ("2026-11-22T15:02:00+00:00", M.OUT_FOR_DELIVERY, None, "out_for_delivery"),
        # "delivery_exception" is told apart by its message: nobody was there to sign
        (
            "2026-11-22T21:10:00+00:00",
            M.DELIVERY_ATTEMPTED,
            R.RECIPIENT_UNAVAILABLE,
            "delivery_exception",
        ),
        ("2026-11-22T21:11:00+00:00", None, None, "unknown"),
    ]


def test_aftership_international_parcel_through_customs_to_delivery() -> None:
    reports = read("aftership", "aftership_get_tracking_fedex_111111111111.json")
    assert [r.milestone for r in reports[:2]] == [M.LABEL_CREATED, M.CARRIER_ACCEPTED]
    assert reports[-1].milestone is M.DELIVERED
    assert reports[-1].occurred_at.isoformat() == "2018-07-25T10:10:00+09:00"
    assert reports[1].location is not None and reports[1].location.country == "CN"
    assert {r.data["carrier"] for r in reports} == {"fedex"}


def test_aftership_webhook_customs_delay_silent_and_unknown_subtags() -> None:
    reports = read("aftership", "aftership_webhook_tracking_update_made.json")
    assert story(reports) == [
        ("2026-11-19T09:00:00+01:00", M.LABEL_CREATED, None, "InfoReceived_001"),
        ("2026-11-19T18:30:00+01:00", M.CARRIER_ACCEPTED, None, "InTransit_002"),
        ("2026-11-21T06:10:00-05:00", M.EXCEPTION, R.CUSTOMS_HOLD, "Exception_004"),
        ("2026-11-21T07:00:00-05:00", None, None, "OutForDelivery_004"),  # known, says nothing
        ("2026-11-21T08:00:00-05:00", M.IN_TRANSIT, None, "InTransit"),  # new subtag: its tag
    ]
    assert reports[1].data["time_zone_assumed"] == "Europe/Berlin"
    assert reports[0].data["estimated_delivery"] == "2026-11-26"


def test_dhl_unified_goes_by_its_status_code_and_keeps_no_street() -> None:
    (report,) = read("dhl-unified", "dhl_unified_tracking_api_doc_example_7777777770.json")
    # statusCode pre-transit wins over the contradictory status text "DELIVERED"
    assert (report.milestone, report.raw_code) == (M.LABEL_CREATED, "pre-transit")
    assert report.occurred_at.isoformat() == "2018-03-02T07:53:47+01:00"
    assert report.data["time_zone_assumed"] == "Europe/Amsterdam"
    assert report.location is not None
    assert (report.location.city, report.location.country) == ("AMSTERDAM", "NL")
    assert "Oderweg" not in repr(report)


def test_dhl_express_checkpoints_in_their_service_areas_local_time() -> None:
    (pickup,) = read("dhl-express", "dhl_express_xmlpi_tracking_9053283201_picked_up.xml")
    assert (pickup.milestone, pickup.occurred_at.isoformat()) == (
        M.CARRIER_ACCEPTED,
        "2021-05-05T09:42:00-05:00",  # Kingston, Jamaica
    )
    assert story(read("dhl-express", "dhl_express_xmlpi_tracking_delivered_made.xml")) == [
        ("2026-11-19T18:30:00+01:00", M.CARRIER_ACCEPTED, None, "PU"),
        ("2026-11-21T06:10:00-05:00", M.EXCEPTION, R.CUSTOMS_HOLD, "CD"),
        ("2026-11-22T14:05:00-05:00", M.DELIVERY_ATTEMPTED, R.RECIPIENT_UNAVAILABLE, "NH"),
        ("2026-11-23T11:40:00-05:00", M.DELIVERED, None, "OK"),
    ]


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;">]><TrackingResponse>&lol2;</TrackingResponse>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<TrackingResponse>&e;</TrackingResponse>",
        b"<TrackingResponse><AWBInfo></AWBInfo>",
        b'<?xml version="1.0" encoding="bogus"?><TrackingResponse/>',
        b"<Other/>",
    ],
)
def test_hostile_or_foreign_xml_is_a_clear_parse_error(payload: bytes) -> None:
    with pytest.raises(CarrierParseError):
        adapter("dhl-express").parse(payload)


def test_canada_post_zero_padded_codes_and_time_zone_abbreviations() -> None:
    assert story(read("canadapost", "canadapost_tracking_detail_made.xml")) == [
        ("2026-11-20T15:00:00-08:00", M.LABEL_CREATED, None, "3000"),
        ("2026-11-21T09:00:00-08:00", None, None, "9999"),  # nobody knows it: unmapped
        ("2026-11-21T21:03:00-08:00", M.IN_TRANSIT, None, "0100"),  # XYZ: zone of BC
        ("2026-11-22T18:20:00-06:00", M.DELAYED, R.WEATHER, "0159"),
        ("2026-11-24T07:45:10-05:00", M.OUT_FOR_DELIVERY, None, "0174"),
        ("2026-11-24T11:59:59-05:00", M.DELIVERED, None, "1496"),
    ]
    reports = read("canadapost", "canadapost_tracking_detail_made.xml")
    processed = next(r for r in reports if r.raw_code == "0100")
    assert processed.data["time_zone_assumed"] == "America/Vancouver"


def test_usps_confirmed_codes_then_its_fixed_phrases_and_nothing_guessed() -> None:
    assert story(read("usps", "usps_tracking_v3_made.json")) == [
        ("2026-11-19T14:00:00-08:00", M.LABEL_CREATED, None, "GX"),
        ("2026-11-19T19:45:00-08:00", M.CARRIER_ACCEPTED, None, "03"),
        ("2026-11-20T23:40:00-08:00", None, None, "PC"),  # "Sorting Complete": unmapped
        ("2026-11-21T02:11:00-08:00", M.IN_TRANSIT, None, "10"),
        ("2026-11-22T07:02:00-08:00", M.OUT_FOR_DELIVERY, None, "OF"),
        ("2026-11-22T13:10:00-08:00", M.DELIVERY_ATTEMPTED, R.RECIPIENT_UNAVAILABLE, "02"),
    ]
    sorting = next(r for r in read("usps", "usps_tracking_v3_made.json") if r.raw_code == "PC")
    assert sorting.data["time_zone_assumed"] == "America/Los_Angeles"  # Nevada, no offset given


def test_shopify_fulfillment_event_names_its_fulfillments_shipment_and_keeps_no_street() -> None:
    (report,) = read("shopify-fulfillment-event", "shopify_fulfillment_event_in_transit_made.json")
    assert (report.shipment, report.milestone, report.reason) == (
        "shopify-fulfillment-1069019873",
        M.DELIVERY_ATTEMPTED,
        R.OTHER,
    )
    assert str(report.source) == "channel:shopify"
    assert report.occurred_at.isoformat() == "2026-11-22T15:10:00-05:00"
    assert report.location is not None and report.location.country == "US"
    assert "123 Shipping Street" not in repr(report) and "38.19" not in repr(report)
    assert report.data["estimated_delivery"] == "2026-11-24"


@pytest.mark.parametrize(
    ("phrase", "milestone", "reason"),
    [
        ("Delivered to Agent for Final Delivery", M.IN_TRANSIT, None),
        ("Delivered, To Original Sender", M.RETURNED_TO_SENDER, None),
        ("Notice Left (Business Closed)", M.DELIVERY_ATTEMPTED, R.BUSINESS_CLOSED),
        ("Delivered, Front Door/Porch", M.DELIVERED, None),
    ],
)
def test_usps_phrases_that_only_look_alike(phrase: str, milestone: M, reason: R | None) -> None:
    body = {
        "trackingNumber": "9400111899223197428497",
        "trackingEvents": [
            {
                "eventType": phrase,
                "eventTimestamp": "2026-11-22T13:10:00",
                "GMTOffset": "-08:00",
                "eventCity": "PORTLAND",
                "eventState": "OR",
                "eventCode": "02",
            }
        ],
    }
    (report,) = adapter("usps").parse(json.dumps(body).encode())
    assert (report.milestone, report.reason) == (milestone, reason)


def test_easypost_a_lagging_progress_detail_does_not_undo_its_delivered_status() -> None:
    tracker = json.loads((CARRIERS / "easypost_tracker_EZ1000000001_pre_transit.json").read_bytes())
    first = tracker["tracking_details"][0]
    details = [
        first | {"status": s, "status_detail": d, "datetime": f"2022-03-1{n}T10:00:00Z"}
        for n, (s, d) in enumerate(
            [
                ("in_transit", "arrived_at_destination"),
                ("in_transit", "weather_delay"),
                ("delivered", "arrived_at_destination"),
            ],
            start=2,
        )
    ]
    reports = adapter("easypost").parse(json.dumps(tracker | {"tracking_details": details}))
    assert [(m, r, code) for _, m, r, code in story(reports)] == [
        (M.IN_TRANSIT, None, "arrived_at_destination"),
        (M.DELAYED, R.WEATHER, "weather_delay"),
        (M.DELIVERED, None, "delivered"),
    ]
