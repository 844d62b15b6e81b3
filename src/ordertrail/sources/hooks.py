"""Inbound webhooks: each source's signature scheme, checked on the raw body before parsing,
and what its payloads hold.

- EasyPost: `X-Hmac-Signature: hmac-sha256-hex=<hex>`, HMAC-SHA256 of the body under the
  NFKD-normalized secret; payloads are `tracker.updated` Events.
- AfterShip: `aftership-hmac-sha256: <base64>`, HMAC-SHA256 of the body; tracking webhooks.
- Any other source: the Standard Webhooks spec (`webhook-id`, `webhook-timestamp`,
  `webhook-signature`, a five-minute replay window) with canonical events as the body (an
  array, or one object): local fleets, freight carriers, 3PL portals.

A replayed EasyPost or AfterShip delivery passes its signature again (their schemes sign no
time), and changes nothing: every event it holds is already stored under the same key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from standardwebhooks import Webhook

from ordertrail.app.commands import EventReport
from ordertrail.domain.model import DomainError
from ordertrail.sources.canonical import parse_event, problems_of
from ordertrail.sources.carriers import CarrierParseError, adapter


class SignatureRefused(Exception):
    """The delivery is not signed by the holder of the source's secret (or is too old)."""


Headers = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class HookSource:
    verify: Callable[[bytes, Headers, str], None]
    parse: Callable[[bytes], list[EventReport]]


def _easypost(body: bytes, headers: Headers, secret: str) -> None:
    given = headers.get("x-hmac-signature", "")
    scheme, _, digest = given.partition("=")
    key = unicodedata.normalize("NFKD", secret).encode()
    expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    if scheme != "hmac-sha256-hex" or not hmac.compare_digest(digest.lower(), expected):
        raise SignatureRefused("X-Hmac-Signature does not match the body")


def _aftership(body: bytes, headers: Headers, secret: str) -> None:
    given = headers.get("aftership-hmac-sha256", "")
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    if not hmac.compare_digest(given.encode(), expected):
        raise SignatureRefused("aftership-hmac-sha256 does not match the body")


def _standard(body: bytes, headers: Headers, secret: str) -> None:
    try:
        Webhook(secret).verify(body, dict(headers), json_parse=False)
    except Exception as error:  # a malformed header raises ValueError and kin, not only
        raise SignatureRefused(f"Standard Webhooks signature refused: {error}") from None


def _canonical(body: bytes) -> list[EventReport]:
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise CarrierParseError("(payload)", f"is not JSON: {error}") from None
    items = payload if isinstance(payload, list) else [payload]
    reports = []
    for index, item in enumerate(items):
        try:
            reports.append(parse_event(item))
        except (ValidationError, DomainError) as error:
            problem = problems_of(index, error)[0]
            raise CarrierParseError(f"[{index}].{problem.field}", problem.message) from None
    return reports


def hook_source(source: str) -> HookSource:
    """How deliveries from `source` are checked and read."""
    if source == "easypost":
        return HookSource(_easypost, adapter("easypost").parse)
    if source == "aftership":
        return HookSource(_aftership, adapter("aftership").parse)
    return HookSource(_standard, _canonical)


def lower_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in headers.items()}
