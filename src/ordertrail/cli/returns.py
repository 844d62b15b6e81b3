"""`ordertrail returns ...`: ask for a return, list returns, show one with its timeline."""

from __future__ import annotations

import getpass
import json

import typer

from ordertrail.app.queries import jsonable
from ordertrail.app.returns.commands import RequestReturn
from ordertrail.app.returns.views import MAX_PAGE, list_returns, return_view
from ordertrail.cli.common import JsonFlag, app, fail, open_system, out, show_detail
from ordertrail.domain.milestones import Milestone, SourceKind
from ordertrail.domain.model import DomainError, Source
from ordertrail.domain.returns.return_lines import ReturnLine, ReturnReason

returns_app = typer.Typer(help="Returns: ask for one, list them, show one.", no_args_is_help=True)
app.add_typer(returns_app, name="returns")


def parse_line(text: str) -> ReturnLine:
    """`SKU:QTY:REASON`, e.g. `DRILL-18V:1:damaged` (the SKU may hold colons itself)."""
    sku, _, rest = text.rpartition(":")
    sku, _, quantity = sku.rpartition(":")
    if not sku or not quantity.strip().isdigit():
        raise DomainError("--line", f"'{text}' is not SKU:QTY:REASON (e.g. DRILL-18V:1:damaged)")
    try:
        reason = ReturnReason(rest.strip())
    except ValueError:
        choices = ", ".join(ReturnReason)
        raise DomainError("--line", f"'{text}': the reason must be one of {choices}") from None
    return ReturnLine(sku.strip(), int(quantity), reason)


@returns_app.command("request")
def request(
    ctx: typer.Context,
    order: str,
    line: list[str] = typer.Option(..., "--line", help="SKU:QTY:REASON; repeat for more lines."),
    why: str = typer.Option(None, "--why", help="What the customer said."),
    by: str = typer.Option(None, "--by", help="Who asks (default: your user name)."),
    as_json: bool = JsonFlag,
) -> None:
    """Ask for a return of delivered units of ORDER; prints the RMA and the policy's decision."""
    who = Source(SourceKind.OPS, f"cli:{by or getpass.getuser()}")
    try:
        lines = [parse_line(text) for text in line]
    except DomainError as error:
        fail(f"{error.field}: {error.message}")
    with open_system(ctx) as system:
        try:
            file = system.handle(RequestReturn(order, lines, who, why))
        except DomainError as error:
            fail(f"{error.field}: {error.message}")
        view = return_view(system.uows, file.id)
    if as_json:
        out.print_json(json.dumps(jsonable(view)))
        return
    out.print(f"{file.id} for order {order}: {file.status}", highlight=False)
    for words in view.decision.why if view and view.decision else []:
        out.print(f"  {words}", highlight=False, markup=False)


@returns_app.command("list")
def listing(
    ctx: typer.Context,
    state: str = typer.Option(None, "--state", help="Only returns in this state."),
    order: str = typer.Option(None, "--order", help="Only this order's returns."),
    limit: int = typer.Option(100, "--limit", min=1, max=MAX_PAGE),
    as_json: bool = JsonFlag,
) -> None:
    """Returns by RMA: state, order, kind, team, when asked, label."""
    if state is not None and state not in set(Milestone):
        fail(f"--state: '{state}' is not a return state (e.g. return_approved, refund_released)")
    with open_system(ctx) as system:
        page = list_returns(system.uows, status=state, order_id=order, limit=limit)
    if as_json:
        out.print_json(json.dumps(jsonable(page)))
        return
    for found in page.returns:
        asked = found.requested_at.strftime("%Y-%m-%d") if found.requested_at else "?"
        out.print(
            f"{found.id}  {found.order_id}  {found.status or 'opened'}  {found.kind or ''}  "
            f"{found.team or ''}  asked {asked}  {found.tracking_number or ''}".rstrip(),
            highlight=False,
            markup=False,
        )
    out.print(f"{len(page.returns)} returns" + (" (more: --limit)" if page.next_after else ""))


@returns_app.command("show")
def show(ctx: typer.Context, rma: str, as_json: bool = JsonFlag) -> None:
    """One return: order, status, lines with reason, disposition and damaged quantity,
    refund, replacement, and its timeline."""
    with open_system(ctx) as system:
        view = return_view(system.uows, rma)
    show_detail(view, f"no return has id '{rma}'", as_json, "return_picture")
