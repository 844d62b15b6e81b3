"""Schemathesis generates requests from the published OpenAPI document: none may crash the API.

Both valid and deliberately invalid requests, one run per documented operation, driven with
Hypothesis directly (its pytest plugin does not load on the pytest this project uses).
"""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from ordertrail.bootstrap import System
from ordertrail.web.app import create_app
from tests.factories import api_key, canonical_order


@pytest.fixture
def published_api(system: System) -> Any:
    app = create_app(system)
    with TestClient(
        app, headers=api_key(system)
    ) as client:  # something to find, so lookups reach the database
        order = canonical_order("ORD-1", ("1Z999AA10123456784", "ups", {"DRILL": 1}))
        assert client.post("/api/v1/orders", json=order).status_code == 201
    return schemathesis.openapi.from_asgi("/openapi.json", app), api_key(system)


def test_no_generated_request_gets_a_server_error(published_api: Any) -> None:
    published_api, headers = published_api
    operations = [result.ok() for result in published_api.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} >= {
        "POST /api/v1/events",
        "POST /api/v1/orders",
        "GET /api/v1/orders",
        "GET /api/v1/orders/{order_id}",
        "GET /api/v1/shipments/{tracking_number}",
    }
    broken_on_purpose = set()
    for operation, mode in product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def never_a_server_error(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.path, response.text[:300])

        try:
            never_a_server_error()
        except Unsatisfiable:
            # an operation with nothing to get wrong (no parameters, no body)
            assert mode is GenerationMode.NEGATIVE and not operation.body, operation.path
            continue
        if mode is GenerationMode.NEGATIVE:
            broken_on_purpose.add(f"{operation.method.upper()} {operation.path}")
    assert {"POST /api/v1/events", "POST /api/v1/orders"} <= broken_on_purpose
