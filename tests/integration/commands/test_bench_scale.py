"""`ordertrail bench lookup` and `bench sweep` at small sizes: they fill, look parcels up and
sweep as they say, and the sweep works on exactly the parcels made due at each size."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ordertrail.cli import app


def test_bench_sweep_looks_at_the_same_due_parcels_at_each_size() -> None:
    answer = CliRunner().invoke(
        app, ["bench", "sweep", "--sizes", "300,600", "--due", "25", "--json"]
    )
    assert answer.exit_code == 0, answer.output
    figures = json.loads(answer.output)
    assert [row["parcels"] for row in figures["sizes"]] == [300, 600]
    # every due parcel has sat in transit for months: each is found stalled, no other is
    # (three rounds at each size, each on parcels of its own)
    assert [row["sweep_cases_opened"] for row in figures["sizes"]] == [[25] * 3, [25] * 3]
    assert figures["sweep_ratio"] > 0


def test_bench_lookup_prints_both_sizes_and_their_ratio() -> None:
    answer = CliRunner().invoke(app, ["bench", "lookup", "--sizes", "200,400", "--lookups", "20"])
    assert answer.exit_code == 0, answer.output
    assert "lookup_p50_ratio" in answer.output and "400" in answer.output


def test_bench_sizes_that_are_not_numbers_are_refused() -> None:
    answer = CliRunner().invoke(app, ["bench", "lookup", "--sizes", "10k,1M"])
    assert answer.exit_code == 2
    assert "not a list of whole numbers" in answer.output
