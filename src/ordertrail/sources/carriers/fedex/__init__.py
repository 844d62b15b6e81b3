"""FedEx Track API v1 (JSON)."""

from ordertrail.sources.carriers.fedex.parse import ADAPTER

__all__ = ["ADAPTER"]
