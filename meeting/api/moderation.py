"""Moderation endpoints of the JSON API: a group's log, rules and bans, and your own blocks.

    GET    /api/v1/groups/{id}/audit?meeting_id=&limit=&before=   host, admin      -> AuditLog
    GET    /api/v1/groups/{id}/rules                              facilitator+     -> GroupRules
    PUT    /api/v1/groups/{id}/rules    (GroupRules, all fields)  host, admin      -> GroupRules
    GET    /api/v1/groups/{id}/bans                               facilitator+     -> BanList
    DELETE /api/v1/groups/{id}/bans/{user_id}                     facilitator+     -> 204
    GET    /api/v1/me/blocks                                      yourself         -> BlockList
    DELETE /api/v1/me/blocks/{user_id}                            yourself         -> 204

All need a login (401). Powers come from `moderation.permissions` through the services, so a
refusal is 403 `forbidden` with a sentence saying who may; unknown groups, bans and blocks
are 404 `not_found`; bad query parameters or rules are 422 `invalid_input` naming the field.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.api.accounts import require_user
from meeting.api.errors import ApiError, check_origin, read_json
from meeting.api.groups import path_id
from meeting.context import hearth
from meeting.groups import service as groups
from meeting.moderation import rules
from meeting.moderation import service as moderation
from meeting.moderation.models import BanList, BlockList, GroupRules
from moderation.permissions import Action

ID_MAX = 2**63 - 1


def query_int(request: Request, name: str, *, least: int = 1, most: int = ID_MAX) -> int | None:
    """Query parameter `name` as a whole number from `least` to `most`, None when absent or empty."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 19 else -1
    if not least <= value <= most:
        raise ApiError(
            422, "invalid_input", f"Query parameter {name!r} must be a whole number from {least} to {most}."
        )
    return value


async def get_audit(request: Request) -> Response:
    user = await require_user(request)
    group_id = path_id(request, "group")
    meeting_id = query_int(request, "meeting_id")
    limit = query_int(request, "limit", most=moderation.LOG_PAGE_MAX) or moderation.LOG_PAGE
    before = query_int(request, "before")
    async with hearth(request).db.session() as s:
        await groups.get_group(s, group_id=group_id)
        await moderation.require(s, action=Action.view_audit, user=user, group_id=group_id)
        if meeting_id is not None:
            meeting = await groups.get_meeting(s, meeting_id=meeting_id)
            if meeting.group_id != group_id:
                raise groups.NotFound(f"No meeting with id {meeting_id} in this group.", field="meeting_id")
        log = await moderation.list_events(
            s, group_id=group_id, meeting_id=meeting_id, limit=limit, before_id=before
        )
    return JSONResponse(log.model_dump(mode="json"))


async def get_rules(request: Request) -> Response:
    user = await require_user(request)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await groups.get_group(s, group_id=group_id)
        found = await rules.get_rules(s, group=group, viewer=user)
    return JSONResponse(found.model_dump(mode="json"))


async def put_rules(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, GroupRules)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await groups.get_group(s, group_id=group_id)
        group = await rules.update_rules(s, group=group, actor=user, **body.model_dump())
    return JSONResponse(rules.rules_of(group).model_dump(mode="json"))


async def list_bans(request: Request) -> Response:
    user = await require_user(request)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        await groups.get_group(s, group_id=group_id)
        await moderation.require(s, action=Action.unban, user=user, group_id=group_id)
        bans = await moderation.list_bans(s, group_id=group_id)
    return JSONResponse(BanList(bans=bans).model_dump(mode="json"))


async def lift_ban(request: Request) -> Response:
    user = await require_user(request)
    check_origin(request)
    group_id = path_id(request, "group")
    user_id = path_id(request, "ban", name="user_id")
    async with hearth(request).db.session() as s:
        await groups.get_group(s, group_id=group_id)
        await moderation.unban(s, group_id=group_id, user_id=user_id, actor=user)
    return Response(status_code=204)


async def list_blocks(request: Request) -> Response:
    user = await require_user(request)
    assert user.id is not None
    async with hearth(request).db.session() as s:
        blocks = await moderation.list_blocks(s, user_id=user.id)
    return JSONResponse(BlockList(blocks=blocks).model_dump(mode="json"))


async def remove_block(request: Request) -> Response:
    user = await require_user(request)
    check_origin(request)
    blocked_id = path_id(request, "block", name="user_id")
    assert user.id is not None
    async with hearth(request).db.session() as s:
        removed = await moderation.unblock(s, user_id=user.id, blocked_id=blocked_id)
    if not removed:
        raise ApiError(404, "not_found", "You haven't blocked that person.")
    return Response(status_code=204)
