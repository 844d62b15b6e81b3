"""The gazetteer the tracking page reads places through (an offline list of cities, wired in
bootstrap; tests may give a small one)."""

from __future__ import annotations

from typing import Protocol

from ordertrail.domain.places import KnownPlace, PlaceQuery


class Gazetteer(Protocol):
    def find(self, query: PlaceQuery) -> KnownPlace | None:
        """The city `query` names, where it is; None when it knows no such city (or cannot
        tell which of several it is). Loads its list the first time it is asked, not before."""
        ...
