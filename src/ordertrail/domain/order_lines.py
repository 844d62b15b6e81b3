"""Where each thing the customer ordered is: in which parcel, or in none yet."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ordertrail.domain.model import Line

#: `LineWhere.parcel` for units in one of several parcels sent without a list of their items
UNLISTED = -1


@dataclass(frozen=True, slots=True)
class LineWhere:
    line: Line
    #: the index of the parcel carrying these units; None while no parcel does, UNLISTED when
    #: they may be in any of several parcels that came without a list of their items
    parcel: int | None


def with_names(lines: Sequence[Line], ordered: Sequence[Line]) -> tuple[Line, ...]:
    """`lines` (a parcel's, a return's) named (and pictured) as the order names them where
    they say nothing themselves: a carton packed at a scan station knows SKUs, the store knows
    products."""
    names = {line.sku: line.name for line in ordered if line.name}
    images = {line.sku: line.image_url for line in ordered if line.image_url}
    return tuple(
        replace(
            line,
            name=line.name or names.get(line.sku),
            image_url=line.image_url or images.get(line.sku),
        )
        for line in lines
    )


def where_lines_are(ordered: Sequence[Line], parcels: Sequence[Sequence[Line]]) -> list[LineWhere]:
    """Each ordered line split by the parcels listing it, in the order's order; the units no
    parcel lists go to the one parcel without a list, if there is exactly one."""
    left = Counter[str]()
    for line in ordered:
        left[line.sku] += line.quantity
    carried: dict[str, list[LineWhere]] = {}
    for index, lines in enumerate(parcels):
        for line in with_names(lines, ordered):
            carried.setdefault(line.sku, []).append(LineWhere(line, index))
            left[line.sku] -= line.quantity
    unlisted = [index for index, lines in enumerate(parcels) if not lines]
    rest = unlisted[0] if len(unlisted) == 1 else UNLISTED if unlisted else None
    found: list[LineWhere] = []
    for sku in dict.fromkeys([*(line.sku for line in ordered), *carried]):
        found.extend(carried.get(sku, []))
        if left[sku] > 0:
            named = next((line.name for line in ordered if line.sku == sku and line.name), None)
            image = next((ln.image_url for ln in ordered if ln.sku == sku and ln.image_url), None)
            found.append(LineWhere(Line(sku, left[sku], named, image), rest))
    return found
