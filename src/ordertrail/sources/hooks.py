"""Inbound webhooks: each source's signature scheme, checked on the raw body before parsing,
and what its payloads hold.

- EasyPost: `X-Hmac-Signature: hmac-sha256-hex=<hex>`, HMAC-SHA256 of the body under the
  NFKD-normalized secret; payloads are `tracker.updated` Events.
- AfterShip: `aftership-hmac-sha256: <base64>`, HMAC-SHA256 of the body; tracking webhooks.
- Shopify: `X-Shopify-Hmac-Sha256: <base64>`; `orders/*` topics register the order with its
  fulfillments, `fulfillments/create|update` add a parcel, `fulfillment_events/*` are carrier
  news, `returns/*` and `reverse_deliveries/*` are a Shopify-run return's steps. A
  re-delivery (same `X-Shopify-Webhook-Id`) is acknowledged and not read again.
- WooCommerce: `X-WC-Webhook-Signature: <base64>` HMAC-SHA256 of the body; `order.*` topics
  register the order. The ping WooCommerce sends, unsigned, when a webhook is created
  (`webhook_id=<n>`, form-encoded) is acknowledged and stores nothing.
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
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from standardwebhooks import Webhook

from ordertrail.app.intake.commands import EventReport
from ordertrail.app.intake.handlers import ItemProblem
from ordertrail.domain.model import DomainError, Order, Shipment
from ordertrail.sources.canonical import parse_event, problems_of, refuse_unstorable_text
from ordertrail.sources.carriers import CarrierParseError, adapter
from ordertrail.sources.channels import shopify, shopify_returns, woocommerce_hook
from ordertrail.sources.channels.common import ChannelUpdate


class SignatureRefused(Exception):
    """The delivery is not signed by the holder of the source's secret (or is too old)."""


Headers = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Parsed:
    """A delivery's reports, where each stood in it, and the items that cannot be used; a
    store platform's delivery also holds orders and parcels to register first."""

    reports: list[EventReport]
    positions: list[int]
    refused: list[ItemProblem]
    orders: list[Order] = field(default_factory=list)
    shipments: list[Shipment] = field(default_factory=list)


def _no_delivery_id(_headers: Headers) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class HookSource:
    verify: Callable[[bytes, Headers, str], None]
    #: the delivery's reports, and the items of it that cannot be used
    parse: Callable[[bytes, Headers], Parsed]
    #: the sender's id of this delivery, the same on every re-delivery
    delivery_id: Callable[[Headers], str | None] = _no_delivery_id


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


#: The topics whose body is a whole order (others, like `orders/edited`, are not).
_SHOPIFY_ORDER_TOPICS = frozenset(
    {
        "orders/create",
        "orders/updated",
        "orders/cancelled",
        "orders/fulfilled",
        "orders/partially_fulfilled",
        "orders/paid",
    }
)


def _shopify_topics(body: bytes, headers: Headers) -> Parsed:
    """Shopify sends every topic to one address: orders, fulfillments, fulfillment events."""
    topic = headers.get("x-shopify-topic", "")
    if topic in ("fulfillment_events/create", "fulfillment_events/update"):
        return _adapter("shopify-fulfillment-event")(body, headers)
    if topic in _SHOPIFY_ORDER_TOPICS:
        return _channel(shopify.order_update, body)
    if topic in ("fulfillments/create", "fulfillments/update"):
        return _channel(shopify.fulfillment_update, body)
    if topic in shopify_returns.TOPICS:
        return _channel(lambda payload: shopify_returns.return_update(topic, payload), body)
    refusal = ItemProblem(0, "X-Shopify-Topic", f"topic '{topic}' is not handled here")
    return Parsed([], [], [refusal])


def _woocommerce(body: bytes, headers: Headers, secret: str) -> None:
    if "x-wc-webhook-signature" not in headers and _is_ping(body):
        return  # the creation ping is never signed, and says nothing
    given = headers.get("x-wc-webhook-signature", "").encode("utf-8", "replace")
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    if not hmac.compare_digest(given, expected):
        raise SignatureRefused("X-WC-Webhook-Signature does not match the body")


def _is_ping(body: bytes) -> bool:
    return re.fullmatch(rb"webhook_id=\d{1,20}", body.strip()) is not None


def _woocommerce_topics(body: bytes, headers: Headers) -> Parsed:
    if "x-wc-webhook-signature" not in headers and _is_ping(body):
        return Parsed([], [], [])
    topic = headers.get("x-wc-webhook-topic", "")
    if topic in ("order.created", "order.updated"):
        return _channel(woocommerce_hook.order_update, body)
    refusal = ItemProblem(0, "X-WC-Webhook-Topic", f"topic '{topic}' is not handled here")
    return Parsed([], [], [refusal])


def _channel(read: Callable[[Any], ChannelUpdate], body: bytes) -> Parsed:
    """A store platform's order or fulfillment, ready to register and record."""
    try:
        payload = json.loads(body, parse_constant=_no_constant)
        refuse_unstorable_text(payload)
        update = read(payload)
    except (ValueError, RecursionError) as error:
        if isinstance(error, DomainError):
            raise CarrierParseError(error.field, error.message) from None
        raise CarrierParseError("(payload)", f"is not JSON: {error}") from None
    positions = list(range(len(update.reports)))
    return Parsed(update.reports, positions, update.refused, update.orders, update.shipments)


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
        return HookSource(_shopify, _shopify_topics, _header("x-shopify-webhook-id"))
    if source == "woocommerce":
        return HookSource(_woocommerce, _woocommerce_topics, _woocommerce_delivery)
    # a sender's retry carries the same webhook-id (and is refused after the replay window)
    return HookSource(_standard, _canonical(source), _header("webhook-id"))


def _woocommerce_delivery(headers: Headers) -> str | None:
    """Only a signed delivery's id is remembered: the unsigned ping proves nothing, and
    remembering its id would let anyone block the real delivery that uses it."""
    if "x-wc-webhook-signature" not in headers:
        return None
    return _header("x-wc-webhook-delivery-id")(headers)


def _header(name: str) -> Callable[[Headers], str | None]:
    def delivery_id(headers: Headers) -> str | None:
        return headers.get(name, "").strip()[:200] or None

    return delivery_id


def lower_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in headers.items()}
