"""`/ops/privacy`: an admin exports a customer's data (a JSON download) or erases it, after
seeing what would go and typing the email or order again; and sees the retention in force."""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ordertrail.app.privacy.erasure import KIND_WORDS, KINDS, NothingHeld, erase
from ordertrail.app.privacy.export import customer_record
from ordertrail.app.staff.access_ports import StaffSession
from ordertrail.domain.access import Permission
from ordertrail.sources.customer_out import customer_json
from ordertrail.web.api.auth import checked_csrf, signed_in
from ordertrail.web.console.views import PRIVATE, console_templates, render
from ordertrail.web.guard import NO_NUL

Admin = Annotated[StaffSession, Depends(signed_in(Permission.MANAGE_STAFF))]
AdminPost = Annotated[StaffSession, Depends(checked_csrf(Permission.MANAGE_STAFF))]
Customer = Annotated[str, Query(max_length=320, pattern=NO_NUL)]
Typed = Annotated[str, Form(max_length=320, pattern=NO_NUL)]


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    views = console_templates()

    def page(
        request: Request, session: StaffSession, status: int = 200, **more: object
    ) -> Response:
        system = request.app.state.system
        return render(
            views,
            request,
            "ops_privacy.html",
            session,
            status,
            retention=system.retention(),
            kinds=[(kind, KIND_WORDS[kind].capitalize()) for kind in KINDS],
            **more,
        )

    @pages.get("/ops/privacy", response_class=HTMLResponse)
    async def privacy(request: Request, session: Admin, customer: Customer = "") -> Response:
        if not customer.strip():
            return page(request, session)
        system = request.app.state.system
        # the erasure run and rolled back: exactly what it would replace, nothing replaced
        preview = partial(erase, system.uows, customer, session.user.email, system.clock.now())
        try:
            found = await run_in_threadpool(preview, carry_out=False)
        except NothingHeld as unknown:
            return page(request, session, 404, customer=customer, problem=str(unknown))
        return page(request, session, customer=customer.strip(), preview=found)

    @pages.get("/ops/privacy/export")
    async def export(request: Request, session: Admin, customer: Customer) -> Response:
        system = request.app.state.system
        try:
            record = await run_in_threadpool(
                customer_record, system.uows, customer, system.clock.now()
            )
        except NothingHeld as unknown:
            return page(request, session, 404, customer=customer, problem=str(unknown))
        body = json.dumps(customer_json(record), ensure_ascii=False, indent=2)
        name = "customer-" + "".join(c if c.isalnum() else "-" for c in record.asked_for)[:80]
        disposition = f'attachment; filename="{name}.json"'
        headers = {**PRIVATE, "Content-Disposition": disposition}
        return Response(body, media_type="application/json", headers=headers)

    @pages.post("/ops/privacy/erase", response_class=HTMLResponse)
    async def erase_customer(
        request: Request, session: AdminPost, customer: Typed, confirm: Typed = ""
    ) -> Response:
        system = request.app.state.system
        if confirm.strip().casefold() != customer.strip().casefold():
            problem = f"Nothing was erased: type {customer.strip()} exactly to confirm."
            return page(request, session, 422, customer=customer, problem=problem)
        erasing = partial(
            erase,
            system.uows,
            customer,
            session.user.email,
            system.clock.now(),
            proofs=system.proof_files(),
        )
        try:
            done = await run_in_threadpool(erasing)
        except NothingHeld as unknown:
            return page(request, session, 404, customer=customer, problem=str(unknown))
        return page(request, session, erased=done)

    return pages
