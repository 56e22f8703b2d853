"""Editing and ending a whole series from the host dashboard, on SQLite and PostgreSQL: its
coming meetings move in the host's time zone (across the US daylight-saving change), those
changed on their own keep their times, members who RSVPed are told, bad input is named and
kept. The clock starts at Monday 2027-03-01 12:00 UTC; the US clocks change on 14 March."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from group_helpers import HOST, MEMBER, OTHER, as_user, new_group, people
from page_helpers import card, freeze_pages, post_form, section, text_of
from series_helpers import Clock, listed, new_series, notices, rsvp
from support import App

pytestmark = pytest.mark.postgres

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


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return freeze_pages(monkeypatch)


async def weekly(app: App, **fields: str) -> tuple[dict[str, int], int, int]:
    """People, a group hosted by Hal with a weekly series scheduled on its dashboard, and the
    series' id."""
    ids = await people(app)
    await as_user(app, HOST)
    group = int((await new_group(app))["id"])
    page = f"/groups/{group}/dashboard"
    r = await post_form(app, page, f"/groups/{group}/schedule", WEEKLY | fields)
    assert r.status_code == 303, r.text
    return ids, group, int((await occurrences(app, group))[0]["series_id"])


async def occurrences(app: App, group: int) -> list[dict[str, Any]]:
    return await listed(app, group, "2027-03-01T00:00:00Z", "2027-12-31T00:00:00Z")


async def edit(app: App, group: int, series: int, **changes: str) -> Any:
    page = f"/groups/{group}/dashboard"
    return await post_form(app, page, f"/groups/{group}/series/{series}/edit", WEEKLY | changes)


def series_card(html: str, series: int) -> str:
    """The series' card (its forms' error lists hold `<li>`s of their own: up to the section's end)."""
    start = html.index(f'<li class="card" id="series-{series}"')
    return html[start : html.index("</section>", start)]


def starts(found: list[dict[str, Any]]) -> list[str]:
    return [m["starts_at"] for m in found if m["state"] != "cancelled"]


async def test_the_dashboard_offers_each_series_as_it_was_scheduled(clock: Clock, app: App) -> None:
    _, group, series = await weekly(app)
    page = (await app.client.get(f"/groups/{group}/dashboard")).text
    item = series_card(page, series)
    assert (
        "Every Tuesday, 19:00 to 20:30 (America/New York time), from Tue 9 Mar 2027; 4 meetings in all."
        in text_of(item)
    )
    prefix = f"s{series}-"
    assert f'id="{prefix}title" name="title" type="text" value="Tuesday circle"' in item
    assert f'id="{prefix}date" name="date" type="date" value="2027-03-09"' in item
    assert f'id="{prefix}start_time" name="start_time" type="time" value="19:00"' in item
    assert f'id="{prefix}end_time" name="end_time" type="time" value="20:30"' in item
    assert '<option value="America/New_York" selected>' in item
    assert f'id="{prefix}repeat-weekly" name="repeat" type="radio" value="weekly" checked' in item
    assert f'id="{prefix}repeat-none"' not in item  # a series repeats
    assert f'id="{prefix}ends-count" name="ends" type="radio" value="count" checked' in item
    assert f'id="{prefix}count" name="count" type="number" value="4"' in item
    for label_for in re.findall(r'<(?:input|select) id="([^"]+)"', item):
        assert f'<label for="{label_for}">' in item, label_for
    assert '<a href="#series">Series</a>' in page


