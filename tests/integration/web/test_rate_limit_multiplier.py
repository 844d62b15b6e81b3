"""`rate_limit_multiplier` raises every limit for a load test; it never removes one."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from ordertrail.web.public.lookup import PER_IDENTIFIER
from tests.conftest import FixedClock


def test_a_raised_limit_still_refuses_past_its_raised_count(
    database_url: str, clock: FixedClock
) -> None:
    system = build(Settings(database_url=database_url, rate_limit_multiplier=3), clock=clock)
    raised = PER_IDENTIFIER.amount * 3
    with TestClient(create_app(system)) as client:
        statuses = [
            client.get("/track", params={"order": "ORD-9", "email": f"g{n}@example.com"})
            for n in range(raised + 1)
        ]
    system.close()
    assert [answer.status_code for answer in statuses[:raised]] == [404] * raised
    assert statuses[-1].status_code == 429 and "Retry-After" in statuses[-1].headers


@pytest.mark.parametrize("given", [0, -1, 10_000_000])
def test_a_multiplier_that_would_remove_or_lower_limits_is_refused(given: int) -> None:
    with pytest.raises(ValidationError, match="rate_limit_multiplier"):
        Settings(rate_limit_multiplier=given)
