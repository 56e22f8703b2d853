"""Recurring meetings over the API, on SQLite and PostgreSQL: series across daylight-saving
changes, leap days and midnight; cancelling, moving and extending one occurrence; editing the
series; archiving the group; the room window; who may do what; and materialization that is
idempotent under concurrency. The scheduling code runs on a fixed clock (`series_helpers`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from group_helpers import ADMIN, HOST, MEMBER, OTHER, as_user, new_group, people
from series_helpers import Clock, freeze, listed, new_series, notices, rsvp, sql
from support import App

from meeting.accounts.sessions import COOKIE
from meeting.context import Hearth
from meeting.db import Database
from meeting.gate import MeetingGate
from meeting.live import end_overdue_meetings, top_up_series
from meeting.settings import Settings, SettingsError

pytestmark = pytest.mark.postgres

NEW_YORK, BERLIN = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return freeze(monkeypatch)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def starts(meetings: list[dict[str, Any]]) -> list[str]:
    return [m["starts_at"] for m in meetings]


async def hosted_group(app: App, **body: Any) -> tuple[dict[str, int], dict[str, Any]]:
    """People, and a group hosted by HOST in which MEMBER is a facilitator and OTHER a member."""
    ids = await people(app)
    await as_user(app, HOST)
    group = await new_group(app, **body)
    r = await app.client.post(f"/api/v1/groups/{group['id']}/facilitators", json={"user_id": ids[MEMBER]})
    assert r.status_code == 200
    await as_user(app, OTHER)
    assert (await app.client.post(f"/api/v1/groups/{group['id']}/members")).status_code == 200
    await as_user(app, HOST)
    return ids, group


async def weekly_tuesdays(app: App, group_id: int, **extra: Any) -> dict[str, Any]:
    """Tuesdays 18:00-19:00 UTC from 2026-01-06 (the clock starts on Monday 2026-01-05)."""
    body = {
        "starts_at": "2026-01-06T18:00:00Z",
        "ends_at": "2026-01-06T19:00:00Z",
        "timezone": "UTC",
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
    } | extra
    r = await new_series(app, group_id, **body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_a_weekly_new_york_meeting_stays_at_19_local_across_both_dst_changes(
    clock: Clock, app: App
) -> None:
    _, group = await hosted_group(app)
    r = await new_series(
        app,
        group["id"],
        title="Thursday evening",
        starts_at="2026-03-05T19:00:00-05:00",
        ends_at="2026-03-05T20:30:00-05:00",
        timezone="america/new_york",
        rrule="RRULE:FREQ=WEEKLY;BYDAY=TH",
    )
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["starts_at"], first["ends_at"]) == ("2026-03-06T00:00:00Z", "2026-03-06T01:30:00Z")
    assert (first["timezone"], first["original_start"]) == ("America/New_York", "2026-03-06T00:00:00Z")
    made = first["series"]
    assert (made["id"], made["rrule"], made["timezone"]) == (
        first["series_id"],
        "FREQ=WEEKLY;BYDAY=TH",
        "America/New_York",
    )
    spring = await listed(app, group["id"], "2026-03-01", "2026-03-20")  # clocks go forward on 8 March
    assert starts(spring) == ["2026-03-06T00:00:00Z", "2026-03-12T23:00:00Z", "2026-03-19T23:00:00Z"]
    autumn = await listed(app, group["id"], "2026-10-20", "2026-11-10")  # and back on 1 November
    assert starts(autumn) == ["2026-10-22T23:00:00Z", "2026-10-29T23:00:00Z", "2026-11-06T00:00:00Z"]
    for m in spring + autumn:
        local = at(m["starts_at"]).astimezone(NEW_YORK)
        assert (local.hour, local.minute, local.strftime("%a")) == (19, 0, "Thu")
        assert at(m["ends_at"]) - at(m["starts_at"]) == timedelta(minutes=90)
        assert (m["series_id"], m["status"], m["state"]) == (made["id"], "scheduled", "scheduled")
    assert len({m["id"] for m in spring + autumn}) == 6  # each occurrence its own meeting


async def test_a_weekly_berlin_meeting_follows_the_eu_changes(clock: Clock, app: App) -> None:
    _, group = await hosted_group(app)
    r = await new_series(
        app,
        group["id"],
        starts_at="2026-03-22T10:00:00+01:00",
        ends_at="2026-03-22T11:00:00+01:00",
        timezone="Europe/Berlin",
        rrule="FREQ=WEEKLY;BYDAY=SU",
    )
    assert r.status_code == 201, r.text
    spring = await listed(app, group["id"], "2026-03-20", "2026-04-06")  # 29 March
    assert starts(spring) == ["2026-03-22T09:00:00Z", "2026-03-29T08:00:00Z", "2026-04-05T08:00:00Z"]
    autumn = await listed(app, group["id"], "2026-10-17", "2026-11-02")  # 25 October
    assert starts(autumn) == ["2026-10-18T08:00:00Z", "2026-10-25T09:00:00Z", "2026-11-01T09:00:00Z"]
    assert {at(m["starts_at"]).astimezone(BERLIN).hour for m in spring + autumn} == {10}


async def test_a_monthly_series_on_the_29th_meets_on_leap_day_only_in_leap_years(
    clock: Clock, app: App
) -> None:
    clock.now = datetime(2026, 12, 1, tzinfo=UTC)
    _, group = await hosted_group(app)
    r = await new_series(
        app,
        group["id"],
        starts_at="2027-01-29T18:00:00Z",
        ends_at="2027-01-29T19:00:00Z",
        rrule="FREQ=MONTHLY;BYMONTHDAY=29",
    )
    assert r.status_code == 201, r.text
    in_2027 = await listed(app, group["id"], "2027-01-01", "2027-12-31")
    assert len(in_2027) == 11
    assert "2027-02" not in " ".join(starts(in_2027))  # no 29 February in 2027
    in_2028 = await listed(app, group["id"], "2028-01-01", "2028-04-01")
    assert starts(in_2028) == ["2028-01-29T18:00:00Z", "2028-02-29T18:00:00Z", "2028-03-29T18:00:00Z"]


async def test_a_meeting_that_crosses_midnight(clock: Clock, app: App) -> None:
    _, group = await hosted_group(app)
    r = await new_series(
        app,
        group["id"],
        title="Night owls",
        starts_at="2026-01-10T23:00:00+01:00",
        ends_at="2026-01-11T01:00:00+01:00",
        timezone="Europe/Berlin",
        rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=3",
    )
    assert r.status_code == 201, r.text
    # a window holding only Sunday's small hours still finds Saturday night's meeting
    night = await listed(app, group["id"], "2026-01-18T00:15:00+01:00", "2026-01-18T00:45:00+01:00")
    assert [(m["starts_at"], m["ends_at"]) for m in night] == [
        ("2026-01-17T22:00:00Z", "2026-01-18T00:00:00Z")
    ]
    everything = await listed(app, group["id"], "2026-01-01", "2026-03-01")
    assert starts(everything) == ["2026-01-10T22:00:00Z", "2026-01-17T22:00:00Z", "2026-01-24T22:00:00Z"]
    clock.now = datetime(2026, 1, 17, 23, 30, tzinfo=UTC)  # 00:30 on Sunday in Berlin
    got = (await app.client.get(f"/api/v1/meetings/{night[0]['id']}")).json()
    assert (got["room_status"], got["status"]) == ("open", "open")
    one_off = await new_series(
        app, group["id"], starts_at="2026-01-20T23:30:00+01:00", ends_at="2026-01-21T00:30:00+01:00"
    )
    assert one_off.status_code == 201
    assert one_off.json()["series_id"] is None
    assert "series" not in one_off.json()


async def test_cancelling_one_occurrence(clock: Clock, app: App) -> None:
    ids, group = await hosted_group(app)
    made = await weekly_tuesdays(app, group["id"])
    jan = await listed(app, group["id"], "2026-01-01", "2026-02-01")
    assert starts(jan) == [f"2026-01-{d:02d}T18:00:00Z" for d in (6, 13, 20, 27)]
    second = jan[1]
    await as_user(app, OTHER)  # a member may not
    r = await app.client.post(f"/api/v1/meetings/{second['id']}/cancel")
    assert r.status_code == 403
    assert "facilitators" in r.json()["error"]["message"]
    await as_user(app, MEMBER)  # the group's facilitator may
    r = await app.client.post(f"/api/v1/meetings/{second['id']}/cancel")
    assert r.status_code == 200, r.text
    assert (r.json()["state"], r.json()["status"], r.json()["room_status"]) == ("cancelled",) * 3
    assert (await app.client.post(f"/api/v1/meetings/{second['id']}/cancel")).json() == r.json()  # idempotent
    again = await listed(app, group["id"], "2026-01-01", "2026-02-01")
    assert [m["status"] for m in again] == ["scheduled", "cancelled", "scheduled", "scheduled"]
    view = (await app.client.get(f"/api/v1/series/{made['series_id']}")).json()
    assert view["exdates"] == ["2026-01-13T18:00:00Z"]
    assert [m["status"] for m in view["upcoming"][:3]] == ["scheduled", "cancelled", "scheduled"]
    assert len(view["upcoming"]) == 10
    assert await notices(app, group["id"]) == [("cancelled", second["id"])]
    # its room refuses everyone, with a reason; the other occurrences still open as usual
    await as_user(app, HOST)
    token = app.client.cookies.get(COOKIE)
    db = Database(app.settings.database_url)
    try:
        gate = MeetingGate(db, app.settings, clock=lambda: datetime(2026, 1, 13, 18, 5, tzinfo=UTC))
        refused = await gate.admit(session_token=token, meeting_id=second["id"])
        assert (refused.member, refused.close_code, refused.reason) == (
            None,
            4410,
            "This meeting was cancelled.",
        )
        gate.clock = lambda: datetime(2026, 1, 20, 18, 5, tzinfo=UTC)
        assert (await gate.admit(session_token=token, meeting_id=jan[2]["id"])).member is not None
    finally:
        await db.close()
    r = await app.client.post(f"/api/v1/meetings/{second['id']}/open")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "meeting_cancelled")
    # a meeting that already started is ended, not cancelled
    clock.now = datetime(2026, 1, 6, 18, 30, tzinfo=UTC)
    r = await app.client.post(f"/api/v1/meetings/{jan[0]['id']}/cancel")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "meeting_started")
    assert ids  # (people made)


async def test_occurrences_work_like_meetings_in_the_room_and_the_sweep(clock: Clock, app: App) -> None:
    ids, group = await hosted_group(app)
    await weekly_tuesdays(app, group["id"])
    first, second = (await listed(app, group["id"], "2026-01-01", "2026-01-14"))[:2]
    await as_user(app, MEMBER)
    opened = await app.client.post(f"/api/v1/meetings/{first['id']}/open")  # a day early
    assert (opened.status_code, opened.json()["room_status"]) == (200, "open")
    r = await app.client.post(f"/api/v1/meetings/{second['id']}/cancel")
    assert r.status_code == 200
    hearth: Hearth = app.client._transport.app.state.hearth  # type: ignore[attr-defined]
    clock.now = datetime(2026, 1, 20, tzinfo=UTC)
    await end_overdue_meetings(hearth)  # (the app's own sweep may have run first: same result)
    states = [(await app.client.get(f"/api/v1/meetings/{m['id']}")).json()["state"] for m in (first, second)]
    assert states == ["ended", "cancelled"]  # a cancelled meeting stays cancelled
    ended = (await app.client.post(f"/api/v1/meetings/{first['id']}/end")).json()
    assert ended["state"] == "ended"
    assert ids


async def test_the_room_window_and_extending(clock: Clock, app: App) -> None:
    _, group = await hosted_group(app)
    r = await new_series(app, group["id"], starts_at="2026-01-07T18:00:00Z", ends_at="2026-01-07T19:00:00Z")
    meeting = r.json()
    assert (meeting["opens_at"], meeting["closes_at"]) == ("2026-01-07T17:50:00Z", "2026-01-07T19:10:00Z")
    url = f"/api/v1/meetings/{meeting['id']}/extend"
    await as_user(app, OTHER)
    assert (await app.client.post(url, json={"minutes": 15})).status_code == 403
    await as_user(app, MEMBER)  # the facilitator
    r = await app.client.post(url, json={"minutes": 30})
    assert r.status_code == 200, r.text
    assert (r.json()["ends_at"], r.json()["closes_at"]) == ("2026-01-07T19:30:00Z", "2026-01-07T19:40:00Z")
    for minutes in (4, 121, "ten"):
        bad = await app.client.post(url, json={"minutes": minutes})
        assert (bad.status_code, "minutes" in bad.json()["error"]["message"]) == (422, True)
    clock.now = datetime(2026, 1, 7, 19, 35, tzinfo=UTC)  # in the grace period: still open
    assert (await app.client.get(f"/api/v1/meetings/{meeting['id']}")).json()["room_status"] == "open"
    clock.now = datetime(2026, 1, 7, 19, 40, tzinfo=UTC)
    assert (await app.client.get(f"/api/v1/meetings/{meeting['id']}")).json()["room_status"] == "ended"
    r = await app.client.post(url, json={"minutes": 30})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "meeting_ended")


async def test_moving_one_occurrence(clock: Clock, app: App) -> None:
    _, group = await hosted_group(app)
    made = await weekly_tuesdays(app, group["id"])
    jan = await listed(app, group["id"], "2026-01-01", "2026-02-01")
    third = jan[2]
    url = f"/api/v1/meetings/{third['id']}"
    await as_user(app, MEMBER)  # a facilitator cancels and extends, but does not reschedule
    assert (await app.client.patch(url, json={"title": "Mine"})).status_code == 403
    await as_user(app, HOST)
    r = await app.client.patch(url, json={"starts_at": "2026-01-21T17:30:00Z", "title": "Moved to Wednesday"})
    assert r.status_code == 200, r.text
    moved = r.json()
    assert (moved["starts_at"], moved["ends_at"]) == (
        "2026-01-21T17:30:00Z",
        "2026-01-21T18:30:00Z",
    )  # same length
    assert (moved["overridden"], moved["original_start"], moved["title"]) == (
        True,
        "2026-01-20T18:00:00Z",
        "Moved to Wednesday",
    )
    assert await notices(app, group["id"]) == [("moved", third["id"])]
    r = await app.client.patch(url, json={"title": "Only the title"})
    assert r.json()["starts_at"] == "2026-01-21T17:30:00Z"
    assert await notices(app, group["id"]) == [("moved", third["id"])]  # no new time, no notice
    for body, field in (
        ({"starts_at": "2026-01-21T17:30:00"}, "starts_at"),
        ({"ends_at": "2026-01-21T17:00:00Z"}, "ends_at"),
        ({"starts_at": "2026-01-01T10:00:00Z"}, "ends_at"),  # would be over already
        ({"title": None}, "title"),
        ({"room": 3}, "room"),
    ):
        bad = await app.client.patch(url, json=body)
        assert bad.status_code == 422, body
        assert field in bad.json()["error"]["message"]
    # editing the series leaves the moved occurrence where it is
    r = await app.client.patch(f"/api/v1/series/{made['series_id']}", json={"title": "Tuesday circle"})
    assert r.status_code == 200, r.text
    after = await listed(app, group["id"], "2026-01-01", "2026-02-01")
    assert [(m["title"], m["starts_at"]) for m in after] == [
        ("Tuesday circle", "2026-01-06T18:00:00Z"),
        ("Tuesday circle", "2026-01-13T18:00:00Z"),
        ("Only the title", "2026-01-21T17:30:00Z"),
        ("Tuesday circle", "2026-01-27T18:00:00Z"),
    ]


async def test_editing_the_time_of_a_series_moves_its_future_occurrences(clock: Clock, app: App) -> None:
    ids, group = await hosted_group(app)
    made = await weekly_tuesdays(app, group["id"])
    before = await listed(app, group["id"], "2026-01-01", "2026-03-08")
    await rsvp(app, before[1]["id"], ids[OTHER])
    clock.now = datetime(2026, 1, 8, tzinfo=UTC)  # the first occurrence is over
    url = f"/api/v1/series/{made['series_id']}"
    r = await app.client.patch(
        url, json={"starts_at": "2026-01-06T19:30:00Z", "ends_at": "2026-01-06T21:00:00Z", "title": "Later"}
    )
    assert r.status_code == 200, r.text
    view = r.json()
    assert (view["starts_at"], view["ends_at"], view["title"]) == (
        "2026-01-06T19:30:00Z",
        "2026-01-06T21:00:00Z",
        "Later",
    )
    assert view["upcoming"][0]["starts_at"] == "2026-01-13T19:30:00Z"
    after = await listed(app, group["id"], "2026-01-01", "2026-03-08")
    assert [m["id"] for m in after] == [m["id"] for m in before]  # same meetings, RSVPs and all
    assert after[0]["starts_at"] == "2026-01-06T18:00:00Z"  # a past one stays as it was…
    assert after[0]["series_id"] is None  # …and leaves the series, whose rule no longer has it
    for m in after[1:]:
        assert (at(m["starts_at"]).strftime("%a %H:%M"), m["title"], m["series_id"]) == (
            "Tue 19:30",
            "Later",
            made["series_id"],
        )
        assert at(m["ends_at"]) - at(m["starts_at"]) == timedelta(minutes=90)
    assert await notices(app, group["id"]) == [("moved", m["id"]) for m in after[1:]]


async def test_changing_the_rule_cancels_rsvped_occurrences_and_drops_the_rest(
    clock: Clock, app: App
) -> None:
    ids, group = await hosted_group(app)
    made = await weekly_tuesdays(app, group["id"])
    tuesdays = await listed(app, group["id"], "2026-01-01", "2026-03-01")
    await rsvp(app, tuesdays[2]["id"], ids[OTHER])  # 20 January
    await as_user(app, MEMBER)
    r = await app.client.post(f"/api/v1/meetings/{tuesdays[3]['id']}/cancel")  # 27 January
    assert r.status_code == 200
    await as_user(app, HOST)
    clock.now = datetime(2026, 1, 14, tzinfo=UTC)
    url = f"/api/v1/series/{made['series_id']}"
    r = await app.client.patch(url, json={"rrule": "FREQ=WEEKLY;BYDAY=TH"})  # the first one is a Tuesday
    assert (r.status_code, r.json()["error"]["field"]) == (422, "rrule")
    r = await app.client.patch(
        url,
        json={
            "rrule": "FREQ=WEEKLY;BYDAY=TH",
            "starts_at": "2026-01-15T18:00:00Z",
            "ends_at": "2026-01-15T19:00:00Z",
        },
    )
    assert r.status_code == 200, r.text
    assert (r.json()["rrule"], r.json()["exdates"]) == ("FREQ=WEEKLY;BYDAY=TH", [])
    after = await listed(app, group["id"], "2026-01-01", "2026-02-06")
    summary = [(at(m["starts_at"]).strftime("%a %d"), m["status"], m["series_id"] is not None) for m in after]
    assert summary == [
        ("Tue 06", "ended", False),  # over: kept, apart from the series
        ("Tue 13", "ended", False),
        ("Thu 15", "scheduled", True),
        ("Tue 20", "cancelled", False),  # someone RSVPed: cancelled, with a notice
        ("Thu 22", "scheduled", True),
        ("Thu 29", "scheduled", True),
        ("Thu 05", "scheduled", True),
    ]
    assert after[3]["id"] == tuesdays[2]["id"]
    # nobody RSVPed to the Tuesday cancelled before (27 January) or the later ones: gone, with
    # the notice about it
    assert await notices(app, group["id"]) == [("cancelled", tuesdays[2]["id"])]


async def test_series_edits_are_for_hosts_and_admins(clock: Clock, app: App) -> None:
    ids, group = await hosted_group(app)
    made = await weekly_tuesdays(app, group["id"])
    url = f"/api/v1/series/{made['series_id']}"
    for who in (MEMBER, OTHER):  # the facilitator and a member
        await as_user(app, who)
        r = await app.client.patch(url, json={"title": "Mine"})
        assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
        assert (await app.client.get(url)).status_code == 200  # anyone may look
    await as_user(app, ADMIN)
    assert (await app.client.patch(url, json={"title": "Admin's"})).json()["title"] == "Admin's"
    r = await app.client.post(f"/api/v1/groups/{group['id']}/hosts", json={"user_id": ids[OTHER]})
    assert (r.status_code, r.json()["role"]) == (200, "host")
    await as_user(app, OTHER)  # now a co-host
    assert (await app.client.patch(url, json={"title": "Co-host's"})).status_code == 200
    assert (await app.client.get("/api/v1/series/999")).status_code == 404
    assert (await app.client.patch("/api/v1/series/999", json={"title": "x"})).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rrule": "FREQ=HOURLY"}, "rrule"),
        ({"rrule": "FREQ=WEEKLY;BYHOUR=9"}, "rrule"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=WE"}, "rrule"),  # the first meeting is a Tuesday
        ({"rrule": "FREQ=WEEKLY;COUNT=3;UNTIL=20260301"}, "rrule"),
        ({"rrule": "   "}, "rrule"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "EST"}, "timezone"),
        ({"ends_at": "2026-01-07T19:00:00Z"}, "ends_at"),  # longer than a day
        ({"starts_at": "2026-01-06T18:00:00"}, "starts_at"),
        ({"title": "  "}, "title"),
    ],
)
async def test_bad_series_are_422_naming_the_field(
    clock: Clock, app: App, change: dict[str, str], field: str
) -> None:
    _, group = await hosted_group(app)
    body = {
        "starts_at": "2026-01-06T18:00:00Z",
        "ends_at": "2026-01-06T19:00:00Z",
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
    } | change
    r = await new_series(app, group["id"], **body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_input"
    assert field in error["message"]
    assert error.get("field", field) == field
    assert await sql(app, "SELECT count(*) FROM meeting_series") == [(0,)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "next week"}, "from"),
        ({"from": "2026-01-10T10:00:00"}, "from"),  # no offset
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"from": "2026-01-01", "to": "2027-01-03"}, "to"),  # more than a year
    ],
)
async def test_bad_listing_windows_are_422_naming_the_parameter(
    clock: Clock, app: App, query: dict[str, str], field: str
) -> None:
    _, group = await hosted_group(app)
    r = await app.client.get(f"/api/v1/groups/{group['id']}/meetings", params=query)
    assert r.status_code == 422, r.text
    assert repr(field) in r.json()["error"]["message"]


async def test_the_default_window_is_the_next_eight_weeks(clock: Clock, app: App) -> None:
    _, group = await hosted_group(app)
    await weekly_tuesdays(app, group["id"])
    r = await app.client.get(f"/api/v1/groups/{group['id']}/meetings")
    body = r.json()
    assert (body["starts_from"], body["until"]) == ("2026-01-05T12:00:00Z", "2026-03-02T12:00:00Z")
    assert len(body["meetings"]) == 8
    assert (await app.client.get("/api/v1/groups/999/meetings")).status_code == 404


async def test_materializing_is_idempotent_even_concurrently(clock: Clock, app: App) -> None:
    _, group = await hosted_group(app)
    made = await weekly_tuesdays(app, group["id"])
    url = f"/api/v1/groups/{group['id']}/meetings"
    window = {"from": "2026-06-01", "to": "2026-12-01"}
    answers = await asyncio.gather(*(app.client.get(url, params=window) for _ in range(4)))
    assert {r.status_code for r in answers} == {200}
    assert len({tuple(m["id"] for m in r.json()["meetings"]) for r in answers}) == 1
    counted = await sql(
        app,
        "SELECT count(*), count(DISTINCT original_start) FROM meetings WHERE series_id = :s",
        s=made["series_id"],
    )
    total, distinct = counted[0]
    assert total == distinct
    assert total == len(await listed(app, group["id"], "2026-01-01", "2026-12-01"))
    # the sweep tops series up to nine weeks ahead of its clock, once
    hearth: Hearth = app.client._transport.app.state.hearth  # type: ignore[attr-defined]
    clock.now = datetime(2026, 11, 1, tzinfo=UTC)
    assert await top_up_series(hearth) <= 1  # (unless the app's own sweep got there first)
    assert await top_up_series(hearth) == 0
    later = await sql(
        app, "SELECT max(original_start) FROM meetings WHERE series_id = :s", s=made["series_id"]
    )
    last = later[0][0]
    last = last if isinstance(last, datetime) else datetime.fromisoformat(str(last))
    assert last.replace(tzinfo=UTC) > datetime(2026, 12, 29, tzinfo=UTC)


async def test_archiving_a_group_cancels_its_future_meetings_and_tells_members(
    clock: Clock, app: App
) -> None:
    ids, group = await hosted_group(app)
    await weekly_tuesdays(app, group["id"])
    one_off = (
        await new_series(app, group["id"], starts_at="2026-01-08T18:00:00Z", ends_at="2026-01-08T19:00:00Z")
    ).json()
    clock.now = datetime(2026, 1, 6, 18, 30, tzinfo=UTC)  # during the first occurrence
    url = f"/api/v1/groups/{group['id']}/archive"
    for who in (MEMBER, OTHER):
        await as_user(app, who)
        assert (await app.client.post(url)).status_code == 403
    await as_user(app, HOST)
    r = await app.client.post(url)
    assert r.status_code == 200, r.text
    detail = r.json()
    assert detail["archived_at"] == "2026-01-06T18:30:00Z"
    assert all(m["status"] == "cancelled" for m in detail["upcoming"][1:])
    assert detail["upcoming"][0]["status"] == "open"  # the one under way is left to finish
    meetings = await listed(app, group["id"], "2026-01-01", "2026-03-08")
    cancelled = [m["id"] for m in meetings if m["status"] == "cancelled"]
    assert one_off["id"] in cancelled
    assert len(cancelled) == len(meetings) - 1
    assert await notices(app, group["id"]) == [("archived", None), *(("archived", i) for i in cancelled)]
    assert (await app.client.post(url)).json()["archived_at"] == detail["archived_at"]  # idempotent
    r = await new_series(app, group["id"], starts_at="2026-02-08T18:00:00Z", ends_at="2026-02-08T19:00:00Z")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "group_archived")
    assert len(await notices(app, group["id"])) == len(cancelled) + 1
    assert ids


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"HEARTH_ROOM_OPENS_MINUTES": "soon"}, "HEARTH_ROOM_OPENS_MINUTES must be a whole number"),
        ({"HEARTH_ROOM_OPENS_MINUTES": "-1"}, "HEARTH_ROOM_OPENS_MINUTES must be from 0 to 1440"),
        ({"HEARTH_ROOM_GRACE_MINUTES": "241"}, "HEARTH_ROOM_GRACE_MINUTES must be from 0 to 240"),
    ],
)
def test_room_window_settings_are_checked(env: dict[str, str], words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        Settings.load({"HEARTH_SECRET_KEY": "s" * 40, **env}, env_file=None)
    loaded = Settings.load(
        {"HEARTH_SECRET_KEY": "s" * 40, "HEARTH_ROOM_OPENS_MINUTES": "0", "HEARTH_ROOM_GRACE_MINUTES": "30"},
        env_file=None,
    )
    assert (loaded.room_opens_minutes, loaded.room_grace_minutes) == (0, 30)
    assert (Settings().room_opens_minutes, Settings().room_grace_minutes) == (10, 10)