async def test_editing_a_series_moves_its_coming_meetings_at_local_time_across_the_dst_change(
    clock: Clock, app: App
) -> None:
    ids, group, series = await weekly(app)
    first, second, third, fourth = (m["id"] for m in await occurrences(app, group))
    await as_user(app, MEMBER)
    await post_form(app, f"/groups/{group}", f"/groups/{group}/join")
    await rsvp(app, second, ids[MEMBER])
    await as_user(app, HOST)
    own = {"title": "Moved circle", "date": "2027-03-23", "start_time": "17:00", "end_time": "18:00"}
    r = await post_form(app, f"/groups/{group}/dashboard", f"/groups/{group}/occurrences/{third}/edit", own)
    assert r.status_code == 303

    r = await edit(app, group, series, title="Earlier circle", start_time="18:00", end_time="19:00")
    assert (r.status_code, r.headers["location"]) == (
        303,
        f"/groups/{group}/dashboard?done=series_edited#series-{series}",
    )
    found = await occurrences(app, group)
    assert [(m["id"], m["starts_at"], m["ends_at"]) for m in found] == [
        (first, "2027-03-09T23:00:00Z", "2027-03-10T00:00:00Z"),  # 18:00 EST, UTC-5
        (second, "2027-03-16T22:00:00Z", "2027-03-16T23:00:00Z"),  # 18:00 EDT, UTC-4
        (third, "2027-03-23T21:00:00Z", "2027-03-23T22:00:00Z"),  # changed on its own: kept
        (fourth, "2027-03-30T22:00:00Z", "2027-03-30T23:00:00Z"),
    ]
    assert [m["title"] for m in found] == [
        "Earlier circle",
        "Earlier circle",
        "Moved circle",
        "Earlier circle",
    ]
    assert ("moved", second) in await notices(app, group)  # Mo RSVPed to it: she is told

    page = await app.client.get(
        f"/groups/{group}/dashboard", params={"done": "series_edited", "tz": "America/New_York"}
    )
    assert "The series was changed." in page.text
    upcoming = text_of(section(page.text, "upcoming"))
    assert "Tue 9 Mar 2027, 18:00 to 19:00 EST" in upcoming
    assert "Tue 16 Mar 2027, 18:00 to 19:00 EDT" in upcoming
    assert "Tue 30 Mar 2027, 18:00 to 19:00 EDT" in upcoming
    assert "Every Tuesday, 18:00 to 19:00" in text_of(series_card(page.text, series))
    # In London, where the clocks have not changed yet, it is an hour earlier for two weeks.
    await as_user(app, MEMBER)
    group_page = (await app.client.get(f"/groups/{group}", params={"tz": "Europe/London"})).text
    assert "Tue 9 Mar 2027, 23:00 to Wed 10 Mar 2027, 00:00 GMT" in text_of(
        card(group_page, f"meeting-{first}")
    )
    assert "Tue 16 Mar 2027, 22:00 to 23:00 GMT" in text_of(card(group_page, f"meeting-{second}"))


async def test_a_series_moved_to_another_weekday_and_rule_keeps_the_meeting_already_held(
    clock: Clock, app: App
) -> None:
    _, group, series = await weekly(app, date="2027-03-02")
    held = (await occurrences(app, group))[0]
    clock.now += timedelta(days=4)  # Friday 5 March: the first meeting was held
    fields = {"date": "2027-03-17", "repeat": "biweekly", "ends": "until", "until": "2027-04-14"}
    assert (await edit(app, group, series, **fields)).status_code == 303
    found = await occurrences(app, group)
    assert starts(found) == [
        "2027-03-03T00:00:00Z",  # Tuesday 2 March, 19:00 EST: held, kept
        "2027-03-17T23:00:00Z",  # then Wednesdays, every other week, 19:00 EDT
        "2027-03-31T23:00:00Z",
        "2027-04-14T23:00:00Z",
    ]
    assert found[0]["id"] == held["id"]
    detail = (await app.client.get(f"/api/v1/series/{series}")).json()
    assert detail["rrule"] == "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270415T035959Z;BYDAY=WE"
    item = text_of(series_card((await app.client.get(f"/groups/{group}/dashboard")).text, series))
    assert "Every other Wednesday, 19:00 to 20:30" in item
    assert "the last on or before Wed 14 Apr 2027." in item


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"start_time": "7pm"}, "start_time", "Enter a time of day"),
        ({"date": "2027-03-14", "start_time": "02:30"}, "start_time", "02:30 does not exist on Sun 14 Mar"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone from the list."),
        ({"repeat": "none"}, "repeat", "A series repeats"),
        ({"count": "0"}, "count", "whole number from 1 to 520"),
        ({"ends": "until", "until": "2027-03-01"}, "until", "The last date is before the first meeting."),
        ({"title": "  "}, "title", "title must be 1 to 120"),
    ],
)
async def test_a_bad_series_form_names_the_field_and_keeps_the_input(
    clock: Clock, app: App, fields: dict[str, str], field: str, words: str
) -> None:
    _, group, series = await weekly(app)
    before = await occurrences(app, group)
    r = await edit(app, group, series, **fields)
    assert r.status_code == 422, r.text
    item = series_card(r.text, series)
    target = f"s{series}-{field}"
    assert f'<a href="#{target}">' in item
    assert words in text_of(item)
    assert '<details class="change" open>' in item
    if field == "repeat":  # a group of radio buttons: the fieldset is marked, the error tied to each
        assert f'<fieldset class="choices has-error" id="{target}">' in item
        assert f'value="weekly" aria-describedby="{target}-error">' in item
    else:
        assert re.search(rf'id="{target}"[^>]*aria-invalid="true"', item)
    entered = WEEKLY | fields
    if field not in ("timezone", "repeat"):
        assert (
            f'id="s{series}-start_time" name="start_time" type="time" value="{entered["start_time"]}"' in item
        )
    assert await occurrences(app, group) == before


