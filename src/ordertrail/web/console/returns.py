"""`/ops/returns`: the returns queue and one return's page, where support decides (approve,
reject, release the refund or a replacement) and the warehouse handles the goods (mark them
received, inspect each line). Every action goes through the returns flow as the signed-in
staff member, with their why; what the rules refuse is said on the page and changes nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrail.app.returns import commands as do
from ordertrail.app.returns.desk import return_desk, returns_queue
from ordertrail.app.staff.access_ports import StaffSession
from ordertrail.domain.access import Permission
from ordertrail.domain.milestones import Disposition, SourceKind
from ordertrail.domain.model import DomainError, Source
from ordertrail.web.api.auth import checked_csrf, signed_in
from ordertrail.web.console.views import back, console_templates, render
from ordertrail.web.guard import NO_NUL

Reader = Annotated[StaffSession, Depends(signed_in(Permission.READ_ORDERS))]
Decider = Annotated[StaffSession, Depends(checked_csrf(Permission.DECIDE_RETURNS))]
Handler = Annotated[StaffSession, Depends(checked_csrf(Permission.HANDLE_RETURNS))]
Rma = Annotated[str, Path(max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
Why = Annotated[str, Form(max_length=500, pattern=NO_NUL)]
Short = Annotated[str, Form(max_length=100, pattern=NO_NUL)]
Count = Annotated[int, Form(ge=0, le=100_000)]


def _by(session: StaffSession) -> Source:
    """The staff member acting, as the returns flow records them (`ops:staff:<email>`)."""
    return Source(SourceKind.OPS, f"staff:{session.user.email}")


def _said(text: str) -> str | None:
    return text.strip() or None


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = console_templates()

    async def page(
        request: Request, session: StaffSession, rma: str, status: int = 200, **more: Any
    ) -> Response:
        system = request.app.state.system
        desk = await run_in_threadpool(return_desk, system.uows, rma, system.clock.now())
        if desk is None:
            why = f"There is no return {rma}."
            return render(views, request, "ops_refused.html", session, 404, why=why)
        return render(
            views,
            request,
            "ops_return.html",
            session,
            status,
            desk=desk,
            now=system.clock.now(),
            dispositions=list(Disposition),
            **more,
        )

    async def act(
        request: Request, session: StaffSession, rma: str, command: Any, done: str
    ) -> Response:
        """Run one action of the flow; a refusal re-shows the page with its reason."""
        try:
            await run_in_threadpool(request.app.state.system.handle, command)
        except DomainError as refused:
            return await page(request, session, rma, 422, problem=refused.message)
        return back(f"/ops/returns/{rma}", done)

    @pages.get("/ops/returns", response_class=HTMLResponse)
    async def queue(request: Request, session: Reader) -> Response:
        system = request.app.state.system
        found = await run_in_threadpool(returns_queue, system.uows, system.clock.now())
        return render(
            views, request, "ops_returns.html", session, queue=found, now=system.clock.now()
        )

    @pages.get("/ops/returns/{rma}", response_class=HTMLResponse)
    async def one(request: Request, session: Reader, rma: Rma) -> Response:
        return await page(request, session, rma)

    @pages.post("/ops/returns/{rma}/approve")
    async def approve(request: Request, session: Decider, rma: Rma, why: Why = "") -> Response:
        command = do.DecideReturn(rma, True, _by(session), _said(why))
        return await act(request, session, rma, command, "return_approved")

    @pages.post("/ops/returns/{rma}/reject")
    async def reject(request: Request, session: Decider, rma: Rma, why: Why = "") -> Response:
        command = do.DecideReturn(rma, False, _by(session), _said(why))
        return await act(request, session, rma, command, "return_rejected")

    @pages.post("/ops/returns/{rma}/receive")
    async def receive(
        request: Request,
        session: Handler,
        rma: Rma,
        sku: Annotated[list[str], Form()],
        quantity: Annotated[list[int], Form()],
        why: Why = "",
    ) -> Response:
        """Units counted per line (the form shows what is still out); at least one unit."""
        sane = len(sku) == len(quantity) <= 200 and all(0 <= n <= 10**5 for n in quantity)
        if not sane:
            return await page(request, session, rma, 422, problem="Give a count for each line.")
        counted = {name: n for name, n in zip(sku, quantity, strict=True) if n}
        if not counted:
            problem = "Nothing was received: count at least one unit that came back."
            return await page(request, session, rma, 422, problem=problem)
        command = do.ReceiveReturn(rma, _by(session), counted, _said(why))
        return await act(request, session, rma, command, "return_received")

    @pages.post("/ops/returns/{rma}/inspect")
    async def inspect(
        request: Request,
        session: Handler,
        rma: Rma,
        sku: Short,
        disposition: Short,
        damaged: Count = 0,
        note: Why = "",
        photo: Annotated[str, Form(max_length=300, pattern=NO_NUL)] = "",
    ) -> Response:
        command = do.InspectLine(
            rma, sku, disposition, _by(session), damaged, _said(note), _said(photo)
        )
        return await act(request, session, rma, command, "return_inspected")

    @pages.post("/ops/returns/{rma}/refund")
    async def refund(request: Request, session: Decider, rma: Rma, why: Why = "") -> Response:
        command = do.ReleaseRefund(rma, _by(session), _said(why))
        return await act(request, session, rma, command, "refund_released")

    @pages.post("/ops/returns/{rma}/replacement")
    async def replacement(request: Request, session: Decider, rma: Rma, why: Why = "") -> Response:
        command = do.ReleaseReplacement(rma, _by(session), _said(why))
        return await act(request, session, rma, command, "replacement_released")

    return pages
