"""RSVPs from the group page and "My meetings" (`/me/meetings`), on SQLite and PostgreSQL: going,
the waitlist and its promotion, visiting, the room link once it opens, notices of cancelled and
moved meetings and archived groups, times in the member's zone across a daylight-saving change,
preferences, the secret calendar link, CSRF and refusals. The clock starts at Monday
2027-03-01 12:00 UTC."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from group_helpers import HOST, MEMBER, OTHER, as_user, new_group, people
from page_helpers import card, csrf_from, freeze_pages, post_form, section, text_of
from series_helpers import Clock, listed, new_series, sql
from support import App

pytestmark = pytest.mark.postgres


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return freeze_pages(monkeypatch)


async def weekly_group(app: App, **body: Any) -> tuple[dict[str, int], int, list[int]]:
    """A group meeting on Tuesdays at 19:00 in New York from 2 March; returns the people, the
    group and its first occurrences' ids."""
    ids = await people(app)
    await as_user(app, HOST)
    group = (await new_group(app, name="Grief circle", topics=["grief"], **body))["id"]
    r = await new_series(
        app,
        group,
        title="Circle",
        starts_at="2027-03-02T19:00:00-05:00",
        ends_at="2027-03-02T20:00:00-05:00",
        timezone="America/New_York",
        rrule="FREQ=WEEKLY;BYDAY=TU",
    )
    assert r.status_code == 201, r.text
    found = await listed(app, group, "2027-03-01T00:00:00Z", "2027-04-30T00:00:00Z")
    return ids, group, [m["id"] for m in found]


async def join(app: App, group: int) -> None:
    r = await post_form(app, f"/groups/{group}", f"/groups/{group}/join")
    assert r.status_code == 303


async def set_zone(app: App, zone: str) -> None:
    r = await post_form(app, "/me/meetings", "/me/preferences", {"timezone": zone, "reminders": "yes"})
    assert r.status_code == 303


async def rsvp_form(app: App, group: int, meeting: int, **fields: str) -> Any:
    return await post_form(app, f"/groups/{group}", f"/groups/{group}/meetings/{meeting}/rsvp", fields)


async def test_my_meetings_and_its_forms_ask_for_a_login(app: App) -> None:
    r = await app.client.get("/me/meetings")
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/me/meetings")
    r = await app.client.post("/groups/1/meetings/1/rsvp", data={})
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/groups/1")


async def test_rsvp_the_waitlist_and_its_promotion(clock: Clock, app: App) -> None:
    _, group, (first, *_) = await weekly_group(app, size_limit=1)
    await as_user(app, OTHER)
    await join(app, group)
    r = await rsvp_form(app, group, first)
    assert (r.status_code, r.headers["location"]) == (303, f"/groups/{group}?done=going#meeting-{first}")
    page = (await app.client.get(f"/groups/{group}?done=going")).text
    assert "You're going. The meeting is in My meetings" in text_of(page)
    mine = text_of(card(page, f"meeting-{first}"))
    assert "You're going." in mine
    assert "Cancel my RSVP" in mine
    assert "No seats left: RSVPs go on the waitlist." in mine

    await as_user(app, MEMBER)
    await join(app, group)
    assert "Join the waitlist" in card((await app.client.get(f"/groups/{group}")).text, f"meeting-{first}")
    r = await rsvp_form(app, group, first)
    assert r.headers["location"] == f"/groups/{group}?done=waitlist#meeting-{first}"
    mine = text_of(card((await app.client.get(f"/groups/{group}")).text, f"meeting-{first}"))
    assert "You're number 1 on the waitlist." in mine
    assert "Leave the waitlist" in mine
    await set_zone(app, "Asia/Tokyo")
    page = (await app.client.get("/me/meetings")).text
    assert "Times are in Asia/Tokyo, the time zone in your preferences." in text_of(page)
    mine = text_of(card(page, f"meeting-{first}"))
    assert "Grief circle: Circle" in mine
    assert "Wed 3 Mar 2027, 09:00 to 10:00 JST" in mine  # Tuesday 19:00 in New York
    assert "You're number 1 on the waitlist." in mine
    assert "Enter the room" not in mine

    await as_user(app, OTHER)  # gives up the seat, from My meetings
    page = (await app.client.get("/me/meetings")).text
    assert f'action="/groups/{group}/meetings/{first}/rsvp/cancel"' in page
    r = await post_form(app, "/me/meetings", f"/groups/{group}/meetings/{first}/rsvp/cancel", {"back": "me"})
    assert (r.status_code, r.headers["location"]) == (303, "/me/meetings?done=cancelled#meetings")
    page = (await app.client.get("/me/meetings?done=cancelled")).text
    assert "Your RSVP was cancelled." in text_of(page)
    assert "You haven't RSVPed to any meeting that is coming up." in text_of(page)
    await as_user(app, MEMBER)
    assert "You're going." in text_of(card((await app.client.get("/me/meetings")).text, f"meeting-{first}"))


