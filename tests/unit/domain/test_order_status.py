"""An order's status from its parcels, returns and cancellation."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrail.domain.fold import SubjectState, fold
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import Line, Subject, SubjectKind
from ordertrail.domain.order_status import OrderStatus, OrderSummary, ParcelView, derive_order
from tests.factories import event

M = Milestone
DRILL, BITS = Line("DRILL-18V", 1), Line("BIT-SET", 2)
ORDER_LINES = (DRILL, BITS)
PLACED = fold(
    [event(M.ORDER_PLACED, 0, "channel:shopify", subject=Subject(SubjectKind.ORDER, "ORD-1"))]
)


def parcel(*milestones: Milestone, lines: tuple[Line, ...] = (DRILL,)) -> ParcelView:
    sources = {M.PICKED: "warehouse:reno", M.PACKED: "warehouse:reno"}
    reasons = {M.DELIVERY_ATTEMPTED: Reason.RECIPIENT_UNAVAILABLE}
    events = [
        event(m, hour, sources.get(m, "carrier:ups"), reason=reasons.get(m))
        for hour, m in enumerate(milestones)
    ]
    return ParcelView.of_state(fold(events), lines)


def status(
    *parcels: ParcelView, own: SubjectState = PLACED, returns: tuple[SubjectState, ...] = ()
) -> OrderStatus:
    return derive_order(own.status, ORDER_LINES, parcels, [r.status for r in returns]).status


def test_an_order_with_no_parcels_yet_is_placed_or_confirmed() -> None:
    assert status() is OrderStatus.PLACED
    confirmed = fold(
        [
            event(M.ORDER_PLACED, 0, "channel:shopify"),
            event(M.ORDER_CONFIRMED, 1, "channel:shopify"),
        ]
    )
    assert status(own=confirmed) is OrderStatus.CONFIRMED


def test_picking_or_a_label_is_fulfillment_not_shipping() -> None:
    assert status(parcel(M.PICKED, M.PACKED)) is OrderStatus.IN_FULFILLMENT
    labelled = parcel(M.PICKED, M.PACKED, M.LABEL_CREATED, lines=ORDER_LINES)
    assert status(labelled) is OrderStatus.IN_FULFILLMENT


def test_a_split_order_ships_and_arrives_in_parts() -> None:
    drill_moving = parcel(M.LABEL_CREATED, M.CARRIER_ACCEPTED, M.IN_TRANSIT)
    bits_labelled = parcel(M.LABEL_CREATED, lines=(BITS,))
    bits_moving = parcel(M.LABEL_CREATED, M.CARRIER_ACCEPTED, lines=(BITS,))
    drill_home = parcel(M.CARRIER_ACCEPTED, M.DELIVERED)
    bits_home = parcel(M.CARRIER_ACCEPTED, M.DELIVERED, lines=(BITS,))
    assert status(drill_moving, bits_labelled) is OrderStatus.PARTIALLY_SHIPPED
    assert status(drill_moving, bits_moving) is OrderStatus.SHIPPED
    assert status(drill_home, bits_moving) is OrderStatus.PARTIALLY_DELIVERED
    assert status(drill_home, bits_home) is OrderStatus.DELIVERED


def test_units_no_parcel_carries_yet_keep_the_order_partial() -> None:
    only_drill = parcel(M.CARRIER_ACCEPTED, M.DELIVERED)
    assert status(only_drill) is OrderStatus.PARTIALLY_DELIVERED


def test_a_cancelled_order_keeps_what_already_left() -> None:
    cancelled = fold([event(M.ORDER_CANCELLED, 5, "channel:shopify")])
    assert status(own=cancelled) is OrderStatus.CANCELLED
    assert status(parcel(M.PICKED), own=cancelled) is OrderStatus.CANCELLED
    left = parcel(M.CARRIER_ACCEPTED, M.DELIVERED)
    assert status(left, parcel(M.PICKED, lines=(BITS,)), own=cancelled) is OrderStatus.DELIVERED


def test_returns_take_over_the_story_until_they_close() -> None:
    home = parcel(M.CARRIER_ACCEPTED, M.DELIVERED, lines=ORDER_LINES)
    requested = fold([event(M.RETURN_REQUESTED, 60, "customer")])
    refunded = fold(
        [event(M.RETURN_REQUESTED, 60, "customer"), event(M.REFUND_RELEASED, 90, "channel:shopify")]
    )
    rejected = fold([event(M.RETURN_REJECTED, 61, "channel:shopify")])
    assert status(home, returns=(requested,)) is OrderStatus.RETURN_IN_PROGRESS
    assert status(home, returns=(refunded,)) is OrderStatus.RETURNED
    assert status(home, returns=(rejected,)) is OrderStatus.DELIVERED


def test_a_parcel_in_trouble_flags_the_order() -> None:
    stuck = parcel(M.CARRIER_ACCEPTED, M.OUT_FOR_DELIVERY, M.DELIVERY_ATTEMPTED)
    fine = parcel(M.CARRIER_ACCEPTED, M.DELIVERED, lines=(BITS,))
    assert derive_order(PLACED.status, ORDER_LINES, [stuck, fine]).needs_attention
    assert not derive_order(PLACED.status, ORDER_LINES, [fine]).needs_attention


def test_a_partial_return_keeps_a_parcel_in_trouble_in_view() -> None:
    drill_home = parcel(M.CARRIER_ACCEPTED, M.DELIVERED)
    bits_stuck = parcel(M.CARRIER_ACCEPTED, M.OUT_FOR_DELIVERY, M.DELIVERY_ATTEMPTED, lines=(BITS,))
    bits_moving = parcel(M.CARRIER_ACCEPTED, M.IN_TRANSIT, lines=(BITS,))
    drill_refunded = fold(
        [event(M.RETURN_REQUESTED, 60, "customer"), event(M.REFUND_RELEASED, 90, "channel:shopify")]
    )
    drill_requested = fold([event(M.RETURN_REQUESTED, 60, "customer")])
    for returns in ((drill_refunded,), (drill_requested,)):
        summary = derive_order(
            PLACED.status, ORDER_LINES, [drill_home, bits_stuck], [r.status for r in returns]
        )
        assert summary == OrderSummary(OrderStatus.PARTIALLY_DELIVERED, needs_attention=True)
        assert status(drill_home, bits_moving, returns=returns) is OrderStatus.PARTIALLY_DELIVERED


@st.composite
def orders_with_returns(draw: st.DrawFn) -> tuple[list[ParcelView], list[Milestone | None]]:
    stories = [
        (M.LABEL_CREATED,),
        (M.CARRIER_ACCEPTED, M.IN_TRANSIT),
        (M.CARRIER_ACCEPTED, M.DELAYED),
        (M.CARRIER_ACCEPTED, M.OUT_FOR_DELIVERY, M.DELIVERY_ATTEMPTED),
        (M.CARRIER_ACCEPTED, M.EXCEPTION),
        (M.CARRIER_ACCEPTED, M.RETURNED_TO_SENDER),
        (M.CARRIER_ACCEPTED, M.DELIVERED),
    ]
    parcels = [
        parcel(*draw(st.sampled_from(stories)), lines=lines)
        for lines in draw(st.sampled_from([[ORDER_LINES], [(DRILL,), (BITS,)]]))
    ]
    returns = draw(
        st.lists(
            st.sampled_from(
                [
                    None,
                    M.RETURN_REQUESTED,
                    M.RETURN_IN_TRANSIT,
                    M.RETURN_REJECTED,
                    M.REFUND_RELEASED,
                ]
            ),
            max_size=2,
        )
    )
    return parcels, returns


@settings(max_examples=200)
@given(orders_with_returns())
def test_a_return_never_hides_a_parcel_that_has_not_arrived(
    story: tuple[list[ParcelView], list[Milestone | None]],
) -> None:
    parcels, returns = story
    summary = derive_order(PLACED.status, ORDER_LINES, parcels, returns)
    outbound = derive_order(PLACED.status, ORDER_LINES, parcels)
    assert summary.needs_attention == any(p.in_trouble for p in parcels)
    if not all(p.delivered for p in parcels):
        assert summary == outbound  # what is still on its way (or in trouble) is the news
    elif any(r not in (None, M.RETURN_REJECTED) for r in returns):
        assert summary.status in (OrderStatus.RETURN_IN_PROGRESS, OrderStatus.RETURNED)
    else:
        assert summary.status is OrderStatus.DELIVERED
