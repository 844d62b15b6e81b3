"""Polling UPS through karrio's connector (OAuth, then Track API) against a fake UPS on
loopback, read with OrderTrail's own adapter because karrio's parse loses information."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from ordertrail.app.intake.commands import RegisterOrders
from ordertrail.app.intake.polling import CarrierUnavailable, poll_due
from ordertrail.bootstrap import System
from ordertrail.sources.canonical import parse_order
from ordertrail.sources.carriers.karrio_tracker import KarrioTracker
from tests.conftest import FixedClock
from tests.factories import canonical_order
from tests.paths import FIXTURES

CARRIERS = FIXTURES / "carriers"
PARCEL = "1Z999AA10123456784"  # the made UPS answer: label, weather delay, 044, OFD, attempt
ANSWER = (CARRIERS / "ups_track_v1_exceptions_made.json").read_bytes()


class FakeUpsApi(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        FakeUpsApi.seen.append(f"POST {self.path} {self.headers.get('authorization', '')[:6]}")
        body = json.dumps(
            {
                "access_token": "token-42",
                "token_type": "Bearer",
                "issued_at": str(int(time.time() * 1000)),
                "expires_in": "3599",
            }
        )
        self._answer(200, body.encode())

    def do_GET(self) -> None:
        FakeUpsApi.seen.append(f"GET {self.path.split('?')[0]} {self.headers['authorization']}")
        if self.headers["authorization"] != "Bearer token-42":
            self._answer(401, b'{"response": {"errors": [{"code": "250002"}]}}')
        elif PARCEL in self.path:
            self._answer(200, ANSWER)
        else:
            self._answer(404, b'{"response": {"errors": [{"code": "TW0001"}]}}')

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_ups_api() -> Iterator[str]:
    FakeUpsApi.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeUpsApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


CREDENTIALS = {"client_id": "id", "client_secret": "secret", "test_mode": True}


def test_ups_through_karrio_keeps_what_karrios_own_parse_loses(fake_ups_api: str) -> None:
    tracker = KarrioTracker("ups", CREDENTIALS, server_url=fake_ups_api)
    reports = tracker.fetch(PARCEL)
    assert FakeUpsApi.seen[0].startswith("POST /security/v1/oauth/token Basic")
    assert FakeUpsApi.seen[1] == f"GET /api/track/v1/details/{PARCEL} Bearer token-42"
    ours = {r.raw_code: r for r in reports}
    assert ours["044"].milestone is None  # unknown to every table: kept unmapped
    assert ours["022"].reason is not None  # the failed attempt keeps its reason
    assert ours["022"].occurred_at.isoformat() == "2026-11-21T14:30:00-05:00"

    # what karrio's own parse of the very same answer says, for contrast
    import karrio.lib as lib
    import karrio.sdk as karrio

    gateway = karrio.gateway["ups"].create(CREDENTIALS)
    parsed, _ = gateway.mapper.parse_tracking_response(
        lib.Deserializable([(PARCEL, json.loads(ANSWER))], lambda found: found)
    )
    theirs = {event.code: event for detail in parsed for event in detail.events}
    assert theirs["LM"].status == "in_transit"  # karrio guesses where the code is unknown
    assert theirs["OT"].status == "in_transit"  # ...and misses out-for-delivery
    assert ours["OT"].milestone is not None and ours["OT"].milestone.value == "out_for_delivery"
    # karrio labels the facility's wall-clock time as UTC: five hours off in Louisville
    assert theirs["3J"].timestamp == "2026-11-21T14:30:00.000Z"
    assert ours["022"].occurred_at.utcoffset() is not None


def test_a_ups_round_through_karrio_records_and_a_missing_parcel_is_a_failure(
    system: System, clock: FixedClock, fake_ups_api: str
) -> None:
    orders = [
        parse_order(canonical_order("ORD-1", (PARCEL, "ups", {"X": 1}))),
        parse_order(canonical_order("ORD-2", ("1Z1442YY7229014688", "ups", {"Y": 1}))),
    ]
    system.handle(RegisterOrders(orders))
    tracker = KarrioTracker("ups", CREDENTIALS, server_url=fake_ups_api)
    summary = poll_due(system.uows, clock, {"ups": tracker})
    assert (summary.asked, summary.events, summary.failed) == (2, 5, 1)
    with pytest.raises(CarrierUnavailable):
        tracker.fetch("1Z1442YY7229014688")


def test_the_worker_polls_through_karrio_from_settings(
    system: System, database_url: str, fake_ups_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from ordertrail.cli import app

    system.handle(
        RegisterOrders([parse_order(canonical_order("ORD-1", (PARCEL, "ups", {"X": 1})))])
    )
    monkeypatch.setenv(
        "ORDERTRAIL_KARRIO_UPS", json.dumps({**CREDENTIALS, "server_url": fake_ups_api})
    )
    ran = CliRunner().invoke(app, ["--db", database_url, "worker", "--once"])
    assert ran.exit_code == 0, ran.output
    assert "asked 1 parcels: 5 new events" in ran.stdout


class FakeFedexApi(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        sent = self.rfile.read(length)
        if self.path == "/oauth/token":
            body = json.dumps(
                {
                    "access_token": "fx-token",
                    "token_type": "bearer",
                    "expires_in": 3599,
                    "scope": "CXS",
                }
            ).encode()
        elif self.headers.get("authorization") == "Bearer fx-token" and b"738488882438" in sent:
            body = (CARRIERS / "fedex_track_v1_738488882438_delivered.json").read_bytes()
        else:
            body = b'{"errors": [{"code": "NOT.AUTHORIZED.ERROR"}]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_fedex_through_karrio_reads_the_recorded_answer_with_its_offsets() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeFedexApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        tracker = KarrioTracker(
            "fedex",
            {
                "track_api_key": "k",
                "track_secret_key": "s",
                "account_number": "1",
                "test_mode": True,
            },
            server_url=f"http://127.0.0.1:{server.server_address[1]}",
        )
        reports = tracker.fetch("738488882438")
        assert len(reports) == 17
        delivered = next(r for r in reports if r.raw_code == "DL")
        assert delivered.occurred_at.isoformat() == "2024-08-20T12:41:57-04:00"
    finally:
        server.shutdown()
        server.server_close()