async def test_times_in_the_members_zone_across_the_dst_changes(clock: Clock, app: App) -> None:
    _, group, meetings = await weekly_group(app)
    await as_user(app, MEMBER)
    await join(app, group)
    for meeting in meetings[1:5]:  # 9, 16, 23 and 30 March
        assert (await rsvp_form(app, group, meeting)).status_code == 303
    await set_zone(app, "Europe/London")
    page = text_of(section((await app.client.get("/me/meetings")).text, "meetings"))
    assert "Wed 10 Mar 2027, 00:00 to 01:00 GMT" in page  # New York still on EST
    assert "Tue 16 Mar 2027, 23:00 to Wed 17 Mar 2027, 00:00 GMT" in page  # New York on EDT
    assert "Tue 23 Mar 2027, 23:00 to Wed 24 Mar 2027, 00:00 GMT" in page
    assert "Wed 31 Mar 2027, 00:00 to 01:00 BST" in page  # and London on BST
    await set_zone(app, "America/New_York")
    html = section((await app.client.get("/me/meetings")).text, "meetings")
    assert len(re.findall(r"19:00 to 20:00 E[SD]T</time>", html)) == 4
    page = text_of(html)
    assert "Tue 9 Mar 2027, 19:00 to 20:00 EST" in page
    assert "Tue 16 Mar 2027, 19:00 to 20:00 EDT" in page
    assert "The room opens at 18:50 EDT on Tue 16 Mar 2027, 10 minutes before the start." in page


async def test_the_room_link_appears_when_the_room_opens(clock: Clock, app: App) -> None:
    _, group, (first, *_) = await weekly_group(app)
    await as_user(app, MEMBER)
    await join(app, group)
    await rsvp_form(app, group, first)
    page = (await app.client.get("/me/meetings")).text
    assert f'href="/meetings/{first}"' not in page
    assert "The room opens at 23:50 UTC on Tue 2 Mar 2027" in text_of(page)
    clock.now = clock.now.replace(day=2, hour=23, minute=51)
    page = (await app.client.get("/me/meetings")).text
    assert f'<a class="button" href="/meetings/{first}">Enter the room' in page


async def test_a_visitor_accepts_the_guidelines_and_visits_one_meeting(clock: Clock, app: App) -> None:
    _, group, (first, second, *_) = await weekly_group(app)
    await as_user(app, OTHER)
    page = (await app.client.get(f"/groups/{group}")).text
    assert "This group welcomes visitors" in text_of(page)
    assert f'id="visit-accept-{first}" name="accept" type="checkbox" value="yes" required' in page
    url = f"/groups/{group}/meetings/{first}/visit"
    r = await post_form(app, f"/groups/{group}", url, {"version": "1"})
    assert r.status_code == 422
    assert "Tick the box to accept the group&#39;s guidelines before you visit." in section(
        r.text, "meetings"
    )
    r = await post_form(app, f"/groups/{group}", url, {"version": "1", "accept": "yes"})
    assert (r.status_code, r.headers["location"]) == (303, f"/groups/{group}?done=visiting#meeting-{first}")
    page = (await app.client.get(f"/groups/{group}")).text
    assert "You're going, as a visitor." in text_of(card(page, f"meeting-{first}"))
    assert "Visit this meeting" not in page  # one visit at a time
    assert "You're going, as a visitor." in text_of((await app.client.get("/me/meetings")).text)
    # RSVPing to another meeting without joining is refused, and said where the button was.
    r = await rsvp_form(app, group, second)
    assert r.status_code == 409
    assert "Your visitor pass is for another meeting of this group." in text_of(section(r.text, "meetings"))


async def test_refusals_and_csrf(clock: Clock, app: App) -> None:
    _, group, (first, second, *_) = await weekly_group(app)
    other_group = (await new_group(app, name="Other"))["id"]
    await app.client.post(f"/api/v1/meetings/{second}/cancel")
    await as_user(app, MEMBER)
    r = await rsvp_form(app, group, first)  # not a member, no visit
    assert r.status_code == 403
    assert "Join this group (or visit it, if it welcomes visitors) before you RSVP." in text_of(r.text)
    await join(app, group)
    r = await rsvp_form(app, group, second)
    assert r.status_code == 409
    assert "This meeting was cancelled, so it takes no RSVPs." in text_of(section(r.text, "meetings"))
    assert (await rsvp_form(app, other_group, first)).status_code == 404
    assert (await rsvp_form(app, group, 999_999)).status_code == 404
    await app.client.get(f"/groups/{group}")
    r = await app.client.post(f"/groups/{group}/meetings/{first}/rsvp", data={})
    assert r.status_code == 403
    assert "This form has expired" in r.text
    r = await app.client.post(f"/groups/{group}/meetings/{first}/rsvp", data={"csrf_token": "x" * 64})
    assert r.status_code == 403
    assert "You're going" not in (await app.client.get(f"/groups/{group}")).text
    assert (await sql(app, "SELECT count(*) FROM rsvps"))[0][0] == 0


