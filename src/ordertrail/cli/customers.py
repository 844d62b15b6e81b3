"""`ordertrail customers export|erase`: a customer's data on request."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import typer

from ordertrail.app.privacy.erasure import KIND_WORDS, KINDS, Erasure, NothingHeld, erase
from ordertrail.app.privacy.export import customer_record
from ordertrail.cli.common import JsonFlag, app, err, fail, open_system, out
from ordertrail.cli.operations import OutputOption, output_to
from ordertrail.sources.customer_out import customer_json

customers_app = typer.Typer(
    help="A customer's personal data: export it, or erase it on request.", no_args_is_help=True
)
app.add_typer(customers_app, name="customers")


@customers_app.command("export")
def export(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="The customer's email (or one order's id)."),
    output: Path | None = OutputOption,
) -> None:
    """Everything held about one customer, as JSON (see the README for its shape)."""
    with open_system(ctx) as system:
        try:
            record = customer_record(system.uows, email, system.clock.now())
        except NothingHeld as unknown:
            fail(str(unknown), code=1)
    with output_to(output) as file:
        file.write(json.dumps(customer_json(record), ensure_ascii=False, indent=2) + "\n")
    if output is not None and str(output) != "-":
        err.print(f"{_orders(len(record.orders))} written to {output}", highlight=False)


@customers_app.command("erase")
def erase_customer(
    ctx: typer.Context,
    target: str = typer.Argument(..., help="The customer's email, or one order's id."),
    yes: bool = typer.Option(False, "--yes", help="Erase without asking first."),
    by: str = typer.Option(
        None, "--by", help="Who asks for the erasure (kept on the audit trail; default: you)."
    ),
    as_json: bool = JsonFlag,
) -> None:
    """Replace the customer's name, email, phone, postal code and address wherever they are
    kept; statuses and the log keep working. Asks first (showing what will go) unless --yes."""
    who = (by or f"cli:{getpass.getuser()}").strip()
    if not who:
        fail("--by: say who asks for the erasure")
    with open_system(ctx) as system:
        try:
            if not yes:
                preview = erase(system.uows, target, who, system.clock.now(), carry_out=False)
                _say(preview, "would erase", to_err=True)
                if not sys.stdin.isatty():
                    fail("nothing erased: say --yes to erase without being asked")
                typer.confirm(f"Erase the personal data of {target}?", abort=True)
            done = erase(system.uows, target, who, system.clock.now(), proofs=system.proof_files())
        except NothingHeld as unknown:
            fail(str(unknown), code=1)
    if as_json:
        out.print_json(data={"orders": list(done.orders), "erased": done.counts, "by": who})
    else:
        _say(done, "erased")


def _say(erasure: Erasure, verb: str, *, to_err: bool = False) -> None:
    console = err if to_err else out
    console.print(
        f"{verb} the personal data of {len(erasure.orders)} orders ({', '.join(erasure.orders)}):",
        highlight=False,
        markup=False,
    )
    for kind in KINDS:
        console.print(f"  {erasure.counts[kind]:>5} {KIND_WORDS[kind]}", highlight=False)


def _orders(count: int) -> str:
    return f"{count} order" if count == 1 else f"{count} orders"
