"""The customer pages in each language, through the real app and database: the order's
locale first, else the browser's Accept-Language; `<html lang>` says which, `Vary` tells
caches, and the console stays English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ordertrail.bootstrap import build
from ordertrail.config import Settings
from ordertrail.web.app import create_app
from tests.conftest import FixedClock
from tests.factories import api_key, canonical_order


def _order(client: TestClient, clock: FixedClock, order_id: str, **extra: Any) -> None:
    """Two DHL parcels (`LANG-<n>-A` delivered, `LANG-<n>-B` missed: nobody in)."""
    first, second = (f"LANG-{order_id[-1]}-{x}" for x in "AB")
    order = canonical_order(order_id, (first, "dhl", {"HAT": 1}), (second, "dhl", {"MUG": 2}))
    order["customer"] |= {"time_zone": "Europe/Paris"}
    assert client.post("/api/v1/orders", json=order | extra).status_code == 201
    for number, milestone, reason in [
        (first, "delivered", None),
        (second, "delivery_attempted", "recipient_unavailable"),
    ]:
        clock.advance(hours=1)
        event = {"shipment": number, "milestone": milestone, "source": "carrier:dhl"}
        event |= {"occurred_at": clock.now().isoformat()}
        if reason:
            event["reason"] = reason
        assert client.post("/api/v1/events", json=[event]).status_code == 200


@pytest.fixture
def client(database_url: str, clock: FixedClock) -> Iterator[TestClient]:
    system = build(Settings(database_url=database_url), clock=clock)
    with TestClient(create_app(system), headers=api_key(system)) as test_client:
        _order(test_client, clock, "ORD-1", locale="fr")
        _order(test_client, clock, "ORD-2")  # the shop did not say
        yield test_client
    system.close()


def order_page(client: TestClient, order_id: str, browser: str | None = None) -> Any:
    headers = {"Accept-Language": browser} if browser else {}
    params = {"order": order_id, "email": "dana@example.com"}
    answer = client.get("/track", params=params, headers=headers)
    assert answer.status_code == 200
    return answer


def lang(answer: Any) -> str:
    found = re.search(r'<html lang="([^"]+)"', answer.text)
    assert found, "the page names no language"
    return found.group(1)


def test_a_french_order_is_shown_in_french_whatever_the_browser_says(client: TestClient) -> None:
    for browser in (None, "de-DE,de;q=0.9", "en-US"):
        page = order_page(client, "ORD-1", browser)
        assert lang(page) == "fr" and page.headers["content-language"] == "fr"
        assert "Commande ORD-1" in page.text and "Suivre votre commande" in page.text
        assert "Commandé le mer. 18 nov. 2026" in page.text  # Babel's French date
        assert "Livré" in page.text and "Tentative de livraison" in page.text
        assert "car personne n&#39;était présent pour le réceptionner" in page.text
        assert "Delivered" not in page.text and "Track your order" not in page.text


@pytest.mark.parametrize(
    ("browser", "expected", "words"),
    [
        ("es-ES,es;q=0.9,en;q=0.5", "es", ("Pedido ORD-2", "Entregado", "18 nov 2026")),
        ("de;q=0.9, fr;q=0.3", "de", ("Bestellung ORD-2", "Zugestellt", "18. Nov. 2026")),
        ("fr-CH", "fr", ("Commande ORD-2", "Livré", "18 nov. 2026")),
        ("ja, zh;q=0.8", "en", ("Order ORD-2", "Delivered", "Wed 18 Nov 2026")),
        ("fr;q=banana, <b>", "en", ("Order ORD-2", "Delivered", "Ordered on")),
    ],
)
def test_an_order_without_a_language_speaks_the_browsers(
    client: TestClient, browser: str, expected: str, words: tuple[str, ...]
) -> None:
    page = order_page(client, "ORD-2", browser)
    assert lang(page) == expected
    for word in words:
        assert word in page.text
    assert "Accept-Language" in page.headers["vary"]


def test_the_lookup_form_and_returns_pages_speak_the_browsers_language(client: TestClient) -> None:
    form = client.get("/track", headers={"Accept-Language": "de"})
    assert lang(form) == "de" and "Mit Ihrer Sendungsnummer" in form.text
    assert "Accept-Language" in form.headers["vary"]
    returns = client.get("/returns", headers={"Accept-Language": "es"})
    assert lang(returns) == "es" and "Devolver artículos" in returns.text
    parcel = client.get("/track/LANG-2-A", headers={"Accept-Language": "es"})
    assert lang(parcel) == "es" and "¿Dónde está mi paquete?" in parcel.text
    missing = client.get("/track/NOPE123", headers={"Accept-Language": "fr"})
    assert missing.status_code == 404 and "Nous n'avons trouvé aucun colis" in missing.text


def test_a_french_orders_parcel_page_is_french(client: TestClient) -> None:
    page = client.get("/track/LANG-1-A", headers={"Accept-Language": "en"})
    assert lang(page) == "fr" and "Où est mon colis ?" in page.text


def test_a_copy_of_the_order_that_does_not_say_the_language_keeps_it(
    client: TestClient, clock: FixedClock
) -> None:
    again = canonical_order(
        "ORD-1", ("LANG-1-A", "dhl", {"HAT": 1}), ("LANG-1-B", "dhl", {"MUG": 2})
    )
    assert client.post("/api/v1/orders", json=again).status_code in (200, 201)
    assert client.get("/api/v1/orders/ORD-1").json()["locale"] == "fr"
    assert lang(order_page(client, "ORD-1", "de")) == "fr"


def test_the_console_stays_english(client: TestClient) -> None:
    sign_in = client.get("/ops/login", headers={"Accept-Language": "fr"})
    assert sign_in.status_code == 200 and lang(sign_in) == "en"


@pytest.mark.parametrize("tag", ["<script>", "fr\u0000", "français", "x" * 101])
def test_an_order_whose_locale_is_not_a_language_tag_is_refused_by_name(
    client: TestClient, tag: str
) -> None:
    order = canonical_order("ORD-9", ("LANG-9-A", "dhl", {"HAT": 1})) | {"locale": tag}
    answer = client.post("/api/v1/orders", json=order)
    assert answer.status_code == 422
    assert "locale" in answer.text
    assert client.get("/api/v1/orders/ORD-9").status_code == 404
