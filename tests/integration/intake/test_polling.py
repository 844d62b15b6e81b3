"""Polling carriers without webhooks, against a fake carrier API on loopback that answers
well, slowly, with errors and with 429s."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import pytest
from sqlalchemy import select

from ordertrail.app.intake.commands import EventReport, RecordEvents, RegisterOrders
from ordertrail.app.intake.polling import CarrierUnavailable, poll_due
from ordertrail.bootstrap import System
from ordertrail.domain.milestones import Milestone
from ordertrail.domain.model import Source
from ordertrail.sources.canonical import parse_order
from ordertrail.sources.carriers.polling import HttpTracker
from ordertrail.store.tables import shipments
from tests.conftest import FixedClock
from tests.factories import canonical_order
from tests.paths import FIXTURES

CARRIERS = FIXTURES / "carriers"
DELIVERED = "1Z1442YY7229014688"  # the recorded UPS answer: label, then delivered
MOVING, BROKEN, LIMITED, SLOW = (
    "1Z999AA10123456784",
    "1Z999AA10123456793",
    "1ZRATE0000000001",
    "1ZSLOW0000000001",
)


class FakeUps(BaseHTTPRequestHandler):
    """/track/<number>: the recorded answer for one parcel, trouble for the others."""

    release = threading.Event()
    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        number = self.path.rsplit("/", 1)[-1]
        FakeUps.asked.append(number)
        if number == DELIVERED:
            self._answer(
                200,
                (CARRIERS / "ups_track_v1_postman_example_1Z1442YY7229014688.json").read_bytes(),
            )
        elif number == MOVING:
            self._answer(
                200,
                json.dumps(
                    {
                        "trackResponse": {
                            "shipment": [
                                {
                                    "package": [
                                        {
                                            "trackingNumber": MOVING,
                                            "activity": [
                                                {
                                                    "location": {
                                                        "address": {
                                                            "city": "LOUISVILLE",
                                                            "stateProvince": "KY",
                                                            "countryCode": "US",
                                                        }
                                                    },
                                                    "status": {
                                                        "type": "I",
                                                        "statusCode": "005",
                                                        "code": "DP",
                                                        "description": "Departed from Facility",
                                                    },
                                                    "date": "20261124",
                                                    "time": "031500",
                                                }
                                            ],
                                        }
                                    ]
                                }
                            ]
                        }
                    }
                ).encode(),
            )
        elif number == LIMITED:
            self._answer(429, b"slow down", {"Retry-After": "120"})
        elif number == SLOW:
            FakeUps.release.wait(10)  # holds the question until the test lets go
            self._answer(200, b"{}")
        else:
            self._answer(503, b"maintenance")

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_ups() -> Iterator[str]:
    FakeUps.asked = []
    FakeUps.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeUps)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/track/{{tracking}}"
    FakeUps.release.set()
    server.shutdown()
    server.server_close()


def register(system: System, *numbers: str) -> None:
    orders = [
        parse_order(canonical_order(f"ORD-{n}", (number, "ups", {"X": 1})))
        for n, number in enumerate(numbers)
    ]
    system.handle(RegisterOrders(orders))


def schedule_of(system: System) -> dict[str, tuple[Any, int, bool]]:
    with system.engine.connect() as connection:
        rows = connection.execute(
            select(
                shipments.c.tracking_number,
                shipments.c.next_poll_at,
                shipments.c.poll_failures,
                shipments.c.polling_done,
            )
        )
        return {row[0]: (row[1], row[2], row[3]) for row in rows}


def test_a_round_records_news_backs_off_failures_and_honours_rate_limits(
    system: System, clock: FixedClock, fake_ups: str
) -> None:
    register(system, DELIVERED, MOVING, BROKEN, LIMITED)
    tracker = HttpTracker(fake_ups, "ups", timeout=5)
    summary = poll_due(system.uows, clock, {"ups": tracker})
    assert (summary.asked, summary.events, summary.failed, summary.rate_limited) == (4, 3, 1, 1)
    plan = schedule_of(system)
    assert plan[DELIVERED][2] is True  # delivered: never asked again
    moving_next, moving_failures, _ = plan[MOVING]
    assert moving_failures == 0 and moving_next is not None
    broken_next, broken_failures, _ = plan[BROKEN]
    assert broken_failures == 1
    assert broken_next - clock.now() == timedelta(minutes=5)
    limited_next, limited_failures, _ = plan[LIMITED]
    assert limited_failures == 0 and limited_next - clock.now() >= timedelta(seconds=120)

    # nothing is due right after the round; the broken one is asked again after its backoff
    assert poll_due(system.uows, clock, {"ups": tracker}).asked == 0
    clock.advance(minutes=6)
    again = poll_due(system.uows, clock, {"ups": tracker})
    assert again.asked == 1 and FakeUps.asked[-1] == BROKEN
    assert schedule_of(system)[BROKEN][1] == 2  # failures in a row
    tracker.close()


def test_a_slow_carrier_never_holds_up_other_writers(
    system: System, clock: FixedClock, fake_ups: str
) -> None:
    register(system, SLOW, MOVING)
    tracker = HttpTracker(fake_ups, "ups", timeout=5)
    polling = threading.Thread(target=poll_due, args=(system.uows, clock, {"ups": tracker}))
    polling.start()
    while SLOW not in FakeUps.asked:  # the worker is now waiting on the carrier
        polling.join(0.01)
    # meanwhile a scan of the same parcel lands at once: the question holds no lock
    scan = EventReport(
        source=Source.parse("warehouse:reno"),
        occurred_at=clock.now() - timedelta(days=1),
        shipment=SLOW,
        milestone=None,
        raw_code="PACK",
    )
    assert system.handle(RecordEvents([scan])).accepted == 1
    FakeUps.release.set()
    polling.join(10)
    assert not polling.is_alive()
    tracker.close()


def test_an_unreachable_carrier_is_a_failure_not_a_crash(system: System, clock: FixedClock) -> None:
    register(system, MOVING)
    tracker = HttpTracker(
        "http://127.0.0.1:9/track/{tracking}", "ups", timeout=1, client=httpx.Client(timeout=1)
    )
    summary = poll_due(system.uows, clock, {"ups": tracker})
    assert (summary.asked, summary.failed) == (1, 1)
    assert schedule_of(system)[MOVING][1] == 1


def test_the_worker_command_runs_a_round(
    system: System, database_url: str, fake_ups: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from ordertrail.cli import app

    register(system, DELIVERED)
    idle = CliRunner().invoke(app, ["--db", database_url, "worker", "--once"])
    # without carriers to poll, a round still runs the sweep
    assert idle.exit_code == 0 and "no carrier to poll" in idle.stdout
    assert "looked at 0 parcels" in idle.stdout
    monkeypatch.setenv("ORDERTRAIL_POLL_URL_UPS", fake_ups)
    ran = CliRunner().invoke(app, ["--db", database_url, "worker", "--once"])
    assert ran.exit_code == 0, ran.output
    assert "asked 1 parcels: 2 new events" in ran.stdout


@pytest.mark.parametrize(
    ("retry_after", "wait"),
    [
        ("120", timedelta(seconds=120)),
        ("\u00b2", timedelta(minutes=1)),
        ("99999999999999", timedelta(hours=6)),
        ("Wed, 21 Oct 2026 07:28:00 GMT", timedelta(minutes=1)),
    ],
)
def test_a_429_waits_as_asked_within_reason(retry_after: str, wait: timedelta) -> None:
    def limited(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": retry_after.encode("utf-8")})

    tracker = HttpTracker(
        "http://carrier.test/{tracking}",
        "ups",
        client=httpx.Client(transport=httpx.MockTransport(limited)),
    )
    with pytest.raises(CarrierUnavailable) as caught:
        tracker.fetch("1Z999AA10123456784")
    assert caught.value.retry_after == wait


def test_a_tracker_that_breaks_its_contract_costs_one_failure_not_the_round(
    system: System, clock: FixedClock
) -> None:
    class Broken:
        def fetch(self, tracking_number: str) -> list[EventReport]:
            raise RuntimeError("bug in a tracker")

    register(system, MOVING, BROKEN)
    summary = poll_due(system.uows, clock, {"ups": Broken()})
    assert (summary.asked, summary.failed) == (2, 2)
    bad_url = HttpTracker("http://127.0.0.1:9/{tracking}", "ups")
    with pytest.raises(CarrierUnavailable):
        bad_url.fetch("a\x00b")


def test_news_from_elsewhere_settles_polling(system: System, clock: FixedClock) -> None:
    register(system, MOVING)
    system.handle(
        RecordEvents(
            [
                EventReport(
                    source=Source.parse("carrier:ups"),
                    occurred_at=clock.now(),
                    shipment=MOVING,
                    milestone=Milestone.DELIVERED,
                )
            ]
        )
    )
    assert schedule_of(system)[MOVING][2] is True  # a webhook said delivered: stop asking
    system.handle(
        RecordEvents(
            [
                EventReport(
                    source=Source.parse("ops:maria"),
                    occurred_at=clock.now() + timedelta(minutes=5),
                    shipment=MOVING,
                    milestone=Milestone.IN_TRANSIT,
                    data={"why": "misdelivered"},
                )
            ]
        )
    )
    assert schedule_of(system)[MOVING][2] is False  # ops un-delivered it: ask again
