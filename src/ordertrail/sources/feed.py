"""Feed files through the use cases in batches, keeping line numbers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ordertrail.app.intake.commands import RecordEvents, RegisterOrders
from ordertrail.app.intake.handlers import BatchResult, ItemProblem
from ordertrail.sources.canonical import parse_event_line, parse_lines, parse_order_line
from ordertrail.sources.carriers import Adapter, CarrierParseError


@dataclass(slots=True)
class FeedSummary:
    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    problems: list[ItemProblem] = field(default_factory=list)  # index = line number


Handle = Callable[[Any], BatchResult]
Progress = Callable[[int], None]


def feed_events(
    lines: Iterable[bytes],
    handle: Handle,
    *,
    batch: int = 1000,
    progress: Progress | None = None,
    strict: bool = False,
) -> FeedSummary:
    """Record every good event; report each bad line by number. Each batch commits alone, so
    a bad line never costs the good ones around it. `strict` makes the file one transaction
    that lands only if every line is good."""
    return feed_parsed(
        parse_lines(lines, parse_event_line),
        RecordEvents,
        handle,
        batch=batch,
        progress=progress,
        strict=strict,
    )


def feed_orders(
    lines: Iterable[bytes],
    handle: Handle,
    *,
    batch: int = 1000,
    progress: Progress | None = None,
    strict: bool = False,
) -> FeedSummary:
    return feed_parsed(
        parse_lines(lines, parse_order_line),
        RegisterOrders,
        handle,
        batch=batch,
        progress=progress,
        strict=strict,
    )


Parsed = Iterable[tuple[int, Any, list[ItemProblem]]]


def feed_parsed(
    parsed: Parsed,
    command: Callable[..., Any],
    handle: Handle,
    *,
    batch: int = 1000,
    progress: Progress | None = None,
    strict: bool = False,
) -> FeedSummary:
    """Hand parsed items (numbered by their line) to the use case in batches; every problem,
    the parser's or the use case's, is reported by line. `strict`: one transaction for the
    whole file, which lands only if every item is good."""
    if strict:
        return _feed_strictly(parsed, command, handle, progress)
    summary = FeedSummary()
    pending: list[tuple[int, Any]] = []

    def flush() -> None:
        if not pending:
            return
        result = handle(command([item for _, item in pending]))
        summary.accepted += result.accepted
        summary.duplicates += result.duplicates
        for problem in result.problems:
            number = pending[problem.index][0]
            summary.problems.append(ItemProblem(number, problem.field, problem.message))
        if progress:
            progress(len(pending))
        pending.clear()

    for number, item, problems in parsed:
        summary.read += 1
        summary.problems.extend(problems)
        if item is not None:
            pending.append((number, item))
        elif progress:
            progress(1)
        if len(pending) >= batch:
            flush()
    flush()
    summary.problems.sort(key=lambda problem: problem.index)
    return summary


def _feed_strictly(
    parsed: Parsed, command: Callable[..., Any], handle: Handle, progress: Progress | None
) -> FeedSummary:
    summary = FeedSummary()
    items: list[tuple[int, Any]] = []
    for number, item, problems in parsed:
        summary.read += 1
        summary.problems.extend(problems)
        if item is not None:
            items.append((number, item))
    if not summary.problems:
        result = handle(command([item for _, item in items], all_or_nothing=True))
        summary.problems = [
            ItemProblem(items[p.index][0], p.field, p.message) for p in result.problems
        ]
        if not summary.problems:
            summary.accepted, summary.duplicates = result.accepted, result.duplicates
    if progress:
        progress(summary.read)
    summary.problems.sort(key=lambda problem: problem.index)
    return summary


def split_payloads(content: bytes) -> list[tuple[int, bytes]]:
    """One payload per file, or JSON Lines of payloads: (line number, payload) each."""
    stripped = content.strip()
    if not stripped:
        return []
    if stripped.startswith(b"<") or b"\n" not in stripped:
        return [(1, stripped)]
    try:
        json.loads(stripped)
    except ValueError:
        return [(n, line) for n, line in enumerate(content.splitlines(), 1) if line.strip()]
    return [(1, stripped)]


def feed_payloads(
    payloads: Iterable[tuple[int, bytes]],
    adapter: Adapter,
    handle: Handle,
    *,
    progress: Progress | None = None,
) -> FeedSummary:
    """Record the events of each recorded carrier payload; each payload commits alone, and a
    payload that cannot be read is reported by its line without costing the others."""
    summary = FeedSummary()
    for number, payload in payloads:
        summary.read += 1
        try:
            reports = adapter.parse(payload)
        except CarrierParseError as error:
            summary.problems.append(ItemProblem(number, error.where, error.message))
            continue
        result = handle(RecordEvents(reports))
        summary.accepted += result.accepted
        summary.duplicates += result.duplicates
        for problem in result.problems:
            field = f"event {problem.index + 1}: {problem.field}"
            summary.problems.append(ItemProblem(number, field, problem.message))
        if progress:
            progress(1)
    return summary
