"""Asking carriers through karrio's connectors: their OAuth, endpoints and requests.

karrio fetches; OrderTrail reads. karrio's own parsed tracking output drops what OrderTrail
keeps — UTC offsets, failure reasons, and unknown codes (which it turns into in_transit) — so
the raw answer karrio fetched is read with OrderTrail's adapter for that carrier instead
(tests/integration/intake/test_karrio_polling.py shows the difference on a recorded answer).

karrio is imported on first use only: it configures logging when imported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from ordertrail.app.intake.commands import EventReport
from ordertrail.app.intake.polling import CarrierUnavailable
from ordertrail.sources.carriers import CarrierParseError, adapter

#: carriers asked through karrio → the OrderTrail format that reads their raw answers
SUPPORTED = {"ups": "ups", "fedex": "fedex"}


class KarrioTracker:
    def __init__(
        self, carrier: str, credentials: Mapping[str, Any], *, server_url: str | None = None
    ) -> None:
        if carrier not in SUPPORTED:
            raise KeyError(carrier)
        self._carrier = carrier
        self._credentials = dict(credentials)
        self._server_url = server_url  # a carrier sandbox, or a fake carrier on loopback
        self._adapter = adapter(SUPPORTED[carrier])
        self._gateway: Any = None

    def fetch(self, tracking_number: str) -> list[EventReport]:
        from karrio.core.models import TrackingRequest

        try:
            gateway = self._connect()
            request = gateway.mapper.create_tracking_request(
                TrackingRequest(tracking_numbers=[tracking_number])
            )
            answers = gateway.proxy.get_tracking(request).deserialize()
        except Exception as error:  # karrio raises its own and urllib's errors alike
            raise CarrierUnavailable(f"{self._carrier} via karrio: {error}") from None
        reports: list[EventReport] = []
        for body in _bodies(answers):
            try:
                reports.extend(self._adapter.parse(json.dumps(body).encode()))
            except CarrierParseError as error:  # an error document, not a tracking answer
                raise CarrierUnavailable(f"{self._carrier} answered: {error}") from None
        return reports

    def _connect(self) -> Any:
        if self._gateway is None:
            os.environ.setdefault("KARRIO_LOG_LEVEL", "WARNING")
            import karrio.sdk as karrio

            gateway = karrio.gateway[self._carrier].create(self._credentials)
            if self._server_url is not None:
                gateway = _pointed_at(gateway, self._server_url, self._credentials)
            self._gateway = gateway
        return self._gateway


def _bodies(answers: Any) -> list[Any]:
    """Raw answers as connectors return them: UPS one (number, body) pair per parcel, FedEx
    one body for all."""
    if isinstance(answers, list):
        return [item[1] if isinstance(item, tuple) else item for item in answers]
    return [answers]


def _pointed_at(gateway: Any, server_url: str, credentials: Mapping[str, Any]) -> Any:
    """The same connector, talking to another server (karrio's server_url is a property)."""
    base = type(gateway.settings)
    settings_class = type(
        f"{base.__name__}AtUrl", (base,), {"server_url": property(lambda _self: server_url)}
    )
    settings = settings_class(**credentials)
    gateway.settings = settings
    gateway.proxy = type(gateway.proxy)(settings)
    gateway.mapper = type(gateway.mapper)(settings)
    return gateway
