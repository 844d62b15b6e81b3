"""Personal data that piles up ages out by policy: the worker's round blanks sent messages and
webhook bodies, forgets webhook delivery ids, deletes expired sessions and old message links —
what is older than its setting, never what is newer — and counts what it did."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Text, cast, func, select

from ordertrail.app.privacy.retention import RetentionPolicy
from ordertrail.app.rounds import work_round
from ordertrail.app.staff.access import sign_in
from ordertrail.bootstrap import System
from ordertrail.config import Settings
from ordertrail.store.tables import hook_deliveries, outbox, staff_sessions, tracking_tokens
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import STAFF_PASSWORD, api_key, staff_member
from tests.integration.measures.test_metrics import samples, value
from tests.integration.operations.test_privacy import DANA, UPS, Recorder, register
from tests.stories import record

POLICY = RetentionPolicy(
    sent_messages_days=90, webhook_bodies_days=30, staff_sessions_days=30, tracking_tokens_days=180
)


def a_round(system: System, mail: Recorder) -> Any:
    return work_round(system.uows, system.clock, {"email": mail}, {}, retention=POLICY)


def kept(system: System) -> dict[str, Any]:
    """What is left of each kind, as a person checking the database would count it."""
    with system.engine.connect() as connection:

        def count(table: Any, *where: Any) -> int:
            query = select(func.count()).select_from(table)
            return int(connection.execute(query.where(*where)).scalar_one())

        return {
            "messages": sorted(
                connection.execute(
                    select(outbox.c.channel, outbox.c.recipient).where(
                        outbox.c.status == "sent", outbox.c.channel != "webhook"
                    )
                ).all()
            ),
            "webhook_bodies": count(
                outbox, outbox.c.channel == "webhook", cast(outbox.c.context, Text) != "{}"
            ),
            "hook_deliveries": count(hook_deliveries),
            "sessions": count(staff_sessions),
            "links": count(tracking_tokens),
        }


def test_a_round_ages_out_what_is_older_than_its_setting_and_keeps_what_is_newer(
    system: System, clock: FixedClock
) -> None:
    mail = Recorder()
    register(system, "ORD-1", UPS, "ups", DANA)
    record(system, clock, carrier="ups", shipment=UPS, milestone="carrier_accepted")
    staff_member(system, "ops")
    assert sign_in(system.uows, system.passwords, "ops@shop.example", STAFF_PASSWORD, clock.now())
    with system.uows() as uow:
        uow.deliveries.remember("shopify", "delivery-1", clock.now())
        uow.commit()
    clock.advance(hours=2)  # past the customer's quiet hours: their message goes
    first = a_round(system, mail)
    assert first.aged == dict.fromkeys(first.aged, 0)  # nothing is old yet
    start = kept(system)
    assert start["messages"] == [("email", DANA["email"])] and start["links"] >= 1

    clock.advance(days=31)  # webhook bodies and expired sessions are past their 30 days
    record(system, clock, carrier="ups", shipment=UPS, milestone="out_for_delivery")
    clock.advance(hours=1)
    month = a_round(system, mail)
    assert month.aged is not None
    assert month.aged["webhook_bodies"] >= 1 and month.aged["hook_deliveries"] == 1
    assert month.aged["staff_sessions"] == 1 and month.aged["sent_messages"] == 0
    after_a_month = kept(system)
    assert after_a_month["hook_deliveries"] == after_a_month["sessions"] == 0
    assert after_a_month["webhook_bodies"] >= 1  # the new parcel's webhook is newer
    assert after_a_month["messages"] == [("email", DANA["email"])] * 2
    assert a_round(system, mail).aged is None  # once an hour, not every round

    clock.advance(days=60)  # the first message is 91 days old, the second 60
    quarter = a_round(system, mail)
    assert quarter.aged is not None and quarter.aged["sent_messages"] == 1
    assert kept(system)["messages"] == sorted([("email", "[erased]"), ("email", DANA["email"])])
    links = kept(system)["links"]
    assert links > start["links"]  # links last 180 days
    clock.advance(days=100)  # the first links are 191 days old, the newer ones 160
    last = a_round(system, mail)
    assert last.aged is not None and last.aged["tracking_tokens"] == start["links"]
    assert kept(system)["links"] == links - start["links"]
    assert kept(system)["messages"] == [("email", "[erased]")] * 2
    with system.uows(read_only=True) as uow:
        totals = uow.heartbeats.totals("worker")
    for kind in ("sent_messages", "tracking_tokens", "staff_sessions"):
        passes = (first.aged, month.aged, quarter.aged, last.aged)
        assert totals[f"retention_{kind}"] == sum(aged[kind] for aged in passes)
    with TestClient(create_app(system), headers=api_key(system, "metrics")) as scraper:
        scraped = samples(scraper.get("/metrics").text)
    aged = "ordertrail_retention_aged_total"
    assert value(scraped, aged, kind="tracking_tokens") == start["links"]
    assert value(scraped, aged, kind="staff_sessions") == 1
    assert "aged out by the retention settings" in quarter.said()


def test_retention_settings_come_from_the_toml_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ordertrail.toml").write_text(
        "[retention]\nsent_messages_days = 30\ntracking_tokens_days = 0\n"
    )
    monkeypatch.setenv("ORDERTRAIL_RETENTION__STAFF_SESSIONS_DAYS", "7")
    settings = Settings()
    assert settings.retention.sent_messages_days == 30
    assert settings.retention.staff_sessions_days == 7
    assert settings.retention.webhook_bodies_days == 30  # the default
    assert settings.retention.tracking_tokens_days == 0  # kept for good
    monkeypatch.setenv("ORDERTRAIL_RETENTION__WEBHOOK_BODIES_DAYS", "-1")
    with pytest.raises(ValueError, match="webhook_bodies_days"):
        Settings()
