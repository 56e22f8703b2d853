"""The directory page (`GET /directory`) and the group page's "About", times and seats, on
SQLite and PostgreSQL: each filter through the form, the viewer's time zone (account, `tz`,
browser cookie, UTC) across a daylight-saving change, pagination, the empty state, and bad
filters named next to their field. The clock starts at Monday 2027-03-01 12:00 UTC."""

from __future__ import annotations

import re
from typing import Any

import pytest
from group_helpers import HOST, MEMBER, OTHER, as_user, new_group, people
from page_helpers import card, freeze_pages, post_form, section, text_of
from series_helpers import Clock, new_series, rsvp
from support import App

pytestmark = pytest.mark.postgres


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return freeze_pages(monkeypatch)


GROUPS: dict[str, dict[str, Any]] = {
    # Tuesdays 19:00 in New York: Wednesdays 00:00 UTC until the US change on 14 March
    "Grief circle": {
        "group": {"description": "We meet weekly to talk about loss.", "topics": ["grief"]},
        "meeting": {
            "starts_at": "2027-03-02T19:00:00-05:00",
            "ends_at": "2027-03-02T20:00:00-05:00",
            "timezone": "America/New_York",
            "rrule": "FREQ=WEEKLY;BYDAY=TU",
        },
    },
    # Wednesdays 12:00 in London, two seats
    "Anxiety at lunch": {
        "group": {
            "description": "A calm half hour for anxious minds.",
            "topics": ["anxiety", "stress"],
            "style": "professional",
            "credential": "Licensed clinical social worker",
            "language": "en-GB",
            "size_limit": 2,
            "visitors_allowed": False,
        },
        "meeting": {
            "starts_at": "2027-03-03T12:00:00Z",
            "ends_at": "2027-03-03T12:30:00Z",
            "timezone": "Europe/London",
            "rrule": "FREQ=WEEKLY;BYDAY=WE",
        },
    },
    "Duelo": {
        "group": {"description": "Grupo de apoyo.", "topics": ["grief"], "language": "es"},
        "meeting": {"starts_at": "2027-03-04T20:00:00Z", "ends_at": "2027-03-04T21:00:00Z"},
    },
    "Caregivers together": {"group": {"description": "For carers.", "topics": ["caregivers"]}},
    "Hidden grief": {
        "group": {"description": "Unlisted.", "topics": ["grief"], "visibility": "unlisted"},
        "meeting": {"starts_at": "2027-03-02T10:00:00Z", "ends_at": "2027-03-02T11:00:00Z"},
    },
    "Private grief": {
        "group": {"description": "Private.", "topics": ["grief"], "visibility": "private"},
        "meeting": {"starts_at": "2027-03-02T10:00:00Z", "ends_at": "2027-03-02T11:00:00Z"},
    },
}
LISTED = ["Grief circle", "Anxiety at lunch", "Duelo", "Caregivers together"]  # soonest first


async def world(app: App) -> dict[str, Any]:
    ids = await people(app)
    await as_user(app, HOST)
    groups: dict[str, int] = {}
    first: dict[str, int] = {}
    for name, spec in GROUPS.items():
        group = await new_group(app, name=name, **spec["group"])
        groups[name] = group["id"]
        if "meeting" in spec:
            r = await new_series(app, group["id"], **spec["meeting"])
            assert r.status_code == 201, r.text
            first[name] = r.json()["id"]
    await as_user(app, MEMBER)
    return {"ids": ids, "groups": groups, "first": first}


def found(html: str) -> list[str]:
    """The group names of the result cards, in order."""
    results = html[html.index('<section class="results"') :]
    return re.findall(r'<h3><a href="/groups/\d+">([^<]+)</a></h3>', results)


async def test_the_directory_asks_for_a_login(app: App) -> None:
    r = await app.client.get("/directory")
    assert (r.status_code, r.headers["location"]) == (303, "/login?next=/directory")


