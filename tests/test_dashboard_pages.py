"""The host dashboard and its forms, on SQLite and PostgreSQL: scheduling one-off meetings and
weekly, fortnightly and monthly series in the host's time zone (the RRULE they make, and the
times across a daylight-saving change and midnight), editing and cancelling one occurrence,
the group's details, archiving, RSVPs and waitlists, attendance figures and their chart, CSRF,
and who may do what. The clock starts at Monday 2027-03-01 12:00 UTC."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from group_helpers import ADMIN, HOST, MEMBER, OTHER, as_user, new_group, people
from page_helpers import card, freeze_pages, post_form, section, text_of
from series_helpers import Clock, listed, new_series, rsvp, sql
from support import App

pytestmark = pytest.mark.postgres


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return freeze_pages(monkeypatch)


WEEKLY = {
    "title": "Tuesday circle",
    "date": "2027-03-09",
    "start_time": "19:00",
    "end_time": "20:30",
    "timezone": "America/New_York",
    "repeat": "weekly",
    "ends": "count",
    "count": "4",
    "until": "",
}


async def hosted(app: App, **body: Any) -> tuple[dict[str, int], int]:
    ids = await people(app)
    await as_user(app, HOST)
    group = await new_group(app, **body)
    return ids, int(group["id"])


async def schedule(app: App, group_id: int, **fields: str) -> Any:
    return await post_form(
        app, f"/groups/{group_id}/dashboard", f"/groups/{group_id}/schedule", WEEKLY | fields
    )


async def occurrences(app: App, group_id: int) -> list[dict[str, Any]]:
    return await listed(app, group_id, "2027-03-01T00:00:00Z", "2027-12-31T00:00:00Z")


async def test_the_dashboard_is_for_the_groups_hosts_and_admins(clock: Clock, app: App) -> None:
    ids, group = await hosted(app)
    assert (await app.client.get(f"/groups/{group}/dashboard")).status_code == 200
    r = await app.client.post(f"/api/v1/groups/{group}/facilitators", json={"user_id": ids[OTHER]})
    assert r.status_code == 200, r.text
    for who, status in ((MEMBER, 403), (OTHER, 403), (ADMIN, 200)):
        await as_user(app, who)
        r = await app.client.get(f"/groups/{group}/dashboard")
        assert r.status_code == status, who
        if status == 403:
            assert "Only this group&#39;s hosts and administrators can see its dashboard." in r.text
            r = await schedule(app, group)  # the form is refused as well
            assert r.status_code == 403
    assert await occurrences(app, group) == []
    assert (await app.client.get("/groups/999/dashboard")).status_code == 404
    app.client.cookies.clear()
    r = await app.client.get(f"/groups/{group}/dashboard")
    assert (r.status_code, r.headers["location"]) == (303, f"/login?next=/groups/{group}/dashboard")


async def test_forms_need_the_csrf_token(clock: Clock, app: App) -> None:
    _, group = await hosted(app)
    await app.client.get(f"/groups/{group}/dashboard")
    for action, fields in (
        ("schedule", WEEKLY),
        ("details", {"name": "X"}),
        ("archive", {"confirm": "yes"}),
    ):
        r = await app.client.post(f"/groups/{group}/{action}", data=fields)
        assert r.status_code == 403, action
        assert "This form has expired" in r.text
    r = await app.client.post(f"/groups/{group}/schedule", data=WEEKLY | {"csrf_token": "forged"})
    assert r.status_code == 403
    assert await occurrences(app, group) == []
    assert (await app.client.get(f"/api/v1/groups/{group}")).json()["archived_at"] is None


async def test_a_weekly_series_in_new_york_stays_at_19_local_across_the_us_change(
    clock: Clock, app: App
) -> None:
    _, group = await hosted(app)
    form = (await app.client.get(f"/groups/{group}/dashboard")).text
    assert 'data-browser-zone="fill"' in form  # no zone known yet: the browser's may be chosen
    r = await schedule(app, group)
    assert (r.status_code, r.headers["location"]) == (
        303,
        f"/groups/{group}/dashboard?done=scheduled#schedule",
    )
    found = await occurrences(app, group)
    assert [m["starts_at"] for m in found] == [
        "2027-03-10T00:00:00Z",  # EST, UTC-5
        "2027-03-16T23:00:00Z",  # EDT, UTC-4 after 14 March
        "2027-03-23T23:00:00Z",
        "2027-03-30T23:00:00Z",
    ]
    assert {m["ends_at"][11:] for m in found} >= {"01:30:00Z", "00:30:00Z"}
    assert {m["timezone"] for m in found} == {"America/New_York"}
    series = (await app.client.get(f"/api/v1/series/{found[0]['series_id']}")).json()
    assert series["rrule"] == "FREQ=WEEKLY;COUNT=4;BYDAY=TU"
    page = await app.client.get(
        f"/groups/{group}/dashboard", params={"done": "scheduled", "tz": "America/New_York"}
    )
    assert "The meetings were added." in page.text
    upcoming = text_of(section(page.text, "upcoming"))
    assert "Tue 9 Mar 2027, 19:00 to 20:30 EST" in upcoming
    assert "Tue 16 Mar 2027, 19:00 to 20:30 EDT" in upcoming


@pytest.mark.parametrize(
    ("fields", "rrule", "starts"),
    [
        (
            {"repeat": "biweekly", "ends": "until", "until": "2027-04-06"},
            "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270407T035959Z;BYDAY=TU",
            ["2027-03-10T00:00:00Z", "2027-03-23T23:00:00Z", "2027-04-06T23:00:00Z"],
        ),
        (
            {"repeat": "monthly", "count": "3"},
            "FREQ=MONTHLY;COUNT=3;BYDAY=2TU",  # 9 March is the second Tuesday
            ["2027-03-10T00:00:00Z", "2027-04-13T23:00:00Z", "2027-05-11T23:00:00Z"],
        ),
        (
            {"repeat": "monthly", "date": "2027-03-30", "count": "2"},
            "FREQ=MONTHLY;COUNT=2;BYDAY=-1TU",  # a fifth Tuesday is the last one
            ["2027-03-30T23:00:00Z", "2027-04-27T23:00:00Z"],
        ),
    ],
)
async def test_every_other_week_and_monthly_on_the_nth_weekday(
    clock: Clock, app: App, fields: dict[str, str], rrule: str, starts: list[str]
) -> None:
    _, group = await hosted(app)
    assert (await schedule(app, group, **fields)).status_code == 303
    found = await occurrences(app, group)
    assert [m["starts_at"] for m in found] == starts
    assert (await app.client.get(f"/api/v1/series/{found[0]['series_id']}")).json()["rrule"] == rrule


async def test_a_one_off_meeting_that_crosses_midnight_in_the_hosts_own_time_zone(
    clock: Clock, app: App
) -> None:
    _, group = await hosted(app)
    r = await post_form(app, "/me/meetings", "/me/preferences", {"timezone": "Europe/Berlin"})
    assert r.status_code == 303
    page = (await app.client.get(f"/groups/{group}/dashboard")).text
    assert '<option value="Europe/Berlin" selected>' in section(page, "schedule")
    assert 'data-browser-zone="fill"' not in page  # the host's own zone is the default
    fields = {"timezone": "Europe/Berlin", "repeat": "none", "start_time": "23:00", "end_time": "00:30"}
    r = await schedule(app, group, **fields)
    assert r.headers["location"] == f"/groups/{group}/dashboard?done=scheduled_one#schedule"
    [one] = await occurrences(app, group)
    assert (one["starts_at"], one["ends_at"], one["series_id"]) == (
        "2027-03-09T22:00:00Z",
        "2027-03-09T23:30:00Z",
        None,
    )
    page = (await app.client.get(f"/groups/{group}/dashboard")).text
    assert "Tue 9 Mar 2027, 23:00 to Wed 10 Mar 2027, 00:30 CET" in text_of(page)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        (
            {"date": "2027-03-14", "start_time": "02:30"},
            "start_time",
            "02:30 does not exist on Sun 14 Mar 2027",
        ),
        ({"date": "next tuesday"}, "date", "Enter a date"),
        ({"start_time": "7pm"}, "start_time", "Enter a time of day"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone from the list."),
        ({"count": "0"}, "count", "whole number from 1 to 520"),
        ({"ends": "until", "until": "2027-03-01"}, "until", "The last date is before the first meeting."),
        ({"repeat": "yearly"}, "repeat", "Choose how the meeting repeats."),
        ({"title": "  "}, "title", "title must be 1 to 120"),
        ({"date": "2027-02-23"}, "end_time", "in the past"),
    ],
)
async def test_a_bad_schedule_form_names_the_field_and_keeps_the_input(
    clock: Clock, app: App, fields: dict[str, str], field: str, words: str
) -> None:
    _, group = await hosted(app)
    r = await schedule(app, group, **fields)
    assert r.status_code == 422, r.text
    form = section(r.text, "schedule")
    assert f'<a href="#{field}">' in form
    assert words in text_of(form)
    if field == "repeat":  # a group of radio buttons: the error is tied to each
        assert (
            'id="repeat-none" name="repeat" type="radio" value="none" aria-describedby="repeat-error"' in form
        )
    else:
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', form)
    entered = WEEKLY | fields
    if field not in ("timezone", "repeat"):
        assert f'value="{entered["date"]}"' in form
    assert await occurrences(app, group) == []


async def test_rsvps_waitlist_and_facilitators_of_the_next_meetings(clock: Clock, app: App) -> None:
    ids, group = await hosted(app, size_limit=1)
    await schedule(app, group)
    first = (await occurrences(app, group))[0]["id"]
    r = await app.client.post(f"/api/v1/groups/{group}/facilitators", json={"user_id": ids[ADMIN]})
    assert r.status_code == 200
    for who in (MEMBER, OTHER):
        await as_user(app, who)
        await post_form(app, f"/groups/{group}", f"/groups/{group}/join")
    await rsvp(app, first, ids[MEMBER])
    await rsvp(app, first, ids[OTHER], "waitlist")
    await rsvp(app, first, ids[ADMIN])
    await as_user(app, HOST)
    page = (await app.client.get(f"/groups/{group}/dashboard")).text
    assert "Run by: Hal (host), Ada (facilitator)." in text_of(section(page, "upcoming"))
    one = text_of(card(page, f"occurrence-{first}"))
    assert "Seats 1 taken, 0 left of 1" in one
    going = one[one.index("Going (2)") : one.index("Waitlist")]  # in RSVP order (same second here)
    assert "Mo" in going
    assert "Ada (runs the group)" in going
    assert "Waitlist (1) Oz" in one


async def test_past_meetings_show_attendance_no_shows_and_a_chart(clock: Clock, app: App) -> None:
    ids, group = await hosted(app)
    assert (await schedule(app, group, date="2027-03-02", count="3")).status_code == 303
    found = await occurrences(app, group)
    for m in found[:2]:
        await rsvp(app, m["id"], ids[MEMBER])
        await rsvp(app, m["id"], ids[OTHER])
    for m, who in ((found[0], MEMBER), (found[0], OTHER), (found[1], MEMBER)):
        await sql(
            app,
            "INSERT INTO attendance (meeting_id, user_id, joined_at) VALUES (:m, :u, :t)",
            m=m["id"],
            u=ids[who],
            t=clock.now,
        )
    clock.now += timedelta(days=14)  # both meetings are over
    page = (await app.client.get(f"/groups/{group}/dashboard", params={"tz": "America/New_York"})).text
    part = section(page, "attendance")
    assert '<svg class="chart"' in part
    assert '<title id="chart-title">Attendance at the last 2 meetings held</title>' in part
    assert "on average 1.5 came of 2.0 who RSVPed." in part
    assert 'aria-labelledby="chart-title chart-desc"' in part
    assert "style=" not in part  # the page's CSP allows no inline styles
    rows = re.findall(r"<tr>(.*?)</tr>", part, re.S)
    cells = [text_of(row) for row in rows[1:]]
    assert cells == [
        "Tue 9 Mar 2027, 19:00 to 20:30 EST 2 0 1 1 0 of 0",
        "Tue 2 Mar 2027, 19:00 to 20:30 EST 2 0 2 0 0 of 0",
    ]
    assert f'href="/groups/{group}#log">moderation log</a>' in page


async def test_editing_and_cancelling_one_occurrence(clock: Clock, app: App) -> None:
    ids, group = await hosted(app)
    await schedule(app, group)
    first, second = (m["id"] for m in (await occurrences(app, group))[:2])
    page = (await app.client.get(f"/groups/{group}/dashboard")).text
    assert f'id="o{first}-start_time" name="start_time" type="time" value="19:00"' in page
    edit = {"title": "Moved circle", "date": "2027-03-09", "start_time": "18:00", "end_time": "19:00"}
    r = await post_form(app, f"/groups/{group}/dashboard", f"/groups/{group}/occurrences/{first}/edit", edit)
    assert (r.status_code, r.headers["location"]) == (303, f"/groups/{group}/dashboard?done=edited#upcoming")
    moved = (await app.client.get(f"/api/v1/meetings/{first}")).json()
    assert (moved["title"], moved["starts_at"], moved["overridden"]) == (
        "Moved circle",
        "2027-03-09T23:00:00Z",
        True,
    )
    bad = edit | {"start_time": "soon"}
    r = await post_form(app, f"/groups/{group}/dashboard", f"/groups/{group}/occurrences/{first}/edit", bad)
    assert r.status_code == 422
    assert f'<a href="#o{first}-start_time">Enter a time of day' in r.text
    assert f'id="o{first}-start_time" name="start_time" type="time" value="soon"' in r.text
    r = await post_form(app, f"/groups/{group}/dashboard", f"/groups/{group}/occurrences/{first}/cancel")
    assert r.headers["location"] == f"/groups/{group}/dashboard?done=cancelled#upcoming"
    assert (await app.client.get(f"/api/v1/meetings/{first}")).json()["state"] == "cancelled"

    # A facilitator cancels from the group page and is taken back there; a member may not.
    await app.client.post(f"/api/v1/groups/{group}/facilitators", json={"user_id": ids[MEMBER]})
    await as_user(app, OTHER)
    await post_form(app, f"/groups/{group}", f"/groups/{group}/join")
    assert f'/occurrences/{second}/cancel"' not in (await app.client.get(f"/groups/{group}")).text
    r = await post_form(
        app, f"/groups/{group}", f"/groups/{group}/occurrences/{second}/cancel", {"back": "group"}
    )
    assert r.status_code == 403
    assert "Only this group&#39;s facilitators, host or an administrator can cancel" in r.text
    await as_user(app, MEMBER)
    page = (await app.client.get(f"/groups/{group}")).text
    assert f'action="/groups/{group}/occurrences/{second}/cancel"' in page
    r = await post_form(
        app, f"/groups/{group}", f"/groups/{group}/occurrences/{second}/cancel", {"back": "group"}
    )
    assert (r.status_code, r.headers["location"]) == (303, f"/groups/{group}?done=cancelled#meetings")
    page = (await app.client.get(f"/groups/{group}?done=cancelled")).text
    assert "The meeting was cancelled. Members who RSVPed will be told." in page
    assert "This meeting was cancelled." in text_of(card(page, f"meeting-{second}"))
    # An occurrence of another group is not found through this one.
    await as_user(app, HOST)
    other = (await new_group(app, name="Other"))["id"]
    r = await post_form(app, f"/groups/{other}/dashboard", f"/groups/{other}/occurrences/{second}/cancel")
    assert r.status_code == 404


async def test_the_groups_details_and_archiving(clock: Clock, app: App) -> None:
    _, group = await hosted(app)
    page = (await app.client.get(f"/groups/{group}/dashboard")).text
    assert 'id="topic-wellness" name="topics" type="checkbox" value="wellness" checked' in page
    details = {
        "name": "Grief circle",
        "description": "For anyone who lost someone.",
        "topics": ["grief", "caregivers"],
        "style": "professional",
        "credential": "Grief counsellor",
        "language": "en-gb",
        "size_limit": "8",
        "visibility": "listed",
        "visitors_allowed": "",
    }
    r = await post_form(app, f"/groups/{group}/dashboard", f"/groups/{group}/details", details)
    assert (r.status_code, r.headers["location"]) == (303, f"/groups/{group}/dashboard?done=details#details")
    got = (await app.client.get(f"/api/v1/groups/{group}")).json()
    assert (got["topics"], got["style"], got["credential"], got["language"]) == (
        ["grief", "caregivers"],
        "professional",
        "Grief counsellor",
        "en-GB",
    )
    assert (got["size_limit"], got["visitors_allowed"]) == (8, False)
    # Back to peer-led: the credential line goes with it.
    r = await post_form(
        app, f"/groups/{group}/dashboard", f"/groups/{group}/details", details | {"style": "peer"}
    )
    assert r.status_code == 303
    assert (await app.client.get(f"/api/v1/groups/{group}")).json()["credential"] is None
    for change, field in (({"topics": []}, "topics"), ({"size_limit": "many"}, "size_limit")):
        r = await post_form(app, f"/groups/{group}/dashboard", f"/groups/{group}/details", details | change)
        assert r.status_code == 422
        assert f'<a href="#{field}">' in section(r.text, "details")
    r = await post_form(
        app, f"/groups/{group}/dashboard", f"/groups/{group}/details", details | {"size_limit": "x"}
    )
    assert 'value="x"' in section(r.text, "details")  # what was typed is kept

    await schedule(app, group)
    r = await post_form(app, f"/groups/{group}/dashboard", f"/groups/{group}/archive", {"confirm": ""})
    assert r.status_code == 422
    assert "Tick the box to confirm" in text_of(section(r.text, "archive"))
    r = await post_form(app, f"/groups/{group}/dashboard", f"/groups/{group}/archive", {"confirm": "yes"})
    assert r.headers["location"] == f"/groups/{group}/dashboard?done=archived#archive"
    assert {m["state"] for m in await occurrences(app, group)} == {"cancelled"}
    page = (await app.client.get(f"/groups/{group}/dashboard")).text
    assert "This group is archived" in page
    assert 'id="schedule"' not in page
    assert 'id="archive"' not in page


async def test_the_group_page_links_hosts_to_the_dashboard(clock: Clock, app: App) -> None:
    _, group = await hosted(app)
    await new_series(
        app,
        group,
        starts_at="2027-03-02T19:00:00-05:00",
        ends_at="2027-03-02T20:00:00-05:00",
        timezone="America/New_York",
        rrule="FREQ=WEEKLY;BYDAY=TU",
    )
    page = (await app.client.get(f"/groups/{group}")).text
    first = (await occurrences(app, group))[0]["id"]
    assert f'href="/groups/{group}/dashboard#occurrence-{first}">Change this meeting' in page
    assert f'href="/groups/{group}/dashboard#schedule">Schedule meetings</a>' in page
