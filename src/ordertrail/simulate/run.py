"""Feed a simulated store through the system, hour by hour, on a controllable clock, along
the paths production uses: Shopify and aggregator webhooks signed and posted to the real web
app, the wholesale CSV through the `import orders --format generic-csv` reader, UPS and FedEx
answers through the adapters `ingest --format` and polling use, warehouse barcodes through
the scan station's use case, the freight carrier's canonical events through its Standard
Webhooks hook, the van's morning route through `POST /api/v1/routes` and its driver through
the driver page (simulate/fleet/van.py); then a worker round (the sweep, the outbox) each hour.
Messages are captured as sent, and handed on to real senders when some are given."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from anyio.from_thread import start_blocking_portal

from ordertrail.app.casework.cases import sweep
from ordertrail.app.intake.commands import RegisterOrders
from ordertrail.app.messages.delivery import KeepsOpen, Outgoing, Sender, deliver_due
from ordertrail.app.sites import save_sites
from ordertrail.bootstrap import System
from ordertrail.domain.model import Site
from ordertrail.domain.warehouse import Step
from ordertrail.simulate import posting
from ordertrail.simulate.b2b.accounts import FREIGHT
from ordertrail.simulate.carriers.hooks import signed_headers, standard_headers
from ordertrail.simulate.carriers.lanes import SITES
from ordertrail.simulate.fleet.van import Van
from ordertrail.simulate.posting import Answer
from ordertrail.simulate.returns import customers as returns
from ordertrail.simulate.returns import desk as return_desk
from ordertrail.simulate.store import Report, Store
from ordertrail.sources.carriers import adapter
from ordertrail.sources.channels.generic_csv import read_orders
from ordertrail.sources.feed import feed_parsed, feed_payloads
from ordertrail.sources.scans import scan_command
from ordertrail.web.app import create_app

#: Carrier formats that reach us by webhook; the others are answers to our questions.
HOOKED = frozenset({"easypost", "aftership"})
CHANNELS = ("email", "sms", "webhook", "team")


class SimClock:
    """The simulation's time: moved by the runner, read by everything else."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current


@dataclass(frozen=True, slots=True)
class Sent:
    at: datetime
    channel: str
    audience: str
    kind: str
    order_id: str
    subject_id: str
    message_id: str
    token: str | None = None  # the order link's token, in customer messages
    subject_kind: str = "shipment"  # what the message is about: a parcel, an order, a return


@dataclass(slots=True)
class Captured:
    """Senders for every channel that keep what they were handed, with the time, and hand
    it on to the real sender of the channel when there is one."""

    clock: SimClock
    sent: list[Sent] = field(default_factory=list)

    def sender(self, channel: str, real: Sender | None = None) -> CaptureSender:
        return CaptureSender(self, channel, real)


@dataclass(frozen=True, slots=True)
class CaptureSender:
    captured: Captured
    channel: str
    real: Sender | None = None

    def session(self) -> AbstractContextManager[None]:
        """The real sender's session, when it keeps one (app/messages/delivery.KeepsOpen)."""
        if isinstance(self.real, KeepsOpen):
            return self.real.session()
        return nullcontext()

    def send(self, outgoing: Outgoing) -> None:
        if self.real is not None:
            self.real.send(outgoing)  # a failure is retried by the outbox, as in production
        message = outgoing.message
        self.captured.sent.append(
            Sent(
                self.captured.clock.now(),
                self.channel,
                message.audience,
                message.kind,
                message.order_id,
                message.subject.id,
                message.id,
                outgoing.link_token,
                message.subject.kind.value,
            )
        )


@dataclass(slots=True)
class RunResult:
    reports: int = 0
    refused: list[str] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    ended: datetime | None = None
    #: the RMA OrderTrail gave each simulated return (see simulate/returns/customers.py)
    rmas: dict[str, str] = field(default_factory=dict)


Progress = Callable[[int, int], None]