async def test_results_show_style_size_seats_and_the_next_meeting_in_the_viewers_time(
    clock: Clock, app: App
) -> None:
    await world(app)
    r = await app.client.get("/directory", params={"tz": "Europe/London"})
    assert r.status_code == 200
    assert found(r.text) == LISTED  # never the unlisted or private groups
    words = text_of(r.text)
    assert "4 groups found." in words
    assert "Times are in Europe/London." in words
    grief = text_of(r.text[r.text.index(">Grief circle<") : r.text.index(">Anxiety at lunch<")])
    assert "Topics Grief and loss" in grief
    assert "Led by Peer-led" in grief
    assert "Language English" in grief
    assert "Up to 12 people a meeting" in grief
    assert "Next meeting Wed 3 Mar 2027, 00:00 to 01:00 GMT" in grief  # Tuesday 19:00 in New York
    assert "Seats left 12 of 12" in grief
    assert "Visitors welcome" in grief
    anxiety = text_of(r.text[r.text.index(">Anxiety at lunch<") : r.text.index(">Duelo<")])
    assert "Led by Professionally facilitated: Licensed clinical social worker" in anxiety
    assert "Language English (en-GB)" in anxiety
    assert "Topics Anxiety, stress" in anxiety
    assert "Visitors welcome" not in anxiety
    assert "Language Spanish" in text_of(r.text)
    assert "Next meeting None scheduled yet" in text_of(r.text[r.text.index(">Caregivers together<") :])
    assert '<time datetime="2027-03-03T00:00:00+00:00">' in r.text
    # The form needs no CSRF token (a GET) and every field has its label.
    form = r.text[r.text.index('<form method="get" action="/directory"') :]
    form = form[: form.index("</form>")]
    assert "csrf_token" not in form
    for field_id in re.findall(r'<(?:input|select) id="([^"]+)"', form):
        assert f'<label for="{field_id}">' in form, field_id


async def test_each_filter_through_the_form(clock: Clock, app: App) -> None:
    w = await world(app)
    table: list[tuple[list[tuple[str, str]], list[str]]] = [
        ([("topic", "grief")], ["Grief circle", "Duelo"]),
        ([("topic", "grief"), ("topic", "stress")], ["Grief circle", "Anxiety at lunch", "Duelo"]),
        ([("style", "professional")], ["Anxiety at lunch"]),
        ([("style", "")], LISTED),  # "Any"
        ([("language", "es")], ["Duelo"]),
        ([("language", "en")], ["Grief circle", "Anxiety at lunch", "Caregivers together"]),
        ([("q", "CIRCLE")], ["Grief circle"]),
        ([("day", "tue"), ("tz", "America/New_York")], ["Grief circle"]),
        ([("day", "wed"), ("tz", "UTC")], ["Grief circle", "Anxiety at lunch"]),
        ([("from", "18:00"), ("to", "20:00"), ("tz", "America/New_York")], ["Grief circle"]),
        ([("from", "23:00"), ("to", "01:00"), ("day", "tue"), ("tz", "UTC")], ["Grief circle"]),
        ([("has_seats", "true")], ["Grief circle", "Anxiety at lunch", "Duelo"]),
        # An empty form, as the browser sends it: every filter blank.
        ([(k, "") for k in ("q", "style", "language", "from", "to")], LISTED),
    ]
    for query, expected in table:
        r = await app.client.get("/directory", params=query)
        assert r.status_code == 200, (query, r.text)
        assert found(r.text) == expected, query

    r = await app.client.get("/directory", params=[("topic", "grief"), ("day", "tue"), ("has_seats", "true")])
    assert 'id="topic-grief" name="topic" type="checkbox" value="grief" checked' in r.text
    assert 'id="topic-anxiety" name="topic" type="checkbox" value="anxiety">' in r.text
    assert 'id="day-tue" name="day" type="checkbox" value="tue" checked' in r.text
    assert 'id="has_seats" name="has_seats" type="checkbox" value="true" checked' in r.text

    # Both seats of the next lunch taken: it leaves "has seats", and shows as full.
    anxiety = w["first"]["Anxiety at lunch"]
    await rsvp(app, anxiety, w["ids"][MEMBER])
    await rsvp(app, anxiety, w["ids"][OTHER])
    r = await app.client.get("/directory", params={"has_seats": "true"})
    assert found(r.text) == ["Grief circle", "Duelo"]
    full = text_of((await app.client.get("/directory", params={"topic": "anxiety"})).text)
    assert "Seats left None: you can join the waitlist" in full


