"""The local fleet's shared steps: a shop with three orders for one street, a driver with a
PIN, and the day's route of three stops with their promised hours."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from PIL import Image

from ordertrail.app.fleet.drivers import add_driver
from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order

DAY = "2026-11-25"
PARCELS = ("LOCAL0001", "LOCAL0002", "LOCAL0003")
ORDERS = ("ORD-71", "ORD-72", "ORD-73")
#: The three stops' promised hours in New York, where the customers are
WINDOWS = [
    {"from": "2026-11-25T10:00:00-05:00", "until": "2026-11-25T12:00:00-05:00"},
    {"from": "2026-11-25T12:00:00-05:00", "until": "2026-11-25T14:00:00-05:00"},
    {"from": "2026-11-25T14:00:00-05:00", "until": "2026-11-25T16:00:00-05:00"},
]
EMAIL = "dana@example.com"
#: two hours into the round (the route is planned at noon)
NOW = "2026-11-25T13:58:00+00:00"


def fleet_system(database_url: str, clock: FixedClock, proofs: Path) -> System:
    return build(Settings(database_url=database_url, proof_folder=proofs), clock=clock)


def shop_orders(client: Any, system: System) -> None:
    """Three orders, one local parcel each, for customers in New York."""
    for order_id, parcel in zip(ORDERS, PARCELS, strict=True):
        order = canonical_order(order_id, (parcel, "local", {"HAT": 1}))
        order["customer"] |= {"time_zone": "America/New_York", "country": "US"}
        answer = client.post("/api/v1/orders", json=order, headers=api_key(system))
        assert answer.status_code == 201, answer.text


def driver(system: System, name: str = "Sam Ortiz") -> str:
    """Add the driver; their PIN."""
    issued = add_driver(system.uows, system.passwords, name, "local", system.clock.now())
    return issued.pin


def route_body(route_id: str = "R-1125", who: str = "Sam Ortiz") -> dict[str, Any]:
    return {
        "id": route_id,
        "driver": who,
        "day": DAY,
        "stops": [
            {"shipments": [parcel], "window": window, "address": f"{n} Elm St"}
            for n, (parcel, window) in enumerate(zip(PARCELS, WINDOWS, strict=True), start=1)
        ],
    }


def plan(client: Any, system: System, body: dict[str, Any] | None = None) -> Any:
    return client.post("/api/v1/routes", json=body or route_body(), headers=api_key(system))


def photo(size: tuple[int, int] = (64, 48)) -> bytes:
    """A real JPEG, as a phone's camera gives."""
    out = io.BytesIO()
    Image.new("RGB", size, (180, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def signature() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (120, 40), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def stored_files(proofs: Path) -> list[Path]:
    return sorted(path for path in proofs.rglob("*") if path.is_file())


def sign_in(client: Any, name: str, pin: str) -> str:
    """Sign the phone in; the CSRF token its page carries."""
    answer = client.post("/driver/sign-in", data={"name": name, "pin": pin})
    assert answer.status_code == 200, answer.text
    found = re.search(r'data-csrf="([^"]+)"', answer.text)
    assert found, answer.text
    return found.group(1)


def act(client: Any, csrf: str, files: dict[str, Any] | None = None, **fields: Any) -> Any:
    data = {"route": "R-1125", "stop": "1", "occurred_at": NOW, "key": "k" * 20} | fields
    return client.post(
        "/driver/actions",
        data={k: str(v) for k, v in data.items() if v is not None},
        files=files,
        headers={"X-Driver-CSRF": csrf},
    )


def deliver(client: Any, csrf: str, **fields: Any) -> Any:
    files = {"photo": ("IMG_0001.jpg", photo(), "image/jpeg"), "signature": ("s.png", signature())}
    given = {
        "action": "delivered",
        "handoff": "handed_to",
        "where": "Dana Reyes",
        "signed_by": "Dana Reyes",
        "latitude": "38.2081",
        "longitude": "-85.7466",
        "accuracy": "12",
    }
    return act(client, csrf, files, **(given | fields))
