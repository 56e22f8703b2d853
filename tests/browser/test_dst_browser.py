"""Daylight saving in a real Chromium: a weekly meeting held at 19:00 in New York, seen by its
host in New York and by a member in Berlin across the weeks in March when the US has changed
its clocks and the EU has not yet.

The series starts two Tuesdays before the next US change (second Sunday of March), so its six
meetings fall before both changes, between them, and after both. The host's pages say 19:00
every week; the member's say 01:00, then 00:00 for the weeks between the changes, then 01:00
again (now CEST), because Hearth keeps the wall-clock time of the zone the host chose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from support import Server

from browser.test_directory_browser import People, log_in, make_host

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

NEW_YORK, BERLIN = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")


@pytest.fixture
def people(browser: Browser, server: Server) -> Iterator[People]:
    found = People(browser, server)
    yield found
    found.close()


def us_change_after(today: date) -> date:
    """The next second Sunday of March (when New York moves to EDT) at least a week away."""
    year = today.year
    while True:
        first = date(year, 3, 1)
        second_sunday = first + timedelta(days=(6 - first.weekday()) % 7 + 7)
        if second_sunday - today >= timedelta(weeks=1):
            return second_sunday
        year += 1


def eu_change(year: int) -> date:
    """The last Sunday of March (when Berlin moves to CEST)."""
    last = date(year, 3, 31)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def tuesdays(change: date) -> list[date]:
    """Six Tuesdays in a row, the first two before `change`."""
    first = change - timedelta(days=(change.weekday() - 1) % 7) - timedelta(weeks=1)
    return [first + timedelta(weeks=n) for n in range(6)]


def shown(day: date, zone: ZoneInfo) -> str:
    """The start of a meeting at 19:00 New York time on `day`, in `zone`, with the zone's
    abbreviation: "Wed 3 Mar 2027, 01:00 CET"."""
    local = datetime.combine(day, time(19), NEW_YORK).astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local:%Z}"


WHEN = re.compile(r"^(\w{3} \d+ \w{3} \d{4}, \d\d:\d\d) to .*? ([A-Z]{3,4})$", re.MULTILINE)


def meeting_times(page: Page) -> list[str]:
    """The start of every meeting listed on a group page, "Later meetings" opened."""
    later = page.locator("details", has_text="Later meetings")
    if later.count() and later.get_attribute("open") is None:
        later.locator("summary").click()
        expect(later).to_have_attribute("open", "")
    cards = page.locator(".meeting-list > li")
    found = []
    for n in range(cards.count()):
        match = WHEN.search(cards.nth(n).inner_text())
        assert match, cards.nth(n).inner_text()
        found.append(f"{match.group(1)} {match.group(2)}")
    return found


def test_a_weekly_new_york_meeting_keeps_its_local_time_across_both_march_changes(
    people: People, server: Server
) -> None:
    people.api("ada@example.org", "Ada")  # the first account: the administrator
    make_host(server, "hal@example.org", "Hal")
    hal = people.api("hal@example.org", "Hal", register=False)
    change = us_change_after(datetime.now(UTC).date())
    days = tuesdays(change)
    assert days[1] < change < days[2]
    assert days[3] < eu_change(change.year) < days[5]

    r = hal.post(
        "/api/v1/groups",
        json={
            "name": "Evening anxiety circle",
            "description": "Evenings, for worry that keeps you up.",
            "topics": ["anxiety"],
            "visibility": "listed",
        },
    )
    assert r.status_code == 201, r.text
    group = r.json()["id"]
    start = datetime.combine(days[0], time(19), NEW_YORK).astimezone(UTC)
    r = hal.post(
        f"/api/v1/groups/{group}/meetings",
        json={
            "title": "Weekly share",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "timezone": "America/New_York",
            "rrule": "FREQ=WEEKLY;COUNT=6",
        },
    )
    assert r.status_code == 201, r.text

    host = people.open("America/New_York")
    log_in(host, "hal@example.org")
    host.goto(f"/groups/{group}")
    expect(host.page.locator(".zone-note").first).to_contain_text("America/New")
    assert meeting_times(host.page) == [shown(day, NEW_YORK) for day in days]
    assert {text.split(", ")[1] for text in meeting_times(host.page)} == {"19:00 EST", "19:00 EDT"}
    host.assert_clean()

    member = people.open("Europe/Berlin")
    member.register("Mo", "mo@example.org")
    member.goto(f"/groups/{group}")
    expect(member.page.locator(".zone-note").first).to_contain_text("Europe/Berlin")
    seen = meeting_times(member.page)
    assert seen == [shown(day, BERLIN) for day in days]
    # Before both changes, between them (New York is only five hours behind), after both.
    assert [text.split(", ")[1] for text in seen][:3] == ["01:00 CET", "01:00 CET", "00:00 CET"]
    assert seen[-1].endswith("01:00 CEST")
    # Its room opens ten minutes before, on the evening before in Berlin: the page says which day.
    eve = datetime.combine(days[2], time(18, 50), NEW_YORK).astimezone(BERLIN)
    expect(member.page.locator(".meeting-list > li").nth(2)).to_contain_text(
        f"The room opens at 23:50 CET on {eve:%a} {eve.day} {eve:%b %Y}, 10 minutes before the start."
    )
    member.goto("/directory?topic=anxiety")
    expect(member.page.locator(".result-list > li").first).to_contain_text(
        "Next meeting " + shown(days[0], BERLIN).rsplit(" ", 1)[0]
    )
    member.assert_clean()