async def test_only_the_groups_hosts_edit_its_series(clock: Clock, app: App) -> None:
    ids, group, series = await weekly(app)
    before = await occurrences(app, group)
    r = await app.client.post(f"/api/v1/groups/{group}/facilitators", json={"user_id": ids[OTHER]})
    assert r.status_code == 200
    other = int((await new_group(app, name="Other"))["id"])
    r = await post_form(app, f"/groups/{other}/dashboard", f"/groups/{other}/series/{series}/edit", WEEKLY)
    assert r.status_code == 404  # not through another group
    await as_user(app, OTHER)  # a facilitator
    r = await post_form(app, f"/groups/{group}", f"/groups/{group}/series/{series}/edit", WEEKLY)
    assert r.status_code == 403
    r = await post_form(app, f"/groups/{group}", f"/groups/{group}/series/{series}/end", {"confirm": "yes"})
    assert r.status_code == 403
    await as_user(app, HOST)
    r = await app.client.post(f"/groups/{group}/series/{series}/edit", data=WEEKLY | {"start_time": "08:00"})
    assert r.status_code == 403  # no CSRF token
    assert await occurrences(app, group) == before


async def test_ending_a_series_cancels_what_is_still_to_come(clock: Clock, app: App) -> None:
    ids, group, series = await weekly(app, date="2027-03-02", ends="never")
    held, second, third = (m["id"] for m in (await occurrences(app, group))[:3])
    await rsvp(app, third, ids[MEMBER])
    clock.now += timedelta(days=4)  # the first meeting was held
    page = f"/groups/{group}/dashboard"
    r = await post_form(app, page, f"/groups/{group}/series/{series}/end", {"confirm": ""})
    assert r.status_code == 422
    item = series_card(r.text, series)
    assert f'<a href="#s{series}-end-confirm">Tick the box to confirm' in item
    assert re.search(rf'id="s{series}-end-confirm"[^>]*aria-invalid="true"', item)

    r = await post_form(app, page, f"/groups/{group}/series/{series}/end", {"confirm": "yes"})
    assert (r.status_code, r.headers["location"]) == (303, f"{page}?done=series_ended#series")
    found = await occurrences(app, group)
    assert [(m["id"], m["state"]) for m in found] == [(held, "scheduled"), (third, "cancelled")]
    assert second not in {m["id"] for m in found}  # nobody RSVPed to it: it is gone
    assert ("cancelled", third) in await notices(app, group)  # Mo is told
    dashboard = (await app.client.get(page, params={"done": "series_ended"})).text
    assert "The series was ended." in dashboard
    assert f'id="series-{series}"' not in dashboard
    assert (await app.client.get(f"/api/v1/series/{series}")).json()["rrule"] == (
        "FREQ=WEEKLY;UNTIL=20270305T120000Z;BYDAY=TU"
    )


async def test_ending_a_series_before_its_first_meeting_cancels_them_all(clock: Clock, app: App) -> None:
    _, group, series = await weekly(app)
    page = f"/groups/{group}/dashboard"
    r = await post_form(app, page, f"/groups/{group}/series/{series}/end", {"confirm": "yes"})
    assert r.status_code == 303
    assert starts(await occurrences(app, group)) == []
    assert 'id="series"' not in (await app.client.get(page)).text


async def test_a_rule_the_form_cannot_say_is_kept_while_its_times_change(clock: Clock, app: App) -> None:
    await people(app)
    await as_user(app, HOST)
    group = int((await new_group(app))["id"])
    r = await new_series(
        app,
        group,
        starts_at="2027-03-02T09:00:00+01:00",
        ends_at="2027-03-02T10:00:00+01:00",
        timezone="Europe/Berlin",
        rrule="FREQ=DAILY;COUNT=3",
    )
    series = int(r.json()["series"]["id"])
    item = series_card((await app.client.get(f"/groups/{group}/dashboard")).text, series)
    assert 'value="keep" checked> Keep its current rule (FREQ=DAILY;COUNT=3) and its end' in item
    assert "By the rule FREQ=DAILY;COUNT=3, 09:00 to 10:00 (Europe/Berlin time)" in text_of(item)
    fields = {"date": "2027-03-02", "start_time": "10:00", "end_time": "11:00", "timezone": "Europe/Berlin"}
    assert (await edit(app, group, series, repeat="keep", **fields)).status_code == 303
    assert starts(await occurrences(app, group)) == [
        "2027-03-02T09:00:00Z",
        "2027-03-03T09:00:00Z",
        "2027-03-04T09:00:00Z",
    ]
    assert (await app.client.get(f"/api/v1/series/{series}")).json()["rrule"] == "FREQ=DAILY;COUNT=3"
