"""Calendar files and feeds over HTTP: each parses with `icalendar`, and `recurring_ical_events`
expands it to exactly the occurrences the API lists (series across DST changes, a cancelled and
a moved occurrence, a meeting crossing midnight, one-offs); titles stay neutral unless a member
opted in; the member feed works by secret token, without cookies, and is revocable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from attendance_helpers import RApp, app, sql
from group_helpers import HOST, MEMBER, OTHER, as_user, new_group, new_meeting, people
from icalendar import Calendar, Event

from meeting.scheduling.calendar import NEUTRAL_CALENDAR, NEUTRAL_SUMMARY

pytestmark = pytest.mark.postgres
__all__ = ["app"]  # the fixture, with the attendance routes

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
Span = tuple[datetime, datetime]


def parse(data: bytes) -> Calendar:
    cal = Calendar.from_ical(data)
    assert isinstance(cal, Calendar)
    assert all(not c.errors for c in cal.walk()), [c.errors for c in cal.walk()]
    return cal


def events(cal: Calendar) -> list[Event]:
    return [c for c in cal.walk("VEVENT") if isinstance(c, Event)]


def expand(cal: Calendar, lo: datetime, hi: datetime) -> list[Span]:
    found = recurring_ical_events.of(cal).between(lo, hi)
    return sorted((e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC)) for e in found)


def spans(meetings: list[dict[str, Any]]) -> list[Span]:
    return sorted(
        (datetime.fromisoformat(m["starts_at"]), datetime.fromisoformat(m["ends_at"]))
        for m in meetings
        if m["state"] != "cancelled"
    )


def next_weekday(weekday: int, at: datetime, zone: ZoneInfo, hour: int, minute: int = 0) -> datetime:
    """The first `weekday` (0 = Monday) at least two days after `at`, at hour:minute in `zone`."""
    day = (at + timedelta(days=2)).astimezone(zone).date()
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


async def schedule(
    app: RApp, group_id: int, start: datetime, minutes: int, tz: str, rrule: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Circle",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
        "timezone": tz,
    }
    if rrule is not None:
        body["rrule"] = rrule
    r = await app.client.post(f"/api/v1/groups/{group_id}/meetings", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def busy_group(app: RApp, **fields: Any) -> tuple[dict[str, Any], datetime, datetime]:
    """As HOST: a group with a weekly New York series (one occurrence cancelled, one moved), a
    monthly last-Friday Berlin series crossing midnight, and a one-off; returns the group and a
    window of about a year, which crosses the US and EU changes in both directions."""
    await as_user(app, HOST)
    group = await new_group(app, **fields)
    now = datetime.now(UTC).replace(microsecond=0)
    await schedule(
        app, group["id"], next_weekday(1, now, NY, 19), 90, "America/New_York", "FREQ=WEEKLY;BYDAY=TU"
    )
    friday = next_weekday(4, now, BERLIN, 23, 30)
    while (friday + timedelta(days=7)).month == friday.month:
        friday += timedelta(days=7)
    await schedule(app, group["id"], friday, 90, "Europe/Berlin", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=10")
    await schedule(app, group["id"], now + timedelta(days=3, hours=5), 60, "UTC", None)
    lo, hi = now, now + timedelta(days=360)
    listed = (await app.client.get(f"/api/v1/groups/{group['id']}/meetings", params=window(lo, hi))).json()
    weekly = [m for m in listed["meetings"] if m["timezone"] == "America/New_York"]
    assert (await app.client.post(f"/api/v1/meetings/{weekly[2]['id']}/cancel")).status_code == 200
    moved_to = datetime.fromisoformat(weekly[4]["starts_at"]) + timedelta(days=1, hours=2)
    r = await app.client.patch(
        f"/api/v1/meetings/{weekly[4]['id']}", json={"starts_at": moved_to.isoformat()}
    )
    assert r.status_code == 200, r.text
    return group, lo, hi


def window(lo: datetime, hi: datetime) -> dict[str, str]:
    return {"from": lo.isoformat(), "to": hi.isoformat()}


async def test_a_groups_feed_expands_to_exactly_the_occurrences_the_api_lists(app: RApp) -> None:
    await people(app)
    group, lo, hi = await busy_group(app)
    listed = (await app.client.get(f"/api/v1/groups/{group['id']}/meetings", params=window(lo, hi))).json()
    assert sum(m["state"] == "cancelled" for m in listed["meetings"]) == 1
    r = await app.client.get(f"/api/v1/groups/{group['id']}/calendar.ics")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    cal = parse(r.content)
    expected = spans(listed["meetings"])
    assert len(expected) > 55
    assert expand(cal, lo, hi) == expected
    assert str(cal["X-WR-CALNAME"]) == NEUTRAL_CALENDAR
    found = events(cal)
    assert {str(e["SUMMARY"]) for e in found} == {NEUTRAL_SUMMARY}
    assert "Grief" not in r.text
    masters = [e for e in found if "RRULE" in e]
    assert len(masters) == 2
    assert sum(1 for e in masters if "EXDATE" in e) == 1
    assert all(str(e["URL"]) == f"http://127.0.0.1:8000/groups/{group['id']}" for e in masters)
    one_off = [e for e in found if "RRULE" not in e and "RECURRENCE-ID" not in e]
    one_off_id = next(m["id"] for m in listed["meetings"] if m["series_id"] is None)
    assert [str(e["URL"]) for e in one_off] == [f"http://127.0.0.1:8000/meetings/{one_off_id}"]
    assert cal.walk("VTIMEZONE")

    await as_user(app, HOST)  # a host who opted in sees the group's name
    await app.client.put("/api/v1/me/preferences", json={"reveal_group_name": True})
    named = parse((await app.client.get(f"/api/v1/groups/{group['id']}/calendar.ics")).content)
    assert {str(e["SUMMARY"]) for e in events(named)} == {"Grief circle"}
    assert str(named["X-WR-CALNAME"]) == "Grief circle"


async def test_listed_feeds_need_no_login_others_only_for_members(app: RApp) -> None:
    await people(app)
    await as_user(app, HOST)
    listed = await new_group(app, name="Open")
    hidden = await new_group(app, name="Quiet", visibility="unlisted")
    await schedule(app, hidden["id"], datetime.now(UTC) + timedelta(days=2), 60, "UTC", None)
    async with app.client_for() as anonymous:  # a calendar program: no cookies
        assert (await anonymous.get(f"/api/v1/groups/{listed['id']}/calendar.ics")).status_code == 200
        r = await anonymous.get(f"/api/v1/groups/{hidden['id']}/calendar.ics")
        assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
        assert (await anonymous.get("/api/v1/groups/999/calendar.ics")).status_code == 404
    await as_user(app, OTHER)
    assert (await app.client.get(f"/api/v1/groups/{hidden['id']}/calendar.ics")).status_code == 404
    await app.client.post(f"/api/v1/groups/{hidden['id']}/members")
    r = await app.client.get(f"/api/v1/groups/{hidden['id']}/calendar.ics")
    assert r.status_code == 200
    assert len(events(parse(r.content))) == 1
    await as_user(app, HOST)
    await app.client.post(f"/api/v1/groups/{hidden['id']}/archive")
    assert events(parse((await app.client.get(f"/api/v1/groups/{hidden['id']}/calendar.ics")).content)) == []


async def test_one_occurrence_as_a_file(app: RApp) -> None:
    await people(app)
    await as_user(app, HOST)
    group = await new_group(app, visibility="unlisted")
    first = await schedule(
        app, group["id"], next_weekday(1, datetime.now(UTC), NY, 19), 60, "America/New_York", "FREQ=WEEKLY"
    )
    one_off = (await new_meeting(app, group["id"], start_in=24 * 60)).json()
    r = await app.client.get(f"/api/v1/meetings/{first['id']}.ics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "no-store" in r.headers["cache-control"]
    [event] = events(parse(r.content))
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (
        datetime.fromisoformat(first["starts_at"]),
        datetime.fromisoformat(first["ends_at"]),
    )
    assert str(event["SUMMARY"]) == NEUTRAL_SUMMARY
    assert str(event["URL"]) == f"http://127.0.0.1:8000/meetings/{first['id']}"
    assert f"/meetings/{first['id']}" in str(event["DESCRIPTION"])
    assert str(event["UID"]).startswith(f"meeting-{first['series_id']}-")
    assert str(event["STATUS"]) == "CONFIRMED"
    assert recurring_ical_events.of(parse(r.content)).between(
        datetime.fromisoformat(first["starts_at"]), datetime.fromisoformat(first["ends_at"])
    )
    await app.client.post(f"/api/v1/meetings/{one_off['id']}/cancel")
    [cancelled] = events(parse((await app.client.get(f"/api/v1/meetings/{one_off['id']}.ics")).content))
    assert (str(cancelled["STATUS"]), str(cancelled["UID"])) == (
        "CANCELLED",
        f"meeting-{one_off['id']}@127.0.0.1",
    )
    assert int(cancelled["SEQUENCE"]) == 1
    await as_user(app, OTHER)  # an unlisted group's meeting is not for strangers
    assert (await app.client.get(f"/api/v1/meetings/{first['id']}.ics")).status_code == 404
    assert (await app.client.get("/api/v1/meetings/999.ics")).status_code == 404
    await as_user(app, MEMBER)
    await app.client.post(f"/api/v1/groups/{group['id']}/members")
    await app.client.put("/api/v1/me/preferences", json={"reveal_group_name": True})
    named = (await app.client.get(f"/api/v1/meetings/{first['id']}.ics")).content
    assert str(events(parse(named))[0]["SUMMARY"]) == "Grief circle"


async def test_the_member_feed_by_secret_token_matches_my_meetings(app: RApp) -> None:
    ids = await people(app)
    group, lo, hi = await busy_group(app)
    listed = (await app.client.get(f"/api/v1/groups/{group['id']}/meetings", params=window(lo, hi))).json()
    await as_user(app, MEMBER)
    await app.client.post(f"/api/v1/groups/{group['id']}/members")
    chosen = [m for m in listed["meetings"] if m["state"] != "cancelled"][:6]
    for m in chosen:
        assert (await app.client.post(f"/api/v1/meetings/{m['id']}/rsvp")).status_code == 200
    await as_user(app, HOST)  # one the member RSVPed to is called off: it leaves the feed
    await app.client.post(f"/api/v1/meetings/{chosen[1]['id']}/cancel")
    await as_user(app, MEMBER)

    assert (await app.client.get("/api/v1/me/calendar-token")).json() == {"active": False, "created_at": None}
    made = await app.client.post("/api/v1/me/calendar-token")
    assert made.status_code == 201
    url = made.json()["url"]
    assert url.startswith("http://127.0.0.1:8000/calendar/")
    assert url.endswith(".ics")
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 40
    stored = await sql(app, "SELECT token_hash FROM calendar_tokens WHERE user_id = :u", u=ids[MEMBER])
    assert token not in str(stored)
    assert len(stored[0][0]) == 64
    assert (await app.client.get("/api/v1/me/calendar-token")).json()["active"] is True
    path = url.removeprefix("http://127.0.0.1:8000")

    mine = (await app.client.get("/api/v1/me/meetings")).json()["meetings"]
    async with app.client_for() as calendar_program:  # no cookies
        r = await calendar_program.get(path)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "text/calendar; charset=utf-8"
        cal = parse(r.content)
        assert expand(cal, lo, hi) == spans(mine)
        assert len(spans(mine)) == 5
        found = events(cal)
        assert {str(e["SUMMARY"]) for e in found} == {NEUTRAL_SUMMARY}
        assert sorted(str(e["URL"]) for e in found) == sorted(
            f"http://127.0.0.1:8000/meetings/{m['meeting_id']}" for m in mine if m["state"] != "cancelled"
        )
        one = (await app.client.get(f"/api/v1/meetings/{chosen[0]['id']}.ics")).content
        assert str(events(parse(one))[0]["UID"]) in {str(e["UID"]) for e in found}  # the same event

        await app.client.put("/api/v1/me/preferences", json={"reveal_group_name": True})
        named = parse((await calendar_program.get(path)).content)
        assert {str(e["SUMMARY"]) for e in events(named)} == {"Grief circle"}
        assert str(named["X-WR-CALNAME"]) == NEUTRAL_CALENDAR

        rotated = (await app.client.post("/api/v1/me/calendar-token")).json()["url"]
        assert rotated != url
        assert (await calendar_program.get(path)).status_code == 404
        assert (await calendar_program.get(rotated.removeprefix("http://127.0.0.1:8000"))).status_code == 200
        assert (await app.client.delete("/api/v1/me/calendar-token")).status_code == 204
        gone = await calendar_program.get(rotated.removeprefix("http://127.0.0.1:8000"))
        assert (gone.status_code, gone.headers["content-type"].split(";")[0]) == (404, "text/plain")
        for junk in ("x", "a" * 43, "%00" * 30, "a" * 200):
            assert (await calendar_program.get(f"/calendar/{junk}.ics")).status_code == 404
    assert (await app.client.get("/api/v1/me/calendar-token")).json()["active"] is False
