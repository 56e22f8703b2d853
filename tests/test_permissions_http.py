"""Who may use each moderation endpoint, as a table: every HTTP moderation action against every
kind of person, on SQLite and PostgreSQL. A refusal is always 403 `forbidden`, never a 404 or
a partial answer, and it changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from group_helpers import as_user
from moderation_helpers import (
    ADMIN,
    BANNED,
    FACILITATOR,
    FACILITATOR_ELSEWHERE,
    HOST,
    MEMBER,
    VISITOR,
    Cast,
    cast,
)
from support import App

from meeting.api import ENDPOINTS

pytestmark = pytest.mark.postgres

RULES = {
    "allow_links": True,
    "blocked_terms": "",
    "rate_messages": 5,
    "rate_seconds": 10,
    "waiting_room": False,
    "report_threshold": 3,
}
Call = Callable[[App, Cast], Awaitable[httpx.Response]]

# action: (the request, its success status, who may)
ACTIONS: dict[str, tuple[Call, int, frozenset[str]]] = {
    "view_audit": (
        lambda app, c: app.client.get(f"/api/v1/groups/{c.group}/audit"),
        200,
        frozenset({ADMIN, HOST}),
    ),
    "view_rules": (
        lambda app, c: app.client.get(f"/api/v1/groups/{c.group}/rules"),
        200,
        frozenset({ADMIN, HOST, FACILITATOR}),
    ),
    "view_bans": (
        lambda app, c: app.client.get(f"/api/v1/groups/{c.group}/bans"),
        200,
        frozenset({ADMIN, HOST, FACILITATOR}),
    ),
    "edit_rules": (
        lambda app, c: app.client.put(f"/api/v1/groups/{c.group}/rules", json=RULES),
        200,
        frozenset({ADMIN, HOST}),
    ),
    "unban": (  # last: it changes what the others would see
        lambda app, c: app.client.delete(f"/api/v1/groups/{c.group}/bans/{c.ids[BANNED]}"),
        204,
        frozenset({ADMIN, HOST, FACILITATOR}),
    ),
}
ROLES = {
    ADMIN: "platform admin (no role in the group)",
    HOST: "the group's host",
    FACILITATOR: "a facilitator of the group",
    MEMBER: "a member of the group",
    VISITOR: "a member of another group only",
    FACILITATOR_ELSEWHERE: "a facilitator of another group",
}


@pytest.mark.parametrize("who", list(ROLES), ids=list(ROLES.values()))
async def test_each_moderation_action_is_allowed_or_403(app: App, who: str) -> None:
    c = await cast(app)
    await as_user(app, who)
    expected, got = {}, {}
    for action, (call, success, allowed) in ACTIONS.items():
        expected[action] = success if who in allowed else 403
        r = await call(app, c)
        got[action] = r.status_code
        if r.status_code == 403:
            assert r.json()["error"]["code"] == "forbidden", action
            assert "host" in r.json()["error"]["message"], action  # it says who may
    assert got == expected
    await as_user(app, HOST)
    rules = (await app.client.get(f"/api/v1/groups/{c.group}/rules")).json()
    assert rules["allow_links"] is (who in ACTIONS["edit_rules"][2])  # a refusal changed nothing
    bans = (await app.client.get(f"/api/v1/groups/{c.group}/bans")).json()["bans"]
    assert len(bans) == (0 if who in ACTIONS["unban"][2] else 1)


ROUTES = {  # the endpoint each action of the table calls
    "view_audit": ("GET", "/groups/{id}/audit"),
    "view_rules": ("GET", "/groups/{id}/rules"),
    "view_bans": ("GET", "/groups/{id}/bans"),
    "edit_rules": ("PUT", "/groups/{id}/rules"),
    "unban": ("DELETE", "/groups/{id}/bans/{user_id}"),
}


def test_the_table_covers_every_group_moderation_endpoint() -> None:
    group_moderation = {
        (e.method, e.path)
        for e in ENDPOINTS
        if e.handler.__module__ == "meeting.api.moderation" and e.path.startswith("/groups/")
    }
    assert set(ROUTES) == set(ACTIONS)
    assert set(ROUTES.values()) == group_moderation
