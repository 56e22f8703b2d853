"""Group and meeting endpoints of the JSON API: `/api/v1/groups/...` and `/api/v1/meetings/...`.

Every endpoint needs a logged-in session (401 `not_authenticated`). Handlers translate
`meeting.groups.service` errors into the usual `{"error": {"code", "message"}}` shape:
422 `invalid_input`, 403 `forbidden`, 404 `not_found`, 409 `guidelines_changed` (with
`current_version`) or `meeting_ended`. Times go out in UTC as ISO 8601 with `Z`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.accounts.models import User
from meeting.api.accounts import require_user
from meeting.api.errors import ApiError, check_origin, read_json
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import service
from meeting.groups.models import (
    GUIDELINES_MAX,
    AcceptancePublic,
    Group,
    GroupCreate,
    GroupDetail,
    GroupPublic,
    GroupRole,
    GroupRoleName,
    Meeting,
    MeetingCreate,
    MeetingPublic,
    MembershipPublic,
)
from meeting.live import end_live_room
from meeting.moderation import service as moderation
from moderation.entry import opens_at


class FacilitatorAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: int


class Agreement(BaseModel):
    """The guidelines version the person read and accepts (must be the current one)."""

    model_config = ConfigDict(extra="forbid")
    version: int


class GuidelinesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=GUIDELINES_MAX)


def group_detail(group: Group, *, role: GroupRoleName | None, accepted: int | None) -> dict[str, object]:
    data = GroupPublic.model_validate(group, from_attributes=True).model_dump()
    detail = GroupDetail.model_validate(data | {"your_role": role, "your_accepted_version": accepted})
    return detail.model_dump(mode="json")


def meeting_public(meeting: Meeting) -> dict[str, object]:
    data = {name: getattr(meeting, name) for name in MeetingPublic.model_fields if hasattr(meeting, name)}
    data |= {"opens_at": opens_at(meeting.starts_at), "room_status": service.status_of(meeting, now=utcnow())}
    return MeetingPublic.model_validate(data).model_dump(mode="json")


def membership_public(row: GroupRole) -> dict[str, object]:
    return MembershipPublic.model_validate(row, from_attributes=True).model_dump(mode="json")


def path_id(request: Request, what: str, name: str = "id") -> int:
    """The path parameter `name` as an id, or 404 naming `what` was not found."""
    raw = request.path_params[name]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ApiError(404, "not_found", f"No {what} with id {raw!r}.")
    return int(raw)


async def create_group(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, GroupCreate)
    async with hearth(request).db.session() as s:
        group = await service.create_group(
            s,
            creator=user,
            name=body.name,
            description=body.description,
            guidelines=body.guidelines,
        )
    detail = group_detail(group, role=GroupRoleName.host, accepted=group.guidelines_version)
    return JSONResponse(detail, status_code=201)


async def get_group(request: Request) -> Response:
    user = await require_user(request)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        assert user.id is not None
        role = await service.role_in(s, group_id=group_id, user_id=user.id)
        accepted = await service.accepted_version(s, group_id=group_id, user_id=user.id)
    return JSONResponse(group_detail(group, role=role, accepted=accepted))


async def create_meeting(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, MeetingCreate)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        meeting = await service.create_meeting(
            s, group=group, actor=user, title=body.title, starts_at=body.starts_at, ends_at=body.ends_at
        )
    return JSONResponse(meeting_public(meeting), status_code=201)


async def get_meeting(request: Request) -> Response:
    await require_user(request)
    meeting_id = path_id(request, "meeting")
    async with hearth(request).db.session() as s:
        meeting = await service.get_meeting(s, meeting_id=meeting_id)
    return JSONResponse(meeting_public(meeting))


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


async def update_guidelines(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, GuidelinesUpdate)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        group = await service.update_guidelines(s, group=group, actor=user, text=body.text)
        assert user.id is not None
        role = await service.role_in(s, group_id=group_id, user_id=user.id)
        accepted = await service.accepted_version(s, group_id=group_id, user_id=user.id)
    return JSONResponse(group_detail(group, role=role, accepted=accepted))


async def _change_meeting(request: Request, *, end: bool) -> Response:
    user: User = await require_user(request)
    check_origin(request)
    meeting_id = path_id(request, "meeting")
    async with hearth(request).db.session() as s:
        meeting = await service.get_meeting(s, meeting_id=meeting_id)
        change = moderation.end_meeting if end else service.open_meeting  # an ending is audited
        meeting = await change(s, meeting=meeting, actor=user)
    if end:
        await end_live_room(hearth(request), meeting_id)
    return JSONResponse(meeting_public(meeting))


async def open_meeting(request: Request) -> Response:
    return await _change_meeting(request, end=False)


async def end_meeting(request: Request) -> Response:
    return await _change_meeting(request, end=True)
