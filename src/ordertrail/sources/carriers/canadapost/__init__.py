"""Canada Post tracking details (XML)."""

from ordertrail.sources.carriers.canadapost.parse import ADAPTER

__all__ = ["ADAPTER"]
