"""Membership endpoints of the JSON API under `/api/v1/groups/{id}/...`: join, accept the
guidelines, add a facilitator or a co-host. Each answers with the caller's or the person's
membership (or acceptance) as JSON; errors are translated as described in `meeting.api.groups`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.api.accounts import require_user
from meeting.api.errors import check_origin, read_json
from meeting.api.inputs import path_id
from meeting.context import hearth
from meeting.groups import service
from meeting.groups.models import AcceptancePublic, GroupRole, MembershipPublic


class FacilitatorAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: int


class HostAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: int


class Agreement(BaseModel):
    """The guidelines version the person read and accepts (must be the current one)."""

    model_config = ConfigDict(extra="forbid")
    version: int


async def add_host(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, HostAssign)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        row = await service.add_cohost(s, group=group, actor=user, user_id=body.user_id)
    return JSONResponse(membership_public(row))


async def assign_facilitator(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, FacilitatorAssign)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        row = await service.assign_facilitator(s, group=group, actor=user, user_id=body.user_id)
    return JSONResponse(membership_public(row))


async def join_group(request: Request) -> Response:
    user = await require_user(request)
    check_origin(request)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        row = await service.join_group(s, group=group, user=user)
    return JSONResponse(membership_public(row))


async def accept_guidelines(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, Agreement)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        row = await service.accept_guidelines(s, group=group, user=user, version=body.version)
    return JSONResponse(AcceptancePublic.model_validate(row, from_attributes=True).model_dump(mode="json"))


def membership_public(row: GroupRole) -> dict[str, object]:
    return MembershipPublic.model_validate(row, from_attributes=True).model_dump(mode="json")
