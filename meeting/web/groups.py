"""Group pages: `/groups` (yours and others), `/groups/new`, `/groups/{id}` and its forms.

Like every page, each POST checks CSRF and Origin first (`form_data`), re-renders the page
with the person's input and the error named on failure, and redirects with 303 on success.
Who may do what comes from `meeting.groups.service` (and so `moderation.permissions`); the
page only hides forms a person could not use. What each form of the group page does is in
`meeting.web.group_actions`; the directory fields of "Create a group" are read as the
dashboard's "Group details" reads them (`meeting.web.directory_fields`). Room status and
opening times follow the configured window (`HEARTH_ROOM_OPENS_MINUTES`, `..._GRACE_MINUTES`).
Meeting times are typed as local wall-clock time in a chosen time zone (default UTC) and
stored in UTC. `/meetings/{id}` is the room page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meeting.accounts.models import User
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import requests, service
from meeting.groups.models import DEFAULT_GUIDELINES, Group, JoinRequest, Meeting
from meeting.groups.window import RoomWindow
from meeting.web.directory import group_page_extras
from meeting.web.directory_fields import (
    directory_choices,
    directory_entered,
    directory_values,
    new_group_form,
)
from meeting.web.group_actions import ACTIONS
from meeting.web.localtime import zone_names
from meeting.web.moderation import RULE_FIELDS, group_sections
from meeting.web.pages import FormRejected, form_data, redirect, signed_in, signed_in_form, text
from meeting.web.templating import error_page, render
from moderation.permissions import Action, may

NOTICES = {
    "created": "Your group is ready. You are its host.",
    "joined": "You joined this group. Welcome.",
    "accepted": "Thank you for accepting the guidelines.",
    "scheduled": "The meeting was added.",
    "facilitator": "The facilitator was assigned.",
    "guidelines": "The guidelines were updated. Members will be asked to accept the new version.",
    "opened": "The room is open.",
    "ended": "The meeting has ended.",
    "rules": "The room rules were saved. They apply to everyone who enters a meeting from now on.",
    "unbanned": "The ban was lifted. They can join this group's meetings again.",
    "asked": "You asked to join. A host or facilitator will answer; the group's page will show it.",
    "answered": "Thank you: the request was answered.",
    "going": "You're going. The meeting is in My meetings, with a calendar file.",
    "waitlist": "This meeting is full, so you're on its waitlist. If a seat frees up, it's yours.",
    "rsvp_cancelled": "Your RSVP was cancelled. Thank you for letting the group know.",
    "visiting": "You're visiting this meeting: you can listen and react. Afterwards you're welcome to join.",
    "cancelled": "The meeting was cancelled. Members who RSVPed will be told.",
}


def when(meeting: Meeting) -> str:
    """Like "Tue 6 May 2031, 18:00 to 19:30 UTC"; the end's date is added when it differs."""
    start, end = meeting.starts_at, meeting.ends_at
    end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{_day(end)}, {end:%H:%M}"
    return f"{_day(start)}, {start:%H:%M} to {end_text} UTC"