async def test_no_results_suggest_widening_the_filters(clock: Clock, app: App) -> None:
    await people(app)
    await as_user(app, MEMBER)
    assert "No groups are listed yet." in text_of((await app.client.get("/directory")).text)
    await world_groups_only(app)
    r = await app.client.get("/directory", params={"topic": "trauma", "day": "sun"})
    assert r.status_code == 200
    words = text_of(r.text)
    assert "No groups match all of these filters." in words
    assert "tick more topics, or none" in words
    assert 'href="/directory">Clear all filters</a>' in r.text


async def world_groups_only(app: App) -> None:
    await as_user(app, HOST)
    await new_group(app, name="Grief circle", topics=["grief"])
    await as_user(app, MEMBER)


@pytest.mark.parametrize(
    ("query", "field_id", "words"),
    [
        ({"from": "25:00"}, "time-from", "'from' must be a local time like 18:30"),
        ({"to": "soon"}, "time-to", "'to' must be a local time"),
        ({"language": "english!"}, "language", "is not a language tag"),
        ({"topic": "sadness"}, "topics", "Unknown topic 'sadness'"),
    ],
)
async def test_a_bad_filter_is_named_next_to_its_field(
    clock: Clock, app: App, query: dict[str, str], field_id: str, words: str
) -> None:
    await world(app)
    r = await app.client.get("/directory", params=query)
    assert r.status_code == 422
    assert f'<a href="#{field_id}">' in r.text
    assert words in text_of(r.text)
    assert f'id="{field_id}"' in r.text
    if field_id != "topics":
        assert re.search(rf'<input id="{field_id}"[^>]*aria-invalid="true"', r.text)
    assert found(r.text) == []


async def test_pages_of_results_keep_the_filters(clock: Clock, app: App) -> None:
    await world(app)
    r = await app.client.get("/directory", params={"topic": "grief", "per_page": "1"})
    assert found(r.text) == ["Grief circle"]
    assert "2 groups found, page 1 of 2." in text_of(r.text)
    nav = r.text[r.text.index('<nav class="pager"') :]
    assert 'href="/directory?topic=grief&amp;per_page=1&amp;page=2" rel="next">Next page</a>' in nav
    assert "Previous page" not in nav[: nav.index("</nav>")]
    r = await app.client.get("/directory", params={"topic": "grief", "per_page": "1", "page": "2"})
    assert found(r.text) == ["Duelo"]
    assert 'rel="prev">Previous page</a>' in r.text
    assert 'rel="next"' not in r.text


async def test_whose_time_zone(clock: Clock, app: App) -> None:
    await world(app)
    # Nothing known: UTC, said so, and marked for the browser's script to fill in.
    r = await app.client.get("/directory", params={"topic": "grief"})
    assert "Times are in UTC." in text_of(r.text)
    assert "data-zone-guessed" in r.text
    assert "Wed 3 Mar 2027, 00:00 to 01:00 UTC" in text_of(r.text)
    assert '<script type="module" src="/static/js/time-zone.js"></script>' in r.text
    # The browser's zone, from the cookie the script sets.
    app.client.cookies.set("hearth_tz", "Asia/Tokyo")
    r = await app.client.get("/directory", params={"topic": "grief"})
    assert "data-zone-guessed" not in r.text
    assert "Wed 3 Mar 2027, 09:00 to 10:00 JST" in text_of(r.text)
    assert '<option value="Asia/Tokyo" selected>' in r.text
    # A zone chosen in the form wins over the browser's; a bad one is ignored.
    r = await app.client.get("/directory", params={"topic": "grief", "tz": "America/New_York"})
    assert "Tue 2 Mar 2027, 19:00 to 20:00 EST" in text_of(r.text)
    r = await app.client.get("/directory", params={"topic": "grief", "tz": "Mars/Olympus"})
    assert "Times are in Asia/Tokyo." in text_of(r.text)
    # The account's zone wins over everything, and the form no longer offers a choice.
    r = await post_form(app, "/me/meetings", "/me/preferences", {"timezone": "America/Los_Angeles"})
    assert r.status_code == 303
    r = await app.client.get("/directory", params={"topic": "grief", "tz": "Europe/Paris"})
    assert "Tue 2 Mar 2027, 16:00 to 17:00 PST" in text_of(r.text)
    assert 'name="tz"' not in r.text
    assert 'href="/me/meetings#preferences">your preferences</a>' in r.text


