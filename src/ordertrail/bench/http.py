"""`bench http`: the app's paths under load next to a bare FastAPI app, in one run.

A scratch database is filled by the simulator; then, for each worker count, the bare app
(the ceiling: a sync route returning a small JSON object) and `ordertrail serve` are started
as real uvicorn processes and each path is driven by wrk for the same time over the same
connections. Every write the app acknowledged with a 2xx is looked up in the database
afterwards: a fast answer that lost the events would be no figure at all."""

from __future__ import annotations

import secrets
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.engine import make_url

from ordertrail.app.addresses import parcel_page
from ordertrail.bench.profiles import finished, py_spy, sampling
from ordertrail.bench.scene import HOOK_SOURCE, Scene, fill, scene_settings, stored_keys
from ordertrail.bench.scratch import scratch_database
from ordertrail.bench.servers import (
    Server,
    app_command,
    bare_command,
    busy_share,
    machine_ticks,
    serving,
)
from ordertrail.bench.wrk import Load, Measured, drive, wrk_path
from ordertrail.web.api.auth import SESSION_COOKIE

#: Limits are raised for the run, not removed: wrk asks from one address.
RATE_LIMIT_MULTIPLIER = 100_000


def loads(scene: Scene) -> list[Load]:
    """The measured paths, in the order they are driven (the reads before the writes change
    the data they read)."""
    key = {"Authorization": f"Bearer {scene.api_key}"}
    return [
        Load("/healthz", "get", ("/healthz",)),
        Load("GET /track/{number}", "get", tuple(parcel_page(n) for n in scene.tracking_numbers)),
        Load("GET /t/{token}", "get", tuple(f"/t/{token}" for token in scene.link_tokens)),
        Load(
            "GET /api/v1/orders/{id}",
            "get",
            tuple(f"/api/v1/orders/{quote(o, safe='')}" for o in scene.order_ids),
            headers=key,
        ),
        Load(
            "GET /ops/exceptions",
            "get",
            ("/ops/exceptions",),
            headers={"Cookie": f"{SESSION_COOKIE}={scene.session_cookie}"},
        ),
        Load("webhook, 1 event", "hook", per_request=1),
        Load("webhook, 50 events", "hook", per_request=50),
        Load("POST /api/v1/events, 1 event", "events", headers=key),
    ]


def run(
    *,
    database_url: str | None,
    workers: list[int],
    seconds: float,
    connections: int,
    days: int,
    per_day: int,
    seed: int = 7,
    progress: bool = True,
    profile: Path | None = None,
) -> dict[str, Any]:
    """`profile`: a folder for a flame graph of each app path (py-spy samples `serve`)."""
    wrk_path()  # before minutes of filling: say at once when wrk is missing
    if profile is not None:
        py_spy()
    began = time.monotonic()
    run_id = f"bench{secrets.token_hex(3)}"
    with (
        scratch_database(database_url) as url,
        tempfile.TemporaryDirectory(prefix="ordertrail-bench-http-") as folder,
        Progress(transient=True, disable=not progress) as bar,
    ):
        filling = bar.add_task(f"simulating {days} days of a shop", total=None)
        scene = fill(url, days=days, per_day=per_day, seed=seed)
        bar.remove_task(filling)
        measured = loads(scene)
        task = bar.add_task("measuring", total=len(workers) * (1 + len(measured)))

        def measure(server: Server, load: Load, count: int, sampled: bool = True) -> Measured:
            bar.update(task, description=f"{load.name}, {count} worker(s)")

            def driven(stage: str, seconds: float, connections: int) -> Measured:
                name = f"{_slug(load.name)}-w{count}{stage}"
                return drive(
                    server.base_url,
                    load,
                    Path(folder) / name,
                    seconds=seconds,
                    connections=connections,
                    run_id=f"{run_id}-{name}",
                    targets=scene.moving,
                    secret=scene.hook_secret,
                    source=HOOK_SOURCE,
                )

            server.settle()
            if load.writes:  # first writes pay for what is made once (statements, imports)
                driven("-warm", 1, 1)
            else:
                _probe(server.base_url, load)
            server.settle()
            cpu_before, ticks_before = server.cpu_seconds(), machine_ticks()
            svg = profile / f"{_slug(load.name)}-w{count}.svg" if profile and sampled else None
            sampler = sampling(server.pid, seconds, svg) if svg else None
            found = driven("", seconds, connections)
            bar.advance(task)
            cpu_after = server.cpu_seconds()
            found = replace(found, machine_busy=busy_share(ticks_before, machine_ticks()))
            peaks.append(server.rss_mb() or 0.0)
            if sampler is not None and (why := finished(sampler)):
                bar.console.print(f"no profile of {load.name}: {why}")
            if cpu_before is None or cpu_after is None:
                return found
            return replace(found, cpu_seconds=cpu_after - cpu_before)

        env = scene_settings(url, scene.hook_secret) | {
            "ORDERTRAIL_RATE_LIMIT_MULTIPLIER": str(RATE_LIMIT_MULTIPLIER)
        }
        runs = []
        peaks: list[float] = []  # the largest server process's memory after each path
        memory: dict[int, float] = {}
        for count in workers:
            logs = Path(folder) / f"serve-w{count}.log"
            with serving(bare_command(count), log=logs, env={}, ready_path="/healthz") as server:
                ceiling = Load("bare FastAPI /healthz", "get", ("/healthz",))
                bare = measure(server, ceiling, count, sampled=False)
                peaks.clear()
            with serving(app_command(count), log=logs, env=env, ready_path="/livez") as server:
                rows = {load.name: (load, measure(server, load, count)) for load in measured}
            runs.append((count, bare, rows))
            memory[count] = round(max(peaks, default=0.0), 1)
        check = acknowledged_writes(url, run_id, runs)
    return {
        "backend": make_url(url).get_backend_name(),
        "shop": {"days": days, "orders": scene.orders, "events_before": scene.events},
        "seconds_per_path": seconds,
        "connections": connections,
        "runs": [
            _figures(count, bare, rows) | {"rss_mb_max": memory[count]}
            for count, bare, rows in runs
        ],
        "scaling": _scaling(runs),
        "acknowledged_writes": check,
        "wall_seconds": round(time.monotonic() - began, 1),
    }


