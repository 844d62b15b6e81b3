"""`ordertrail staff ...` and `ordertrail keys ...`: who signs in to the console, and the API
keys integrations use (a key's secret is printed once, when it is made)."""

from __future__ import annotations

import os

import typer
from rich.table import Table

from ordertrail.app.queries import jsonable
from ordertrail.app.staff.access import (
    AccessError,
    add_staff,
    issue_key,
    list_keys,
    list_staff,
    set_disabled,
)
from ordertrail.app.staff.access import revoke_key as revoke
from ordertrail.app.staff.access_ports import ApiKey
from ordertrail.cli.common import JsonFlag, app, fail, open_system, out
from ordertrail.domain.access import Role

staff_app = typer.Typer(help="Staff who sign in to the ops console.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys, one per integration and role.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
app.add_typer(keys_app, name="keys")


@staff_app.command("add")
def staff_add(
    ctx: typer.Context,
    email: str = typer.Argument(..., help="What they sign in with."),
    role: Role = typer.Option(..., help="admin, ops, support or warehouse."),
    name: str = typer.Option("", help="What the console calls them."),
) -> None:
    """Add a staff member (or change one's role and password). The password is asked for, or
    read from ORDERTRAIL_STAFF_PASSWORD for scripts."""
    password = os.environ.get("ORDERTRAIL_STAFF_PASSWORD") or typer.prompt(
        "password", hide_input=True, confirmation_prompt=True
    )
    with open_system(ctx) as system:
        try:
            added = add_staff(
                system.uows, system.passwords, email, name, role, password, system.clock.now()
            )
        except AccessError as error:
            fail(str(error))
    out.print(f"{email} {'added' if added else 'updated'} as {role.value}")


@staff_app.command("disable")
def staff_disable(ctx: typer.Context, email: str = typer.Argument(...)) -> None:
    """Lock a staff member out now: their sessions end and sign-in is refused."""
    _set_disabled(ctx, email, True)


@staff_app.command("enable")
def staff_enable(ctx: typer.Context, email: str = typer.Argument(...)) -> None:
    """Let a disabled staff member sign in again."""
    _set_disabled(ctx, email, False)


def _set_disabled(ctx: typer.Context, email: str, disabled: bool) -> None:
    with open_system(ctx) as system:
        if not set_disabled(system.uows, email, disabled, system.clock.now()):
            fail(f"no staff member has email {email}", 1)
    out.print(f"{email} {'disabled' if disabled else 'enabled'}")


@staff_app.command("list")
def staff_list(ctx: typer.Context, as_json: bool = JsonFlag) -> None:
    with open_system(ctx) as system:
        users = list_staff(system.uows)
    rows = [
        {"email": u.email, "name": u.name, "role": u.role.value, "disabled": u.disabled}
        for u in users
    ]
    if as_json:
        out.print_json(data=rows)
        return
    table = Table(title="staff")
    for column in ("email", "name", "role", "disabled"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(value) for value in row.values()))
    out.print(table)


@keys_app.command("create")
def keys_create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The integration it is for, e.g. 'louisville-scanners'."),
    role: Role = typer.Option(
        ..., help="admin, ops, support, warehouse, or metrics (/metrics only)."
    ),
    site: str = typer.Option(None, help="Bind a warehouse key to one site."),
    as_json: bool = JsonFlag,
) -> None:
    """Make a key. Its secret is shown now and never again (only its hash is kept)."""
    with open_system(ctx) as system:
        try:
            issued = issue_key(system.uows, name, role, "cli", system.clock.now(), site=site)
        except AccessError as error:
            fail(str(error))
    if as_json:
        out.print_json(data={"id": issued.id, "key": issued.secret, "role": role.value})
        return
    out.print(f"key {issued.id} for [bold]{name}[/bold] ({role.value}); keep it now:")
    print(issued.secret)


@keys_app.command("list")
def keys_list(ctx: typer.Context, as_json: bool = JsonFlag) -> None:
    with open_system(ctx) as system:
        keys = list_keys(system.uows)
    if as_json:
        out.print_json(data=[_public(key) for key in keys])
        return
    table = Table(title="API keys")
    for column in ("id", "name", "role", "site", "starts", "last used", "revoked"):
        table.add_column(column)
    for key in keys:
        table.add_row(
            str(key.id),
            key.name,
            key.role.value,
            key.site or "",
            key.prefix + "…",
            key.last_used_at.isoformat(timespec="minutes") if key.last_used_at else "never",
            key.revoked_at.isoformat(timespec="minutes") if key.revoked_at else "",
        )
    out.print(table)


def _public(key: ApiKey) -> dict[str, object]:
    return {name: value for name, value in jsonable(key).items() if name != "key_hash"}


@keys_app.command("revoke")
def keys_revoke(ctx: typer.Context, key_id: int = typer.Argument(...)) -> None:
    """Revoke a key: the next request with it is refused."""
    with open_system(ctx) as system:
        if not revoke(system.uows, key_id, system.clock.now()):
            fail(f"no key has id {key_id}", 1)
    out.print(f"key {key_id} revoked")
