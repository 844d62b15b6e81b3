"""Where each line of an order stands across its shipments and freight units: ordered, shipped,
delivered, short and damaged units, as an account manager (or a buyer) reads a partial
delivery."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ordertrail.domain.model import Line
from ordertrail.domain.order_status import ParcelView


@dataclass(frozen=True, slots=True)
class LineProgress:
    sku: str
    name: str | None
    ordered: int
    #: on a shipment that a carrier has had
    shipped: int
    delivered: int
    #: ordered, but on no shipment at all: the warehouse shipped short, and the line stays
    #: open until the rest ships or the order is changed to fewer units
    short: int
    #: found damaged on arrival (at the dock's unloading)
    damaged: int

    @property
    def shown(self) -> str:
        return self.name or self.sku

    @property
    def settled(self) -> bool:
        return self.short == 0 and self.delivered >= self.ordered


def line_progress(
    lines: Sequence[Line],
    parcels: Iterable[ParcelView],
    damaged: Mapping[str, int] | None = None,
) -> list[LineProgress]:
    """Per ordered line, in the order's own order. Parcels that list no lines say nothing of
    lines (a store that registers bare tracking numbers): then nothing is counted short."""
    parcels = list(parcels)
    damaged = damaged or {}
    ordered, names = Counter[str](), dict[str, str | None]()
    for line in lines:
        ordered[line.sku] += line.quantity
        names.setdefault(line.sku, line.name)
    carried, shipped, delivered = Counter[str](), Counter[str](), Counter[str]()
    for parcel in parcels:
        for line in parcel.lines:
            carried[line.sku] += line.quantity
            if parcel.shipped or parcel.delivered:
                shipped[line.sku] += line.quantity
            if parcel.delivered:
                delivered[line.sku] += line.quantity
    knows_lines = bool(parcels) and all(parcel.lines for parcel in parcels)
    return [
        LineProgress(
            sku=sku,
            name=names[sku],
            ordered=quantity,
            shipped=min(shipped[sku], quantity),
            delivered=min(delivered[sku], quantity),
            short=max(quantity - carried[sku], 0) if knows_lines else 0,
            damaged=min(damaged.get(sku, 0), delivered[sku]),
        )
        for sku, quantity in ordered.items()
    ]
