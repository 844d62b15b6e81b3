"""The canonical parsers against hostile input: only their own clear errors, never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ordertrail.domain.model import DomainError
from ordertrail.sources.canonical import (
    parse_event,
    parse_event_line,
    parse_lines,
    parse_order,
    problems_of,
)

GOOD_EVENT: dict[str, Any] = {
    "shipment": "1Z999AA10123456784",
    "milestone": "delivered",
    "source": "carrier:ups",
    "occurred_at": "2026-11-21T14:47:00-05:00",
    "location": {"city": "Louisville", "country": "US"},
    "raw_code": "D",
    "data": {"signed_by": "REYES"},
}
GOOD_ORDER: dict[str, Any] = {
    "id": "ORD-1",
    "channel": "shopify",
    "placed_at": "2026-11-18T14:02:00+00:00",
    "lines": [{"sku": "DRILL", "quantity": 1}],
    "shipments": [{"tracking_number": "1Z999AA10123456784", "lines": []}],
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def mutated(base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The good shape with fields dropped, replaced by junk, or added."""
    return st.fixed_dictionaries({}).flatmap(
        lambda _: st.tuples(
            st.sets(st.sampled_from(sorted(base))),
            st.dictionaries(st.sampled_from(sorted(base)), json_values, max_size=3),
            st.dictionaries(st.text(max_size=8), json_values, max_size=2),
        ).map(lambda t: {**{k: v for k, v in base.items() if k not in t[0]}, **t[1], **t[2]})
    )


def refuses_clearly(parse: Any, value: Any) -> None:
    try:
        parse(value)
    except (ValidationError, DomainError) as error:
        problems = problems_of(3, error)
        assert problems and all(p.index == 3 and p.field and p.message for p in problems)


@settings(max_examples=400)
@given(mutated(GOOD_EVENT))
def test_mutated_events_parse_or_fail_with_field_named_errors(value: dict[str, Any]) -> None:
    refuses_clearly(parse_event, value)


@settings(max_examples=300)
@given(mutated(GOOD_ORDER))
def test_mutated_orders_parse_or_fail_with_field_named_errors(value: dict[str, Any]) -> None:
    refuses_clearly(parse_order, value)


@given(json_values)
def test_any_json_value_is_refused_clearly(value: Any) -> None:
    refuses_clearly(parse_event, value)


@given(st.binary(max_size=200))
def test_any_bytes_on_a_line_are_refused_clearly(raw: bytes) -> None:
    refuses_clearly(parse_event_line, raw)


@pytest.mark.parametrize(
    "hostile",
    [
        {**GOOD_EVENT, "occurred_at": "2026-11-21T14:47:00"},
        {**GOOD_EVENT, "occurred_at": "9999-99-99T00:00:00Z"},
        {**GOOD_EVENT, "shipment": "x" * 10_000},
        {**GOOD_EVENT, "raw_code": "\x00" * 200},
        {**GOOD_EVENT, "raw_description": "Delivered\x00"},
        {**GOOD_EVENT, "data": {"note": ["ok", {"deep": "a\x00b"}]}},
        {**GOOD_EVENT, "source": "carrier"},
        {**GOOD_EVENT, "reason": "bored"},
        {**GOOD_EVENT, "location": {"street": "1 Main St"}},
        {**GOOD_EVENT, "shipment": "   "},
    ],
)
def test_hostile_events_are_refused(hostile: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        parse_event(hostile)


def test_a_line_too_long_is_refused_before_parsing() -> None:
    huge = json.dumps({**GOOD_EVENT, "data": {"blob": "x" * 300_000}}).encode()
    ((number, item, problems),) = list(parse_lines([huge], parse_event_line))
    assert (number, item) == (1, None)
    assert problems[0].message.startswith("is longer than")


def test_each_refusal_says_what_is_wrong() -> None:
    def messages(value: dict[str, Any]) -> dict[str, str]:
        with pytest.raises(ValidationError) as caught:
            parse_order(value)
        return {p.field: p.message for p in problems_of(0, caught.value)}

    said = messages({**GOOD_ORDER, "priority": "URGENT!", "customer": {"name": "A\x00"}})
    assert "NUL" in said["customer.name"]
    assert "NUL" not in said["priority"] and "pattern" in said["priority"]


def test_the_good_shapes_parse() -> None:
    report = parse_event(GOOD_EVENT)
    assert report.occurred_at.utcoffset() is not None
    assert str(report.source) == "carrier:ups"
    order = parse_order(GOOD_ORDER)
    assert order.shipments[0].id == "1Z999AA10123456784"
    assert order.shipments[0].order_id == "ORD-1"


def test_a_lone_surrogate_is_refused_alike_from_a_file_line_and_from_the_api() -> None:
    item = {**GOOD_EVENT, "data": {"operator": "\udfff"}}
    with pytest.raises(ValidationError) as caught:
        parse_event(item)
    (from_api,) = problems_of(1, caught.value)
    ((number, parsed, from_line),) = list(
        parse_lines([json.dumps(item).encode()], parse_event_line)
    )
    assert (number, parsed, from_line) == (1, None, [from_api])
    assert from_api.field == "data.operator" and "surrogate" in from_api.message


@pytest.mark.parametrize("name", ["Drill\x1b[31m", "D" * 201, "Drill\nrm -rf"])
def test_a_product_name_with_control_characters_or_too_long_is_refused(name: str) -> None:
    order = {
        "id": "ORD-1",
        "channel": "shopify",
        "placed_at": "2026-11-18T14:02:00+00:00",
        "lines": [{"sku": "DRILL", "quantity": 1, "name": name}],
    }
    with pytest.raises(ValidationError) as refused:
        parse_order(order)
    assert refused.value.errors()[0]["loc"][:3] == ("lines", 0, "name")
    order["lines"][0]["name"] = "18V cordless drill"
    assert parse_order(order).lines[0].shown == "18V cordless drill"