def _day(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


async def groups_index(request: Request) -> Response:
    user = await signed_in(request, "/groups")
    if isinstance(user, Response):
        return user
    assert user.id is not None
    async with hearth(request).db.session() as s:
        mine = await service.groups_of(s, user_id=user.id)
        everyone = await service.all_groups(s)
    ids = {group.id for group, _ in mine}
    ctx = {
        "active": "groups",
        "mine": mine,
        "others": [g for g in everyone if g.id not in ids],
        "may_create": may(Action.create_group, platform_role=user.role, group_role=None),
    }
    return await render(request, "groups/index.html", ctx)


async def new_group(request: Request) -> Response:
    """`/groups/new`: the form (GET), or create the group with its directory fields (POST)."""
    user = await signed_in(request, "/groups/new")
    if isinstance(user, Response):
        return user
    if not may(Action.create_group, platform_role=user.role, group_role=None):
        return await error_page(
            request,
            403,
            "Only hosts can create groups",
            _CREATE_REFUSED,
            back="/groups",
            back_label="Back to groups",
        )
    if request.method == "GET":
        return await _new_group_form(request, {"guidelines": DEFAULT_GUIDELINES} | new_group_form())
    try:
        form = await form_data(request)
    except FormRejected as exc:
        return exc.response
    entered: dict[str, Any] = {key: text(form, key) for key in ("name", "description", "guidelines")}
    directory = directory_entered(form)
    try:
        group = await _create_group(request, user, entered, directory_values(directory))
    except service.GroupError as exc:
        shown = entered | new_group_form() | directory
        errors = {exc.field or "_": str(exc)}
        return await _new_group_form(request, shown, errors=errors, status=http_status(exc))
    return redirect(f"/groups/{group.id}?done=created")


async def _new_group_form(
    request: Request, shown: dict[str, Any], *, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    ctx = {"active": "groups", "form": shown, "errors": errors or {}, "choices": directory_choices()}
    return await render(request, "groups/new.html", ctx, status=status)


async def _create_group(
    request: Request, user: User, entered: dict[str, Any], directory: dict[str, Any]
) -> Group:
    async with hearth(request).db.session() as s:
        return await service.create_group(
            s,
            creator=user,
            name=entered["name"],
            description=entered["description"],
            guidelines=entered["guidelines"],
            **directory,
        )


_CREATE_REFUSED = "Only hosts and administrators can create groups. An administrator can make you a host."


async def group_page(request: Request) -> Response:
    return await show_group_page(request)


async def show_group_page(request: Request, *, status: int = 200, **extra: Any) -> Response:
    """The group page for `request`'s group, answered with `status` and `extra` in its context
    (e.g. `section_errors` to show a refused form where the person used it)."""
    group_id: int = request.path_params["group_id"]
    user = await signed_in(request, f"/groups/{group_id}")
    if isinstance(user, Response):
        return user
    assert user.id is not None
    try:
        async with hearth(request).db.session() as s:
            group = await service.get_group(s, group_id=group_id)
            role = await service.role_in(s, group_id=group_id, user_id=user.id)
            accepted = await service.accepted_version(s, group_id=group_id, user_id=user.id)
            meetings = await service.meetings_of(s, group_id=group_id)
            moderation_ctx = await group_sections(
                s, group=group, user=user, role=role, meetings=meetings, request=request
            )
            extras = await group_page_extras(
                s, request=request, group=group, user=user, role=role, meetings=meetings
            )
            if may(Action.open_meeting, platform_role=user.role, group_role=role):
                extras["join_requests"] = await requests.pending_requests(s, group=group, actor=user)
            else:
                extras["asked"] = await s.get(JoinRequest, (group_id, user.id)) is not None
    except service.NotFound:
        return await group_not_found(request)
    now = utcnow()
    window = RoomWindow.from_settings(hearth(request).settings)

    def can(action: Action) -> bool:
        return may(action, platform_role=user.role, group_role=role)

    ctx: dict[str, Any] = {
        "active": "groups",
        "group": group,
        "role": role,
        "accepted": accepted,
        "meetings": [
            {
                "m": m,
                "when": when(m),
                "status": service.status_of(m, now=now, window=window),
                "opens": window.opens_at(m),
            }
            for m in meetings
        ],
        "can_enter": can(Action.enter_room),
        "can_run": can(Action.open_meeting),
        "can_host": can(Action.create_meeting),
        "time_zones": zone_names(),
        "notice": NOTICES.get(request.query_params.get("done", "")),
        "page_error": None,
        "section_errors": {},
        "section_forms": {"schedule": {"timezone": "UTC"}},
        **moderation_ctx,
        **extras,
    }
    return await render(request, "groups/page.html", ctx | extra, status=status)


async def _act(request: Request, section: str, fields: tuple[str, ...], done: str) -> Response:
    """Run one group form: check it, call the service, redirect or re-render with the error.

    `section` is the id of the page section the form is in: the redirect returns there, and
    a failure is shown there, with what was typed kept.
    """
    group_id: int = request.path_params["group_id"]
    found = await signed_in_form(request, f"/groups/{group_id}")
    if isinstance(found, Response):
        return found
    user, form = found
    entered = {key: text(form, key) for key in fields}
    try:
        async with hearth(request).db.session() as s:
            group = await service.get_group(s, group_id=group_id)
            await ACTIONS[section](s, group, user, entered, request)
    except service.GroupError as exc:
        if isinstance(exc, service.NotFound) and exc.field is None:
            return await error_page(
                request, 404, "Not found", str(exc), back="/groups", back_label="Back to groups"
            )
        if isinstance(exc, service.Forbidden):  # its form may not even be on this person's page
            return await show_group_page(request, status=403, page_error=str(exc))
        field = {"text": "guidelines_text", "version": "_"}.get(exc.field or "_", exc.field or "_")
        return await show_group_page(
            request,
            status=http_status(exc),
            section_errors={section: {field: str(exc)}},
            section_forms={section: entered},
        )
    return redirect(f"/groups/{group_id}?done={done}#{section}")


async def join(request: Request) -> Response:
    return await _act(request, "membership", (), "joined")


async def ask(request: Request) -> Response:
    return await _act(request, "asking", (), "asked")


async def answer(request: Request) -> Response:
    return await _act(request, "requests", ("user_id", "approve"), "answered")


async def accept(request: Request) -> Response:
    return await _act(request, "guidelines", ("version",), "accepted")


async def schedule(request: Request) -> Response:
    return await _act(request, "schedule", ("title", "starts_at", "ends_at", "timezone"), "scheduled")


async def facilitator(request: Request) -> Response:
    return await _act(request, "facilitators", ("email",), "facilitator")


async def edit_guidelines(request: Request) -> Response:
    return await _act(request, "edit-guidelines", ("guidelines_text",), "guidelines")


async def meeting_state(request: Request) -> Response:
    done = "ended" if request.url.path.endswith("/end") else "opened"
    return await _act(request, "meetings", (), done)


async def room_rules(request: Request) -> Response:
    return await _act(request, "rules", RULE_FIELDS, "rules")


async def unban(request: Request) -> Response:
    return await _act(request, "bans", (), "unbanned")


async def group_not_found(request: Request) -> Response:
    """The 404 page of a group page or dashboard whose group does not exist."""
    back = {"back": "/groups", "back_label": "Back to groups"}
    return await error_page(request, 404, "Group not found", "There is no such group.", **back)


def http_status(exc: service.GroupError) -> int:
    """The HTTP status a page answers a refused group action with (422 for bad input)."""
    return {
        service.Forbidden: 403,
        service.NotFound: 404,
        service.GuidelinesChanged: 409,
        service.MeetingEnded: 409,
    }.get(type(exc), 422)


def group_page_routes() -> list[Route]:
    return [
        Route("/groups", groups_index, methods=["GET"]),
        Route("/groups/new", new_group, methods=["GET", "POST"]),
        Route("/groups/{group_id:int}", group_page, methods=["GET"]),
        Route("/groups/{group_id:int}/join", join, methods=["POST"]),
        Route("/groups/{group_id:int}/ask", ask, methods=["POST"]),
        Route("/groups/{group_id:int}/requests", answer, methods=["POST"]),
        Route("/groups/{group_id:int}/agreement", accept, methods=["POST"]),
        Route("/groups/{group_id:int}/meetings", schedule, methods=["POST"]),
        Route("/groups/{group_id:int}/facilitators", facilitator, methods=["POST"]),
        Route("/groups/{group_id:int}/guidelines", edit_guidelines, methods=["POST"]),
        Route("/groups/{group_id:int}/meetings/{meeting_id:int}/open", meeting_state, methods=["POST"]),
        Route("/groups/{group_id:int}/meetings/{meeting_id:int}/end", meeting_state, methods=["POST"]),
        Route("/groups/{group_id:int}/rules", room_rules, methods=["POST"]),
        Route("/groups/{group_id:int}/bans/{user_id:int}/lift", unban, methods=["POST"]),
    ]
