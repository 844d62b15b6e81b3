"""Commands about orders, shipments and their events."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer

from ordertrail.app.intake.commands import Rebuild, RegisterOrders
from ordertrail.app.queries import (
    jsonable,
    order_detail,
    shipment_detail,
)
from ordertrail.cli.common import (
    JsonFlag,
    app,
    fail,
    import_app,
    open_system,
    order_app,
    out,
    report_feed,
    run_feed,
    shipment_app,
    show_detail,
)
from ordertrail.config import Settings
from ordertrail.domain.milestones import MILESTONES
from ordertrail.sources.carriers import FORMATS, adapter
from ordertrail.sources.channels import amazon_tsv, shopify_csv, woocommerce
from ordertrail.sources.channels.generic_csv import read_orders
from ordertrail.sources.feed import (
    FeedSummary,
    feed_events,
    feed_orders,
    feed_parsed,
    feed_payloads,
    split_payloads,
)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create or migrate the database."""
    with open_system(ctx) as system:
        system.migrate()
        out.print(f"database ready at {system.engine.url.render_as_string()}")


@app.command()
def ingest(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The file ('-' for stdin)."),
    format: str = typer.Option(
        "canonical",
        "--format",
        help="canonical (JSON Lines of events), or a carrier's own format: "
        + ", ".join(sorted(FORMATS))
        + " (one payload, or JSON Lines of payloads).",
    ),
    batch: int = typer.Option(1000, min=1, max=10_000, help="Events per transaction."),
    strict: bool = typer.Option(
        False, "--strict", help="Refuse the whole file if any line is bad (one transaction)."
    ),
    as_json: bool = JsonFlag,
) -> None:
    """Record events from a file. Good lines land; each bad one is reported by line number."""
    if format in FORMATS:
        if strict:
            fail("--strict takes canonical files only")
        _ingest_payloads(ctx, file, format, as_json)
        return
    if format != "canonical":
        fail(f"--format {format} is not known; use canonical or one of {', '.join(FORMATS)}")
    with open_system(ctx) as system:
        summary = run_feed(
            file,
            lambda lines, p: feed_events(
                lines, system.handle, batch=batch, progress=p, strict=strict
            ),
        )
    report_feed(summary, "events", as_json)


def _ingest_payloads(ctx: typer.Context, file: Path, format: str, as_json: bool) -> None:
    if str(file) != "-" and not file.is_file():
        fail(f"{file}: no such file")
    content = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    with open_system(ctx) as system:
        summary = feed_payloads(split_payloads(content), adapter(format), system.handle)
    report_feed(summary, "payloads", as_json)


#: Order files read a line at a time, one row per order line.
ROW_READERS = {
    "generic-csv": read_orders,
    "shopify-csv": shopify_csv.read_orders,
    "amazon-tsv": amazon_tsv.read_orders,
}
ORDER_FORMATS = ("jsonl", *ROW_READERS, "woocommerce-json")


@import_app.command("orders")
def import_orders(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The file of orders ('-' for stdin)."),
    format: str = typer.Option(
        ...,
        "--format",
        help="jsonl (canonical orders), generic-csv (one row per line), shopify-csv (Shopify's "
        "order export), amazon-tsv (an Amazon Seller Central order report) or woocommerce-json "
        "(a JSON array of WooCommerce REST API orders).",
    ),
    strict: bool = typer.Option(
        False, "--strict", help="Refuse the whole file if any order is bad (one transaction)."
    ),
    as_json: bool = JsonFlag,
) -> None:
    """Create or update orders and their shipments. Re-importing a file creates nothing new;
    bad rows are reported by line while the good orders land (or, with --strict, nothing
    lands)."""
    if format not in ORDER_FORMATS:
        fail(f"--format {format} is not known; use one of {', '.join(ORDER_FORMATS)}")
    with open_system(ctx) as system:

        def feed(lines: Iterable[bytes], progress: Any) -> FeedSummary:
            if format == "jsonl":
                return feed_orders(lines, system.handle, progress=progress, strict=strict)
            if format == "woocommerce-json":  # JSON: the whole file is one text
                rows = woocommerce.read_orders(_utf8(b"".join(lines)))
            else:
                rows = ROW_READERS[format](_utf8(line, n) for n, line in enumerate(lines, 1))
            return feed_parsed(
                rows, RegisterOrders, system.handle, progress=progress, strict=strict
            )

        summary = run_feed(file, feed, one_item_a_line=format == "jsonl")
    report_feed(summary, "orders", as_json)


def _utf8(content: bytes, line: int = 1) -> str:
    """Text of a file read as UTF-8; otherwise the import stops, naming the line, before
    anything is stored (every order file is read to its end before its orders are)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line += content.count(b"\n", 0, error.start)
        fail(f"line {line} is not UTF-8 text ({error.reason}); save the file as UTF-8")


@order_app.command("show")
def order_show(ctx: typer.Context, order_id: str, as_json: bool = JsonFlag) -> None:
    """An order's derived status, its parcels and its whole timeline."""
    with open_system(ctx) as system:
        detail = order_detail(system.uows, order_id)
    show_detail(detail, f"no order has id '{order_id}'", as_json, "order_picture")


