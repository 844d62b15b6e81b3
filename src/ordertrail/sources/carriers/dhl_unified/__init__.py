"""DHL Shipment Tracking - Unified API (JSON)."""

from ordertrail.sources.carriers.dhl_unified.parse import ADAPTER

__all__ = ["ADAPTER"]
