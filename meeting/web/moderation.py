"""Moderation on the pages: the group page's "Room rules", "Banned members" and "Moderation log"
sections, and "People you've blocked" on the account page.

`group_sections(s, group=..., user=..., role=..., request=...)` gives the group page what
these sections need, only for those who may see each (the log's meeting filter and page come
from the `log_meeting` and `log_before` query parameters). `save_rules` and `lift_ban` are
group form actions run by `meeting.web.groups._act` (CSRF, errors, redirect). Unblocking is
`POST /account/blocks/{user_id}/unblock` (`moderation_page_routes()`), CSRF-checked too.
The log shows what happened, who acted, on whom, the reason and when, never what was said.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meeting.accounts.models import User
from meeting.context import hearth
from meeting.groups import service as groups
from meeting.groups.models import Group, GroupRoleName, Meeting
from meeting.moderation import rules
from meeting.moderation import service as moderation
from meeting.web.auth import current_user
from meeting.web.pages import FormRejected, form_data, redirect
from moderation.permissions import Action, may

RULE_FIELDS = (
    "allow_links",
    "blocked_terms",
    "rate_messages",
    "rate_seconds",
    "waiting_room",
    "report_threshold",
)
CHECKED = "yes"  # what a ticked checkbox sends


def rules_form(group: Group) -> dict[str, str]:
    """The group's rules as the form's fields hold them (text; "yes" or "" for the checkboxes)."""
    found = rules.rules_of(group)
    return {
        "allow_links": CHECKED if found.allow_links else "",
        "blocked_terms": found.blocked_terms,
        "rate_messages": str(found.rate_messages),
        "rate_seconds": str(found.rate_seconds),
        "waiting_room": CHECKED if found.waiting_room else "",
        "report_threshold": str(found.report_threshold),
    }


def _query_id(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 18 else None


async def group_sections(
    s: AsyncSession,
    *,
    group: Group,
    user: User,
    role: GroupRoleName | None,
    meetings: list[Meeting],
    request: Request,
) -> dict[str, Any]:
    """The template context of the moderation sections of `group`'s page, for `user`."""
    assert group.id is not None

    def can(action: Action) -> bool:
        return may(action, platform_role=user.role, group_role=role)

    ctx: dict[str, Any] = {
        "can_edit_rules": can(Action.edit_rules),
        "can_unban": can(Action.unban),
        "can_audit": can(Action.view_audit),
        "rules_form": rules_form(group),
        "bans": [],
        "log": None,
        "log_meeting": None,
        "meeting_titles": {m.id: m.title for m in meetings},
    }
    if ctx["can_unban"]:
        ctx["bans"] = await moderation.list_bans(s, group_id=group.id)
    if ctx["can_audit"]:
        chosen = _query_id(request, "log_meeting")
        chosen = chosen if chosen in ctx["meeting_titles"] else None
        ctx["log_meeting"] = chosen
        ctx["log"] = await moderation.list_events(
            s, group_id=group.id, meeting_id=chosen, before_id=_query_id(request, "log_before")
        )
    return ctx


async def save_rules(
    s: AsyncSession, group: Group, user: User, entered: dict[str, str], request: Request
) -> None:
    """The "Room rules" form: refused before any field is read unless `user` may edit them."""
    assert group.id is not None
    await moderation.require(s, action=Action.edit_rules, user=user, group_id=group.id)
    await rules.update_rules(
        s,
        group=group,
        actor=user,
        allow_links=entered["allow_links"] == CHECKED,
        blocked_terms=entered["blocked_terms"],
        rate_messages=rules.parse_whole(entered["rate_messages"], field="rate_messages"),
        rate_seconds=rules.parse_whole(entered["rate_seconds"], field="rate_seconds"),
        waiting_room=entered["waiting_room"] == CHECKED,
        report_threshold=rules.parse_whole(entered["report_threshold"], field="report_threshold"),
    )


async def lift_ban(
    s: AsyncSession, group: Group, user: User, entered: dict[str, str], request: Request
) -> None:
    """An "Unban" button. A ban someone else lifted a moment ago counts as done."""
    assert group.id is not None
    try:
        await moderation.unban(s, group_id=group.id, user_id=request.path_params["user_id"], actor=user)
    except groups.NotFound:
        await moderation.require(s, action=Action.unban, user=user, group_id=group.id)


async def unblock(request: Request) -> Response:
    """`POST /account/blocks/{user_id}/unblock`: back to the account page, the list updated."""
    user = await current_user(request)
    if user is None or user.id is None:
        return redirect("/login?next=/account")
    try:
        await form_data(request)
    except FormRejected as exc:
        return exc.response
    async with hearth(request).db.session() as s:
        await moderation.unblock(s, user_id=user.id, blocked_id=request.path_params["user_id"])
    return redirect("/account?unblocked=1#blocks")


def moderation_page_routes() -> list[Route]:
    return [Route("/account/blocks/{user_id:int}/unblock", unblock, methods=["POST"])]
