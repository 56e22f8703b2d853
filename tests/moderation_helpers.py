"""Helpers for the moderation tests: a cast with every kind of standing, and the room's ledger.

`cast(app)` registers (first) a platform admin, then a group host, a facilitator, a member,
a member to ban, a visitor (a member of another group only) and a facilitator of that other
group; makes both groups and a meeting; and bans the member to ban from the room's side.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from group_helpers import as_user, new_group, new_meeting, set_platform_role
from support import App

from meeting.db import Database
from meeting.moderation.ledger import MeetingLedger

ADMIN = "ada@example.org"
HOST = "hal@example.org"
FACILITATOR = "fay@example.org"
MEMBER = "mo@example.org"
BANNED = "bo@example.org"
VISITOR = "vi@example.org"
FACILITATOR_ELSEWHERE = "fe@example.org"
NAMES = {
    ADMIN: "Ada",
    HOST: "Hal",
    FACILITATOR: "Fay",
    MEMBER: "Mo",
    BANNED: "Bo",
    VISITOR: "Vi",
    FACILITATOR_ELSEWHERE: "Fe",
}


@dataclass
class Cast:
    ids: dict[str, int]  # email -> user id
    group: int  # hosted by HOST; FACILITATOR, MEMBER and BANNED belong to it
    elsewhere: int  # VISITOR and FACILITATOR_ELSEWHERE belong to this one only
    meeting: int  # in `group`


@asynccontextmanager
async def ledger(app: App) -> AsyncIterator[MeetingLedger]:
    """The ledger the room engine would use, over the app's database."""
    db = Database(app.settings.database_url)
    try:
        yield MeetingLedger(db)
    finally:
        await db.close()


async def _join(app: App, email: str, group_id: int) -> None:
    await as_user(app, email)
    r = await app.client.post(f"/api/v1/groups/{group_id}/members")
    assert r.status_code == 200, r.text


async def cast(app: App) -> Cast:
    ids: dict[str, int] = {}
    for email, name in NAMES.items():
        r = await app.register(email, name=name)
        assert r.status_code == 201, r.text
        ids[email] = r.json()["id"]
    await set_platform_role(app, HOST, "host")
    await as_user(app, HOST)
    group = (await new_group(app, name="Grief circle"))["id"]
    elsewhere = (await new_group(app, name="Carers"))["id"]
    r = await new_meeting(app, group)
    assert r.status_code == 201, r.text
    meeting = r.json()["id"]
    for email in (FACILITATOR, MEMBER, BANNED):
        await _join(app, email, group)
    for email in (VISITOR, FACILITATOR_ELSEWHERE):
        await _join(app, email, elsewhere)
    await as_user(app, HOST)
    for group_id, email in ((group, FACILITATOR), (elsewhere, FACILITATOR_ELSEWHERE)):
        r = await app.client.post(f"/api/v1/groups/{group_id}/facilitators", json={"user_id": ids[email]})
        assert r.status_code == 200, r.text
    async with ledger(app) as room:
        await room.ban(
            meeting_id=meeting, actor_id=ids[FACILITATOR], user_id=ids[BANNED], reason="harassment"
        )
    return Cast(ids, group, elsewhere, meeting)


async def lone_host(app: App) -> int:
    """The quickest setup: one account (so the platform admin) hosting one group; its id."""
    r = await app.register(ADMIN, name="Ada")
    assert r.status_code == 201, r.text
    await as_user(app, ADMIN)
    return int((await new_group(app))["id"])


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def post_form(app: App, page: str, action: str, fields: dict[str, str] | None = None) -> httpx.Response:
    """Submit a form at `action` the way a browser would after loading `page` (with its CSRF token)."""
    token = csrf_from((await app.client.get(page)).text)
    return await app.client.post(action, data={"csrf_token": token, **(fields or {})})