@shipment_app.command("show")
def shipment_show(ctx: typer.Context, tracking: str, as_json: bool = JsonFlag) -> None:
    """A shipment's derived status and its own timeline, by tracking number or id."""
    with open_system(ctx) as system:
        detail = shipment_detail(system.uows, tracking)
    show_detail(
        detail, f"no shipment has tracking number or id '{tracking}'", as_json, "shipment_picture"
    )


@app.command()
def rebuild(ctx: typer.Context, as_json: bool = JsonFlag) -> None:
    """Re-derive every projection from the event log."""
    with open_system(ctx) as system:
        result = system.handle(Rebuild())
    if as_json:
        out.print_json(data=jsonable(result))
    else:
        out.print(
            f"rebuilt {result.subjects} subjects from {result.events} events; "
            f"{result.orders} orders re-derived"
        )


@app.command()
def milestones(as_json: bool = JsonFlag) -> None:
    """The canonical milestones: phase, happy-path rank, and who may assert each."""

    rows = [
        {
            "milestone": m.value,
            "phase": spec.phase.value,
            "rank": spec.rank,
            "terminal": spec.terminal,
            "customer_visible": spec.customer_visible,
            "carrier_possession": spec.carrier_possession,
            "needs_reason": spec.needs_reason,
            "asserted_by": sorted(kind.value for kind in spec.authority),
        }
        for m, spec in MILESTONES.items()
    ]
    if as_json:
        out.print_json(data=rows)
        return
    from ordertrail import render

    out.print(render.milestone_table(rows))


@app.command()
def worker(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="One round, then exit."),
    interval: float = typer.Option(60.0, min=1.0, help="Seconds between rounds."),
    limit: int = typer.Option(100, min=1, help="Parcels asked about per round."),
) -> None:
    """Each round: run the time-based exception rules on the parcels that are due (the
    sweep), and ask carriers without webhooks about theirs (ORDERTRAIL_POLL_URL_*,
    ORDERTRAIL_KARRIO_*)."""
    import logging
    import time

    from ordertrail.app.backoff import Backoff
    from ordertrail.app.ports import DatabaseUnavailable, WriteConflict
    from ordertrail.app.rounds import work_round
    from ordertrail.logs import configure

    with open_system(ctx) as system:
        as_json = system.settings.log_format == "json"
        configure(system.settings.log_format)

        def tell(said: str, **fields: Any) -> None:
            if as_json:  # one line, any figures as fields of their own
                logging.getLogger("ordertrail.worker").info(
                    "; ".join(said.splitlines()), extra=fields
                )
            else:
                out.print(said, markup=False, highlight=False)

        try:
            trackers = system.trackers()
        except KeyError as unknown:
            fail(f"ORDERTRAIL_POLL_URL_*: no adapter reads {unknown}'s answers")
        if not trackers:
            tell("no carrier to poll (ORDERTRAIL_KARRIO_<CARRIER>, ORDERTRAIL_POLL_URL_*)")
        senders = system.senders()
        lease = timedelta(seconds=system.settings.outbox_lease_seconds)
        backoff = Backoff(cap=interval)
        while True:
            try:
                done = work_round(
                    system.uows,
                    system.clock,
                    senders,
                    trackers,
                    limit=limit,
                    lease=lease,
                    retention=system.retention(),
                )
            except (DatabaseUnavailable, WriteConflict) as trouble:
                if once:
                    raise  # said in one line by open_system, exit 1
                # what the round did before is kept (each step is its own transaction), what
                # it was doing was rolled back: the next round picks it up again
                wait = backoff.failed()
                tell(f"the database cannot be used ({trouble}); next round in {wait:.1f} s")
                time.sleep(wait)
                continue
            if backoff.recovered():
                tell("database available again")
            tell(done.said(), figures=done.figures())
            if once:
                return
            time.sleep(interval)


@app.command()
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
    forwarded_allow_ips: str = typer.Option(
        None, help="Proxies whose X-Forwarded-For to believe (default: the setting, 127.0.0.1)."
    ),
) -> None:
    """The web app: API, webhooks, the tracking page, the ops console, health checks."""
    import os

    import uvicorn
    from pydantic import ValidationError

    from ordertrail.cli.serving import metrics_folder, uvicorn_logging

    with open_system(ctx) as system:
        unready = system.unready()
    if unready:
        fail(unready)
    db = (ctx.find_root().obj or {}).get("db")
    if db:
        os.environ["ORDERTRAIL_DATABASE_URL"] = db  # worker processes read settings themselves
    try:
        settings = Settings()
    except ValidationError as error:
        problem = error.errors()[0]
        fail(f"ORDERTRAIL_{str(problem['loc'][0]).upper()}: {problem['msg']}")
    if workers > 1 and settings.rate_limit_storage == "memory://":
        # each worker counting on its own would give a guesser N budgets: count in the
        # database every worker shares (a store named by the setting is used as it is)
        os.environ["ORDERTRAIL_RATE_LIMIT_STORAGE"] = "database"
    with metrics_folder(workers):
        uvicorn.run(
            "ordertrail.web.app:from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips or settings.forwarded_allow_ips,
            **uvicorn_logging(settings.log_format),
        )
