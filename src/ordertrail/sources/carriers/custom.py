"""Code tables for carriers no adapter knows (a local fleet, a freight line), from a file.

TOML::

    [carriers.acme]
    PU = "carrier_accepted"
    OFD = "out_for_delivery"
    NH = { milestone = "delivery_attempted", reason = "recipient_unavailable" }

or CSV with the header ``carrier,code,milestone,reason``. Events of these carriers arrive as
canonical events with a `raw_code` (through `ingest` or a Standard Webhooks hook) and are read
through the table; mappings people add later (`ordertrail mappings add`) take precedence.
Every mistake is refused at start-up with the file, the place and the reason.
"""

from __future__ import annotations

import csv
import io
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ordertrail.domain.mapping import CodeMapping, normalize_code
from ordertrail.domain.milestones import Milestone, Reason
from ordertrail.domain.model import DomainError


class MappingFileError(ValueError):
    """The carrier mapping file cannot be used; the message says where and why."""


#: when the file's mappings count as made (they predate anything people map by hand)
_FROM_THE_START = datetime(1970, 1, 1, tzinfo=UTC)


def load(path: Path) -> list[CodeMapping]:
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MappingFileError(f"{path}: cannot be read ({error})") from None
    rows = _csv_rows(content, path) if path.suffix.lower() == ".csv" else _toml_rows(content, path)
    mappings: dict[tuple[str, str], CodeMapping] = {}
    for where, carrier, code, milestone, reason in rows:
        mapping = _mapping(f"{path}: {where}", carrier, code, milestone, reason, path)
        if mapping.key in mappings:
            raise MappingFileError(f"{path}: {where}: {carrier} code '{code}' is listed twice")
        mappings[mapping.key] = mapping
    return list(mappings.values())


Row = tuple[str, str, str, Any, Any]


def _toml_rows(content: str, path: Path) -> list[Row]:
    try:
        document = tomllib.loads(content)
    except tomllib.TOMLDecodeError as error:
        raise MappingFileError(f"{path}: is not valid TOML ({error})") from None
    carriers = document.get("carriers")
    if not isinstance(carriers, dict) or not carriers:
        raise MappingFileError(f"{path}: needs a [carriers.<name>] table of codes")
    rows: list[Row] = []
    for carrier, codes in carriers.items():
        if not isinstance(codes, dict):
            raise MappingFileError(f"{path}: [carriers.{carrier}] should be a table of codes")
        for code, meaning in codes.items():
            where = f"[carriers.{carrier}] {code}"
            if isinstance(meaning, str):
                rows.append((where, carrier, code, meaning, None))
            elif isinstance(meaning, dict):
                rows.append((where, carrier, code, meaning.get("milestone"), meaning.get("reason")))
            else:
                raise MappingFileError(
                    f"{path}: {where}: give a milestone or {{ milestone = ..., reason = ... }}"
                )
    return rows


def _csv_rows(content: str, path: Path) -> list[Row]:
    reader = csv.DictReader(io.StringIO(content))
    wanted = {"carrier", "code", "milestone"}
    if not reader.fieldnames or not wanted <= {f.strip() for f in reader.fieldnames}:
        raise MappingFileError(f"{path}: line 1: the header needs carrier,code,milestone[,reason]")
    return [
        (
            f"line {n}",
            (row.get("carrier") or "").strip(),
            (row.get("code") or "").strip(),
            (row.get("milestone") or "").strip(),
            (row.get("reason") or "").strip() or None,
        )
        for n, row in enumerate(reader, start=2)
    ]


def _mapping(
    where: str, carrier: str, code: str, milestone: Any, reason: Any, path: Path
) -> CodeMapping:
    if not carrier or not code or not normalize_code(code):
        raise MappingFileError(f"{where}: needs a carrier and a code")
    try:
        stone = Milestone(milestone)
    except ValueError:
        raise MappingFileError(
            f"{where}: '{milestone}' is not a milestone (see `ordertrail milestones`)"
        ) from None
    try:
        why = Reason(reason) if reason else None
    except ValueError:
        raise MappingFileError(f"{where}: '{reason}' is not a reason") from None
    try:
        return CodeMapping(
            carrier.strip().lower(), code, stone, why, f"file:{path.name}", _FROM_THE_START
        )
    except DomainError as refusal:
        raise MappingFileError(f"{where}: {refusal.message}") from None
