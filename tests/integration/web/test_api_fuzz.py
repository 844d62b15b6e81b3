"""Schemathesis generates requests from the published OpenAPI document, and every answer must
be one the document describes: never a server error, a status the operation declares, in the
media type it declares (`application/problem+json` for refusals), with a body that fits the
declared schema.

Both valid and deliberately invalid requests, one run per documented operation, driven with
Hypothesis directly (its pytest plugin does not load on the pytest this project uses), with
derandomized examples so a run finds the same things every time.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ordertrail.app.fleet.drivers import add_driver
from ordertrail.bootstrap import System
from ordertrail.web.app import create_app
from tests.factories import api_key, canonical_order

AS_DOCUMENTED = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


PARCEL = "1Z999AA10123456784"


def carrier_news(milestone: str | None, hours: int, **more: Any) -> dict[str, Any]:
    return {
        "shipment": PARCEL,
        "milestone": milestone,
        "source": "carrier:ups",
        "occurred_at": f"2026-11-{19 + hours // 24:02d}T{hours % 24:02d}:00:00+00:00",
        **more,
    }


@pytest.fixture
def published_api(system: System) -> Any:
    """The API of a shop with something in every list, so answers have bodies to check."""
    app = create_app(system)
    with TestClient(app, headers=api_key(system)) as client:
        order = canonical_order("ORD-1", (PARCEL, "ups", {"DRILL": 1}))
        assert client.post("/api/v1/orders", json=order).status_code == 201
        events = [
            carrier_news("in_transit", 1, location={"city": "Louisville", "country": "US"}),
            carrier_news(None, 2, raw_code="ZZ9", raw_description="Held at the depot"),
            carrier_news("delivered", 30, data={"signed_by": "DANA"}),
        ]
        recorded = client.post("/api/v1/events", json=events)
        assert recorded.status_code == 200, recorded.text
        asked = {"order": "ORD-1", "lines": [{"sku": "DRILL", "quantity": 1, "reason": "damaged"}]}
        assert client.post("/api/v1/returns", json=asked).status_code == 201
        missing = {"by": "Dana Reyes", "note": "not on the porch"}
        assert client.post(f"/api/v1/shipments/{PARCEL}/reported-missing", json=missing).is_success
        site = {"name": "Louisville DC", "time_zone": "America/New_York", "country": "US"}
        assert client.put("/api/v1/sites/louisville", json=site).is_success
        add_driver(system.uows, system.passwords, "Sam Ortiz", "local", system.clock.now())
        route = {"id": "R-1", "driver": "Sam Ortiz", "day": "2026-11-25"}
        window = {"from": "2026-11-25T14:00:00Z", "until": "2026-11-25T16:00:00Z"}
        stops = [{"shipments": [PARCEL], "window": window}]
        assert client.post("/api/v1/routes", json=route | {"stops": stops}).status_code == 201
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def each_operation(
    api: Any, modes: list[GenerationMode], examples: int, check: Callable[[Any], None]
) -> set[str]:
    """Runs `check` on generated cases of every operation in each mode; the operations for
    which deliberately invalid requests could be made."""
    broken_on_purpose = set()
    for operation, mode in product([r.ok() for r in api.get_all_operations()], modes):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            check(case)

        try:
            run()
        except Unsatisfiable:
            # an operation with nothing to get wrong (no parameters, no body)
            assert mode is GenerationMode.NEGATIVE and not operation.body, operation.path
            continue
        if mode is GenerationMode.NEGATIVE:
            broken_on_purpose.add(f"{operation.method.upper()} {operation.path}")
    return broken_on_purpose


def test_every_generated_request_gets_an_answer_the_document_describes(
    published_api: Any, system: System
) -> None:
    operations = {
        f"{r.ok().method.upper()} {r.ok().path}" for r in published_api.get_all_operations()
    }
    assert operations >= {
        "POST /api/v1/events",
        "POST /api/v1/orders",
        "GET /api/v1/orders",
        "GET /api/v1/orders/{order_id}",
        "GET /api/v1/shipments/{tracking_number}",
    }
    admin = api_key(system)

    def answered_as_documented(case: Any) -> None:
        response = case.call(headers=admin)
        case.validate_response(response, checks=AS_DOCUMENTED, headers=admin)

    broken_on_purpose = each_operation(
        published_api, list(GenerationMode), 30, answered_as_documented
    )
    assert {"POST /api/v1/events", "POST /api/v1/orders"} <= broken_on_purpose


def test_a_missing_key_or_a_role_that_may_not_gets_a_documented_problem(
    published_api: Any, system: System
) -> None:
    warehouse = api_key(system, "warehouse", site="louisville")
    refused: dict[str, set[int]] = {}

    def refused_as_documented(case: Any) -> None:
        for headers in ({"Authorization": "Bearer not-a-key"}, warehouse):
            response = case.call(headers=headers)
            case.validate_response(response, checks=AS_DOCUMENTED, headers=headers)
            label = f"{case.method} {case.operation.path}"
            refused.setdefault(label, set()).add(response.status_code)

    each_operation(published_api, [GenerationMode.POSITIVE], 1, refused_as_documented)
    api = {label: statuses for label, statuses in refused.items() if "/api/v1/" in label}
    assert api and all(401 in statuses for statuses in api.values()), api
    assert 403 in refused["GET /api/v1/keys"]


def test_what_a_shop_reads_back_fits_the_document(published_api: Any, system: System) -> None:
    known = {
        "order_id": "ORD-1",
        "tracking_number": PARCEL,
        "name": "on_time_delivery_rate",
        "rma": "RMA-1001",
        "route_id": "R-1",
    }
    admin = api_key(system)
    read = {}
    for operation in (r.ok() for r in published_api.get_all_operations()):
        if operation.method.upper() != "GET" or operation.path == "/metrics":
            continue  # /metrics answers in Prometheus's text format (see test_metrics)
        names = {p.name for p in operation.path_parameters}
        case = operation.Case(path_parameters={name: known[name] for name in names})
        response = case.call(headers=admin)
        case.validate_response(response, checks=AS_DOCUMENTED, headers=admin)
        read[operation.path] = response.json()
        documented = published_api.raw_schema["paths"][operation.path]["get"]["responses"]
        shape = documented["200"]["content"]["application/json"]["schema"]
        # a named shape, not just "an object": the answer's members are documented
        assert operation.path == "/healthz" or "$ref" in str(shape), (operation.path, shape)
    assert read["/api/v1/orders/{order_id}"]["timeline"]
    assert read["/api/v1/returns/{rma}"]["timeline"] and read["/api/v1/returns"]["returns"]
    assert read["/api/v1/exceptions"] and read["/api/v1/outbox"] and read["/api/v1/sites"]
    assert read["/api/v1/mappings/unmapped"]["unmapped"]
