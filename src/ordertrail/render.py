"""Terminal pictures of an order: a progress strip per parcel and the timeline as a table."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ordertrail.app.ports import UnmappedCode
from ordertrail.app.queries import OrderDetail, ShipmentDetail, TimelineRow
from ordertrail.app.returns.views import ReturnView
from ordertrail.domain.fold import Effect
from ordertrail.domain.milestones import TROUBLE, Milestone

_STRIP = (
    ("label", Milestone.LABEL_CREATED),
    ("with carrier", Milestone.CARRIER_ACCEPTED),
    ("in transit", Milestone.IN_TRANSIT),
    ("out for delivery", Milestone.OUT_FOR_DELIVERY),
    ("delivered", Milestone.DELIVERED),
)

_EFFECT_STYLE = {
    Effect.APPLIED: "",
    Effect.CORRECTION: "bold magenta",
    Effect.SUPERSEDED: "dim",
    Effect.CONFLICT: "bold red",
    Effect.UNMAPPED: "yellow",
    Effect.NOTED: "cyan",
    Effect.DUPLICATE: "dim strike",
}


def progress_strip(status: str | None) -> Text:
    """● done ─ ○ still to come, with trouble shown in red where the parcel stands."""
    reached = Milestone(status).spec.rank if status else -1
    if status == Milestone.RETURNED_TO_SENDER:
        reached = Milestone.IN_TRANSIT.spec.rank  # it travelled, but never arrived
    text = Text()
    for position, (label, milestone) in enumerate(_STRIP):
        if position:
            text.append(" ─ ", style="dim")
        done = reached >= milestone.spec.rank
        text.append(("● " if done else "○ ") + label, style="green" if done else "dim")
    if status and Milestone(status) in TROUBLE:
        text.append(f"   ⚠ {status.replace('_', ' ')}", style="bold red")
    return text


def shipment_panel(shipment: ShipmentDetail) -> Panel:
    title = f"{shipment.carrier or 'carrier?'} {shipment.tracking_number or shipment.id}"
    facts = Text(f"status {shipment.status or 'no events yet'}")
    if shipment.exception_reason:
        facts.append(f" ({shipment.exception_reason})", style="red")
    eta = shipment.eta
    if eta.earliest and eta.latest:
        window = str(eta.earliest) if eta.earliest == eta.latest else f"{eta.earliest}–{eta.latest}"
        facts.append(f" · eta {window} ({eta.basis.replace('_', ' ')})")
    elif eta.paused:
        facts.append(f" · eta paused ({eta.paused.replace('_', ' ')})")
    if eta.changed:
        facts.append(f", changed {eta.changed}×" + (f" ({eta.cause})" if eta.cause else ""))
    if shipment.unmapped:
        facts.append(f" · {shipment.unmapped} unmapped", style="yellow")
    if shipment.conflicts:
        facts.append(f" · {shipment.conflicts} conflicting", style="red")
    items = ", ".join(f"{line.quantity}× {line.shown}" for line in shipment.lines)
    body = [progress_strip(shipment.status), facts]
    if items:
        body.append(Text(f"carries {items}", style="dim"))
    return Panel(Group(*body), title=title, title_align="left")


def timeline_table(rows: list[TimelineRow]) -> Table:
    table = Table(title="timeline (event time as reported, oldest first)", expand=True)
    table.add_column("occurred", no_wrap=True)
    table.add_column("parcel", no_wrap=True)
    table.add_column("milestone", no_wrap=True)
    table.add_column("source", no_wrap=True)
    table.add_column("as reported", ratio=1, overflow="ellipsis", no_wrap=True, min_width=12)
    table.add_column("effect", no_wrap=True)
    for row in rows:
        milestone = row.milestone or "—"
        if row.reason:
            milestone += f" ({row.reason})"
        said = " ".join(part for part in (row.raw_code, row.raw_description) if part)
        table.add_row(
            _when(row),
            _short(row),
            milestone,
            row.source,
            said,
            "" if row.effect is Effect.APPLIED else row.effect.value,
            style=_EFFECT_STYLE[row.effect],
        )
    return table


def _when(row: TimelineRow) -> str:
    offset = row.occurred_at.strftime("%z")
    return row.occurred_at.strftime("%b %d %H:%M ") + (offset[:3] if offset else "")


def _short(row: TimelineRow) -> str:
    if row.subject.kind != "shipment":
        return row.subject.kind
    ident = row.subject.id
    return ident if len(ident) <= 10 else "…" + ident[-8:]


def order_picture(order: OrderDetail) -> Group:
    attention = Text("  needs attention", style="bold red") if order.needs_attention else Text()
    header = Text.assemble(
        (f"Order {order.id}", "bold"),
        f"  {order.channel} · ",
        (order.status, "bold cyan"),
        attention,
    )
    parts: list[Panel | Table | Text] = [header]
    parts.extend(shipment_panel(shipment) for shipment in order.shipments)
    parts.extend(Text(f"return {r.id}: {r.status or 'opened'}") for r in order.returns)
    parts.append(timeline_table(order.timeline))
    return Group(*parts)


def return_picture(found: ReturnView) -> Group:
    refund = (
        f"  refund {found.refund.amount / 100:.2f} {found.refund.currency}" if found.refund else ""
    )
    replaced = "  replacement sent" + (" ahead" if found.replacement_in_advance else "")
    header = Text.assemble(
        (f"Return {found.id}", "bold"),
        f"  order {found.order_id} · {found.kind} · team {found.team} · ",
        (found.status or "opened", "bold cyan"),
        refund,
        replaced if found.replacement else "",
    )
    lines = Table(title="lines")
    for column in ("sku", "qty", "reason", "received", "disposition", "damaged", "note"):
        lines.add_column(column)
    for line in found.lines:
        lines.add_row(
            line.sku,
            str(line.quantity),
            line.reason,
            str(line.received),
            line.disposition or "",
            str(line.damaged or ""),
            line.note or "",
        )
    steps = Table(title="timeline")
    for column in ("when", "what", "who", "why"):
        steps.add_column(column)
    for step in found.timeline:
        what = step.milestone or step.raw_code or "?"
        steps.add_row(step.occurred_at.strftime("%b %d %H:%M"), what, step.source, step.why or "")
    return Group(header, lines, steps)


def shipment_picture(shipment: ShipmentDetail) -> Group:
    return Group(shipment_panel(shipment), timeline_table(shipment.timeline))


def milestone_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="canonical milestones (ops may assert any, as a correction)")
    for column in ("milestone", "phase", "rank", "terminal", "customer sees", "asserted by"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["milestone"],
            row["phase"],
            str(row["rank"]),
            "■" if row["terminal"] else "",
            "✓" if row["customer_visible"] else "",
            ", ".join(k for k in row["asserted_by"] if k != "ops"),
        )
    return table


def unmapped_table(codes: list[UnmappedCode]) -> Table:
    table = Table(title="carrier codes nobody has mapped yet (they move no status)")
    for column in ("carrier", "code", "events", "shipments", "last seen", "examples"):
        table.add_column(column)
    for code in codes:
        table.add_row(
            code.carrier,
            code.raw_code,
            str(code.events),
            str(code.shipments),
            code.last_seen.strftime("%Y-%m-%d %H:%M"),
            " | ".join(code.examples),
        )
    return table
