"""The production layout in deploy/ runs what it says: every unit's command line parses as the
real CLI's (a renamed option fails here, not on a shop's server), its environment file is
read by the real settings, and every unit reads that file."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from ordertrail.cli import app
from ordertrail.config import Settings
from tests.paths import ROOT

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return parser


def test_there_is_a_unit_for_the_web_app_and_for_the_worker() -> None:
    commands = [shlex.split(unit(path)["Service"]["ExecStart"])[1] for path in UNITS]
    assert sorted(commands) == ["serve", "worker"]


@pytest.mark.parametrize("path", UNITS, ids=lambda path: path.name)
def test_each_units_command_parses_as_the_cli_would(path: Path) -> None:
    service = unit(path)["Service"]
    program, *args = shlex.split(service["ExecStart"])
    assert program.endswith("/bin/ordertrail")
    assert service["EnvironmentFile"] == "/etc/ordertrail/ordertrail.env"
    group: Any = typer.main.get_command(app)  # a group of commands
    name, *rest = args
    command = group.get_command(
        group.make_context("ordertrail", [name], resilient_parsing=True), name
    )
    assert command is not None, f"no command '{name}'"
    command.make_context(name, list(rest))  # raises on an unknown option or a bad value


def test_the_environment_file_is_read_by_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    given = {}
    for line in (DEPLOY / "systemd" / "ordertrail.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            given[name] = value
            monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.database_url == given["ORDERTRAIL_DATABASE_URL"]
    assert settings.rate_limit_storage == "database"
    assert settings.log_format == "json"
