"""What the group page's forms do (`/groups/{id}/...`): join or ask to join, accept the
guidelines, answer a request to join, add a meeting, assign a facilitator, rewrite the
guidelines, open or end a meeting, save the room rules and lift a ban.

Each is a `FormAction`, called by `meeting.web.groups` once the form passed its CSRF check,
with what was typed; it calls the service and raises the service's `GroupError` on refusal,
which the page shows in the form's section with the input kept.

    await ACTIONS["schedule"](s, group, user, {"title": ..., "starts_at": ..., ...}, request)
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from meeting.accounts.models import User
from meeting.context import hearth
from meeting.groups import requests, service
from meeting.groups.models import Group
from meeting.groups.window import RoomWindow
from meeting.live import end_live_room
from meeting.moderation import service as moderation
from meeting.web.localtime import zone_names
from meeting.web.moderation import lift_ban, save_rules
from moderation.permissions import Action

FormAction = Callable[[AsyncSession, Group, User, dict[str, str], Request], Awaitable[None]]


def local_time(raw: str, zone_name: str, *, field: str) -> datetime:
    """A `datetime-local` value read in `zone_name`, as an aware UTC datetime; `InvalidInput`
    naming `field` (or timezone) when it is not a time there."""
    if zone_name not in zone_names():
        raise service.InvalidInput("Choose a time zone from the list.", field="timezone")
    try:
        naive = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise service.InvalidInput("Enter a date and time, like 2026-03-01 18:00.", field=field) from None
    if naive.tzinfo is not None:
        raise service.InvalidInput("Enter the time without a UTC offset; pick the zone below.", field=field)
    zone = zoneinfo.ZoneInfo(zone_name)
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise service.InvalidInput(
            f"That time does not exist in {zone_name} (the clocks change).", field=field
        )
    return aware.astimezone(UTC)


async def _join(s: AsyncSession, group: Group, user: User, entered: dict[str, str], request: Request) -> None:
    await service.join_group(s, group=group, user=user)


async def _accept(
    s: AsyncSession, group: Group, user: User, entered: dict[str, str], request: Request
) -> None:
    version = entered["version"]
    if not version.isascii() or not version.isdigit() or len(version) > 9:
        raise service.GuidelinesChanged(group.guidelines_version)
    await service.accept_guidelines(s, group=group, user=user, version=int(version))


async def _schedule(
    s: AsyncSession, group: Group, user: User, entered: dict[str, str], request: Request
) -> None:
    zone = entered["timezone"]
    starts_at = local_time(entered["starts_at"], zone, field="starts_at")
    ends_at = local_time(entered["ends_at"], zone, field="ends_at")
    await service.create_meeting(
        s, group=group, actor=user, title=entered["title"], starts_at=starts_at, ends_at=ends_at
    )


async def _facilitator(
    s: AsyncSession, group: Group, user: User, entered: dict[str, str], request: Request
) -> None:
    # Refuse before looking the email up, so only hosts learn whether an address has an account.
    await service.require(s, action=Action.assign_facilitator, user=user, group_id=group.id)
    target = await service.find_user(s, email=entered["email"])
    assert target.id is not None
    await service.assign_facilitator(s, group=group, actor=user, user_id=target.id)


async def _edit_guidelines(
    s: AsyncSession, group: Group, user: User, entered: dict[str, str], request: Request
) -> None:
    await service.update_guidelines(s, group=group, actor=user, text=entered["guidelines_text"])


async def _meeting_state(
    s: AsyncSession, group: Group, user: User, entered: dict[str, str], request: Request
) -> None:
    meeting = await service.get_meeting(s, meeting_id=request.path_params["meeting_id"])
    if meeting.group_id != group.id:
        raise service.NotFound(f"No meeting with id {meeting.id} in this group.")
    if not request.url.path.endswith("/end"):
        window = RoomWindow.from_settings(hearth(request).settings)
        await service.open_meeting(s, meeting=meeting, actor=user, window=window)
        return
    await moderation.end_meeting(s, meeting=meeting, actor=user)  # an ending is audited
    await s.commit()  # the room's gate reads this: commit before members are told
    assert meeting.id is not None
    await end_live_room(hearth(request), meeting.id)


async def _ask(s: AsyncSession, group: Group, user: User, entered: dict[str, str], request: Request) -> None:
    await requests.request_to_join(s, group=group, user=user)


async def _answer(
    s: AsyncSession, group: Group, user: User, entered: dict[str, str], request: Request
) -> None:
    if not entered["user_id"].isdigit():
        raise service.NotFound("Nobody by that id has asked to join this group.", field="user_id")
    approve = entered["approve"] == "yes"
    await requests.decide_request(
        s, group=group, actor=user, user_id=int(entered["user_id"]), approve=approve
    )


# By the id of the page section each form is in.
ACTIONS: dict[str, FormAction] = {
    "membership": _join,
    "guidelines": _accept,
    "schedule": _schedule,
    "facilitators": _facilitator,
    "edit-guidelines": _edit_guidelines,
    "meetings": _meeting_state,
    "rules": save_rules,
    "bans": lift_ban,
    "asking": _ask,
    "requests": _answer,
}
