"""`ordertrail demo`: a small shop simulated on the embedded default (SQLite), then the whole
system opened on it: the web app, the worker, and an SMTP sink to read what customers got."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ordertrail.app.addresses import parcel_page
from ordertrail.app.staff.access import add_staff, issue_key
from ordertrail.bootstrap import System, build
from ordertrail.cli.common import JsonFlag, app, err, fail, out
from ordertrail.cli.kpis import shown
from ordertrail.config import Settings
from ordertrail.domain.access import Role
from ordertrail.simulate.b2b.account_truth import account_figures, judge_accounts, judge_van
from ordertrail.simulate.carriers.hooks import fresh_secrets
from ordertrail.simulate.live import MailSink, Worker
from ordertrail.simulate.returns.customers import shop_returns
from ordertrail.simulate.returns.truth import judge_returns
from ordertrail.simulate.run import RunResult, SimClock, run
from ordertrail.simulate.store import Store, simulate
from ordertrail.simulate.summary import Showcase, figures, showcase
from ordertrail.simulate.truth import judge

#: Where staff alerts go in the demo: the SMTP sink catches them with the customers' mail.
TEAMS = {
    team: f"{team}@demo-shop.example" for team in ("operations", "support", "warehouse", "returns")
}


@app.command()
def demo(
    db: Path = typer.Option(Path("demo.db"), "--db", help="SQLite file to create (replaced)."),
    days: int = typer.Option(21, min=1, max=120, help="Days of the shop to simulate."),
    orders: int = typer.Option(6, "--orders", min=3, max=200, help="Orders a day, on average."),
    seed: int = typer.Option(7, help="The same seed gives the same shop."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Print the summary and exit."),
    as_json: bool = JsonFlag,
    port: int = typer.Option(8000, min=1, max=65535, help="Port for the web app."),
) -> None:
    """Simulate a small shop for a few weeks (orders from Shopify and a CSV desk, two
    warehouses, four carriers, the real world's faults), then open OrderTrail on it."""
    path = _fresh(db)
    if not no_serve:
        _check_free(port)
    sink = None if no_serve else MailSink(path.with_name(f"{path.stem}-mail"))
    settings = _settings(path, port, sink)
    try:
        if sink:
            sink.start()
        store, result, summary = _simulate(settings, seed, days, orders, as_json)
        if no_serve:
            return
        assert sink is not None
        chosen = showcase(store, result.sent)
        _serve(settings, port, sink, chosen, summary, as_json)
    except KeyboardInterrupt:
        err.print("stopped")
        raise typer.Exit(130) from None
    finally:
        if sink:
            sink.stop()


def _fresh(db: Path) -> Path:
    """The demo's database file, with any earlier one (and its WAL files) removed."""
    path = db.expanduser().resolve()
    if path.is_dir():
        fail(f"--db {db}: is a directory; give a file name like demo.db")
    if not path.parent.is_dir():
        fail(f"--db {db}: the folder {path.parent} does not exist")
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return path


def _check_free(port: int) -> None:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            fail(f"--port {port}: already in use; pick another with --port")


def _settings(path: Path, port: int, sink: MailSink | None) -> Settings:
    site = f"http://127.0.0.1:{port}"
    given: dict[str, Any] = {
        "database_url": f"sqlite:///{path}",
        "sqlite_synchronous": "OFF",  # a throw-away database: speed over power-cut safety
        "hook_secrets": fresh_secrets(),
        "public_url": site,
        "tracking_url": f"{site}/track",
        "brand_name": "Demo Shop",
        "returns": shop_returns(),  # the window the simulated customers are judged by
        "proof_folder": path.with_name(f"{path.stem}-proofs"),  # the van's photos, signatures
    }
    if sink:
        given |= {"smtp_host": "127.0.0.1", "smtp_port": sink.port, "team_emails": TEAMS}
    return Settings(**given)


def _simulate(
    settings: Settings, seed: int, days: int, orders: int, as_json: bool
) -> tuple[Store, RunResult, dict[str, Any]]:
    """Play the shop up to this hour; its days start at midnight UTC so a seed gives the same
    shop whenever it is run."""
    began = time.monotonic()
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = now.replace(hour=0) - timedelta(days=days)
    store = simulate(seed, start, days, orders_per_day=orders)
    clock = SimClock(start)
    system = build(settings, clock=clock)
    try:
        system.migrate()
        # in serve mode the messages also go to the SMTP sink, to be read afterwards
        real = system.senders()
        with _progress(days, as_json) as tick:
            result = run(system, clock, store, until=now, senders=real, progress=tick)
        assert result.ended is not None
        verdict = judge(system.uows, store, result.sent, result.ended)
        returned = judge_returns(system.uows, store, result.rmas, result.ended)
        summary = figures(system, store, result, verdict, returned)
        accounts = judge_accounts(system.uows, store, result.ended)
        van = judge_van(system.uows, store, result.ended)
        tokens = {s.order_id: s.token for s in result.sent if s.token}
        summary |= account_figures(accounts, van, store, tokens)
    finally:
        system.close()
    summary["seconds"] = round(time.monotonic() - began, 1)
    _report(summary, as_json)
    return store, result, summary


@contextmanager
def _progress(days: int, quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    if quiet:  # stdout stays pure JSON
        with nullcontext():
            yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(f"simulating {days} days of a small shop", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick


def _report(summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        out.print_json(data=summary)
        return
    table = Table(title=f"{summary['days']} days of Demo Shop", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for name in ("orders", "shipments", "events", "unmapped_codes", "unmapped_events"):
        table.add_row(name.replace("_", " "), str(summary[name]))
    table.add_section()
    for kind, count in summary["exceptions_by_kind"].items():
        table.add_row(f"exception: {kind}", str(count))
    table.add_section()
    for kind, count in summary["messages_by_kind"].items():
        table.add_row(f"customer email: {kind}", str(count))
    spread = summary["messages_per_order"]
    table.add_row("emails per order (mean / most)", f"{spread['mean']} / {spread['max']}")
    table.add_row(
        "most emails, smooth routine order", str(summary["max_messages_smooth_routine_order"])
    )
    table.add_row("duplicate emails", str(summary["duplicate_messages"]))
    table.add_section()
    truth = summary["truth"]
    table.add_row("parcels judged against the truth", f"{truth['judged']} of {truth['parcels']}")
    for name in ("misses", "overtaken", "false_alarms", "contradicting_messages"):
        table.add_row(name.replace("_", " "), str(truth[name]))
    table.add_row("returns judged against the truth", str(truth["returns_judged"]))
    for name in ("return_mismatches", "refused_not_returned"):
        table.add_row(name.replace("_", " "), str(truth[name]))
    windows = summary["delivery_windows"]
    table.add_row(
        "delivery windows changed (delivered parcels)",
        f"{windows['changes']} times over {windows['delivered']}",
    )
    table.add_section()
    returns = summary["returns"]
    for state, count in returns["by_state"].items():
        table.add_row(f"returns: {state.replace('_', ' ')}", str(count))
    rate = returns["rate"]
    table.add_row(
        f"customer returns (orders delivered {rate['delivered_days_ago']}+ days ago)",
        f"{rate['percent']}% ({rate['customer_returns']} of {rate['delivered_orders']})",
    )
    table.add_section()
    _b2b_rows(table, summary)
    table.add_section()
    for name, figure in summary["kpis"].items():
        if name != "period":
            table.add_row(name.replace("_", " "), shown(figure))
    out.print(table)
    out.print(
        f"simulated {summary['days']} days in {summary['seconds']} s: {summary['orders']} orders, "
        f"{summary['events']} events, {sum(summary['exceptions_by_kind'].values())} exceptions"
    )


def _b2b_rows(table: Table, summary: dict[str, Any]) -> None:
    van, b2b = summary["van"], summary["b2b"]
    table.add_row("van routes (one a day to Columbus)", str(van["routes"]))
    proofs = f"{van['delivered_with_proof']} of {van['parcels']} ({van['attempts']} attempts)"
    table.add_row("van deliveries with proof (photo, signature)", proofs)
    for status, count in b2b["by_status"].items():
        table.add_row(f"B2B orders: {status.replace('_', ' ')}", str(count))
    table.add_row("dock appointments missed (booked again)", str(b2b["dock_appointments_missed"]))
    judged = f"{b2b['judged'] + van['judged']}, {b2b['mismatches'] + van['mismatches']} wrong"
    table.add_row("B2B orders and van parcels judged against the truth", judged)


def _serve(
    settings: Settings,
    port: int,
    sink: MailSink,
    chosen: Showcase | None,
    summary: dict[str, Any],
    as_json: bool,
) -> None:
    import uvicorn

    from ordertrail.web.app import create_app

    live = build(settings.model_copy(update={"sqlite_synchronous": "NORMAL"}), metered=True)
    worker = Worker(live, lambda said: err.print(said, markup=False, highlight=False))
    worker.start()
    try:
        _links(live, port, sink, chosen, as_json, summary["b2b_showcase"])
        config = uvicorn.Config(create_app(live), host="127.0.0.1", port=port, log_level="warning")
        uvicorn.Server(config).run()  # until Ctrl-C
    finally:
        worker.stop()
        live.close()


def _links(
    system: System,
    port: int,
    sink: MailSink,
    chosen: Showcase | None,
    as_json: bool,
    b2b: dict[str, str | None],  # see account_truth.showcase_b2b
) -> None:
    site = f"http://127.0.0.1:{port}"
    login = _demo_login(system)
    links: dict[str, Any] = {
        "app": site,
        "ops": f"{site}/ops",
        "login": login,
        "exceptions": f"{site}/api/v1/exceptions",
        "mail": str(sink.folder),
    }
    if chosen:
        links["order"] = chosen.order_id
        links["tracking"] = f"{site}{parcel_page(chosen.tracking)}"
        if chosen.token:
            links["order_link"] = f"{site}/t/{chosen.token}"
    if as_json:
        err.print_json(data={"links": links})
        return
    out.print(f"\n[bold]Demo Shop's OrderTrail is open at {site}[/bold]  (Ctrl-C stops it)")
    if chosen:
        view = links.get("order_link", links["tracking"])
        out.print(f"  a customer's view of order {chosen.order_id}: {view}")
        out.print(f"  one of its parcels:        {links['tracking']}")
    if b2b.get("missed_order"):  # staff see the order's page: its lines, its dock
        out.print(f"  a B2B order, dock missed:  {links['ops']}/orders/{b2b['missed_order']}")
    if b2b.get("van_order_token"):  # the proof shows on the order's page (its link)
        out.print(f"  a van delivery's proof:    {site}/t/{b2b['van_order_token']}")
    out.print(f"  ops console:               {links['ops']}")
    out.print(f"    {login}")
    out.print(f"  exception queue:           {links['ops']}/exceptions")
    out.print(f"  the same as JSON:          {links['exceptions']}  (send the API key)")
    out.print(f"  emails sent (SMTP sink on 127.0.0.1:{sink.port}): {sink.folder}/")


DEMO_EMAIL, DEMO_PASSWORD = "ops@demo.example", "ordertrail-demo"


def _demo_login(system: System) -> str:
    """The demo's staff login (an ops role; a demo database only) and a read key for the API;
    what to print about them."""
    now = system.clock.now()
    add_staff(system.uows, system.passwords, DEMO_EMAIL, "Demo Ops", Role.OPS, DEMO_PASSWORD, now)
    key = issue_key(system.uows, "demo", Role.OPS, "demo", now)
    return f"sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}\n    API key (ops): {key.secret}"
