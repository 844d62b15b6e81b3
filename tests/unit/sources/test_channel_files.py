"""The store-platform order files (Shopify's order export, Amazon's order reports, WooCommerce's
REST orders): the orders a person would expect, bad rows by line, and no crash on any input."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ordertrail.domain.model import DomainError, Order
from ordertrail.sources.canonical import parse_order
from ordertrail.sources.channels import amazon_tsv, shopify_csv, woocommerce
from ordertrail.sources.channels.common import Parsed
from tests.paths import FIXTURES

CHANNELS = FIXTURES / "channels"
SHOPIFY = CHANNELS / "shopify_orders_export.csv"
UNSHIPPED = CHANNELS / "amazon_unshipped_orders.txt"
ALL_ORDERS = CHANNELS / "amazon_all_orders.txt"
WOOCOMMERCE = CHANNELS / "woocommerce_orders.json"

# Seller Central's Order Report (new orders): the one with the promised delivery window.
ORDER_REPORT_HEADER = (
    "order-id\torder-item-id\tpurchase-date\tpayments-date\tbuyer-email\tbuyer-name\t"
    "buyer-phone-number\tsku\tproduct-name\tquantity-purchased\tcurrency\titem-price\titem-tax\t"
    "shipping-price\tshipping-tax\tship-service-level\trecipient-name\tship-address-1\t"
    "ship-address-2\tship-address-3\tship-city\tship-state\tship-postal-code\tship-country\t"
    "ship-phone-number\titem-promotion-discount\titem-promotion-id\tship-promotion-discount\t"
    "ship-promotion-id\tdelivery-start-date\tdelivery-end-date\tdelivery-time-zone\t"
    "delivery-Instructions\tsales-channel\tearliest-ship-date\tlatest-ship-date\t"
    "earliest-delivery-date\tlatest-delivery-date\tis-business-order\tpurchase-order-number\t"
    "price-designation\tis-prime"
)
ORDER_REPORT_ROW = (
    "205-1183349-2206751\t40112845512043\t2026-11-18T09:30:12+00:00\t2026-11-18T09:30:12+00:00\t"
    "x2c7v9b4n1m8@marketplace.amazon.co.uk\tOwen Price\t\tMUG-SPK\tSpeckled Stoneware Mug\t3\t"
    "GBP\t54.00\t0.00\t3.99\t0.00\tStd UK Dom_1\tOwen Price\t14 Mill Lane\t\t\tLeeds\t\t"
    "LS1 4AP\tGB\t+44 113 496 0000\t\t\t\t\t\t\t\t\tAmazon.co.uk\t2026-11-18T23:59:59+00:00\t"
    "2026-11-19T23:59:59+00:00\t2026-11-20T00:00:00+00:00\t2026-11-22T23:59:59+00:00\tfalse\t\t\t"
    "false"
)


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def read(
    reader: Any, source: Iterable[str] | str
) -> tuple[dict[str, tuple[int, Order]], dict[int, set[str]]]:
    """The orders by id with their lines, and the problems as {line: {field, ...}}."""
    orders: dict[str, tuple[int, Order]] = {}
    problems: dict[int, set[str]] = {}
    for line, order, found in reader(source):
        assert (order is None) == bool(found), (line, order, found)
        if order is not None:
            orders[order.id] = (line, order)
        for problem in found:
            assert problem.index == line and problem.message
            problems.setdefault(line, set()).add(problem.field)
    return orders, problems


def skus(order: Order) -> dict[str, int]:
    return {line.sku: line.quantity for line in order.lines}


def at(*parts: int, offset: int) -> datetime:
    return datetime(*parts, tzinfo=timezone(timedelta(hours=offset)))


# --- Shopify -------------------------------------------------------------------------------


def test_shopify_export_gives_the_orders_a_person_would_expect() -> None:
    orders, problems = read(shopify_csv.read_orders, lines_of(SHOPIFY))
    assert sorted(orders) == ["#1001", "#1002", "#1003", "#1006"]

    line, split = orders["#1001"]
    assert line == 2
    assert (split.channel, split.external_id) == ("shopify", "5843201245329")
    assert split.placed_at == at(2026, 11, 18, 14, 2, 11, offset=-5)
    assert skus(split) == {"FERN-8X10": 2, "TOTE-NAT": 1}
    assert split.value is not None and (split.value.amount, split.value.currency) == (5629, "USD")
    assert split.priority == "routine"
    customer = split.customer
    assert (customer.name, customer.email, customer.phone) == (
        "Ada Palmer",
        "ada@example.com",
        "+16175550123",
    )
    assert (customer.postal_code, customer.country) == ("02134", "US")  # no spreadsheet '

    line, express = orders["#1002"]
    assert line == 4 and express.priority == "time_sensitive"
    assert express.customer.phone == "+12075550144"  # the order's Phone: no Shipping Phone

    line, desk = orders["#1003"]
    assert line == 6  # #1002's note spans lines 4 and 5
    assert desk.priority == "high_value"
    assert desk.value is not None and (desk.value.amount, desk.value.currency) == (128900, "CAD")
    # the lamp has no SKU, so its name names it; the gift card ships nothing
    assert skus(desk) == {"DESK-WAL": 1, "Brass Desk Lamp": 1}

    assert skus(orders["#1006"][1]) == {"TOTE-NAT": 1}  # cancelled, still registered

    assert problems == {9: {"lines.1.quantity"}, 11: {"placed_at"}, 12: {"Name"}}


def test_shopify_columns_are_matched_whatever_their_case_and_line_ends() -> None:
    text = SHOPIFY.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    renamed = header.replace("Lineitem sku", "Lineitem SKU").replace("Name,", "NAME,", 1)
    crlf = ("\ufeff" + renamed + "\n" + rest).replace("\n", "\r\n")
    orders, problems = read(shopify_csv.read_orders, crlf.splitlines(keepends=True))
    assert skus(orders["#1001"][1]) == {"FERN-8X10": 2, "TOTE-NAT": 1}
    assert orders["#1003"][0] == 6
    assert set(problems) == {9, 11, 12}


# --- Amazon --------------------------------------------------------------------------------


def test_amazon_unshipped_orders_report() -> None:
    orders, problems = read(amazon_tsv.read_orders, lines_of(UNSHIPPED))
    assert sorted(orders) == ["113-5558012-4410644", "114-0027761-1178649", "114-3941689-8772232"]

    line, split = orders["114-3941689-8772232"]
    assert line == 2
    assert (split.channel, split.external_id) == ("amazon", "114-3941689-8772232")
    assert split.placed_at == at(2026, 11, 18, 8, 14, 3, offset=-8)
    assert skus(split) == {"FERN-8X10": 2, "TOTE-NAT": 1}
    assert split.value is None  # this report has no prices
    assert (split.promised_from, split.promised_by) == (None, date(2026, 11, 24))
    assert split.customer.name == "Gil Hart" and split.customer.postal_code == "97214"
    assert split.customer.email == "8z1k4q2m7x9v3tq@marketplace.amazon.com"

    assert orders["113-5558012-4410644"][1].priority == "time_sensitive"  # NextDay
    shelf = orders["114-0027761-1178649"][1]  # a '"' in the product name quotes nothing
    assert shelf.priority == "time_sensitive" and skus(shelf) == {"SHELF-WAL-12": 1}

    assert problems == {5: {"lines.0.quantity"}, 6: {"placed_at"}}


def test_amazon_all_orders_report() -> None:
    orders, problems = read(amazon_tsv.read_orders, lines_of(ALL_ORDERS))
    assert sorted(orders) == [
        "111-6650213-7349857",
        "112-9901144-5532610",
        "113-4476520-0912269",
        "114-8820567-3316420",
    ]
    line, split = orders["112-9901144-5532610"]
    assert line == 2 and skus(split) == {"FERN-8X10": 2, "TOTE-NAT": 1}
    # item prices are per row already (2 prints: 32.00), plus shipping 5.99
    assert split.value is not None and (split.value.amount, split.value.currency) == (5299, "USD")
    assert split.updated_at == at(2026, 11, 18, 11, 5, 40, offset=-8)
    assert split.customer.postal_code == "85004" and split.customer.name is None

    pending = orders["113-4476520-0912269"][1]
    assert pending.value is None and pending.priority == "time_sensitive"  # Expedited
    assert orders["111-6650213-7349857"][1].lines == ()  # cancelled: quantity 0, no line
    desk = orders["114-8820567-3316420"][1]
    assert desk.priority == "high_value" and desk.value is not None
    assert desk.value.amount == 115000

    assert problems == {7: {"lines.0.quantity"}, 8: {"amazon-order-id"}}


def test_amazon_order_report_gives_the_promised_window() -> None:
    orders, problems = read(amazon_tsv.read_orders, [ORDER_REPORT_HEADER, ORDER_REPORT_ROW])
    assert problems == {}
    _, order = orders["205-1183349-2206751"]
    assert (order.promised_from, order.promised_by) == (date(2026, 11, 20), date(2026, 11, 22))
    assert order.value is not None and (order.value.amount, order.value.currency) == (5799, "GBP")
    assert skus(order) == {"MUG-SPK": 3}
    assert order.customer.phone == "+44 113 496 0000"  # ship-phone-number: no buyer's phone


# --- WooCommerce ---------------------------------------------------------------------------


def test_woocommerce_orders_file() -> None:
    text = WOOCOMMERCE.read_text(encoding="utf-8")
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line == "  {"]
    orders, problems = read(woocommerce.read_orders, text)
    assert sorted(orders) == ["727", "731"]

    line, documented = orders["727"]  # the REST API docs' example order, as published
    assert line == starts[0] == 2
    assert (documented.channel, documented.external_id) == ("woocommerce", "727")
    assert documented.placed_at == at(2017, 3, 22, 19, 28, 2, offset=0)
    assert documented.updated_at == at(2017, 3, 22, 19, 28, 8, offset=0)
    assert skus(documented) == {"product-93": 2, "Bar3": 1}  # the first item has no SKU
    value = documented.value
    assert value is not None and (value.amount, value.currency) == (2935, "USD")
    assert documented.priority == "routine"  # "Flat Rate"
    customer = documented.customer
    assert (customer.name, customer.email, customer.phone) == (
        "John Doe",
        "john.doe@example.com",
        "(555) 555-5555",
    )
    assert (customer.postal_code, customer.country) == ("94103", "US")

    line, express = orders["731"]
    assert line == starts[1]
    assert skus(express) == {"Bar3": 3, "WOO-HOODIE": 1}  # Bar3 twice, added up
    assert express.priority == "time_sensitive" and express.value is not None
    assert (express.value.amount, express.value.currency) == (6600, "EUR")

    assert problems == {starts[2]: {"date_created_gmt"}, starts[3]: {"lines.0.quantity"}}


def woo(**changes: Any) -> dict[str, Any]:
    order = json.loads(WOOCOMMERCE.read_text(encoding="utf-8"))[0]
    order.update(changes)
    return order


def test_woocommerce_reads_one_order_object_and_compact_json() -> None:
    orders, _ = read(woocommerce.read_orders, json.dumps(woo()))
    assert orders["727"][0] == 1
    many = "[\n" + ",\n".join(json.dumps(woo(number=str(n))) for n in range(3)) + "\n]\n"
    orders, problems = read(woocommerce.read_orders, many)
    assert {order_id: line for order_id, (line, _) in orders.items()} == {"0": 2, "1": 3, "2": 4}
    assert problems == {}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ([1, 2], "(order)"),
        (woo(number="", id=None), "number"),
        (woo(date_created_gmt=None), "date_created_gmt"),
        (woo(billing="John"), "billing"),
        (woo(line_items={"sku": "X"}), "line_items"),
        (woo(line_items=["X"]), "line_items.0"),
        (woo(line_items=[{"sku": "", "product_id": 0, "quantity": 1}]), "line_items.0.sku"),
    ],
)
def test_woocommerce_unusable_payloads_raise_a_domain_error(payload: Any, field: str) -> None:
    with pytest.raises(DomainError) as refused:
        woocommerce.canonical_order(payload)
    assert refused.value.field == field and refused.value.message


def test_woocommerce_order_mapping_is_what_parse_order_takes() -> None:
    order = parse_order(woocommerce.canonical_order(woo(date_created_gmt="2017-03-22T19:28:02Z")))
    assert order.placed_at == at(2017, 3, 22, 19, 28, 2, offset=0)  # an offset given is kept
    assert parse_order(woocommerce.canonical_order(woo(number=None))).id == "727"  # else id
    assert parse_order(woocommerce.canonical_order(woo(shipping=[]))).customer.name == "John Doe"


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("", 1, "(file)"),
        ("   \n\n", 1, "(file)"),
        ('\n"orders"', 2, "(json)"),
        ("[\n" + json.dumps(woo()) + "\n" + json.dumps(woo()) + "]", 3, "(json)"),
        ("[\n" + json.dumps(woo()) + ",\n]", 3, "(json)"),
        ("[\n" + json.dumps(woo()) + "]\nmore", 3, "(json)"),
        ("[\n" + json.dumps(woo())[:-40], 2, "(json)"),
        ("[" * 100_000, 1, "(json)"),
    ],
)
def test_broken_woocommerce_json_is_reported_at_its_line(text: str, line: int, field: str) -> None:
    results = list(woocommerce.read_orders(text))
    problems = [(n, p.field) for n, _, found in results for p in found]
    assert (line, field) in problems
    assert all(order.id == "727" for _, order, _ in results if order is not None)


# --- hostile input: problems, never an exception -------------------------------------------

ROW_READERS = [shopify_csv.read_orders, amazon_tsv.read_orders]


@pytest.mark.parametrize("reader", ROW_READERS)
def test_an_empty_file_is_a_header_problem(reader: Any) -> None:
    assert [(n, order, [p.field for p in found]) for n, order, found in reader([])] == [
        (1, None, ["(header)"])
    ]


@pytest.mark.parametrize(
    ("reader", "path"), [(shopify_csv.read_orders, SHOPIFY), (amazon_tsv.read_orders, UNSHIPPED)]
)
def test_a_header_alone_gives_no_orders_and_no_problems(reader: Any, path: Path) -> None:
    assert list(reader(lines_of(path)[:1])) == []


def test_the_wrong_delimiter_names_the_columns_needed() -> None:
    (_, _, [shopify]), *rest = shopify_csv.read_orders(lines_of(UNSHIPPED))
    assert not rest and shopify.field == "(header)"
    assert shopify.message == (
        "needs the columns Name, Created at, Lineitem quantity, Lineitem sku or Lineitem name"
    )
    (_, _, [amazon]), *rest = amazon_tsv.read_orders(lines_of(SHOPIFY))
    assert not rest and "order-id or amazon-order-id" in amazon.message


@pytest.mark.parametrize(
    ("reader", "path"), [(shopify_csv.read_orders, SHOPIFY), (amazon_tsv.read_orders, ALL_ORDERS)]
)
def test_a_huge_field_costs_only_its_row(reader: Any, path: Path) -> None:
    lines = lines_of(path)
    separator = "," if path == SHOPIFY else "\t"
    huge = lines[1].rstrip("\n") + separator + "x" * 300_000 + "\n"
    orders, problems = read(reader, [*lines[:1], huge, *lines[2:]])
    assert problems[2] == {"(row)"}
    assert len(orders) >= 3


def test_huge_and_odd_values_are_refused_by_name() -> None:
    text = SHOPIFY.read_text(encoding="utf-8")
    long_sku = text.replace("TOTE-NAT", "T" * 50_000, 1)  # under the csv module's field limit
    exponent = text.replace(",56.29,", ",1e999999,")  # no million-digit integer is built
    nul = text.replace("Bo Lindqvist", "Bo\x00Lindqvist")
    for changed, line, field in [
        (long_sku, 2, "lines.1.sku"),
        (exponent, 2, "value.amount"),
        (nul, 4, "customer.name"),
    ]:
        orders, problems = read(shopify_csv.read_orders, changed.splitlines(keepends=True))
        assert problems == {line: {field}, 9: {"lines.1.quantity"}, 11: {"placed_at"}, 12: {"Name"}}
        assert len(orders) == 3
    huge_id = json.dumps([woo(number="7" * 1_000_000)])
    assert read(woocommerce.read_orders, huge_id)[1] == {1: {"id"}}
    huge_number = '[\n{"id": 1' + "1" * 5000 + "}]"
    assert read(woocommerce.read_orders, huge_number)[1] == {2: {"(json)"}}


bytes_as_text = st.binary(max_size=2000).map(lambda raw: raw.decode("utf-8", "replace"))
text_like_the_files = st.lists(
    st.sampled_from([*lines_of(SHOPIFY), *lines_of(ALL_ORDERS), "\n", '"', "\t\t", ",,"])
    | st.text(max_size=40),
    max_size=30,
)


def well_formed(results: Iterator[Parsed]) -> None:
    for line, order, problems in results:
        assert isinstance(line, int) and line >= 1
        assert (order is None) == bool(problems)
        assert all(p.index == line and p.field and p.message for p in problems)


@settings(max_examples=150, deadline=None)
@given(st.one_of(bytes_as_text, text_like_the_files.map("".join)))
def test_any_text_gives_orders_or_problems_never_an_exception(text: str) -> None:
    for reader in ROW_READERS:
        well_formed(reader(text.splitlines(keepends=True)))
    well_formed(woocommerce.read_orders(text))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
woo_fields = sorted(woo())


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            lambda dropped, replaced: {
                **{k: v for k, v in woo().items() if k not in dropped},
                **replaced,
            },
            st.sets(st.sampled_from(woo_fields), max_size=4),
            st.dictionaries(st.sampled_from(woo_fields), json_values, max_size=3),
        )
        | json_values,
        max_size=3,
    )
)
def test_mutated_woocommerce_orders_are_refused_by_name(payloads: list[Any]) -> None:
    well_formed(woocommerce.read_orders(json.dumps(payloads, allow_nan=True)))
    for payload in payloads:
        with contextlib.suppress(DomainError, ValidationError):
            parse_order(woocommerce.canonical_order(payload))


def test_money_is_read_only_from_plain_decimals() -> None:
    from ordertrail.sources.channels.common import minor_units

    assert minor_units("404.95", "USD") == 40495
    assert minor_units("1500", "JPY") == 1500
    assert minor_units("1.250", "KWD") == 1250
    for hostile in ("1e999999999", "1e100000", "NaN", "Infinity", "", None, "12,50"):
        assert minor_units(hostile, "USD") is None


def test_a_generic_csv_sku_with_a_bad_then_a_good_quantity_is_refused_by_name() -> None:
    from ordertrail.sources.channels.generic_csv import read_orders

    rows = [
        "order_id,channel,placed_at,sku,quantity",
        "A-1,web,2026-11-20T10:00:00+00:00,HAT,two",
        "A-1,web,2026-11-20T10:00:00+00:00,HAT,1",
    ]
    [(line, order, problems)] = list(read_orders(rows))
    assert (line, order) == (2, None)
    assert "quantity" in problems[0].field
