"""Shopify `fulfillment_events/create` webhooks: the carrier's news, relayed by the store."""

from ordertrail.sources.carriers.shopify_fulfillment_event.parse import ADAPTER

__all__ = ["ADAPTER"]
