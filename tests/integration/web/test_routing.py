"""Every route the app declares is the one that answers its own path: the routers are tried
in an order chosen for speed (`web.app.routers`), and no router tried earlier may take a
later one's path. Asked without credentials or bodies: each answer is a refusal, but the
route that refused is the one that was chosen."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from ordertrail.bootstrap import System
from ordertrail.web.app import create_app


def _declared(router: Any) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in router.routes:
        if hasattr(route, "original_router"):  # an included router
            found += _declared(route.original_router)
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


def test_each_route_answers_its_own_path(system: System) -> None:
    app = create_app(system)
    chosen: list[Any] = []

    async def noting(scope: Scope, receive: Receive, send: Send) -> None:
        await app(scope, receive, send)
        chosen.append(scope.get("route"))

    routes = _declared(app.router)
    assert len(routes) > 80  # the tracking pages, hooks, API, console, driver: all of them
    taken = []
    client = TestClient(noting, raise_server_exceptions=False, follow_redirects=False)
    for route in routes:
        path = re.sub(r"\{[^}]+\}", "sample1", route.path)
        method = sorted(route.methods - {"HEAD"})[0]
        client.request(method, path)
        if chosen[-1] is not route:
            taken.append(f"{method} {route.path} -> {getattr(chosen[-1], 'path', None)}")
    assert taken == []
