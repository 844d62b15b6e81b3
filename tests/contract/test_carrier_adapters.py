"""Every carrier adapter keeps the same contract, on every recorded payload of its format."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ordertrail.domain.milestones import TROUBLE, SourceKind
from ordertrail.sources.carriers import FORMATS, CarrierParseError, adapter

FIXTURES = Path(__file__).parent.parent / "fixtures" / "carriers"
#: format → the recorded payloads of that format
RECORDED = {name: sorted(FIXTURES.glob(f"{module}_*")) for name, module in FORMATS.items()}
CASES = [(name, path) for name, paths in RECORDED.items() for path in paths]


def test_every_format_has_recorded_payloads() -> None:
    assert all(RECORDED.values()), {name for name, paths in RECORDED.items() if not paths}


@pytest.mark.parametrize(("name", "path"), CASES, ids=[p.name for _, p in CASES])
def test_reports_keep_the_contract(name: str, path: Path) -> None:
    reports = adapter(name).parse(path.read_bytes())
    assert reports, "a recorded payload with events gives events"
    for report in reports:
        assert report.source.kind in (SourceKind.CARRIER, SourceKind.CHANNEL)  # stores relay too
        assert report.shipment
        assert report.occurred_at.utcoffset() is not None
        assert report.raw_code or report.raw_description
        assert report.key and report.key.startswith(f"{report.source.name}:")
        if report.reason is not None:
            assert report.milestone in TROUBLE
    again = adapter(name).parse(path.read_bytes())
    assert [r.key for r in again] == [r.key for r in reports], "keys are stable"
    assert len({r.key for r in reports}) == len(reports), "distinct scans, distinct keys"


def mutations(document: Any, rng: random.Random) -> Any:
    """The document with one node dropped, emptied or replaced by junk of another type."""
    junk = [
        None,
        "",
        "x" * 300,
        -1,
        1.5,
        True,
        [],
        {},
        [None],
        {"": None},
        "2026-13-45",
        "\x00",
        "9999-12-31T23:59:59",
        "0001-01-01T00:00:00",
        "99991231",
        "00010101",
        10**30,
    ]
    paths: list[tuple[Any, Any]] = []

    def collect(node: Any) -> None:
        children = (
            node.items()
            if isinstance(node, dict)
            else enumerate(node)
            if isinstance(node, list)
            else []
        )
        for key, child in children:
            paths.append((node, key))
            collect(child)

    collect(document)
    if not paths:
        return rng.choice(junk)
    for _ in range(rng.randint(1, 3)):
        parent, key = rng.choice(paths)
        try:
            if isinstance(parent, dict) and rng.random() < 0.3:
                del parent[key]
            else:
                parent[key] = rng.choice(junk)
        except (KeyError, IndexError):
            pass
    return document


JSON_CASES = [(name, path) for name, path in CASES if path.suffix == ".json"]


@pytest.mark.parametrize(("name", "path"), JSON_CASES, ids=[p.name for _, p in JSON_CASES])
@settings(max_examples=150, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_mutated_payloads_give_reports_or_a_clear_parse_error(
    name: str, path: Path, seed: int
) -> None:
    document = mutations(json.loads(path.read_text()), random.Random(seed))
    try:
        adapter(name).parse(json.dumps(document).encode())
    except CarrierParseError as error:
        assert error.where and error.message


@pytest.mark.parametrize("name", sorted(FORMATS))
@given(raw=st.binary(max_size=300))
def test_any_bytes_give_reports_or_a_clear_parse_error(name: str, raw: bytes) -> None:
    try:
        adapter(name).parse(raw)
    except CarrierParseError as error:
        assert error.message


XML_CASES = [(name, path) for name, path in CASES if path.suffix == ".xml"]
XML_JUNK = [
    "",
    "x" * 300,
    "9999-12-31",
    "0001-01-01",
    "25:99:99",
    "&amp;",
    "\u00e9\u4e2d",
    "<",
    "]]>",
    "&lol;",
    "EDT",
    "-",
    ",-",
]


def mutated_xml(text: str, rng: random.Random) -> str:
    """The document with element texts replaced, elements dropped, or bytes cut away."""
    for _ in range(rng.randint(1, 3)):
        choice = rng.random()
        starts = [i for i, ch in enumerate(text) if ch == ">"]
        if choice < 0.5 and starts:
            at = rng.choice(starts) + 1
            end = text.find("<", at)
            if end > at:
                text = text[:at] + rng.choice(XML_JUNK) + text[end:]
        elif choice < 0.8:
            tags = [i for i, ch in enumerate(text) if ch == "<"]
            if tags:
                at = rng.choice(tags)
                close = text.find(">", at)
                text = text[:at] + text[close + 1 :] if close > at else text
        else:
            cut = rng.randrange(len(text))
            text = text[:cut] + text[cut + rng.randint(1, 40) :]
    return text


@pytest.mark.parametrize(("name", "path"), XML_CASES, ids=[p.name for _, p in XML_CASES])
@settings(max_examples=150, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_mutated_xml_gives_reports_or_a_clear_parse_error(name: str, path: Path, seed: int) -> None:
    document = mutated_xml(path.read_text(), random.Random(seed))
    try:
        adapter(name).parse(document.encode())
    except CarrierParseError as error:
        assert error.where and error.message
