"""One name for each carrier and place, wherever people read it: the ops console, the
customer's tracking page and the customer's messages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ordertrail.app.display_names import carrier_name, place_name
from ordertrail.bootstrap import System
from ordertrail.domain.model import Location
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import sign_in
from tests.stories import ATTEMPTED, STALLED, shopify_order_in_trouble


def test_carriers_and_places_read_as_people_write_them() -> None:
    assert [carrier_name(c) for c in ("fedex", "FEDEX", "usps", "canadapost", "acme")] == [
        "FedEx",
        "FedEx",
        "USPS",
        "Canada Post",
        "acme",
    ]
    shouted = Location(city="SALT LAKE CITY", region="UT", country="US")
    assert place_name(shouted) == "Salt Lake City, UT, US"
    assert place_name(Location(city="McAllen", region="ONTARIO", country="CA")) == (
        "McAllen, Ontario, CA"
    )


def test_staff_and_customers_read_the_same_carrier_and_place(
    system: System, clock: FixedClock
) -> None:
    shopify_order_in_trouble(system, clock)  # its UPS parcel was seen in LOUISVILLE, KY
    with TestClient(create_app(system)) as client:
        public = client.get(f"/track/{STALLED}").text
        assert "UPS " + STALLED in public and "Louisville, KY, US" in public
        assert "FedEx " + ATTEMPTED in client.get(f"/track/{ATTEMPTED}").text
        sign_in(client, system, "ops")
        staff = client.get("/ops/orders/%231029").text
        assert f"FedEx {ATTEMPTED}" in staff and f"UPS {STALLED}" in staff
        assert "Louisville, KY, US" in staff and "LOUISVILLE" not in staff
