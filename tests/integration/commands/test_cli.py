"""The command line on a real database: what a person running `ordertrail` sees."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ordertrail.cli import app
from tests.factories import canonical_order
from tests.paths import FIXTURES

UPS, FEDEX = "1Z999AA10123456784", "123456789012"


def run(url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", url, *args], catch_exceptions=False)


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items))
    return path


def ev(
    subject: dict[str, str], milestone: str | None, when: str, source: str, **extra: Any
) -> dict[str, Any]:
    return {**subject, "milestone": milestone, "occurred_at": when, "source": source, **extra}


def split_order_story() -> list[dict[str, Any]]:
    """Order ORD-1: the drill goes UPS and arrives; the bits go FedEx and miss the customer."""
    ups, fedex, order = {"shipment": UPS}, {"shipment": FEDEX}, {"order": "ORD-1"}
    return [
        ev(order, "order_placed", "2026-11-18T14:02:00+00:00", "channel:shopify"),
        ev(order, "order_confirmed", "2026-11-18T14:05:00+00:00", "channel:shopify"),
        ev(ups, "picked", "2026-11-19T09:10:00-05:00", "warehouse:louisville"),
        ev(ups, "packed", "2026-11-19T09:40:00-05:00", "warehouse:louisville"),
        ev(ups, "label_created", "2026-11-19T10:02:00-05:00", "carrier:ups", raw_code="M"),
        ev(ups, "carrier_accepted", "2026-11-19T18:30:00-05:00", "carrier:ups", raw_code="P"),
        ev(ups, "in_transit", "2026-11-20T03:15:00-05:00", "carrier:ups", raw_code="I"),
        ev(ups, "out_for_delivery", "2026-11-21T08:02:00-05:00", "carrier:ups", raw_code="O"),
        ev(ups, "delivered", "2026-11-21T14:47:00-05:00", "carrier:ups", raw_code="D"),
        # a late scan from before delivery, and one timed after it: neither un-delivers
        ev(ups, "in_transit", "2026-11-20T22:40:00-05:00", "carrier:ups", raw_code="I"),
        ev(ups, "in_transit", "2026-11-21T20:00:00-05:00", "carrier:ups", raw_code="I"),
        # the warehouse cannot know about deliveries: a conflict, kept but ignored
        ev(ups, "delivered", "2026-11-20T12:00:00-05:00", "warehouse:louisville"),
        ev(fedex, "label_created", "2026-11-19T12:00:00-08:00", "carrier:fedex", raw_code="OC"),
        ev(fedex, "carrier_accepted", "2026-11-19T17:20:00-08:00", "carrier:fedex", raw_code="PU"),
        ev(fedex, "in_transit", "2026-11-20T09:26:00-07:00", "carrier:fedex", raw_code="DP"),
        ev(fedex, None, "2026-11-21T07:00:00-07:00", "carrier:fedex", raw_code="SE-A7"),
        ev(
            fedex,
            "delivery_attempted",
            "2026-11-22T15:10:00-06:00",
            "carrier:fedex",
            reason="business_closed",
            raw_code="DE",
        ),
    ]


@pytest.fixture
def url(database_url: str, tmp_path: Path) -> str:
    orders = canonical_order(
        "ORD-1", (UPS, "ups", {"DRILL-18V": 1}), (FEDEX, "fedex", {"BIT-SET": 2})
    )
    result = run(
        database_url,
        "import",
        "orders",
        str(write_jsonl(tmp_path / "orders.jsonl", [orders])),
        "--format",
        "jsonl",
    )
    assert result.exit_code == 0, result.output
    return database_url


def show(url: str, order_id: str = "ORD-1") -> dict[str, Any]:
    result = run(url, "order", "show", order_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_shuffled_duplicated_late_and_conflicting_events_read_as_a_person_would(
    url: str, tmp_path: Path
) -> None:
    story = split_order_story()
    noisy = story + random.Random(7).sample(story, 5)  # re-sent deliveries
    random.Random(11).shuffle(noisy)
    result = run(url, "ingest", str(write_jsonl(tmp_path / "events.jsonl", noisy)))
    assert result.exit_code == 0, result.output
    assert f"{len(story)} recorded, 5 duplicates ignored, 0 rejected" in result.stdout

    order = show(url)
    parcels = {s["tracking_number"]: s for s in order["shipments"]}
    assert order["status"] == "partially_delivered"
    assert order["needs_attention"] is True
    assert parcels[UPS]["status"] == "delivered"
    assert parcels[FEDEX]["status"] == "delivery_attempted"
    assert parcels[FEDEX]["exception_reason"] == "business_closed"
    assert parcels[FEDEX]["unmapped"] == 1
    assert parcels[UPS]["conflicts"] == 1
    assert [line["sku"] for line in parcels[FEDEX]["lines"]] == ["BIT-SET"]
    timeline = order["timeline"]
    assert len(timeline) == len(story)
    assert [row["occurred_at"] for row in timeline] == sorted(
        (row["occurred_at"] for row in timeline), key=_instant
    )
    conflicts = [row for row in timeline if row["conflict"]]
    assert [(row["milestone"], row["source"]) for row in conflicts] == [
        ("delivered", "warehouse:louisville")
    ]
    # offsets are kept as the carrier said them
    assert "2026-11-20T09:26:00-07:00" in {row["occurred_at"] for row in timeline}
    for row in timeline:
        assert {
            "milestone",
            "source",
            "occurred_at",
            "received_at",
            "raw_code",
            "raw_description",
            "conflict",
        } <= set(row)

    rebuilt = run(url, "rebuild", "--json")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert json.loads(rebuilt.stdout)["events"] == len(story)
    assert show(url) == order


def _instant(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text).timestamp()


def test_returning_the_delivered_parcel_keeps_the_other_parcels_trouble_in_view(
    url: str, tmp_path: Path
) -> None:
    drill_back = {"return": "RET-1", "order": "ORD-1"}
    story = [
        *split_order_story(),
        ev(drill_back, "return_requested", "2026-11-23T10:00:00+00:00", "customer"),
        ev(drill_back, "return_received", "2026-11-26T10:00:00+00:00", "carrier:ups"),
        ev(drill_back, "refund_released", "2026-11-27T10:00:00+00:00", "channel:shopify"),
    ]
    result = run(url, "ingest", str(write_jsonl(tmp_path / "e.jsonl", story)))
    assert result.exit_code == 0, result.output
    order = show(url)
    # the drill came back and was refunded, but the bits never reached the customer
    assert (order["status"], order["needs_attention"]) == ("partially_delivered", True)
    rebuilt = run(url, "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert show(url)["status"] == "partially_delivered"


def test_a_shipment_shows_its_own_timeline(url: str, tmp_path: Path) -> None:
    run(url, "ingest", str(write_jsonl(tmp_path / "e.jsonl", split_order_story())))
    result = run(url, "shipment", "show", FEDEX, "--json")
    assert result.exit_code == 0, result.output
    parcel = json.loads(result.stdout)
    assert parcel["status"] == "delivery_attempted"
    assert parcel["unmapped"] == 1
    assert {row["subject"]["id"] for row in parcel["timeline"]} == {FEDEX}
    human = run(url, "shipment", "show", FEDEX)
    assert "delivery_attempted" in human.stdout and "business_closed" in human.stdout


def test_bad_lines_are_reported_by_number_and_the_good_ones_land(url: str, tmp_path: Path) -> None:
    good = ev({"shipment": UPS}, "carrier_accepted", "2026-11-19T18:30:00-05:00", "carrier:ups")
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({**good, "milestone": "teleported"}),
        json.dumps({**good, "occurred_at": "2026-11-19T18:30:00"}),
        json.dumps({**good, "shipment": "1ZNOSUCHPARCEL"}),
        "",
        json.dumps({**good, "milestone": "in_transit", "occurred_at": "2026-11-20T01:00:00Z"}),
        json.dumps(ev({"order": "ORD-1"}, "delivered", "2026-11-21T00:00:00Z", "carrier:ups")),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = run(url, "ingest", str(path))
    assert result.exit_code == 2
    assert "2 recorded" in result.stdout and "5 rejected" in result.stdout
    errors = result.stderr
    assert "line 2: (item): is not valid JSON" in errors
    assert "line 3: milestone:" in errors
    assert "line 4: occurred_at:" in errors and "timezone" in errors
    assert "line 5: shipment: no shipment has id or tracking number '1ZNOSUCHPARCEL'" in errors
    assert "line 8: milestone: 'delivered' is said of a shipment" in errors
    assert show(url)["shipments"][1]["status"] == "in_transit"

    again = run(url, "ingest", str(path), "--json")
    report = json.loads(again.stdout)
    assert (report["accepted"], report["duplicates"]) == (0, 2)
    assert [r["line"] for r in report["rejected"]] == [2, 3, 4, 5, 8]


def test_unknown_things_fail_clearly(url: str, tmp_path: Path) -> None:
    missing = run(url, "order", "show", "ORD-404")
    assert missing.exit_code == 1
    assert "no order has id 'ORD-404'" in missing.stderr
    assert run(url, "ingest", str(tmp_path / "absent.jsonl")).exit_code == 2
    assert run(url, "ingest", str(tmp_path / "x"), "--format", "morse").exit_code == 2


def test_the_human_view_draws_each_parcel(url: str, tmp_path: Path) -> None:
    run(url, "ingest", str(write_jsonl(tmp_path / "e.jsonl", split_order_story())))
    picture = run(url, "order", "show", "ORD-1").stdout
    assert "partially_delivered" in picture
    assert "● delivered" in picture  # the UPS parcel's strip
    assert "⚠ delivery attempted" in picture  # the FedEx parcel's trouble


def test_strict_ingest_refuses_the_whole_file_for_one_bad_line(url: str, tmp_path: Path) -> None:
    good = ev({"shipment": UPS}, "carrier_accepted", "2026-11-19T18:30:00-05:00", "carrier:ups")
    unknown = {**good, "shipment": "1ZNOSUCHPARCEL"}
    for bad in (unknown, {**good, "milestone": "teleported"}):
        path = write_jsonl(tmp_path / "strict.jsonl", [good, bad])
        result = run(url, "ingest", str(path), "--strict", "--json")
        assert result.exit_code == 2
        report = json.loads(result.stdout)
        assert report["accepted"] == 0
        assert [r["line"] for r in report["rejected"]] == [2]
        assert show(url)["shipments"][1]["timeline"] == []
    clean = run(url, "ingest", str(write_jsonl(tmp_path / "ok.jsonl", [good])), "--strict")
    assert clean.exit_code == 0
    assert show(url)["shipments"][1]["status"] == "carrier_accepted"


def test_a_wrong_or_empty_database_gets_one_clear_line(tmp_path: Path) -> None:
    wrong = CliRunner().invoke(app, ["--db", "nonsense", "order", "show", "X"])
    assert wrong.exit_code == 2
    assert "--db:" in wrong.stderr and "Traceback" not in wrong.output
    empty = CliRunner().invoke(
        app, ["--db", f"sqlite:///{tmp_path / 'e.db'}", "order", "show", "X"]
    )
    assert empty.exit_code == 1
    assert "run `ordertrail init` first" in empty.stderr


def test_the_vocabulary_and_who_may_speak_it_can_be_read() -> None:
    result = CliRunner().invoke(app, ["milestones", "--json"])
    assert result.exit_code == 0
    table = {row["milestone"]: row for row in json.loads(result.stdout)}
    assert len(table) == 33
    assert table["dock_appointment_missed"]["phase"] == "appointment"  # B2B, beside the journey
    # the customer's delivery choice, beside the journey too; only the carrier confirms it
    assert table["delivery_change_requested"]["asserted_by"] == ["customer", "ops"]
    assert "customer" not in table["delivery_change_confirmed"]["asserted_by"]
    assert table["delivered"]["terminal"] and table["delivered"]["carrier_possession"]
    assert "warehouse" not in table["delivered"]["asserted_by"]
    assert not table["label_created"]["carrier_possession"]
    assert table["delivery_attempted"]["needs_reason"]


def test_recorded_carrier_payloads_move_their_parcels(database_url: str, tmp_path: Path) -> None:
    fixtures = FIXTURES / "carriers"
    ups, fedex = "1Z1442YY7229014688", "738488882438"
    order = canonical_order("ORD-7", (ups, "ups", {"DRILL": 1}), (fedex, "fedex", {"BITS": 1}))
    path = write_jsonl(tmp_path / "orders.jsonl", [order])
    assert run(database_url, "import", "orders", str(path), "--format", "jsonl").exit_code == 0

    upsfile = fixtures / "ups_track_v1_postman_example_1Z1442YY7229014688.json"
    result = run(database_url, "ingest", str(upsfile), "--format", "ups")
    assert result.exit_code == 0, result.output
    assert "1 payloads read: 2 events recorded" in result.stdout
    again = run(database_url, "ingest", str(upsfile), "--format", "ups")
    assert "0 events recorded, 2 duplicates ignored" in again.stdout

    # JSON Lines of payloads: the FedEx response, a broken line, and a parcel nobody registered
    fedex_payload = json.loads(
        (fixtures / "fedex_track_v1_738488882438_delivered.json").read_text()
    )
    stranger = json.loads((fixtures / "fedex_track_v1_exceptions_made.json").read_text())
    lines = [json.dumps(fedex_payload), "{broken", json.dumps(stranger)]
    mixed = tmp_path / "payloads.jsonl"
    mixed.write_text("\n".join(lines) + "\n")
    result = run(database_url, "ingest", str(mixed), "--format", "fedex", "--json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["accepted"] == 17
    assert {r["line"] for r in report["rejected"]} == {2, 3}
    unknown = [r for r in report["rejected"] if r["line"] == 3]
    assert len(unknown) == 5 and "no shipment has id" in unknown[0]["message"]

    detail = show(database_url, "ORD-7")
    parcels = {s["tracking_number"]: s for s in detail["shipments"]}
    assert parcels[ups]["status"] == "delivered"
    assert parcels[fedex]["status"] == "delivered"
    assert detail["status"] == "delivered"
    fedex_times = {row["occurred_at"] for row in parcels[fedex]["timeline"]}
    assert "2024-08-20T12:41:57-04:00" in fedex_times  # the carrier's own offset, kept


def test_a_carrier_format_that_does_not_exist_is_a_usage_error(url: str, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "x.json", [{}])
    result = run(url, "ingest", str(path), "--format", "pigeon")
    assert result.exit_code == 2
    assert "--format pigeon is not known" in result.stderr
