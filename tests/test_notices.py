"""New notices, on SQLite and PostgreSQL: the count next to "My meetings" in the main
navigation (heard by screen readers as "My meetings, 2 new notices"), the new ones marked on
My meetings and seen from then on, the API's `unread`, `new` and `POST /me/notices/seen`, and
the notice a member moved up from a waitlist gets, which nobody else sees."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from attendance_helpers import RApp, app, register, sql
from group_helpers import HOST, MEMBER, OTHER, as_user, new_group, new_meeting, people
from page_helpers import post_form, section, text_of
from support import STRONG_PASSWORD

from meeting.api.attendance import ENDPOINTS_ATTENDANCE
from meeting.api.openapi import document
from meeting.attendance import notices
from meeting.web.localtime import span_text

pytestmark = pytest.mark.postgres
__all__ = ["app"]  # the fixture, with the attendance routes
ANN = "ann@example.org"


def nav_link(html: str) -> tuple[str, str]:
    """The "My meetings" link of the main navigation: its accessible name (what a screen reader
    says: its aria-label, else its words) and what is seen (aria-hidden parts included)."""
    nav = html[html.index('<nav aria-label="Main">') : html.index("</nav>")]
    match = re.search(r'<a href="/me/meetings"([^>]*)>(.*?)</a>', nav, re.DOTALL)
    assert match, nav
    label = re.search(r'aria-label="([^"]*)"', match.group(1))
    seen = text_of(match.group(2))
    if label:
        return label.group(1), seen
    return text_of(re.sub(r'<span[^>]*aria-hidden="true"[^>]*>.*?</span>', "", match.group(2))), seen


async def nav_on(app: RApp, path: str = "/directory") -> str:
    """What a screen reader says for "My meetings" on `path`."""
    r = await app.client.get(path)
    assert r.status_code == 200, r.text
    return nav_link(r.text)[0]


async def group_and_meeting(app: RApp, **group: Any) -> tuple[int, dict[str, Any]]:
    await as_user(app, HOST)
    g = await new_group(app, **({"size_limit": 2} | group))
    r = await new_meeting(app, g["id"])
    assert r.status_code == 201, r.text
    return int(g["id"]), r.json()


async def join_and_rsvp(app: RApp, group_id: int, meeting_id: int, *emails: str) -> list[str]:
    statuses = []
    for email in emails:
        await as_user(app, email)
        assert (await app.client.post(f"/api/v1/groups/{group_id}/members")).status_code == 200
        r = await app.client.post(f"/api/v1/meetings/{meeting_id}/rsvp")
        assert r.status_code == 200, r.text
        statuses.append(str(r.json()["status"]))
    return statuses


async def my_notices(app: RApp) -> dict[str, Any]:
    r = await app.client.get("/api/v1/me/notices")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_the_count_shows_after_a_cancellation_until_my_meetings_is_opened(app: RApp) -> None:
    await people(app)
    group, meeting = await group_and_meeting(app)
    await as_user(app, HOST)
    later = (await new_meeting(app, group, start_in=180)).json()
    await join_and_rsvp(app, group, meeting["id"], MEMBER)
    await app.client.post(f"/api/v1/meetings/{later['id']}/rsvp")
    assert await nav_on(app) == "My meetings"

    await as_user(app, HOST)
    assert (await app.client.post(f"/api/v1/meetings/{meeting['id']}/cancel")).status_code == 200
    await as_user(app, MEMBER)
    html = (await app.client.get("/account")).text
    assert nav_link(html) == ("My meetings, 1 new notice", "My meetings1")  # the pill has a margin
    assert '<span class="nav-count" aria-hidden="true">1</span>' in html
    assert await nav_on(app, "/directory") == "My meetings, 1 new notice"  # on every page

    page = (await app.client.get("/me/meetings")).text
    assert nav_link(page)[0] == "My meetings"  # seen, now that the page shows them
    news = section(page, "notices")
    assert '<li class="notice-cancelled notice-new">' in news
    assert "News about your meetings (1 new)" in text_of(news)
    assert news.count('<strong class="new-tag">New</strong>') == 1
    assert "the meeting on" in text_of(news)
    again = (await app.client.get("/me/meetings")).text
    assert "notice-new" not in again
    assert "(1 new)" not in text_of(section(again, "notices"))
    assert await nav_on(app, "/account") == "My meetings"

    await as_user(app, HOST)  # archiving: a group-wide notice and one for the cancelled meeting
    assert (await app.client.post(f"/api/v1/groups/{group}/archive")).status_code == 200
    await as_user(app, MEMBER)
    assert await nav_on(app) == "My meetings, 2 new notices"
    await as_user(app, OTHER)  # no role, no RSVP: nothing new
    assert await nav_on(app) == "My meetings"


async def test_the_api_marks_new_notices_and_marks_them_seen(app: RApp) -> None:
    await people(app)
    group, meeting = await group_and_meeting(app)
    await as_user(app, HOST)
    later = (await new_meeting(app, group, start_in=180)).json()
    await join_and_rsvp(app, group, meeting["id"], MEMBER)
    await app.client.post(f"/api/v1/meetings/{later['id']}/rsvp")
    await as_user(app, HOST)
    for m in (meeting, later):
        assert (await app.client.post(f"/api/v1/meetings/{m['id']}/cancel")).status_code == 200
    await as_user(app, MEMBER)
    found = await my_notices(app)
    assert found["unread"] == 2
    assert [(n["meeting_id"], n["new"]) for n in found["notices"]] == [
        (later["id"], True),
        (meeting["id"], True),
    ]

    older = found["notices"][1]["created_at"]
    r = await app.client.post("/api/v1/me/notices/seen", json={"up_to": older})
    assert r.status_code == 200, r.text
    assert r.json()["unread"] == 1
    assert [n["new"] for n in (await my_notices(app))["notices"]] == [True, False]
    assert await nav_on(app) == "My meetings, 1 new notice"
    r = await app.client.post("/api/v1/me/notices/seen", json={"up_to": "2000-01-01T00:00:00Z"})
    assert r.json()["unread"] == 1  # never moves back
    r = await app.client.post("/api/v1/me/notices/seen")  # no body: all of them, up to now
    assert (r.status_code, r.json()["unread"]) == (200, 0)
    assert datetime.fromisoformat(r.json()["seen_up_to"]) >= datetime.fromisoformat(older)
    after = await my_notices(app)
    assert (after["unread"], [n["new"] for n in after["notices"]]) == (0, [False, False])
    assert await nav_on(app) == "My meetings"

    for body, status in (({"up_to": "yesterday"}, 422), ({"colour": "blue"}, 422)):
        assert (await app.client.post("/api/v1/me/notices/seen", json=body)).status_code == status
    r = await app.client.post("/api/v1/me/notices/seen", headers={"origin": "https://evil.example"})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "bad_origin")
    await app.client.delete("/api/v1/session")
    r = await app.client.post("/api/v1/me/notices/seen")
    assert (r.status_code, r.json()["error"]["code"]) == (401, "not_authenticated")


async def test_visitors_who_are_not_signed_in_cost_no_query(
    app: RApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    counted = notices.unread_count

    async def counting(s: Any, *, user_id: int, now: datetime | None = None) -> int:
        calls.append(user_id)
        return await counted(s, user_id=user_id, now=now)

    monkeypatch.setattr(notices, "unread_count", counting)
    for path in ("/", "/login", "/register", "/help"):
        r = await app.client.get(path)
        assert r.status_code == 200, path
        assert "nav-count" not in r.text
    assert calls == []
    ids = await people(app)
    await as_user(app, MEMBER)
    assert (await app.client.get("/")).status_code == 200
    assert calls == [ids[MEMBER]]


async def test_only_the_member_moved_up_is_told_a_seat_opened_up(app: RApp) -> None:
    ids = await people(app) | await register(app, "Ann")
    group, meeting = await group_and_meeting(app, size_limit=1)
    assert await join_and_rsvp(app, group, meeting["id"], MEMBER, OTHER, ANN) == [
        "going",
        "waitlist",
        "waitlist",
    ]
    await as_user(app, OTHER)
    await app.client.put("/api/v1/me/preferences", json={"timezone": "Asia/Tokyo"})
    await as_user(app, MEMBER)
    assert (await app.client.delete(f"/api/v1/meetings/{meeting['id']}/rsvp")).status_code == 204

    await as_user(app, OTHER)
    found = await my_notices(app)
    assert found["unread"] == 1
    [told] = found["notices"]
    assert (told["kind"], told["meeting_id"], told["group_name"], told["new"]) == (
        "promoted",
        meeting["id"],
        "Grief circle",
        True,
    )
    tokyo = datetime.fromisoformat(meeting["starts_at"]).astimezone(ZoneInfo("Asia/Tokyo"))
    assert told["message"] == f"A seat opened up: you're going to Tuesday on {tokyo:%a %d %b %Y, %H:%M} JST."
    assert await nav_on(app) == "My meetings, 1 new notice"
    page = (await app.client.get("/me/meetings")).text
    news = section(page, "notices")
    assert '<li class="notice-promoted notice-new">' in news
    starts, ends = (datetime.fromisoformat(meeting[k]) for k in ("starts_at", "ends_at"))
    when = span_text(starts, ends, ZoneInfo("Asia/Tokyo"))
    assert f"A seat opened up: you're going to Grief circle: Tuesday on {when}." in text_of(news)
    assert "JST" in when

    for email in (ANN, MEMBER, HOST):  # still waiting, gave the seat up, runs the group
        await as_user(app, email)
        assert (await my_notices(app))["notices"] == [], email
        assert await nav_on(app) == "My meetings", email
    rows = await sql(app, "SELECT user_id, kind FROM group_notices")
    assert rows == [(ids[OTHER], "promoted")]


async def test_a_raised_size_limit_tells_those_it_moved_up_and_accounts_take_their_notices_along(
    app: RApp,
) -> None:
    ids = await people(app) | await register(app, "Ann")
    group, meeting = await group_and_meeting(app, size_limit=1)
    await join_and_rsvp(app, group, meeting["id"], MEMBER, ANN)
    await as_user(app, HOST)
    assert (await app.client.patch(f"/api/v1/groups/{group}", json={"size_limit": 2})).status_code == 200
    await as_user(app, ANN)
    assert [n["kind"] for n in (await my_notices(app))["notices"]] == ["promoted"]
    r = await app.client.request("DELETE", "/api/v1/me", json={"password": STRONG_PASSWORD})
    assert r.status_code == 200
    assert await sql(app, "SELECT count(*) FROM group_notices WHERE user_id = :u", u=ids[ANN]) == [(0,)]


async def test_the_my_meetings_cancel_form_tells_who_moved_up(app: RApp) -> None:
    await people(app)
    group, meeting = await group_and_meeting(app, size_limit=1)
    await join_and_rsvp(app, group, meeting["id"], MEMBER, OTHER)
    await as_user(app, MEMBER)
    action = f"/groups/{group}/meetings/{meeting['id']}/rsvp/cancel"
    r = await post_form(app, "/me/meetings", action, {"back": "me"})
    assert (r.status_code, r.headers["location"]) == (303, "/me/meetings?done=cancelled#meetings")
    await as_user(app, OTHER)
    assert [n["kind"] for n in (await my_notices(app))["notices"]] == ["promoted"]


def test_the_openapi_document_describes_the_notice_endpoints() -> None:
    doc = document(ENDPOINTS_ATTENDANCE)
    assert set(doc["paths"]["/api/v1/me/notices/seen"]) == {"post"}
    schemas = doc["components"]["schemas"]
    assert {"unread", "notices"} <= set(schemas["NoticeList"]["properties"])
    notice = schemas["NoticeList"]["$defs"]["NoticePublic"]
    assert "new" in notice["properties"]
    assert "promoted" in str(notice["properties"]["kind"])
    assert set(schemas["NoticesSeenPublic"]["properties"]) == {"seen_up_to", "unread"}


async def test_every_notice_endpoint_needs_a_login(app: RApp) -> None:
    for method, path in (("GET", "/api/v1/me/notices"), ("POST", "/api/v1/me/notices/seen")):
        r: httpx.Response = await app.client.request(method, path, json={} if method == "POST" else None)
        assert (r.status_code, r.json()["error"]["code"]) == (401, "not_authenticated")
