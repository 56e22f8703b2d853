"""Groups, the directory, RSVPs and My meetings in a real Chromium against a real `hearth serve`:
a host in New York creates a weekly group through the pages; a member in Berlin finds it in
the directory by topic, RSVPs, and sees it in My meetings in her own time; the directory's
filters with the keyboard alone; every new page at 320 px without sideways scrolling, and
its text, links, buttons and chart at WCAG AA contrast.

Each browser context has its own time zone (`timezone_id`), so `static/js/time-zone.js`
reports a different zone for each person. Every test ends with `assert_clean()`: no request
left the server, nothing broke the Content Security Policy, no script error was thrown.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect
from support import STRONG_PASSWORD, Server, run

from browser.conftest import DESKTOP, TIMEOUT_MS, Visit
from browser.test_accounts_browser import FOCUS_RING_JS, focused, low_contrast, no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

NEW_YORK, BERLIN, TOKYO = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo")


# --- people, places and times --------------------------------------------------------------


class People:
    """Opens a browser context per person, each in their own time zone, on one server."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.browser, self.server = browser, server
        self.visits: list[Visit] = []
        self.clients: list[httpx.Client] = []

    def open(self, timezone_id: str, *, width: int = DESKTOP["width"]) -> Visit:
        context = self.browser.new_context(
            viewport={"width": width, "height": DESKTOP["height"]},
            locale="en-GB",
            timezone_id=timezone_id,
            service_workers="block",
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        seen = Visit(page, self.server)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                seen.console_errors.append(message.text)

        def on_request(request: Request) -> None:
            seen.requests.append(request.url)

        page.on("console", on_console)
        page.on("request", on_request)
        page.on("pageerror", lambda exc: seen.page_errors.append(str(exc)))
        self.visits.append(seen)
        return seen

    def api(self, email: str, name: str, *, register: bool = True) -> httpx.Client:
        """An API client logged in as `email` (registered first unless `register` is False)."""
        client = httpx.Client(base_url=self.server.url, timeout=10)
        self.clients.append(client)
        if register:
            body = {"email": email, "password": STRONG_PASSWORD, "display_name": name}
            r = client.post("/api/v1/accounts", json=body)
            assert r.status_code == 201, r.text
        r = client.post("/api/v1/session", json={"email": email, "password": STRONG_PASSWORD})
        assert r.status_code == 200, r.text
        return client

    def close(self) -> None:
        for seen in self.visits:
            seen.page.context.close()
        for client in self.clients:
            client.close()


@pytest.fixture
def people(browser: Browser, server: Server) -> Iterator[People]:
    found = People(browser, server)
    yield found
    found.close()


def make_host(server: Server, email: str, name: str) -> None:
    """A platform host, made as an operator would (`hearth user create --role host`)."""
    done = run(
        "user",
        "create",
        "--email",
        email,
        "--role",
        "host",
        "--display-name",
        name,
        env={"HEARTH_DATA_DIR": str(server.data_dir)},
        stdin=STRONG_PASSWORD + "\n",
    )
    assert done.returncode == 0, done.stderr


def form_post(client: httpx.Client, page: str, action: str, fields: dict[str, str] | None = None) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert token
    r = client.post(action, data={"csrf_token": token.group(1), **(fields or {})})
    assert r.status_code == 303, r.text


def next_tuesday() -> date:
    """A Tuesday at least two days ahead in New York."""
    day = datetime.now(NEW_YORK).date() + timedelta(days=2)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def shown(day: date, clock: time, zone: ZoneInfo) -> str:
    """How a page shows the start of a meeting held at `clock` New York time on `day`, in `zone`."""
    local = datetime.combine(day, clock, NEW_YORK).astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def log_in(visit: Visit, email: str) -> None:
    visit.goto("/login")
    visit.log_in(email, STRONG_PASSWORD)


# --- the journey ------------------------------------------------------------------------------


def test_a_host_creates_a_weekly_group_a_member_finds_it_rsvps_and_sees_it_in_her_time(
    people: People, server: Server
) -> None:
    people.api("ada@example.org", "Ada")  # the first account: the administrator
    make_host(server, "hal@example.org", "Hal")
    first = next_tuesday()

    # Hal, in New York, creates the group and its weekly meeting through the pages.
    host = people.open("America/New_York")
    page = host.page
    log_in(host, "hal@example.org")
    host.goto("/groups/new")
    page.get_by_label("Group name").fill("Tuesday grief circle")
    page.get_by_label("Description").fill("For anyone grieving. We listen first.")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tuesday grief circle")
    expect(page.locator(".zone-note")).to_contain_text("America/New York")  # the browser's, after a reload
    page.get_by_role("link", name="Host dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Host dashboard")

    details = page.locator("#details")
    details.get_by_label("Grief and loss").check()
    details.get_by_label("General wellness").uncheck()
    details.get_by_label("Seats per meeting").fill("8")
    details.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status")).to_have_text("The group's details were saved.")

    schedule = page.locator("#schedule")
    expect(schedule.get_by_label("Time zone")).to_have_value("America/New_York")  # from the browser
    schedule.get_by_label("Title").fill("Weekly share")
    schedule.get_by_label("Date of the first meeting").fill(first.isoformat())
    schedule.get_by_label("Starts at").fill("19:00")
    schedule.get_by_label("Ends at").fill("20:00")
    schedule.get_by_label("Every week").check()
    schedule.get_by_role("button", name="Schedule").click()
    expect(page.get_by_role("status")).to_contain_text("The meetings were added.")
    upcoming = page.locator("#upcoming")
    expect(upcoming).to_contain_text(shown(first, time(19), NEW_YORK) + " to 20:00")
    expect(upcoming).to_contain_text(shown(first + timedelta(weeks=1), time(19), NEW_YORK))
    host.log_out()
    host.assert_clean()

    # Mo, in Berlin, signs up, finds the group by its topic and RSVPs to its first meeting.
    member = people.open("Europe/Berlin")
    page = member.page
    member.register("Mo", "mo@example.org")
    page.get_by_role("link", name="directory").click()
    expect(page.locator("#zone-note")).to_contain_text("Times are in Europe/Berlin")  # the browser's
    page.get_by_label("Grief and loss").check()
    page.get_by_role("button", name="Show groups").click()
    expect(page).to_have_url(re.compile(r"topic=grief"))
    results = page.locator(".result-list > li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Next meeting " + shown(first, time(19), BERLIN))
    expect(results.first).to_contain_text("8 of 8")
    results.first.get_by_role("link", name="Tuesday grief circle").click()

    page.get_by_role("button", name="Join this group").click()
    expect(page.get_by_role("status")).to_have_text("You joined this group. Welcome.")
    card = page.locator(".meeting-list > li").first
    expect(card).to_contain_text(shown(first, time(19), BERLIN))
    card.get_by_role("button", name=re.compile(r"^RSVP")).click()
    expect(page.get_by_role("status")).to_contain_text("You're going.")
    expect(page.locator(".meeting-list > li").first).to_contain_text("7 of 8 seats left.")

    member.goto("/account")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My meetings").click()
    mine = page.locator("#meetings .card")
    expect(mine).to_have_count(1)
    expect(mine.first).to_contain_text("Tuesday grief circle: Weekly share")
    expect(mine.first).to_contain_text(shown(first, time(19), BERLIN))
    expect(mine.first).to_contain_text("You're going.")

    # The meeting's calendar file, and her private feed, which calendar apps read without cookies.
    ics = page.request.get(
        server.url + mine.first.get_by_role("link", name=re.compile("^Calendar file")).get_attribute("href")
    )  # type: ignore[operator]
    assert ics.status == 200
    assert "BEGIN:VEVENT" in ics.text()
    assert "SUMMARY:Hearth meeting" in ics.text()  # no group name unless she asks for it
    page.get_by_role("button", name="Make my calendar link").click()
    link = page.get_by_label("Your calendar link").input_value()
    assert link.startswith(server.url + "/calendar/")
    feed = httpx.get(link, timeout=10)
    assert feed.status_code == 200
    assert feed.text.count("BEGIN:VEVENT") == 1

    # Her own time zone on the account wins over the browser's, everywhere.
    page.get_by_label("Your time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("status")).to_have_text("Your preferences were saved.")
    expect(page.locator("#meetings .card").first).to_contain_text(shown(first, time(19), TOKYO) + " to ")
    expect(page.locator(".zone-note")).to_contain_text(
        "Times are in Asia/Tokyo, the time zone in your preferences."
    )
    member.assert_clean()


# --- keyboard ---------------------------------------------------------------------------------


def directory_world(people: People, server: Server) -> dict[str, Any]:
    """Ada (admin), Hal (host) with two groups meeting weekly, and Mo (member)."""
    people.api("ada@example.org", "Ada")
    make_host(server, "hal@example.org", "Hal")
    hal = people.api("hal@example.org", "Hal", register=False)
    first = next_tuesday()
    start = datetime.combine(first, time(19), NEW_YORK)
    groups = {}
    for name, topics in (("Tuesday grief circle", ["grief"]), ("Calm minds", ["anxiety", "stress"])):
        r = hal.post(
            "/api/v1/groups", json={"name": name, "description": "Weekly, online.", "topics": topics}
        )
        assert r.status_code == 201, r.text
        groups[name] = r.json()["id"]
        body = {
            "title": "Weekly share",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "timezone": "America/New_York",
            "rrule": "FREQ=WEEKLY;BYDAY=TU",
        }
        r = hal.post(f"/api/v1/groups/{groups[name]}/meetings", json=body)
        assert r.status_code == 201, r.text
    mo = people.api("mo@example.org", "Mo")
    return {"groups": groups, "first": first, "hal": hal, "mo": mo}


def assert_focus_visible(page: Page, what: str) -> None:
    el = focused(page)
    assert el["outlineStyle"] != "none", f"no focus outline on {what} ({el})"
    assert el["outlineWidth"] >= 2, f"focus outline on {what} is too thin"
    ring = page.evaluate(FOCUS_RING_JS)
    assert ring >= 3, f"focus ring around {what} has contrast {ring:.2f}:1"


def tab_to(page: Page, element_id: str, *, most: int = 40) -> list[str]:
    """Press Tab until `#element_id` has the focus, checking every stop's focus ring."""
    passed = []
    for _ in range(most):
        page.keyboard.press("Tab")
        el = focused(page)
        assert_focus_visible(page, el["id"] or el["name"])
        passed.append(el["id"] or el["name"])
        if el["id"] == element_id:
            return passed
    raise AssertionError(f"Tab never reached #{element_id}; went through {passed}")


def test_the_directory_filters_with_the_keyboard_alone(people: People, server: Server) -> None:
    directory_world(people, server)
    visit = people.open("Europe/Berlin")
    page = visit.page
    log_in(visit, "mo@example.org")
    visit.goto("/directory")
    expect(page.locator("#zone-note")).to_contain_text("Europe/Berlin")  # after the one reload
    assert page.locator("[tabindex]:not([tabindex='-1']):not([tabindex='0'])").count() == 0
    expect(page.get_by_role("link", name=re.compile("^Skip the filters"))).to_be_hidden()  # side by side

    passed = tab_to(page, "q")
    assert passed[0] == "Skip to main content"
    page.keyboard.type("circle")
    assert tab_to(page, "topic-grief") == [
        "topic-anxiety",
        "topic-depression",
        "topic-bipolar",
        "topic-eating-disorders",
        "topic-grief",
    ]
    page.keyboard.press("Space")
    expect(page.locator("#topic-grief")).to_be_checked()
    tab_to(page, "style-any")  # one stop for the whole group of radio buttons…
    page.keyboard.press("ArrowDown")  # …and the arrows choose within it
    expect(page.locator("#style-peer")).to_be_checked()
    assert focused(page)["id"] == "style-peer"
    tab_to(page, "day-wed")  # Tuesday 19:00 in New York is Wednesday 01:00 in Berlin
    page.keyboard.press("Space")
    tab_to(page, "has_seats")
    page.keyboard.press("Space")
    stops = tab_to(page, "")  # the button has no id: stop at the first element without one
    assert stops[-1] == "Show groups"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=circle.*topic=grief.*style=peer.*day=wed.*has_seats=true"))
    results = page.locator(".result-list > li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Tuesday grief circle")
    # The filters stay as chosen, and the result is the next stop after the form's links.
    expect(page.locator("#q")).to_have_value("circle")
    expect(page.locator("#day-wed")).to_be_checked()
    page.locator("#has_seats").focus()
    for _ in range(6):
        page.keyboard.press("Tab")
        if focused(page)["name"] == "Tuesday grief circle":
            break
    assert focused(page)["name"] == "Tuesday grief circle"
    assert_focus_visible(page, "the result's link")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tuesday grief circle")
    visit.assert_clean()


# --- small screens and contrast ----------------------------------------------------------------


def add_past_meeting(server: Server, group_id: int, user_ids: list[int]) -> None:
    """A meeting held a week ago that two RSVPed to and one came to (for the dashboard chart)."""
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    start = datetime.now(UTC) - timedelta(days=7)
    with sqlite3.connect(server.data_dir / "hearth.db") as db:
        cur = db.execute(
            "INSERT INTO meetings (group_id, title, starts_at, ends_at, state, ended_at, created_at, "
            "timezone, overridden) VALUES (?, 'Weekly share', ?, ?, 'ended', ?, ?, 'America/New_York', 0)",
            (
                group_id,
                start.strftime(fmt),
                (start + timedelta(hours=1)).strftime(fmt),
                (start + timedelta(hours=1)).strftime(fmt),
                start.strftime(fmt),
            ),
        )
        meeting_id = cur.lastrowid
        for i, user_id in enumerate(user_ids):
            db.execute(
                "INSERT INTO rsvps (meeting_id, user_id, status, visitor, created_at) "
                "VALUES (?, ?, 'going', 0, ?)",
                (meeting_id, user_id, start.strftime(fmt)),
            )
            if i == 0:
                db.execute(
                    "INSERT INTO attendance (meeting_id, user_id, joined_at) VALUES (?, ?, ?)",
                    (meeting_id, user_id, start.strftime(fmt)),
                )


PAGE_CHECKS = [
    ("body text", "main p"),
    ("heading", "main h1, main h2, main h3"),
    ("header link", ".site-header nav a"),
    ("help link", ".help-link"),
    ("footer text", ".site-footer p"),
]


def test_new_pages_fit_320_px_and_meet_wcag_aa_contrast(people: People, server: Server) -> None:
    world = directory_world(people, server)
    grief = world["groups"]["Tuesday grief circle"]
    mo: httpx.Client = world["mo"]
    form_post(mo, f"/groups/{grief}", f"/groups/{grief}/join")
    first = mo.get(f"/api/v1/groups/{grief}").json()["upcoming"][0]["id"]
    form_post(mo, f"/groups/{grief}", f"/groups/{grief}/meetings/{first}/rsvp")
    ids = [mo.get("/api/v1/me").json()["id"], world["hal"].get("/api/v1/me").json()["id"]]
    add_past_meeting(server, grief, ids)

    visit = people.open("Australia/Sydney", width=320)
    page = visit.page
    problems: list[str] = []

    def check(path: str, extra: list[tuple[str, str]]) -> None:
        visit.goto(path)
        expect(page.locator(".zone-note").first).to_contain_text("Australia/Sydney")
        no_horizontal_scroll(page, 320)
        expect(page.get_by_role("link", name="Need help now?")).to_be_in_viewport()
        problems.extend(low_contrast(page, [*PAGE_CHECKS, *extra]))

    log_in(visit, "mo@example.org")
    check(
        "/directory?topic=grief",
        [
            ("label", "main label"),
            ("legend", "legend"),
            ("hint", ".hint"),
            ("muted", ".muted"),
            ("tag", ".tag"),
            ("facts", ".result-list dt, .result-list dd"),
            ("result link", ".result-list h3 a"),
            ("secondary button", ".button-secondary"),
            ("primary button", "button.button"),
        ],
    )
    # On a phone the filters come first: a link skips them to the results, and takes focus there.
    skip = page.get_by_role("link", name="Skip the filters: 1 group found")
    expect(skip).to_be_visible()
    skip.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Groups", exact=True)).to_be_focused()
    check("/directory?topic=trauma", [("empty state", ".empty-state p, .empty-state li, .empty-state a")])
    check("/directory?from=25:00", [("error", ".error"), ("error summary", ".alert-error li a")])
    check(
        f"/groups/{grief}",
        [
            ("facts", "#about dt, #about dd"),
            ("rsvp", ".rsvp p"),
            ("calendar link", ".meeting-list a"),
            ("secondary button", ".rsvp .button-secondary"),
        ],
    )
    check(
        "/me/meetings",
        [
            ("card", "#meetings .card p, #meetings .card h3 a"),
            ("label", "#preferences label"),
            ("hint", "#preferences .hint"),
            ("secondary button", ".button-secondary"),
        ],
    )
    visit.log_out()

    log_in(visit, "hal@example.org")
    check(
        f"/groups/{grief}/dashboard",
        [
            ("facts", "#upcoming dt, #upcoming dd"),
            ("summary", "details > summary"),
            ("label", "#schedule label, #details label"),
            ("legend", "legend"),
            ("table", ".figures th, .figures td, .figures caption"),
            ("caption", ".chart-figure figcaption"),
            ("danger button", ".button-danger"),
        ],
    )
    chart = page.locator("svg.chart")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] <= 320  # type: ignore[index]
    expect(page.get_by_role("img", name="Attendance at the last meeting held")).to_be_visible()
    assert page.locator("svg.chart desc").text_content().startswith("1 meeting, on ")  # type: ignore[union-attr]
    # Chart bars and the SVG text are drawn in colours that stand out from the chart's white.
    bars = page.evaluate(
        """() => {
        const ratio = (el, prop) => getComputedStyle(el)[prop];
        return [...document.querySelectorAll('svg.chart rect.chart-came, svg.chart text')]
          .map((el) => ratio(el, 'fill'));
      }"""
    )
    assert bars
    assert all(colour in ("rgb(29, 92, 99)", "rgb(31, 41, 51)") for colour in bars), bars
    assert problems == []
    visit.assert_clean()
