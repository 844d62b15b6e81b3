"""The worker's look at returns on a real database: a return not inspected within the SLA and
a refund held past the policy's time become cases for the returns team, and the cases resolve
themselves once the return moves on."""

from __future__ import annotations

from datetime import timedelta

from typer.testing import CliRunner

from ordertrail.app.casework.cases import find_cases
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.returns.alerts import look_at_returns
from ordertrail.app.returns.commands import InspectLine, ReceiveReturn, ReleaseRefund
from ordertrail.app.rounds import work_round
from ordertrail.bootstrap import System
from ordertrail.cli import app as cli
from ordertrail.domain.casework.cases import Case, CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind, Team
from ordertrail.domain.returns.return_lines import ReturnLine, ReturnReason
from tests.conftest import FixedClock
from tests.integration.returns.test_returns import CLERK, ask, delivered_order

R = ReturnReason


def cases(system: System) -> list[Case]:
    return find_cases(system.uows, CaseQuery(status=None))


def test_an_uninspected_return_and_a_held_refund_open_and_close_cases(
    system: System, clock: FixedClock
) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("DRILL", 1, R.DAMAGED))
    system.handle(ReceiveReturn(file.id, CLERK))
    clock.advance(hours=47)
    assert look_at_returns(system.uows, clock.now()).opened == 0
    clock.advance(hours=2)
    done = work_round(system.uows, system.clock, {}, {})  # the worker's round looks too
    assert done.swept.by_kind == {"return_not_inspected": 1}
    [late] = cases(system)
    assert (late.kind, late.team, late.subject.id, late.order_id) == (
        ExceptionKind.RETURN_NOT_INSPECTED,
        Team.RETURNS,
        file.id,
        "ORD-1",
    )
    assert "DRILL back since" in late.detail
    assert look_at_returns(system.uows, clock.now()).opened == 0  # one case per cause

    system.handle(InspectLine(file.id, "DRILL", "refurbish", CLERK, 0, "scuffed"))
    looked = look_at_returns(system.uows, clock.now())
    assert (looked.opened, looked.resolved) == (0, 1)
    [resolved] = cases(system)
    assert resolved.status is CaseStatus.RESOLVED
    assert resolved.history[-1].what == "resolved: the return moved on"

    clock.advance(hours=73)
    assert look_at_returns(system.uows, clock.now()).by_kind == {"refund_held": 1}
    system.handle(ReleaseRefund(file.id, CLERK, "refurbished, refund"))
    assert look_at_returns(system.uows, clock.now()).resolved == 1
    assert {(c.kind.value, c.status.value) for c in cases(system)} == {
        ("return_not_inspected", "resolved"),
        ("refund_held", "resolved"),
    }


def test_the_sweep_command_looks_at_returns_too(system: System, clock: FixedClock) -> None:
    delivered_order(system, clock)
    file = ask(system, ReturnLine("DRILL", 1, R.DEFECTIVE))
    system.handle(ReceiveReturn(file.id, CLERK))
    url = system.engine.url.render_as_string(hide_password=False)
    later = (clock.now() + timedelta(hours=49)).isoformat()
    said = CliRunner().invoke(cli, ["--db", url, "sweep", "--now", later])
    assert said.exit_code == 0, said.output
    assert "1 cases opened (1 return_not_inspected)" in said.output
