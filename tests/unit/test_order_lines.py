"""Every line of an order has a place on the tracking page: its parcel, or none yet
(issue 13 item 8: #1019's BOOK was in no parcel and shown nowhere)."""

from __future__ import annotations

from ordertrail.domain.model import Line
from ordertrail.domain.order_lines import UNLISTED, where_lines_are

CHAIRS, BOOK = Line("CHAIR", 2), Line("BOOK", 1)


def placed(ordered: list[Line], parcels: list[list[Line]]) -> list[tuple[str, int, int | None]]:
    return [(w.line.sku, w.line.quantity, w.parcel) for w in where_lines_are(ordered, parcels)]


def test_a_line_in_no_parcel_is_kept_as_not_shipped() -> None:
    assert placed([CHAIRS, BOOK], [[CHAIRS]]) == [("CHAIR", 2, 0), ("BOOK", 1, None)]


def test_a_line_split_over_parcels_shows_each_part() -> None:
    three = Line("MUG", 3)
    assert placed([three], [[Line("MUG", 1)], [Line("MUG", 1)]]) == [
        ("MUG", 1, 0),
        ("MUG", 1, 1),
        ("MUG", 1, None),
    ]


def test_the_rest_is_in_the_one_parcel_without_a_list() -> None:
    assert placed([CHAIRS, BOOK], [[CHAIRS], []]) == [("CHAIR", 2, 0), ("BOOK", 1, 1)]
    assert placed([BOOK], [[], []]) == [("BOOK", 1, UNLISTED)]