def run(
    system: System,
    clock: SimClock,
    store: Store,
    *,
    tick: timedelta = timedelta(hours=1),
    until: datetime | None = None,
    senders: Mapping[str, Sender] | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Play the store until `until` (default: ten days after its last order, so every
    parcel's fate has played out): each tick, what arrived by then, then a worker round.
    `progress(done, total)` is told of each tick."""
    save_sites(system.uows, [Site(site, place.city) for site, place in SITES.items()])
    captured = Captured(clock)
    real = senders or {}
    capture = {c: captured.sender(c, real.get(c)) for c in CHANNELS}
    result = RunResult()
    end = until or store.start + timedelta(days=store.days + 10)
    total = int((end - store.start) / tick) + 1
    pending, next_report = store.reports, 0
    with _web(system) as web:
        for n in range(total):
            at = store.start + n * tick
            clock.current = at
            arrived = next_report
            while next_report < len(pending) and pending[next_report].arrives <= at:
                next_report += 1
            _feed_tick(system, web, pending[arrived:next_report], result)
            sweep(system.uows, at)
            deliver_due(system.uows, capture, clock, limit=1000, jitter=lambda: 0.5)
            if progress:
                progress(n + 1, total)
    result.sent, result.ended = captured.sent, clock.current
    return result


#: A delivery to the web app: its path, body and headers.
Delivery = tuple[str, bytes, dict[str, str]]
#: Posts deliveries at once (as webhooks arriving together); their answers, in their order.
Post = Callable[[list[Delivery]], list[Answer]]


@dataclass(frozen=True, slots=True)
class Web:
    post: Post
    van: Van


@contextmanager
def _web(system: System) -> Iterator[Web]:
    """The real web app, in process: the same routes, checks and handlers as `serve`, called
    over ASGI from one event loop on a thread (what Starlette's TestClient does, without
    the test-only dependency it wants): webhooks as a server hands them over (posting.py),
    the van's phone as an HTTP client with its own cookies, over HTTPS (the driver's session
    cookie is sent over nothing else)."""
    sources = ("shopify", *HOOKED, FREIGHT)
    missing = [s for s in sources if system.settings.hook_secret(s) is None]
    if missing:
        raise ValueError(f"the simulated shop needs hook secrets for {', '.join(missing)}")
    app = create_app(system)
    transport = httpx.ASGITransport(app=app)
    with start_blocking_portal() as portal:
        phone = httpx.AsyncClient(
            transport=transport, base_url="https://simulated.shop", follow_redirects=True
        )

        async def together(deliveries: list[Delivery]) -> list[Answer]:
            sent = (posting.post(app, path, body, headers) for path, body, headers in deliveries)
            return list(await asyncio.gather(*sent))

        def post(deliveries: list[Delivery]) -> list[Answer]:
            return portal.call(together, deliveries)

        van = Van(system, portal, phone)
        van.start()
        try:
            yield Web(post, van)
        finally:
            portal.call(phone.aclose)


def _feed_tick(system: System, web: Web, arrived: list[Report], result: RunResult) -> None:
    """What arrived in one tick, in its order, except that webhooks of different orders are
    held and posted together (as webhooks arriving at once are: the app's group commit
    stores them in shared transactions). An order's reports keep their order: a report
    about an order with a webhook held, or about several orders, first posts those held."""
    held: list[Report] = []
    orders: set[str | None] = set()

    def post_held() -> None:
        deliveries = [_delivery(system, report) for report in held]
        for report, answer in zip(held, web.post(deliveries), strict=True):
            _heard(report, answer, result)
        held.clear()
        orders.clear()

    for report in arrived:
        if report.order is None or report.order in orders:
            post_held()
        if _posted(report):
            held.append(report)
            orders.add(report.order)
        else:
            _feed(system, web, report, result)
    post_held()


def _posted(report: Report) -> bool:
    """Whether the report reaches OrderTrail as a webhook (`/hooks/{source}`)."""
    if report.kind == "carrier":
        return report.body["format"] in HOOKED
    return report.kind in ("shopify", "freight")


def _delivery(system: System, report: Report) -> Delivery:
    """The webhook's path, body and headers, signed as its platform signs."""
    body = report.body
    if report.kind == "freight":
        source, payload = FREIGHT, json.dumps(body["events"]).encode()
        secret = system.settings.hook_secret(source)
        assert secret is not None  # checked before the run
        headers = standard_headers(body["id"], payload, secret)
    else:
        if report.kind == "shopify":
            source = "shopify"
            headers = {
                "X-Shopify-Topic": body["topic"],
                "X-Shopify-Webhook-Id": body["webhook_id"],
                "X-Shopify-Shop-Domain": "sim-shop.myshopify.com",
            }
        else:
            source, headers = body["format"], {}
        payload = body["payload"].encode()
        secret = system.settings.hook_secret(source)
        assert secret is not None  # checked before the run
        headers |= signed_headers(source, payload, secret)
    headers["Content-Type"] = "application/json"
    return f"/hooks/{source}", payload, headers


def _heard(report: Report, answer: Answer, result: RunResult) -> None:
    """The web app's answer to a webhook: what it refused is kept as the run's."""
    result.reports += 1
    path = answer.path
    if answer.status_code != 200:
        result.refused.append(f"{path}: {answer.status_code} {answer.text[:200]}")
        return
    said: dict[str, Any] = answer.json()
    result.refused += [f"{path}: {json.dumps(item)}" for item in said.get("refused", [])]
    result.refused += [f"{path}: {text}" for text in said.get("not_registered", [])]
    if said.get("unmatched"):
        result.refused.append(f"{path}: {said['unmatched']} events held unmatched")


def _feed(system: System, web: Web, report: Report, result: RunResult) -> None:
    """A report that is not a webhook, through the use case or page production uses."""
    result.reports += 1
    body = report.body
    if report.kind == "route":
        web.van.plan(body, result)
    elif report.kind == "driver":
        web.van.act(body, result)
    elif report.kind == "csv":
        rows = read_orders(body["text"].splitlines(keepends=True))
        summary = feed_parsed(rows, RegisterOrders, system.handle)
        result.refused += [f"{body['name']} line {p.index}: {p.message}" for p in summary.problems]
    elif report.kind == "return":
        returns.ask(system, body, result)
    elif report.kind == "desk":
        return_desk.act(system, body, result)
    elif report.kind == "carrier":
        payloads = [(1, body["payload"].encode())]
        summary = feed_payloads(payloads, adapter(body["format"]), system.handle)
        result.refused += [f"{body['format']}: {p.message}" for p in summary.problems]
    else:
        _scan(system, body, result)


def _scan(system: System, scan: dict[str, Any], result: RunResult) -> None:
    command = scan_command(
        site=scan["site"],
        station=scan["station"],
        operator=scan["operator"],
        step=Step(scan["step"]),
        target=scan["code"],
        label=scan.get("label"),
        order=scan.get("order"),
        scanned_at=datetime.fromisoformat(scan["scanned_at"]),
    )
    outcome = system.handle(command)
    if outcome.status.value == "refused":
        result.refused.append(f"scan {scan['step']} {scan['code']}: {outcome.message}")
