"""EasyPost trackers: the `tracker.updated` webhook event, or a Tracker object."""

from ordertrail.sources.carriers.easypost.parse import ADAPTER

__all__ = ["ADAPTER"]
