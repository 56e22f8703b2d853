"""Join requests for private groups, over JSON (see `meeting.groups.requests`).

POST /api/v1/groups/{id}/join-requests              ask to join            -> 202
GET  /api/v1/groups/{id}/join-requests              facilitators and up    -> {"requests": [...]}
POST /api/v1/groups/{id}/join-requests/{user_id}    {"approve": bool}      -> 200 / 204
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.api.accounts import require_user
from meeting.api.errors import check_origin, read_json
from meeting.api.groups import membership_public, path_id
from meeting.context import hearth
from meeting.groups import requests, service
from meeting.groups.models import JoinDecision


async def ask(request: Request) -> Response:
    user = await require_user(request)
    check_origin(request)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        row = await requests.request_to_join(s, group=group, user=user)
    body = {"group_id": row.group_id, "user_id": row.user_id, "created_at": row.created_at.isoformat()}
    return JSONResponse(body, status_code=202)


async def pending(request: Request) -> Response:
    user = await require_user(request)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        rows = await requests.pending_requests(s, group=group, actor=user)
    return JSONResponse({"requests": [r.model_dump(mode="json") for r in rows]})


async def decide(request: Request) -> Response:
    user = await require_user(request)
    check_origin(request)
    body = await read_json(request, JoinDecision)
    group_id = path_id(request, "group")
    user_id = path_id(request, "user", "user_id")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        role = await requests.decide_request(
            s, group=group, actor=user, user_id=user_id, approve=body.approve
        )
    return Response(status_code=204) if role is None else JSONResponse(membership_public(role))
