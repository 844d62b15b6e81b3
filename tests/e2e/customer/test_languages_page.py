"""A French customer on a phone (issue 20): their order says `fr`, their phone's browser asks
for English, and still the delayed-shipment email (through a real SMTP server on loopback) and
the tracking page its link opens are in French, dates and delivery days included. Screenshots
in artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ordertrail.app.messages.delivery import deliver_due
from ordertrail.bootstrap import System, build
from ordertrail.config import Settings
from tests.conftest import FixedClock
from tests.e2e.conftest import LiveServer, serving
from tests.integration.promise.eta_story import a_learned_lane, handed_over, held_in_chicago
from tests.smtp_sink import Mailbox

PHONE = {"width": 390, "height": 844}
CUSTOMER = "n-9@example.com"


@pytest.fixture
def shop(tmp_path: Path, clock: FixedClock, mailbox: Mailbox) -> Iterator[LiveServer]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'languages.db'}",
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        brand_name="Chapeaux & Tasses",
    )
    with serving(build(settings, clock=clock)) as server:
        yield server


def delayed_in_french(system: System, clock: FixedClock, mailbox: Mailbox) -> str:
    """The parcel of a French customer's order leaves Tuesday, promised Thursday or Friday;
    Thursday the carrier holds it for the weather and says Monday. Its email, as received."""
    a_learned_lane(system)
    handed_over(system, clock, "N-9", promised_by="2026-11-20", locale="fr")
    held_in_chicago(system, clock, "weather")
    clock.advance(hours=1)
    deliver_due(system.uows, system.senders(), clock, jitter=lambda: 0.5)
    subjects = mailbox.subjects(CUSTOMER)
    assert "Votre colis est retardé" in subjects, subjects
    return mailbox.text(CUSTOMER, subjects.index("Votre colis est retardé"))


def test_a_french_customer_reads_the_delay_and_the_page_in_french(
    shop: LiveServer, browser: Any, clock: FixedClock, mailbox: Mailbox, artifacts: Path
) -> None:
    mail = delayed_in_french(shop.system, clock, mailbox)
    said = " ".join(mail.split())
    assert "Votre colis a du retard (conditions météorologiques)." in said
    assert "Il devrait désormais arriver lundi." in said
    assert (
        "Le jeu. 19 nov., nous avons modifié la date de livraison (auparavant : jeudi ou "
        "vendredi) en raison des conditions météorologiques." in said
    )
    assert "Des questions ?" in said
    for english in ("running late", "should now arrive", "Questions?", "Thursday", "Monday"):
        assert english not in said
    html = mailbox.to(CUSTOMER)[-1].get_body(("html",))
    assert html is not None and '<html lang="fr">' in str(html.get_content())  # type: ignore[attr-defined]
    (artifacts / "languages-delayed-email-fr.txt").write_text(mail)

    link = re.search(r"https?://\S+/t/\S+", mail)
    assert link, mail
    path = link.group(0).split("/t/", 1)[1]
    # the phone's browser asks for English: the order's own language still wins
    context = browser.new_context(viewport=PHONE, locale="en-US", is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{shop.url}/t/{path}")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.inner_text("h1") == "Commande N-9"
        shown = page.inner_text("main")
        assert "Suivre votre commande" in page.title()
        assert "Commandé le mar. 1 sept. 2026" in shown
        assert "Retardé" in shown
        assert "Livraison prévue lundi" in shown
        assert "nous avons modifié la date de livraison" in shown
        assert "jeu. 19 nov., 08:30" in shown  # the hold, in the customer's zone and words
        assert "Remis au transporteur" in shown and "mar. 17 nov., 10:00" in shown
        for english in ("Track your order", "Delayed", "Arriving", "Thursday", "Monday"):
            assert english not in shown
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the French page is wider than the phone"
        page.screenshot(path=str(artifacts / "languages-tracking-fr-phone.png"), full_page=True)
    finally:
        context.close()
