"""Every line of an order has a place on the tracking page: its parcel, or none yet
(issue 13 item 8: #1019's BOOK was in no parcel and shown nowhere)."""

from __future__ import annotations

from ordertrail.domain.model import Line
from ordertrail.domain.order_lines import UNLISTED, where_lines_are, with_names

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


def test_a_parcel_listing_skus_only_borrows_the_orders_product_names() -> None:
    ordered = [Line("DRILL", 1, "18V cordless drill"), Line("BITS", 2)]
    named = with_names([Line("DRILL", 1), Line("BITS", 1), Line("GLUE", 1)], ordered)
    assert [line.shown for line in named] == ["18V cordless drill", "BITS", "GLUE"]
    # a name is what people read, never what makes two lines the same
    assert Line("DRILL", 1, "Drill") == Line("DRILL", 1)


def test_lines_summed_from_a_channel_keep_the_first_name_given() -> None:
    from ordertrail.sources.channels.common import summed

    lines = summed([("MUG", 1, "Blue mug"), ("MUG", 2, "Mug (blue)"), ("HAT", 1), ("CAP", 1, " ")])
    assert lines == [
        {"sku": "MUG", "quantity": 3, "name": "Blue mug"},
        {"sku": "HAT", "quantity": 1},
        {"sku": "CAP", "quantity": 1},
    ]
