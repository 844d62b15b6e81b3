"""The `delayed` message explains the change of the delivery window: the new days in the
customer's words and why, not a bare new date."""

from __future__ import annotations

from dataclasses import dataclass, field

from ordertrail.app.messages.delivery import Outgoing, deliver_due
from ordertrail.bootstrap import System
from ordertrail.delivery.texts import Brand, Text, Texts
from tests.conftest import FixedClock
from tests.integration.promise.eta_story import (
    a_learned_lane,
    handed_over,
    held_in_chicago,
)


@dataclass
class Rendering:
    """An email sender that keeps the texts it would send."""

    texts: Texts = field(default_factory=lambda: Texts(Brand()))
    sent: list[tuple[str, Text]] = field(default_factory=list)

    def send(self, outgoing: Outgoing) -> None:
        self.sent.append((outgoing.message.kind, self.texts.render(outgoing)))


def test_the_delayed_message_says_the_new_window_and_why(system: System, clock: FixedClock) -> None:
    a_learned_lane(system)
    handed_over(system, clock, "N-9", promised_by="2026-11-20")
    held_in_chicago(system, clock, "weather")
    mail = Rendering()
    clock.advance(hours=1)
    deliver_due(system.uows, {"email": mail}, clock, jitter=lambda: 0.5)

    delayed = [text for kind, text in mail.sent if kind == "delayed"]
    assert len(delayed) == 1, [kind for kind, _ in mail.sent]
    plain = " ".join(delayed[0].plain.split())
    assert "It should now arrive Monday." in plain
    assert "On Thu 19 Nov we changed it from Thursday or Friday because of the weather." in plain
