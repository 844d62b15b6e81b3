"""UPS Track API v1 (JSON)."""

from ordertrail.sources.carriers.ups.parse import ADAPTER

__all__ = ["ADAPTER"]
