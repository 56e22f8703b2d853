"""RSVPs, the waitlist, visitors, attendance, preferences and the member's feeds, driven as a
client would; every test runs on SQLite and PostgreSQL, the race for the last seat on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from attendance_helpers import RApp, app, register, sql
from group_helpers import ADMIN, HOST, MEMBER, OTHER, as_user, new_group, new_meeting, people
from support import STRONG_PASSWORD

from meeting.api.attendance import ENDPOINTS_ATTENDANCE
from meeting.api.openapi import document
from meeting.attendance import service as attendance
from meeting.db import Database
from meeting.gate import MeetingGate
from meeting.groups import service as groups
from meeting.groups.models import NoticeKind
from rooms.types import Member, RoomRole

pytestmark = pytest.mark.postgres
__all__ = ["app"]  # the fixture, with the attendance routes


async def group_with_meeting(app: RApp, **group: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """As HOST: a group (size 2 unless said) and a meeting in an hour."""
    await as_user(app, HOST)
    g = await new_group(app, **({"size_limit": 2} | group))
    r = await new_meeting(app, g["id"])
    assert r.status_code == 201, r.text
    return g, r.json()


async def join(app: RApp, group_id: int, *emails: str) -> None:
    for email in emails:
        await as_user(app, email)
        assert (await app.client.post(f"/api/v1/groups/{group_id}/members")).status_code == 200


async def rsvp(app: RApp, email: str, meeting_id: int) -> httpx.Response:
    await as_user(app, email)
    return await app.client.post(f"/api/v1/meetings/{meeting_id}/rsvp")


async def in_db(app: RApp) -> Database:
    return Database(app.settings.database_url)


async def test_seats_fill_then_the_waitlist_moves_up_oldest_first(app: RApp) -> None:
    ids = await people(app) | await register(app, "Ann", "Bo", "Cy")
    g, m = await group_with_meeting(app)
    url = f"/api/v1/meetings/{m['id']}"
    await app.client.post(f"/api/v1/groups/{g['id']}/facilitators", json={"user_id": ids[OTHER]})
    await join(app, g["id"], MEMBER, "ann@example.org", "bo@example.org", "cy@example.org")

    first = await rsvp(app, MEMBER, m["id"])
    assert first.status_code == 200, first.text
    assert first.json() | {"created_at": None} == {
        "meeting_id": m["id"],
        "user_id": ids[MEMBER],
        "status": "going",
        "visitor": False,
        "created_at": None,
        "waitlist_position": None,
        "seats_left": 1,
    }
    assert (await app.client.post(url + "/rsvp")).json() == first.json()  # idempotent
    assert (await rsvp(app, "ann@example.org", m["id"])).json()["seats_left"] == 0
    bo = await rsvp(app, "bo@example.org", m["id"])
    assert (bo.json()["status"], bo.json()["waitlist_position"]) == ("waitlist", 1)
    cy = await rsvp(app, "cy@example.org", m["id"])
    assert (cy.json()["status"], cy.json()["waitlist_position"]) == ("waitlist", 2)
    staff = await rsvp(app, OTHER, m["id"])  # a facilitator: always going, never takes a seat
    assert (staff.json()["status"], staff.json()["seats_left"]) == ("going", 0)
    await as_user(app, HOST)
    assert (await app.client.post(url + "/rsvp")).json()["status"] == "going"

    listed = (await app.client.get(url + "/rsvps")).json()
    assert [p["display_name"] for p in listed["going"]] == ["Mo", "Ann", "Oz", "Hal"]
    assert [p["staff"] for p in listed["going"]] == [False, False, True, True]
    assert [p["display_name"] for p in listed["waitlist"]] == ["Bo", "Cy"]
    assert listed["counts"] == {"going": 4, "waitlist": 2, "seats_taken": 2, "seats_left": 0, "size_limit": 2}
    assert "email" not in str(listed)

    await as_user(app, MEMBER)
    assert (await app.client.delete(url + "/rsvp")).status_code == 204
    assert (await app.client.delete(url + "/rsvp")).status_code == 204  # idempotent
    assert (await app.client.get(url + "/rsvp")).status_code == 404
    await as_user(app, "bo@example.org")
    mine = (await app.client.get(url + "/rsvp")).json()
    assert (mine["status"], mine["waitlist_position"], mine["seats_left"]) == ("going", None, 0)
    await as_user(app, "cy@example.org")
    assert (await app.client.get(url + "/rsvp")).json()["waitlist_position"] == 1
    await as_user(app, OTHER)  # a facilitator leaving frees no seat
    assert (await app.client.delete(url + "/rsvp")).status_code == 204
    await as_user(app, "cy@example.org")
    assert (await app.client.get(url + "/rsvp")).json()["status"] == "waitlist"


async def test_raising_the_size_limit_gives_the_waitlist_seats(app: RApp) -> None:
    await people(app)
    await register(app, "Ann")
    g, m = await group_with_meeting(app, size_limit=1)
    await join(app, g["id"], MEMBER, "ann@example.org")
    await rsvp(app, MEMBER, m["id"])
    assert (await rsvp(app, "ann@example.org", m["id"])).json()["status"] == "waitlist"
    await as_user(app, HOST)
    assert (await app.client.patch(f"/api/v1/groups/{g['id']}", json={"size_limit": 3})).status_code == 200
    await as_user(app, "ann@example.org")
    assert (await app.client.get(f"/api/v1/meetings/{m['id']}/rsvp")).json()["status"] == "going"


async def test_rsvps_to_cancelled_ended_or_past_meetings_are_refused(app: RApp) -> None:
    await people(app)
    g, m = await group_with_meeting(app)
    await join(app, g["id"], MEMBER)
    await as_user(app, HOST)
    second = (await new_meeting(app, g["id"], start_in=180)).json()
    third = (await new_meeting(app, g["id"], start_in=300)).json()
    assert (await app.client.post(f"/api/v1/meetings/{m['id']}/cancel")).status_code == 200
    assert (await app.client.post(f"/api/v1/meetings/{second['id']}/end")).status_code == 200
    await sql(
        app,
        "UPDATE meetings SET starts_at = :a, ends_at = :b WHERE id = :id",
        a=datetime.now(UTC) - timedelta(hours=3),
        b=datetime.now(UTC) - timedelta(hours=2),
        id=third["id"],
    )
    for meeting_id, code in (
        (m["id"], "meeting_cancelled"),
        (second["id"], "meeting_ended"),
        (third["id"], "meeting_ended"),
    ):
        r = await rsvp(app, MEMBER, meeting_id)
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == code
        assert "no RSVPs" in r.json()["error"]["message"]
    r = await app.client.delete(f"/api/v1/meetings/{third['id']}/rsvp")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "meeting_ended")


async def test_who_may_rsvp_and_see_the_list(app: RApp) -> None:
    ids = await people(app)
    g, m = await group_with_meeting(app, visitors_allowed=False)
    url = f"/api/v1/meetings/{m['id']}"
    await as_user(app, OTHER)  # not a member, no visitor pass
    r = await app.client.post(url + "/rsvp")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
    assert "Join this group" in r.json()["error"]["message"]
    assert (await app.client.post("/api/v1/meetings/999/rsvp")).status_code == 404
    assert (await app.client.post("/api/v1/meetings/abc/rsvp")).status_code == 404
    r = await app.client.post(url + "/rsvp", headers={"origin": "https://evil.example"})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "bad_origin")
    await join(app, g["id"], MEMBER)
    assert (await app.client.get(url + "/rsvps")).status_code == 403  # a member sees no list
    assert (await app.client.get(url + "/attendance")).status_code == 403
    await as_user(app, ADMIN)  # an admin needs no role, and takes no seat
    admin = await app.client.post(url + "/rsvp")
    assert (admin.json()["status"], admin.json()["seats_left"]) == ("going", 2)
    assert (await app.client.get(url + "/rsvps")).status_code == 200
    await sql(
        app,
        "INSERT INTO group_bans (group_id, user_id, reason, created_at) VALUES (:g, :u, '', :now)",
        g=g["id"],
        u=ids[MEMBER],
        now=datetime.now(UTC),
    )
    r = await rsvp(app, MEMBER, m["id"])
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/meetings/1/rsvp"),
        ("GET", "/api/v1/meetings/1/rsvp"),
        ("DELETE", "/api/v1/meetings/1/rsvp"),
        ("GET", "/api/v1/meetings/1/rsvps"),
        ("GET", "/api/v1/meetings/1/attendance"),
        ("POST", "/api/v1/groups/1/visit"),
        ("GET", "/api/v1/groups/1/attendance"),
        ("GET", "/api/v1/me/meetings"),
        ("GET", "/api/v1/me/notices"),
        ("GET", "/api/v1/me/preferences"),
        ("PUT", "/api/v1/me/preferences"),
        ("POST", "/api/v1/me/calendar-token"),
        ("DELETE", "/api/v1/me/calendar-token"),
        ("GET", "/api/v1/meetings/1.ics"),
    ],
)
async def test_every_endpoint_needs_a_login(app: RApp, method: str, path: str) -> None:
    r = await app.client.request(method, path, json={} if method in ("POST", "PUT") else None)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"


async def test_a_visitor_accepts_the_guidelines_and_comes_once(app: RApp) -> None:
    ids = await people(app)
    g, m = await group_with_meeting(app)
    await as_user(app, HOST)
    later = (await new_meeting(app, g["id"], start_in=24 * 60)).json()
    await as_user(app, OTHER)
    url = f"/api/v1/groups/{g['id']}/visit"
    stale = await app.client.post(url, json={"version": 2, "meeting_id": m["id"]})
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "guidelines_changed")
    r = await app.client.post(url, json={"version": 1, "meeting_id": m["id"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["group_id"], body["user_id"], body["meeting_id"], body["used_at"]) == (
        g["id"],
        ids[OTHER],
        m["id"],
        None,
    )
    assert (body["rsvp"]["status"], body["rsvp"]["visitor"], body["rsvp"]["seats_left"]) == ("going", True, 1)
    mine = (await app.client.get(f"/api/v1/groups/{g['id']}")).json()
    assert (mine["your_role"], mine["your_accepted_version"]) == (None, 1)  # the usual acceptance
    taken = await app.client.post(f"/api/v1/meetings/{later['id']}/rsvp")
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "visit_taken")

    db = await in_db(app)
    try:
        async with db.session() as s:
            assert await attendance.visitor_pass(s, user_id=ids[OTHER], meeting_id=m["id"])
            assert not await attendance.visitor_pass(s, user_id=ids[OTHER], meeting_id=later["id"])
            assert not await attendance.visitor_pass(s, user_id=ids[MEMBER], meeting_id=m["id"])
            await attendance.record_attendance(s, meeting_id=m["id"], user_id=ids[OTHER])
        async with db.session() as s:
            await attendance.record_attendance(s, meeting_id=m["id"], user_id=ids[OTHER])  # idempotent
            assert await attendance.visitor_pass(s, user_id=ids[OTHER], meeting_id=m["id"])  # re-entry
    finally:
        await db.close()
    assert (await app.client.get("/api/v1/me/notices")).json()["notices"] == []
    await as_user(app, HOST)
    assert (await app.client.post(f"/api/v1/meetings/{m['id']}/end")).status_code == 200
    figures = (await app.client.get(f"/api/v1/meetings/{m['id']}/attendance")).json()
    assert (figures["visitors"], figures["visitors_attended"], figures["attended"]) == (1, 1, 1)

    await as_user(app, OTHER)
    notices = (await app.client.get("/api/v1/me/notices")).json()["notices"]
    assert [(n["kind"], n["group_id"], n["meeting_id"]) for n in notices] == [("invited", g["id"], m["id"])]
    assert "welcome to join" in notices[0]["message"]
    again = await app.client.post(url, json={"version": 1, "meeting_id": later["id"]})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "visit_used")
    assert (await app.client.post(f"/api/v1/meetings/{later['id']}/rsvp")).json()["error"][
        "code"
    ] == "visit_used"
    await app.client.post(f"/api/v1/groups/{g['id']}/members")  # joining ends the invitation
    assert (await app.client.get("/api/v1/me/notices")).json()["notices"] == []
    member = await app.client.post(url, json={"version": 1})
    assert (member.status_code, member.json()["error"]["code"]) == (409, "already_member")
    assert (await app.client.post(f"/api/v1/meetings/{later['id']}/rsvp")).json()["visitor"] is False


async def test_the_room_gate_lets_a_visitor_in_to_listen_and_counts_them(app: RApp) -> None:
    ids = await people(app)
    g, m = await group_with_meeting(app)
    await as_user(app, OTHER)
    token = app.client.cookies["hearth_session"]
    db = await in_db(app)
    try:
        starts = datetime.fromisoformat(m["starts_at"].replace("Z", "+00:00"))
        gate = MeetingGate(db, app.settings, clock=lambda: starts)  # the meeting is on
        before = await gate.admit(session_token=token, meeting_id=m["id"])
        assert (before.member, before.close_code) == (None, 4403)  # no pass yet
        r = await app.client.post(
            f"/api/v1/groups/{g['id']}/visit", json={"version": 1, "meeting_id": m["id"]}
        )
        assert r.status_code == 200, r.text
        admitted = await gate.admit(session_token=token, meeting_id=m["id"])
        assert admitted.member == Member(ids[OTHER], "Oz", RoomRole.visitor)  # listens and reacts
    finally:
        await db.close()
    await as_user(app, HOST)
    figures = (await app.client.get(f"/api/v1/meetings/{m['id']}/attendance")).json()
    assert (figures["attended"], figures["visitors_attended"]) == (1, 1)  # counted on entry


async def test_a_visitor_may_change_meeting_by_cancelling_and_visits_need_a_welcoming_group(
    app: RApp,
) -> None:
    ids = await people(app)
    g, m = await group_with_meeting(app)
    await as_user(app, HOST)
    later = (await new_meeting(app, g["id"], start_in=24 * 60)).json()
    closed = await new_group(app, name="Closed", visitors_allowed=False)
    await as_user(app, OTHER)
    r = await app.client.post(f"/api/v1/groups/{closed['id']}/visit", json={"version": 1})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "visitors_not_allowed")
    r = await app.client.post(f"/api/v1/groups/{g['id']}/visit", json={"version": 1, "meeting_id": 99999})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_input")
    r = await app.client.post(f"/api/v1/groups/{g['id']}/visit", json={"version": 1})
    assert (r.status_code, r.json()["meeting_id"], r.json()["rsvp"]) == (200, None, None)
    assert (await app.client.post(f"/api/v1/meetings/{m['id']}/rsvp")).json()["visitor"] is True
    assert (await app.client.delete(f"/api/v1/meetings/{m['id']}/rsvp")).status_code == 204
    moved = await app.client.post(f"/api/v1/meetings/{later['id']}/rsvp")
    assert (moved.status_code, moved.json()["visitor"]) == (200, True)
    db = await in_db(app)
    try:
        async with db.session() as s:
            assert not await attendance.visitor_pass(s, user_id=ids[OTHER], meeting_id=m["id"])
            assert await attendance.visitor_pass(s, user_id=ids[OTHER], meeting_id=later["id"])
    finally:
        await db.close()
    await as_user(app, HOST)  # a host who stops taking visitors closes the pass
    await app.client.patch(f"/api/v1/groups/{g['id']}", json={"visitors_allowed": False})
    db = await in_db(app)
    try:
        async with db.session() as s:
            assert not await attendance.visitor_pass(s, user_id=ids[OTHER], meeting_id=later["id"])
    finally:
        await db.close()


async def test_attendance_figures_count_no_shows_only_after_the_meeting(app: RApp) -> None:
    ids = await people(app) | await register(app, "Ann")
    g, m = await group_with_meeting(app, size_limit=1)
    await join(app, g["id"], MEMBER, "ann@example.org")
    await rsvp(app, MEMBER, m["id"])
    await rsvp(app, "ann@example.org", m["id"])  # waitlisted
    await rsvp(app, HOST, m["id"])
    db = await in_db(app)
    try:
        async with db.session() as s:
            await attendance.record_attendance(s, meeting_id=m["id"], user_id=ids[HOST])
            await attendance.record_attendance(s, meeting_id=m["id"], user_id=ids["ann@example.org"])
    finally:
        await db.close()
    url = f"/api/v1/meetings/{m['id']}/attendance"
    before = (await app.client.get(url)).json()
    assert {k: before[k] for k in ("rsvp_going", "waitlist", "attended", "no_shows", "visitors")} == {
        "rsvp_going": 2,
        "waitlist": 1,
        "attended": 2,
        "no_shows": None,
        "visitors": 0,
    }
    await app.client.post(f"/api/v1/meetings/{m['id']}/end")
    after = (await app.client.get(url)).json()
    assert (after["no_shows"], after["state"]) == (1, "ended")  # MEMBER said going, never came
    await app.client.post(f"/api/v1/groups/{g['id']}/facilitators", json={"user_id": ids[MEMBER]})
    await as_user(app, MEMBER)  # a facilitator sees the meeting's figures, not the group's
    assert (await app.client.get(url)).status_code == 200
    assert (await app.client.get(f"/api/v1/groups/{g['id']}/attendance")).status_code == 403

    await as_user(app, HOST)
    future = (await new_meeting(app, g["id"], start_in=60 * 24 * 3)).json()
    start = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    end = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    rows = (
        await app.client.get(f"/api/v1/groups/{g['id']}/attendance", params={"from": start, "to": end})
    ).json()
    assert [r["meeting_id"] for r in rows["meetings"]] == [m["id"], future["id"]]
    assert (rows["meetings"][0]["attended"], rows["meetings"][1]["no_shows"]) == (2, None)
    assert set(rows) == {"group_id", "from", "to", "meetings"}
    default = (await app.client.get(f"/api/v1/groups/{g['id']}/attendance")).json()
    assert [r["meeting_id"] for r in default["meetings"]] == []  # the last 90 days: m starts in an hour
    for params in ({"from": "yesterday"}, {"from": end, "to": start}, {"from": "2020-01-01T00:00:00Z"}):
        bad = await app.client.get(f"/api/v1/groups/{g['id']}/attendance", params=params)
        assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_input")
    text = str(rows) + str(after)
    assert "Mo" not in text
    assert "example.org" not in text


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_the_last_seats_go_to_exactly_as_many_people_under_concurrency(app: RApp) -> None:
    names = [f"P{i}" for i in range(12)]
    await people(app)
    emails = list(await register(app, *names))
    g, m = await group_with_meeting(app, size_limit=3)
    await join(app, g["id"], *emails)
    clients = [await app.logged_in(email) for email in emails]
    try:
        url = f"/api/v1/meetings/{m['id']}/rsvp"
        answers = await asyncio.gather(*(c.post(url) for c in clients))
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        statuses = sorted(a.json()["status"] for a in answers)
        assert statuses == ["going"] * 3 + ["waitlist"] * 9
        positions = sorted(a.json()["waitlist_position"] for a in answers if a.json()["status"] == "waitlist")
        assert positions == list(range(1, 10))
        going = [c for c, a in zip(clients, answers, strict=True) if a.json()["status"] == "going"]
        waiting = [c for c, a in zip(clients, answers, strict=True) if a.json()["status"] == "waitlist"]
        # everyone going leaves while the waitlist re-RSVPs and a latecomer arrives: still 3 seats
        more = await register(app, "Late")
        await join(app, g["id"], *more)
        late = await app.logged_in(next(iter(more)))
        clients.append(late)
        await asyncio.gather(*(c.delete(url) for c in going), *(c.post(url) for c in waiting), late.post(url))
        await as_user(app, HOST)
        counts = (await app.client.get(f"/api/v1/meetings/{m['id']}/rsvps")).json()["counts"]
        assert (counts["seats_taken"], counts["going"], counts["waitlist"]) == (3, 3, 7)
    finally:
        for c in clients:
            await c.aclose()


async def test_preferences_have_defaults_and_check_what_they_are_given(app: RApp) -> None:
    await people(app)
    await as_user(app, MEMBER)
    url = "/api/v1/me/preferences"
    assert (await app.client.get(url)).json() == {
        "reminders": True,
        "reveal_group_name": False,
        "timezone": None,
    }
    r = await app.client.put(url, json={"timezone": "europe/berlin", "reminders": False})
    assert r.json() == {"reminders": False, "reveal_group_name": False, "timezone": "Europe/Berlin"}
    r = await app.client.put(url, json={"reveal_group_name": True})
    assert r.json() == {"reminders": False, "reveal_group_name": True, "timezone": "Europe/Berlin"}
    assert (await app.client.get(url)).json() == r.json()
    for body, words in (
        ({"timezone": "EST"}, "IANA"),
        ({"timezone": "+02:00"}, "IANA"),
        ({"reminders": None}, "reminders"),
        ({"colour": "blue"}, "Unknown field 'colour'"),
        ({"reminders": "sometimes"}, "reminders"),
    ):
        bad = await app.client.put(url, json=body)
        assert bad.status_code == 422, body
        assert words in bad.json()["error"]["message"]
    assert (await app.client.put(url, json={"timezone": None})).json()["timezone"] is None
    await as_user(app, HOST)  # each member's own
    assert (await app.client.get(url)).json()["reminders"] is True


async def test_my_meetings_lists_upcoming_rsvps_in_my_time_zone(app: RApp) -> None:
    await people(app)
    await register(app, "Ann")
    g, m = await group_with_meeting(app, size_limit=1)
    await as_user(app, HOST)
    later = (await new_meeting(app, g["id"], start_in=48 * 60, title="Later")).json()
    gone = (await new_meeting(app, g["id"], start_in=30)).json()
    await join(app, g["id"], "ann@example.org", MEMBER)
    await rsvp(app, MEMBER, m["id"])
    for meeting_id in (m["id"], later["id"], gone["id"]):
        await rsvp(app, "ann@example.org", meeting_id)
    await sql(
        app,
        "UPDATE meetings SET starts_at = :a, ends_at = :b WHERE id = :id",
        a=datetime.now(UTC) - timedelta(hours=3),
        b=datetime.now(UTC) - timedelta(hours=2),
        id=gone["id"],
    )
    await app.client.put("/api/v1/me/preferences", json={"timezone": "America/New_York"})
    mine = (await app.client.get("/api/v1/me/meetings")).json()
    assert mine["timezone"] == "America/New_York"
    rows = mine["meetings"]
    assert [r["meeting_id"] for r in rows] == [m["id"], later["id"]]  # soonest first, past ones gone
    first = rows[0]
    assert (first["rsvp_status"], first["waitlist_position"], first["seats_left"]) == ("waitlist", 1, 0)
    assert (first["room_status"], first["state"], first["room_url"]) == (
        "not_yet",
        "scheduled",
        f"/meetings/{m['id']}",
    )
    local = datetime.fromisoformat(first["local_starts_at"])
    assert local == datetime.fromisoformat(first["starts_at"])
    assert local.utcoffset() in (timedelta(hours=-5), timedelta(hours=-4))
    assert rows[1]["rsvp_status"] == "going"
    berlin = (await app.client.get("/api/v1/me/meetings", params={"tz": "Europe/Berlin"})).json()
    assert berlin["timezone"] == "Europe/Berlin"
    bad = await app.client.get("/api/v1/me/meetings", params={"tz": "Mars/Olympus"})
    assert bad.status_code == 422
    await as_user(app, HOST)
    await app.client.post(f"/api/v1/meetings/{later['id']}/cancel")
    await as_user(app, "ann@example.org")
    rows = (await app.client.get("/api/v1/me/meetings")).json()["meetings"]
    assert [(r["meeting_id"], r["room_status"]) for r in rows] == [
        (m["id"], "not_yet"),
        (later["id"], "cancelled"),
    ]


async def test_notices_reach_who_rsvped_and_the_groups_members(app: RApp) -> None:
    ids = await people(app)
    g, m = await group_with_meeting(app)
    await as_user(app, HOST)
    other = (await new_meeting(app, g["id"], start_in=24 * 60)).json()
    await join(app, g["id"], MEMBER, OTHER)
    await rsvp(app, MEMBER, m["id"])
    await as_user(app, HOST)
    assert (await app.client.post(f"/api/v1/meetings/{m['id']}/cancel")).status_code == 200
    db = await in_db(app)
    try:
        async with db.session() as s:  # a move, as a series edit or a meeting edit records it
            await groups.record_notice(
                s,
                group_id=g["id"],
                kind=NoticeKind.moved,
                meeting_id=other["id"],
                previous_starts_at=datetime.now(UTC),
                now=datetime.now(UTC),
            )
    finally:
        await db.close()
    await rsvp(app, OTHER, other["id"])
    await as_user(app, MEMBER)
    notices = (await app.client.get("/api/v1/me/notices")).json()["notices"]
    assert [(n["kind"], n["meeting_id"]) for n in notices] == [("cancelled", m["id"])]
    assert notices[0]["group_name"] == "Grief circle"
    assert "cancelled" in notices[0]["message"]
    await as_user(app, OTHER)
    notices = (await app.client.get("/api/v1/me/notices")).json()["notices"]
    assert [(n["kind"], n["meeting_id"]) for n in notices] == [("moved", other["id"])]
    await as_user(app, HOST)
    assert (await app.client.post(f"/api/v1/groups/{g['id']}/archive")).status_code == 200
    for email in (MEMBER, OTHER):
        await as_user(app, email)
        kinds = [n["kind"] for n in (await app.client.get("/api/v1/me/notices")).json()["notices"]]
        assert kinds[0] == "archived", (email, kinds)
    limited = await app.client.get("/api/v1/me/notices", params={"limit": 1})
    assert len(limited.json()["notices"]) == 1
    assert (await app.client.get("/api/v1/me/notices", params={"limit": 0})).status_code == 422
    await as_user(app, ADMIN)  # nobody else's
    assert (await app.client.get("/api/v1/me/notices")).json()["notices"] == []
    assert ids


async def test_private_groups_take_no_visitors(app: RApp) -> None:
    await people(app)
    await as_user(app, HOST)
    private = await new_group(app, visibility="private", visitors_allowed=True)
    await as_user(app, OTHER)
    r = await app.client.post(f"/api/v1/groups/{private['id']}/visit", json={"version": 1})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "visitors_not_allowed")


async def test_deleting_an_account_removes_its_rsvps_visits_attendance_and_preferences(app: RApp) -> None:
    ids = await people(app)
    g, m = await group_with_meeting(app)
    await as_user(app, OTHER)
    await app.client.post(f"/api/v1/groups/{g['id']}/visit", json={"version": 1, "meeting_id": m["id"]})
    await app.client.put("/api/v1/me/preferences", json={"reminders": False})
    await app.client.post("/api/v1/me/calendar-token")
    db = await in_db(app)
    try:
        async with db.session() as s:
            await attendance.record_attendance(s, meeting_id=m["id"], user_id=ids[OTHER])
    finally:
        await db.close()
    tables = ("rsvps", "visits", "attendance", "member_prefs", "calendar_tokens")
    for table in tables:
        assert await sql(app, f"SELECT count(*) FROM {table} WHERE user_id = :u", u=ids[OTHER]) == [(1,)]  # noqa: S608
    r = await app.client.request("DELETE", "/api/v1/me", json={"password": STRONG_PASSWORD})
    assert r.status_code == 200
    assert any("attendance" in item and "calendar" in item for item in r.json()["deleted"])
    for table in tables:
        assert await sql(app, f"SELECT count(*) FROM {table} WHERE user_id = :u", u=ids[OTHER]) == [(0,)]  # noqa: S608


def test_the_openapi_document_describes_every_attendance_endpoint() -> None:
    doc = document(ENDPOINTS_ATTENDANCE)
    paths = doc["paths"]
    assert set(paths["/api/v1/meetings/{id}/rsvp"]) == {"get", "post", "delete"}
    assert set(paths["/api/v1/me/preferences"]) == {"get", "put"}
    assert set(paths["/api/v1/me/calendar-token"]) == {"get", "post", "delete"}
    for path in ("/meetings/{id}.ics", "/groups/{id}/calendar.ics", "/meetings/{id}/rsvps", "/me/notices"):
        assert "get" in paths["/api/v1" + path]
    schemas = doc["components"]["schemas"]
    assert {"from", "to"} <= set(schemas["GroupAttendance"]["properties"])
    assert set(schemas["VisitRequest"]["required"]) == {"version"}
    assert "security" not in paths["/api/v1/groups/{id}/calendar.ics"]["get"]  # calendar programs
