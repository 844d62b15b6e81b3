"""DHL Express XML-PI tracking responses."""

from ordertrail.sources.carriers.dhl_express.parse import ADAPTER

__all__ = ["ADAPTER"]
