"""Carrier formats in, canonical events out: one package per source format.

Each adapter reads one payload (bytes, as received) and returns `EventReport`s with the raw
code and description kept. `adapter(name)` finds one by the name `ingest --format` takes.
"""

from __future__ import annotations

from importlib import import_module

from ordertrail.sources.carriers.base import Adapter, CarrierParseError

#: format name → module under ordertrail.sources.carriers holding `ADAPTER`
FORMATS = {
    "ups": "ups",
    "fedex": "fedex",
    "easypost": "easypost",
    "aftership": "aftership",
    "dhl-unified": "dhl_unified",
    "dhl-express": "dhl_express",
    "canadapost": "canadapost",
    "usps": "usps",
    "shopify-fulfillment-event": "shopify_fulfillment_event",
}


def adapter(name: str) -> Adapter:
    """The adapter for a format name; loaded on first use."""
    if name not in FORMATS:
        raise KeyError(name)
    module = import_module(f"ordertrail.sources.carriers.{FORMATS[name]}")
    found: Adapter = module.ADAPTER
    return found


__all__ = ["FORMATS", "Adapter", "CarrierParseError", "adapter"]
