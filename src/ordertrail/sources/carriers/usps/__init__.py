"""USPS Tracking API v3 (JSON)."""

from ordertrail.sources.carriers.usps.parse import ADAPTER

__all__ = ["ADAPTER"]
