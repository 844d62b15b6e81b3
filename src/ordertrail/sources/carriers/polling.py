"""Asking a carrier's tracking endpoint over HTTP, for carriers without webhooks.

`HttpTracker` GETs one URL per parcel (``{tracking}`` in the template) and reads the answer
with the carrier's own adapter. Down, slow (past the timeout), 5xx and unreadable answers
become CarrierUnavailable; a 429 carries its Retry-After. Carriers whose APIs need OAuth and
signed requests are to be asked through karrio's connectors behind the same port.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ordertrail.app.intake.commands import EventReport
from ordertrail.app.intake.polling import CarrierUnavailable
from ordertrail.sources.carriers import CarrierParseError, adapter

DEFAULT_RETRY_AFTER = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)

if TYPE_CHECKING:
    import httpx


class HttpTracker:
    def __init__(
        self,
        url_template: str,
        format_name: str,
        *,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        import httpx  # ~6 MB with what it brings: only where a carrier is asked over HTTP

        self._template = url_template
        self._adapter = adapter(format_name)
        self._client = client or httpx.Client(timeout=timeout)

    def fetch(self, tracking_number: str) -> list[EventReport]:
        import httpx

        url = self._template.replace("{tracking}", tracking_number)
        try:
            answer = self._client.get(url)
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise CarrierUnavailable(f"{url}: {type(error).__name__}") from None
        if answer.status_code == 429:
            raise CarrierUnavailable("rate limited", _retry_after(answer.headers))
        if answer.status_code != 200:
            raise CarrierUnavailable(f"{url}: HTTP {answer.status_code}")
        try:
            return self._adapter.parse(answer.content)
        except CarrierParseError as error:
            raise CarrierUnavailable(f"unreadable answer: {error}") from None

    def close(self) -> None:
        self._client.close()


def _retry_after(headers: httpx.Headers) -> timedelta:
    """The wait a 429 asks for, in seconds; anything else (a date, junk) gets a minute, and
    no carrier may put a parcel off for more than six hours."""
    value = headers.get("retry-after", "").strip()
    if not (value.isascii() and value.isdigit()):
        return DEFAULT_RETRY_AFTER
    return min(timedelta(seconds=int(value[:6])), LONGEST_WAIT)
