"""AfterShip trackings: the GET /trackings response or a tracking webhook."""

from ordertrail.sources.carriers.aftership.parse import ADAPTER

__all__ = ["ADAPTER"]
