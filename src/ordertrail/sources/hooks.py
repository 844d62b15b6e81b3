"""Inbound webhooks: each source's signature scheme, checked on the raw body before parsing,
and what its payloads hold.

- EasyPost: `X-Hmac-Signature: hmac-sha256-hex=<hex>`, HMAC-SHA256 of the body under the
  NFKD-normalized secret; payloads are `tracker.updated` Events.
- AfterShip: `aftership-hmac-sha256: <base64>`, HMAC-SHA256 of the body; tracking webhooks.
- Shopify: `X-Shopify-Hmac-Sha256: <base64>`; `fulfillment_events/create|update` topics
  (a re-delivery, same `X-Shopify-Webhook-Id`, holds the same event id: a duplicate).
- Any other source: the Standard Webhooks spec (`webhook-id`, `webhook-timestamp`,
  `webhook-signature`, a five-minute replay window) with canonical events as the body (an
  array, or one object): local fleets, freight carriers, 3PL portals. Their events speak for
  `carrier:<source>` only; an item claiming another source (an ops correction, another
  carrier) is refused.

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
from ordertrail.app.handlers import ItemProblem
from ordertrail.domain.model import DomainError
from ordertrail.sources.canonical import parse_event, problems_of
from ordertrail.sources.carriers import CarrierParseError, adapter


class SignatureRefused(Exception):
    """The delivery is not signed by the holder of the source's secret (or is too old)."""


Headers = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Parsed:
    """A delivery's reports, where each stood in it, and the items that cannot be used."""

    reports: list[EventReport]
    positions: list[int]
    refused: list[ItemProblem]


@dataclass(frozen=True, slots=True)
class HookSource:
    verify: Callable[[bytes, Headers, str], None]
    #: the delivery's reports, and the items of it that cannot be used
    parse: Callable[[bytes, Headers], Parsed]


def _easypost(body: bytes, headers: Headers, secret: str) -> None:
    given = headers.get("x-hmac-signature", "")
    scheme, _, digest = given.partition("=")
    key = unicodedata.normalize("NFKD", secret).encode()
    expected = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
    given_digest = digest.lower().encode("utf-8", "replace")
    if scheme != "hmac-sha256-hex" or not hmac.compare_digest(given_digest, expected):
        raise SignatureRefused("X-Hmac-Signature does not match the body")


def _aftership(body: bytes, headers: Headers, secret: str) -> None:
    given = headers.get("aftership-hmac-sha256", "").encode("utf-8", "replace")
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    if not hmac.compare_digest(given, expected):
        raise SignatureRefused("aftership-hmac-sha256 does not match the body")


def _shopify(body: bytes, headers: Headers, secret: str) -> None:
    given = headers.get("x-shopify-hmac-sha256", "").encode("utf-8", "replace")
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    if not hmac.compare_digest(given, expected):
        raise SignatureRefused("X-Shopify-Hmac-Sha256 does not match the body")


def _shopify_topics(body: bytes, headers: Headers) -> Parsed:
    """Shopify sends every topic to one address; fulfillment events are read here (orders and
    fulfillments are registered by the store-platform integration)."""
    topic = headers.get("x-shopify-topic", "")
    if topic in ("fulfillment_events/create", "fulfillment_events/update"):
        return _adapter("shopify-fulfillment-event")(body, headers)
    refusal = ItemProblem(0, "X-Shopify-Topic", f"topic '{topic}' is not handled here")
    return Parsed([], [], [refusal])


def _standard(body: bytes, headers: Headers, secret: str) -> None:
    try:
        Webhook(secret).verify(body, dict(headers), json_parse=False)
    except Exception as error:  # a malformed header raises ValueError and kin, not only
        raise SignatureRefused(f"Standard Webhooks signature refused: {error}") from None


def _canonical(source: str) -> Callable[[bytes, Headers], Parsed]:
    """Canonical events from `source`'s hook: each must come from `carrier:<source>` (the
    holder of this hook's secret speaks for that carrier and for nobody else)."""
    speaker = f"carrier:{source}"

    def parse(body: bytes, _headers: Headers) -> Parsed:
        try:
            payload = json.loads(body, parse_constant=_no_constant)
        except (ValueError, RecursionError) as error:
            raise CarrierParseError("(payload)", f"is not JSON: {error}") from None
        found = Parsed([], [], [])
        for index, item in enumerate(payload if isinstance(payload, list) else [payload]):
            if isinstance(item, dict) and item.get("source", speaker) != speaker:
                message = f"this hook speaks for {speaker} only"
                found.refused.append(ItemProblem(index, "source", message))
                continue
            try:
                found.reports.append(
                    parse_event({"source": speaker, **item} if isinstance(item, dict) else item)
                )
                found.positions.append(index)
            except (ValidationError, DomainError) as error:
                found.refused.extend(problems_of(index, error))
        return found

    return parse


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _adapter(name: str) -> Callable[[bytes, Headers], Parsed]:
    read = adapter(name).parse

    def parse(body: bytes, _headers: Headers) -> Parsed:
        reports = read(body)
        return Parsed(reports, list(range(len(reports))), [])

    return parse


def hook_source(source: str) -> HookSource:
    """How deliveries from `source` are checked and read."""
    if source == "easypost":
        return HookSource(_easypost, _adapter("easypost"))
    if source == "aftership":
        return HookSource(_aftership, _adapter("aftership"))
    if source == "shopify":
        return HookSource(_shopify, _shopify_topics)
    return HookSource(_standard, _canonical(source))


def lower_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in headers.items()}
