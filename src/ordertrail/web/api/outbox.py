"""`/api/v1/outbox`: what was and will be sent, dead letters, and sending one again."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from ordertrail.app.effect_ports import OutboxMessage
from ordertrail.app.messages.delivery import retry_dead
from ordertrail.app.queries import jsonable, outbox_messages
from ordertrail.domain.access import Permission
from ordertrail.web.api.answers import Requeued, shows
from ordertrail.web.api.auth import require
from ordertrail.web.api.docs import ApiRoute, Segment, refusals
from ordertrail.web.problems import problem

Status = Annotated[str | None, Query(pattern="^(pending|sending|sent|dead|skipped)$")]


def router() -> APIRouter:
    # Messages hold recipients (contact details): ops and admin only.
    api = APIRouter(
        prefix="/api/v1/outbox",
        tags=["notifications"],
        dependencies=[Depends(require(Permission.MANAGE_OUTBOX))],
        route_class=ApiRoute,
    )

    @api.get("", response_model=None, responses=shows(OutboxMessage, many=True))
    def messages(
        request: Request,
        status: Status = None,
        order_id: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> list[dict[str, Any]]:
        """Queued, sent, skipped and dead messages, in the order they are due."""
        found = outbox_messages(request.app.state.system.uows, status, order_id, limit)
        return [jsonable(message) for message in found]

    @api.post(
        "/{message_id}/retry",
        response_model=None,
        responses=shows(Requeued, why="Queued to be sent again.")
        | refusals({404: "No dead message has this id."}),
    )
    def retry(request: Request, message_id: Segment) -> Response:
        """Send a dead letter again (after fixing what made it fail)."""
        system = request.app.state.system
        if not retry_dead(system.uows, message_id, system.clock.now()):
            return problem(404, "Not found", f"no dead message has id '{message_id}'")
        return JSONResponse({"id": message_id, "status": "pending"})

    return api
