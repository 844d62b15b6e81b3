"""The shop's van in a simulated run, along the paths production uses: the morning's route
planned through `POST /api/v1/routes` with an API key the run issues itself, and the driver
signing in on the driver page with the PIN the shop gave them and acting at each stop
through `/driver/actions` (a multipart form with the photo and the signature, as the
phone's queue sends it)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache, partial
from typing import TYPE_CHECKING, Any

import httpx
from anyio.from_thread import BlockingPortal
from PIL import Image

from ordertrail.app.fleet.drivers import add_driver
from ordertrail.app.staff.access import issue_key
from ordertrail.domain.access import Role
from ordertrail.simulate.fleet.local_round import DRIVER, FLEET

if TYPE_CHECKING:
    from ordertrail.bootstrap import System
    from ordertrail.simulate.run import RunResult


@dataclass(slots=True)
class Van:
    """The planner's key and the driver's phone (its cookie jar, its page's CSRF token)."""

    system: System
    portal: BlockingPortal
    phone: httpx.AsyncClient
    key: str = ""
    pin: str = ""
    csrf: dict[date, str] = field(default_factory=dict)

    def start(self) -> None:
        now = self.system.clock.now()
        issued = issue_key(self.system.uows, "route planner", Role.ADMIN, "simulator", now)
        self.key = issued.secret
        self.pin = add_driver(self.system.uows, self.system.passwords, DRIVER, FLEET, now).pin

    def plan(self, body: dict[str, Any], result: RunResult) -> None:
        headers = {"Authorization": f"Bearer {self.key}"}
        answer = self._call(partial(self.phone.post, "/api/v1/routes", json=body, headers=headers))
        if answer.status_code != 201:
            result.refused.append(f"route {body['id']}: {answer.status_code} {answer.text[:200]}")

    def act(self, body: dict[str, Any], result: RunResult) -> None:
        csrf = self._signed_in(date.fromisoformat(body["occurred_at"][:10]), result)
        files = None
        if body["action"] == "delivered":
            files = {
                "photo": ("IMG_0001.jpg", _photo(), "image/jpeg"),
                "signature": ("signature.png", _signature(), "image/png"),
            }
        send = partial(
            self.phone.post,
            "/driver/actions",
            data=body,
            files=files,
            headers={"X-Driver-CSRF": csrf},
        )
        answer = self._call(send)
        if answer.status_code not in (200, 201):
            said = f"{answer.status_code} {answer.text[:200]}"
            result.refused.append(f"driver {body['route']} {json.dumps(body)[:80]}: {said}")

    def _signed_in(self, day: date, result: RunResult) -> str:
        """Sign the phone in at the start of each day's shift (a session lasts one shift)."""
        if day not in self.csrf:
            form = {"name": DRIVER, "pin": self.pin}
            answer = self._call(partial(self.phone.post, "/driver/sign-in", data=form))
            found = re.search(r'data-csrf="([^"]+)"', answer.text)
            if answer.status_code != 200 or not found:
                result.refused.append(f"driver sign-in: {answer.status_code}")
                return ""
            self.csrf[day] = found.group(1)
        return self.csrf[day]

    def _call(self, send: Any) -> httpx.Response:
        response: httpx.Response = self.portal.call(send)
        return response


@cache
def _photo() -> bytes:
    """A small JPEG, as a phone's camera gives (smaller)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 120, 60)).save(out, "JPEG")
    return out.getvalue()


@cache
def _signature() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (120, 40), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()
