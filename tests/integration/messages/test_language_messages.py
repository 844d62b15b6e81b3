"""Customer messages in the customer's language: the order's locale, else the brand's
language, else English. Dates and delivery days come out in the
same language as the words around them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ordertrail.app.messages.delivery import Outgoing, deliver_due
from ordertrail.bootstrap import System
from ordertrail.delivery.texts import Brand, Text, Texts
from tests.conftest import FixedClock
from tests.integration.promise.eta_story import a_learned_lane, handed_over, held_in_chicago


@dataclass
class Rendering:
    """An email sender that keeps the texts it would send."""

    texts: Texts
    sent: list[tuple[str, str, Text]] = field(default_factory=list)

    def send(self, outgoing: Outgoing) -> None:
        text = self.texts.render(outgoing)
        self.sent.append((outgoing.message.audience, outgoing.message.kind, text))

    def delayed(self) -> Text:
        found = [t for audience, kind, t in self.sent if kind == "delayed" and audience != "staff"]
        assert len(found) == 1, [(a, k) for a, k, _t in self.sent]
        return found[0]


def _delayed(system: System, clock: FixedClock, brand: Brand, **order: str) -> Rendering:
    a_learned_lane(system)
    handed_over(system, clock, "N-9", promised_by="2026-11-20", **order)
    held_in_chicago(system, clock, "weather")
    mail = Rendering(Texts(brand))
    clock.advance(hours=1)
    deliver_due(system.uows, {"email": mail, "team": mail}, clock, jitter=lambda: 0.5)
    return mail


def test_a_spanish_order_hears_of_its_delay_in_spanish(system: System, clock: FixedClock) -> None:
    mail = _delayed(system, clock, Brand(language="de"), locale="es-MX")
    text = mail.delayed()
    plain = " ".join(text.plain.split())
    assert text.subject == "OrderTrail: Su paquete se ha retrasado"
    assert "Su paquete lleva retraso (mal tiempo)." in plain
    assert "Nueva fecha de entrega prevista: lunes." in plain
    assert "El jue, 19 nov cambiamos la fecha de entrega (antes: jueves o viernes)" in plain
    assert '<html lang="es">' in text.html


def test_without_a_locale_the_brands_language_is_spoken(system: System, clock: FixedClock) -> None:
    mail = _delayed(system, clock, Brand(language="de"))
    text = mail.delayed()
    plain = " ".join(text.plain.split())
    assert text.subject == "OrderTrail: Ihr Paket verspätet sich"
    assert "Neuer voraussichtlicher Liefertermin: Montag." in plain
    assert "Am Do., 19. Nov. haben wir den Liefertermin geändert" in plain


def test_a_language_we_do_not_speak_is_english(system: System, clock: FixedClock) -> None:
    text = _delayed(system, clock, Brand(), locale="ja-JP").delayed()
    assert text.subject == "OrderTrail: Your parcel is delayed"
    assert "It should now arrive Monday." in " ".join(text.plain.split())
