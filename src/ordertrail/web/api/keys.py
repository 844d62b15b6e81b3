"""`/api/v1/keys`: API keys for integrations, made and revoked by admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from ordertrail.app.staff.access import AccessError, issue_key, list_keys
from ordertrail.app.staff.access_ports import ApiKey
from ordertrail.domain.access import Permission, Principal, Role
from ordertrail.web.api.answers import KeyIssued, KeyRevoked, KeyShown, shows
from ordertrail.web.api.auth import require
from ordertrail.web.api.docs import ApiRoute, refusals
from ordertrail.web.problems import problem

Admin = Annotated[Principal, Depends(require(Permission.MANAGE_STAFF))]


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[^\x00]*$"
        ),
    ]
    role: Role
    site: Annotated[str, StringConstraints(max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")] | None = (
        None
    )


def shown(key: ApiKey) -> dict[str, Any]:
    """A key as lists show it: never its hash."""
    return {
        "id": key.id,
        "name": key.name,
        "role": key.role.value,
        "site": key.site,
        "starts_with": key.prefix,
        "created_at": key.created_at.isoformat(),
        "created_by": key.created_by,
        "last_used_at": key.last_used_at.isoformat() if key.last_used_at else None,
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1/keys", tags=["access"], route_class=ApiRoute)

    @api.get("", response_model=None, responses=shows(KeyShown, many=True))
    def keys(request: Request, who: Admin) -> list[dict[str, Any]]:
        """Every key made, revoked ones too, without their secrets."""
        return [shown(key) for key in list_keys(request.app.state.system.uows)]

    @api.post(
        "",
        status_code=201,
        response_model=None,
        responses=shows(KeyIssued, 201, "The key, with its secret (shown this once)."),
    )
    def create(request: Request, body: KeyIn, who: Admin) -> Response:
        """Make a key; the answer holds its secret, the only time it is shown."""
        system = request.app.state.system
        try:
            issued = issue_key(
                system.uows, body.name, body.role, who.name, system.clock.now(), site=body.site
            )
        except AccessError as error:
            return problem(422, "Invalid key", str(error))
        return JSONResponse(shown(issued.key) | {"id": issued.id, "key": issued.secret}, 201)

    @api.delete(
        "/{key_id}",
        response_model=None,
        responses=shows(KeyRevoked) | refusals({404: "No key has this id."}),
    )
    def revoke(
        request: Request, who: Admin, key_id: Annotated[int, Path(ge=1, le=2**62)]
    ) -> Response:
        """Revoke a key; the next request with it is refused."""
        system = request.app.state.system
        if not system.keys.revoke(key_id, system.clock.now()):
            return problem(404, "Not found", f"no key has id {key_id}")
        return JSONResponse({"id": key_id, "revoked": True})

    return api