async def test_notices_of_cancelled_moved_and_archived(clock: Clock, app: App) -> None:
    _, group, (first, second, third, *_) = await weekly_group(app)
    await as_user(app, MEMBER)
    await join(app, group)
    for meeting in (first, second, third):
        await rsvp_form(app, group, meeting)
    await set_zone(app, "America/New_York")
    await as_user(app, HOST)
    assert (await app.client.post(f"/api/v1/meetings/{first}/cancel")).status_code == 200
    r = await app.client.patch(f"/api/v1/meetings/{second}", json={"starts_at": "2027-03-09T18:00:00-05:00"})
    assert r.status_code == 200, r.text
    clock.now += timedelta(minutes=1)
    await as_user(app, MEMBER)
    page = (await app.client.get("/me/meetings")).text
    news = text_of(section(page, "notices"))
    assert "Grief circle: the meeting on Tue 2 Mar 2027, 19:00 to 20:00 EST was cancelled." in news
    moved = "a meeting was moved from Tue 9 Mar 2027, 19:00 EST to Tue 9 Mar 2027, 18:00 to 19:00 EST."
    assert f"Grief circle: {moved}" in news
    assert "This meeting was cancelled." in text_of(card(page, f"meeting-{first}"))
    await as_user(app, HOST)
    assert (await app.client.post(f"/api/v1/groups/{group}/archive")).status_code == 200
    await as_user(app, MEMBER)
    news = text_of(section((await app.client.get("/me/meetings")).text, "notices"))
    assert "Grief circle was archived: it holds no more meetings." in news
    assert (
        "Grief circle was archived, so its meeting on Tue 16 Mar 2027, 19:00 to 20:00 EDT was cancelled."
        in news
    )


async def test_preferences(clock: Clock, app: App) -> None:
    await people(app)
    await as_user(app, MEMBER)
    page = (await app.client.get("/me/meetings")).text
    prefs = section(page, "preferences")
    assert '<option value="" selected>Not set: use my browser&#39;s</option>' in prefs
    assert 'id="reminders" name="reminders" type="checkbox" value="yes" checked' in prefs
    assert 'id="reveal_group_name" name="reveal_group_name" type="checkbox" value="yes" aria' in prefs
    assert "This Hearth doesn't send email at the moment." in prefs  # no SMTP here
    fields = {"timezone": "Europe/Berlin", "reminders": "", "reveal_group_name": "yes"}
    r = await post_form(app, "/me/meetings", "/me/preferences", fields)
    assert (r.status_code, r.headers["location"]) == (303, "/me/meetings?done=preferences#preferences")
    prefs = section((await app.client.get("/me/meetings")).text, "preferences")
    assert '<option value="Europe/Berlin" selected>Europe/Berlin</option>' in prefs
    assert 'name="reminders" type="checkbox" value="yes" aria' in prefs
    assert 'name="reveal_group_name" type="checkbox" value="yes" checked' in prefs
    rows = await sql(app, "SELECT reminders, reveal_group_name, timezone FROM member_prefs")
    assert [(bool(a), bool(b), c) for a, b, c in rows] == [(False, True, "Europe/Berlin")]
    r = await post_form(app, "/me/meetings", "/me/preferences", fields | {"timezone": "Mars/Olympus"})
    assert r.status_code == 422
    assert '<a href="#timezone">Choose a time zone from the list.</a>' in r.text
    r = await post_form(app, "/me/meetings", "/me/preferences", {"timezone": ""})  # back to the browser's
    assert r.status_code == 303
    assert (await sql(app, "SELECT timezone FROM member_prefs"))[0][0] is None
    r = await app.client.post("/me/preferences", data={"timezone": "Asia/Tokyo"})
    assert r.status_code == 403


async def test_the_secret_calendar_link_is_shown_once_and_can_be_replaced_or_turned_off(
    clock: Clock, app: App
) -> None:
    await people(app)
    await as_user(app, MEMBER)
    assert "You have no calendar link." in text_of((await app.client.get("/me/meetings")).text)
    r = await post_form(app, "/me/meetings", "/me/calendar-link")
    assert r.status_code == 200
    match = re.search(
        r'id="calendar-link" type="text" value="http://127\.0\.0\.1:8000/calendar/([^"]+)\.ics"', r.text
    )
    assert match, r.text
    token = match.group(1)
    assert "Copy it now: for your privacy it won" in r.text
    stored = await sql(app, "SELECT token_hash FROM calendar_tokens")
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(),)]  # only its hash is kept
    page = (await app.client.get("/me/meetings")).text
    assert token not in page
    assert "You have a calendar link, made on" in text_of(page)
    r = await post_form(app, "/me/meetings", "/me/calendar-link")  # a new one replaces it
    second = re.search(r"/calendar/([^\"]+)\.ics", r.text)
    assert second
    assert second.group(1) != token
    assert len(await sql(app, "SELECT token_hash FROM calendar_tokens")) == 1
    r = await post_form(app, "/me/meetings", "/me/calendar-link/revoke")
    assert (r.status_code, r.headers["location"]) == (303, "/me/meetings?done=calendar_off#calendar")
    assert await sql(app, "SELECT token_hash FROM calendar_tokens") == []
    token_field = csrf_from((await app.client.get("/me/meetings")).text)
    assert token_field
    assert (await app.client.post("/me/calendar-link", data={})).status_code == 403
    assert await sql(app, "SELECT token_hash FROM calendar_tokens") == []