Rows = dict[str, tuple[Load, Measured]]


def _figures(workers: int, bare: Measured, rows: Rows) -> dict[str, Any]:
    paths = [_row("bare FastAPI /healthz", bare, bare)]
    paths += [_row(name, found, bare) for name, (_, found) in rows.items()]
    return {"workers": workers, "paths": paths}


def _row(name: str, found: Measured, bare: Measured) -> dict[str, Any]:
    cpu, bare_cpu = found.cpu_ms_per_request, bare.cpu_ms_per_request
    return {
        "path": name,
        "requests_per_s": round(found.per_second, 1),
        "p50_ms": round(found.p50_ms, 2),
        "p99_ms": round(found.p99_ms, 2),
        "share_of_bare": round(found.per_second / bare.per_second, 3) if bare.per_second else 0,
        "cpu_ms_per_request": None if cpu is None else round(cpu, 3),
        # the same share measured by the server's CPU time: steady when the machine is shared
        "cpu_share_of_bare": round(bare_cpu / cpu, 3) if cpu and bare_cpu else None,
        "machine_busy": None if found.machine_busy is None else round(found.machine_busy, 3),
        "requests": found.requests,
        "failed": found.failed,
    }


def _scaling(runs: list[tuple[int, Measured, Rows]]) -> dict[str, float]:
    """Each path's requests/s with the most workers over its requests/s with the fewest."""
    if len(runs) < 2:
        return {}
    fewest, most = min(runs, key=lambda r: r[0]), max(runs, key=lambda r: r[0])
    return {
        name: round(most[2][name][1].per_second / found.per_second, 2)
        for name, (_, found) in fewest[2].items()
        if found.per_second
    }


def acknowledged_writes(
    url: str, run_id: str, runs: list[tuple[int, Measured, Rows]]
) -> dict[str, Any]:
    """Every event of every write answered 2xx must be in the database."""
    stored = stored_keys(url, run_id)
    requests = events = 0
    missing: list[str] = []
    for _, _, rows in runs:
        for load, found in rows.values():
            for request_id in found.acked if load.writes else ():
                keys = [f"{request_id}-{n}" for n in range(1, load.per_request + 1)]
                requests, events = requests + 1, events + len(keys)
                missing += [key for key in keys if key not in stored]
    return {
        "acknowledged_requests": requests,
        "acknowledged_events": events,
        "stored_events": len(stored),
        "missing_events": len(missing),
        "missing_examples": missing[:5],
        "all_stored": not missing,
    }


def _probe(base: str, load: Load) -> None:
    """One request before the clock starts: a path that does not answer 200 is a broken
    scene, not a figure."""
    answer = httpx.get(base + load.paths[0], headers=load.headers, timeout=30)
    if answer.status_code != 200:
        raise RuntimeError(f"{load.name}: {load.paths[0]} answered {answer.status_code}")


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_").lower()[:40]


def tables(figures: dict[str, Any]) -> list[Table]:
    """The figures as the terminal shows them: one table per worker count."""
    shown: list[Table] = []
    for each in figures["runs"]:
        title = (
            f"{figures['backend']}, {each['workers']} worker(s), {figures['connections']} "
            f"connections, {figures['seconds_per_path']} s a path; largest process "
            f"{each['rss_mb_max']:.0f} MB resident"
        )
        table = Table(title=title)
        columns = (
            "path",
            "req/s",
            "p50 ms",
            "p99 ms",
            "of bare",
            "CPU ms/req",
            "of bare (CPU)",
            "machine busy",
        )
        for column in (*columns, "failed"):
            table.add_column(column, justify="left" if column == "path" else "right")
        for row in each["paths"]:
            table.add_row(
                row["path"],
                f"{row['requests_per_s']:,.0f}",
                f"{row['p50_ms']:.1f}",
                f"{row['p99_ms']:.1f}",
                f"{row['share_of_bare']:.0%}",
                _maybe(row["cpu_ms_per_request"], "{:.2f}"),
                _maybe(row["cpu_share_of_bare"], "{:.0%}"),
                _maybe(row["machine_busy"], "{:.0%}"),
                str(row["failed"]),
            )
        shown.append(table)
    return shown


def _maybe(figure: float | None, shape: str) -> str:
    return "-" if figure is None else shape.format(figure)


def check_line(figures: dict[str, Any]) -> str:
    check = figures["acknowledged_writes"]
    verdict = "all stored" if check["all_stored"] else f"{check['missing_events']} MISSING"
    return (
        f"acknowledged writes: {check['acknowledged_requests']} requests, "
        f"{check['acknowledged_events']} events; in the database: {verdict}"
    )