async def test_the_group_page_shows_its_facts_and_each_meeting_in_local_time_across_dst(
    clock: Clock, app: App
) -> None:
    w = await world(app)
    grief = w["groups"]["Grief circle"]
    page = (await app.client.get(f"/groups/{grief}", params={"tz": "Europe/London"})).text
    about = text_of(section(page, "about"))
    assert "Topics grief and loss" in about
    assert "Led by peer-led" in about
    assert "Language English" in about
    assert "Up to 12 people a meeting" in about
    assert "Hosts and facilitators Hal (host)" in about
    assert f'href="/api/v1/groups/{grief}/calendar.ics"' in page
    assert "Host dashboard" not in about  # for hosts only
    meetings = text_of(section(page, "meetings"))
    # 19:00 in New York every week; in London that is midnight, then 23:00 for the two weeks
    # between the US change (14 March) and the EU one (28 March), then midnight again.
    assert "Wed 10 Mar 2027, 00:00 to 01:00 GMT" in meetings
    assert "Tue 16 Mar 2027, 23:00 to Wed 17 Mar 2027, 00:00 GMT" in meetings
    assert "Tue 23 Mar 2027, 23:00 to Wed 24 Mar 2027, 00:00 GMT" in meetings
    assert "Wed 31 Mar 2027, 00:00 to 01:00 BST" in meetings
    assert "That is Wed 10 Mar 2027, 00:00 to 01:00 UTC." in meetings
    assert "That is Tue 16 Mar 2027, 23:00 to Wed 17 Mar 2027, 00:00 UTC." in meetings
    page = (await app.client.get(f"/groups/{grief}", params={"tz": "America/New_York"})).text
    meetings = text_of(section(page, "meetings"))
    assert "Tue 9 Mar 2027, 19:00 to 20:00 EST" in meetings
    assert "Tue 16 Mar 2027, 19:00 to 20:00 EDT" in meetings
    assert "The room opens at 18:50 EDT, 10 minutes before the start." in meetings
    # Seats and the RSVP button, for a member; a visit for someone who is not one.
    first = card(page, f"meeting-{w['first']['Grief circle']}")
    assert "12 of 12 seats left." in text_of(first)
    assert "Visit this meeting" in first
    assert "I have read the guidelines (version 1) and accept them" in text_of(first)
    await post_form(app, f"/groups/{grief}", f"/groups/{grief}/join")
    first = card((await app.client.get(f"/groups/{grief}")).text, f"meeting-{w['first']['Grief circle']}")
    assert ">RSVP<" in first
    assert f'href="/api/v1/meetings/{w["first"]["Grief circle"]}.ics"' in first
    await as_user(app, HOST)
    page = (await app.client.get(f"/groups/{grief}")).text
    assert f'href="/groups/{grief}/dashboard">Host dashboard</a>' in page


async def test_a_private_group_offers_no_join_button_and_no_visit(clock: Clock, app: App) -> None:
    w = await world(app)
    private = w["groups"]["Private grief"]
    page = (await app.client.get(f"/groups/{private}")).text
    assert "This group is private: a host or facilitator approves each new member." in text_of(page)
    assert f'action="/groups/{private}/join"' not in page
    assert "Visit this meeting" not in page
    lunch = w["groups"]["Anxiety at lunch"]  # no visitors
    page = (await app.client.get(f"/groups/{lunch}")).text
    assert f'action="/groups/{lunch}/join"' in page
    assert "Visit this meeting" not in page
    assert "Visitors Members only" in text_of(section(page, "about"))
