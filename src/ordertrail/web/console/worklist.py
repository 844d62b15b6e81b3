"""`/ops/exceptions`: the exception queue as a work list — what breaks a promise first on top,
one action menu per row, many cases acknowledged or assigned at once, and the filters each
team keeps. Working one case at a time stays in `console_work`."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrail.app.casework.assignees import assignees
from ordertrail.app.casework.bulk_cases import UnknownCases, work_many
from ordertrail.app.casework.case_views import cases_shown
from ordertrail.app.casework.saved_filters import (
    forget_filter,
    save_filter,
    saved_filter,
    team_filters,
)
from ordertrail.app.effect_ports import CaseQuery
from ordertrail.app.staff.access_ports import StaffSession
from ordertrail.app.staff.redaction import cases_for
from ordertrail.domain.access import Permission
from ordertrail.domain.casework.cases import CaseAction, CaseClosed, CaseStatus
from ordertrail.domain.casework.exceptions import ExceptionKind, Team
from ordertrail.domain.casework.saved_filters import teams_of
from ordertrail.domain.casework.worklist import AGES, MOST_AT_ONCE, QueueFilter
from ordertrail.domain.model import DomainError
from ordertrail.web.api.auth import as_principal, checked_csrf, signed_in
from ordertrail.web.console.views import PRIVATE, back, console_templates, render
from ordertrail.web.guard import NO_NUL

CaseReader = Annotated[StaffSession, Depends(signed_in(Permission.READ_EXCEPTIONS))]
FilterKeeper = Annotated[StaffSession, Depends(checked_csrf(Permission.READ_EXCEPTIONS))]
CaseWorker = Annotated[StaffSession, Depends(checked_csrf(Permission.WORK_EXCEPTIONS))]
Age = Annotated[str, Query(pattern="^(|4h|24h|3d)$")]
Choice = Annotated[str, Query(max_length=40, pattern=NO_NUL)]
FormText = Annotated[str, Form(max_length=2000, pattern=NO_NUL)]
QUEUE = "/ops/exceptions"
_Choice = TypeVar("_Choice", ExceptionKind, Team)
AGE_CHOICES = {"4h": timedelta(hours=4), "24h": timedelta(hours=24), "3d": timedelta(days=3)}


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = console_templates()

    def refused(request: Request, session: StaffSession, status: int, why: str) -> Response:
        return render(views, request, "ops_refused.html", session, status, why=why)

    @pages.get(QUEUE, response_class=HTMLResponse)
    async def queue(
        request: Request,
        session: CaseReader,
        kind: Choice = "",
        team: Choice = "",
        age: Age = "",
        overdue: bool = False,
        status: CaseStatus = CaseStatus.OPEN,
    ) -> Response:
        """The queue, what breaks a promise first on top: by kind, owning team, age and
        whether the deadline passed. An empty choice (the form's "any") is no filter."""
        system = request.app.state.system
        now = system.clock.now()
        try:
            shows = QueueFilter(
                _chosen(ExceptionKind, kind), _chosen(Team, team), age, overdue, status
            )
        except ValueError:
            return refused(request, session, 422, "There is no such kind of case or team.")
        kind_, team_ = shows.kind, shows.team
        query = CaseQuery(
            status=status,
            team=team_,
            kind=kind_,
            opened_before=now - AGE_CHOICES[age] if age else None,
            due_before=now if overdue else None,
            breaks_first=True,
        )
        shown = await run_in_threadpool(cases_shown, system.uows, query, now)
        role = session.user.role
        return render(
            views,
            request,
            "ops_exceptions.html",
            session,
            tracking=shown.tracking,
            quiet=shown.quiet,
            breaks=shown.breaks,
            assignees=await run_in_threadpool(assignees, system.uows),
            cases=cases_for(as_principal(session), shown.cases),
            now=now,
            kinds=list(ExceptionKind),
            teams=list(Team),
            ages=AGES,
            chosen=shows,
            saved=await run_in_threadpool(team_filters, system.uows, role),
            own_teams=[t for t in Team if t in teams_of(role)],
            most=MOST_AT_ONCE,
        )

    @pages.post(f"{QUEUE}/bulk")
    async def bulk(
        request: Request,
        session: CaseWorker,
        action: Annotated[CaseAction, Form()],
        why: FormText = "",
        to: Annotated[str, Form(max_length=320, pattern=NO_NUL)] = "",
        case: Annotated[list[int], Form(max_length=MOST_AT_ONCE)] = [],  # noqa: B006
        back_to: Annotated[str, Form(max_length=300, pattern=NO_NUL)] = QUEUE,
    ) -> Response:
        """Acknowledge or assign every ticked case, all or none, each saying who and why."""
        system = request.app.state.system
        if any(not 1 <= case_id <= 2**62 for case_id in case):
            return refused(request, session, 422, "cases: a case number is out of range")
        try:
            worked = await run_in_threadpool(
                work_many,
                system.uows,
                case,
                action,
                session.user.email,
                why,
                system.clock.now(),
                to,
            )
        except UnknownCases as error:
            return refused(request, session, 404, str(error))
        except CaseClosed as error:
            return refused(request, session, 409, str(error))
        except ValueError as error:
            return refused(request, session, 422, str(error))
        return back(back_to, f"bulk_{action.value}", row=f"case-{worked[0].id}")

    @pages.post(f"{QUEUE}/filters")
    async def keep_filter(
        request: Request,
        session: FilterKeeper,
        for_team: Annotated[Team, Form()],
        name: Annotated[str, Form(max_length=200, pattern=NO_NUL)] = "",
        kind: Annotated[str, Form(max_length=40, pattern=NO_NUL)] = "",
        team: Annotated[str, Form(max_length=40, pattern=NO_NUL)] = "",
        age: Annotated[str, Form(pattern="^(|4h|24h|3d)$")] = "",
        overdue: Annotated[bool, Form()] = False,
        status: Annotated[CaseStatus, Form()] = CaseStatus.OPEN,
    ) -> Response:
        """Keep the queue's filter under a name for a team the staff member works for."""
        system = request.app.state.system
        try:
            shows = QueueFilter(
                _chosen(ExceptionKind, kind), _chosen(Team, team), age, overdue, status
            )
        except ValueError:
            return refused(request, session, 422, "There is no such kind of case or team.")
        try:
            await run_in_threadpool(
                save_filter,
                system.uows,
                session.user.role,
                for_team,
                name,
                shows,
                session.user.email,
                system.clock.now(),
            )
        except DomainError as error:
            status_code = 403 if error.field == "team" else 422
            return refused(request, session, status_code, str(error))
        return back(f"{QUEUE}?{urlencode(shows.as_query())}", "filter_saved")

    @pages.get(f"{QUEUE}/filters/{{filter_id}}")
    async def open_filter(
        request: Request, session: CaseReader, filter_id: Annotated[int, Path(ge=1, le=2**62)]
    ) -> Response:
        """A saved filter opens the queue as it was saved (another team's: no such filter)."""
        system = request.app.state.system
        found = await run_in_threadpool(saved_filter, system.uows, session.user.role, filter_id)
        if found is None:
            return refused(request, session, 404, "Your team has no saved filter by that number.")
        address = f"{QUEUE}?{urlencode(found.shows.as_query())}"
        return RedirectResponse(address, status_code=303, headers=PRIVATE)

    @pages.post(f"{QUEUE}/filters/{{filter_id}}/forget")
    async def drop_filter(
        request: Request, session: FilterKeeper, filter_id: Annotated[int, Path(ge=1, le=2**62)]
    ) -> Response:
        system = request.app.state.system
        role = session.user.role
        if not await run_in_threadpool(forget_filter, system.uows, role, filter_id):
            return refused(request, session, 404, "Your team has no saved filter by that number.")
        return back(QUEUE, "filter_forgotten")

    return pages


def _chosen(choices: type[_Choice], value: str) -> _Choice | None:
    """A select's value: empty is "any"; anything else must be one of the choices."""
    return choices(value) if value else None
