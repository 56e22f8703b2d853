"""The directory, `GET /api/v1/groups`, on SQLite and PostgreSQL: each filter alone and
combined, in the viewer's time zone, seats left at the next meeting, pagination, what is never
listed, and bad queries answered with 422 naming the parameter. The clock is fixed at Monday
2026-01-05 12:00 UTC (`series_helpers`)."""

from __future__ import annotations

from typing import Any

import pytest
from group_helpers import ADMIN, HOST, MEMBER, OTHER, as_user, new_group, people
from series_helpers import Clock, freeze, new_series, rsvp
from support import App

from meeting.db import Database

pytestmark = pytest.mark.postgres


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return freeze(monkeypatch)


GROUPS: dict[str, dict[str, Any]] = {
    # Tuesdays 19:00 in New York: Wednesdays 00:00 UTC
    "Grief circle": {
        "group": {"description": "We meet weekly to talk about loss.", "topics": ["grief"]},
        "meeting": {
            "starts_at": "2026-01-06T19:00:00-05:00",
            "ends_at": "2026-01-06T20:00:00-05:00",
            "timezone": "America/New_York",
            "rrule": "FREQ=WEEKLY;BYDAY=TU",
        },
    },
    # Wednesdays 12:00 in London (UTC in winter), two seats
    "Anxiety at lunch": {
        "group": {
            "description": "A calm HALF HOUR for anxious minds.",
            "topics": ["anxiety", "stress"],
            "style": "professional",
            "credential": "Licensed clinical social worker",
            "language": "en_gb",
            "size_limit": 2,
            "visitors_allowed": False,
        },
        "meeting": {
            "starts_at": "2026-01-07T12:00:00Z",
            "ends_at": "2026-01-07T12:30:00Z",
            "timezone": "Europe/London",
            "rrule": "FREQ=WEEKLY;BYDAY=WE",
        },
    },
    # one Thursday, 20:00 UTC
    "Duelo": {
        "group": {"description": "Grupo de apoyo.", "topics": ["grief"], "language": "es"},
        "meeting": {"starts_at": "2026-01-08T20:00:00Z", "ends_at": "2026-01-08T21:00:00Z"},
    },
    # no meetings yet
    "Caregivers 100% together": {"group": {"description": "For carers.", "topics": ["caregivers"]}},
    # never listed, though they would match
    "Hidden grief": {
        "group": {"description": "Unlisted.", "topics": ["grief"], "visibility": "unlisted"},
        "meeting": {"starts_at": "2026-01-06T10:00:00Z", "ends_at": "2026-01-06T11:00:00Z"},
    },
    "Private grief": {
        "group": {"description": "Private.", "topics": ["grief"], "visibility": "private"},
        "meeting": {"starts_at": "2026-01-06T10:00:00Z", "ends_at": "2026-01-06T11:00:00Z"},
    },
    "Archived grief": {
        "group": {"description": "Archived.", "topics": ["grief"]},
        "meeting": {"starts_at": "2026-01-06T10:00:00Z", "ends_at": "2026-01-06T11:00:00Z"},
        "archive": True,
    },
}
LISTED = ["Grief circle", "Anxiety at lunch", "Duelo", "Caregivers 100% together"]  # soonest first


async def directory_world(app: App) -> dict[str, Any]:
    """The groups above, hosted by HOST; returns people's ids, group ids and next meeting ids."""
    ids = await people(app)
    await as_user(app, HOST)
    groups: dict[str, int] = {}
    next_meeting: dict[str, int] = {}
    for name, spec in GROUPS.items():
        group = await new_group(app, name=name, **spec["group"])
        groups[name] = group["id"]
        if "meeting" in spec:
            r = await new_series(app, group["id"], **spec["meeting"])
            assert r.status_code == 201, r.text
            next_meeting[name] = r.json()["id"]
        if spec.get("archive"):
            assert (await app.client.post(f"/api/v1/groups/{group['id']}/archive")).status_code == 200
    return {"ids": ids, "groups": groups, "next": next_meeting}


async def names(app: App, **query: Any) -> list[str]:
    r = await app.client.get("/api/v1/groups", params=query)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"]) or body["per_page"] == len(body["items"])
    return [item["name"] for item in body["items"]]


async def test_the_directory_lists_listed_active_groups_with_their_next_meeting(
    clock: Clock, app: App
) -> None:
    world = await directory_world(app)
    r = await app.client.get("/api/v1/groups", params={"tz": "America/New_York"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["total"], body["page"], body["per_page"], body["timezone"]) == (4, 1, 20, "America/New_York")
    assert [item["name"] for item in body["items"]] == LISTED  # no unlisted, private or archived group
    grief, anxiety, _, carers = body["items"]
    assert grief == {
        "id": world["groups"]["Grief circle"],
        "name": "Grief circle",
        "description": "We meet weekly to talk about loss.",
        "topics": ["grief"],
        "style": "peer",
        "credential": None,
        "language": "en",
        "size_limit": 12,
        "visitors_allowed": True,
        "next_meeting": {
            "id": world["next"]["Grief circle"],
            "title": "Circle",
            "starts_at": "2026-01-07T00:00:00Z",
            "ends_at": "2026-01-07T01:00:00Z",
            "local": "2026-01-06T19:00:00-05:00",
            "seats_left": 12,
        },
    }
    assert (anxiety["style"], anxiety["credential"], anxiety["language"]) == (
        "professional",
        "Licensed clinical social worker",
        "en-GB",
    )
    assert (anxiety["topics"], anxiety["size_limit"], anxiety["visitors_allowed"]) == (
        ["anxiety", "stress"],
        2,
        False,
    )
    assert carers["next_meeting"] is None
    clock.now = clock.now.replace(day=7, hour=0, minute=30)  # the Grief circle is under way
    after = (await app.client.get("/api/v1/groups")).json()["items"]
    assert after[-1]["name"] == "Caregivers 100% together"
    assert (
        next(i for i in after if i["name"] == "Grief circle")["next_meeting"]["starts_at"]
        == "2026-01-14T00:00:00Z"
    )


async def test_each_filter_alone_and_combined(clock: Clock, app: App) -> None:
    await directory_world(app)
    table: list[tuple[dict[str, Any], list[str]]] = [
        ({"topic": "grief"}, ["Grief circle", "Duelo"]),
        ({"topic": ["grief", "STRESS"]}, ["Grief circle", "Anxiety at lunch", "Duelo"]),
        ({"topic": "trauma"}, []),
        ({"style": "professional"}, ["Anxiety at lunch"]),
        ({"style": "peer"}, ["Grief circle", "Duelo", "Caregivers 100% together"]),
        ({"language": "en"}, ["Grief circle", "Anxiety at lunch", "Caregivers 100% together"]),  # en-GB too
        ({"language": "en-gb"}, ["Anxiety at lunch"]),
        ({"language": "es"}, ["Duelo"]),
        ({"q": "CIRCLE"}, ["Grief circle"]),
        ({"q": "half hour"}, ["Anxiety at lunch"]),  # the description, any case
        ({"q": "100%"}, ["Caregivers 100% together"]),  # % is a character, not a wildcard
        ({"q": "_"}, []),
        ({"day": "wed"}, ["Grief circle", "Anxiety at lunch"]),  # in UTC: Wednesday 00:00 and 12:00
        ({"day": "tue", "tz": "America/New_York"}, ["Grief circle"]),  # Tuesday evening there
        ({"day": ["thu", "fri"]}, ["Duelo"]),
        ({"day": "tue"}, []),
        ({"from": "18:00", "to": "20:00", "tz": "America/New_York"}, ["Grief circle"]),
        ({"from": "12:00", "to": "13:00", "tz": "Europe/London"}, ["Anxiety at lunch"]),
        ({"from": "12:00", "to": "13:00", "tz": "Asia/Tokyo"}, []),
        ({"from": "20:00"}, ["Duelo"]),  # until the end of the day
        ({"to": "06:00"}, ["Grief circle"]),  # from midnight
        (
            {"from": "23:00", "to": "01:00", "day": "tue"},
            ["Grief circle"],
        ),  # small hours count for the evening before
        ({"from": "23:00", "to": "01:00", "day": "wed"}, []),
        (
            {"has_seats": "true"},
            ["Grief circle", "Anxiety at lunch", "Duelo"],
        ),  # no RSVPs yet: any next meeting
        ({"has_seats": "false"}, LISTED),
        (
            {"topic": "grief", "language": "en", "day": "tue", "tz": "America/New_York", "has_seats": "true"},
            ["Grief circle"],
        ),
        ({"topic": "grief", "style": "professional"}, []),
        ({"q": "grief", "topic": "grief", "from": "19:00", "to": "23:00"}, []),
    ]
    for query, expected in table:
        assert await names(app, **query) == expected, query


async def test_has_seats_counts_members_going_to_the_next_meeting(clock: Clock, app: App) -> None:
    world = await directory_world(app)
    ids, groups, nxt = world["ids"], world["groups"], world["next"]
    anxiety, grief = groups["Anxiety at lunch"], groups["Grief circle"]
    r = await app.client.post(f"/api/v1/groups/{grief}/facilitators", json={"user_id": ids[MEMBER]})
    assert r.status_code == 200
    await rsvp(app, nxt["Grief circle"], ids[MEMBER])  # a facilitator takes no seat
    await rsvp(app, nxt["Grief circle"], ids[ADMIN])  # nor does an admin
    await rsvp(app, nxt["Anxiety at lunch"], ids[MEMBER])
    await rsvp(app, nxt["Anxiety at lunch"], ids[HOST])  # nor a host
    await rsvp(app, nxt["Anxiety at lunch"], ids[ADMIN], status="waitlist")
    seats = {
        i["name"]: i["next_meeting"]["seats_left"]
        for i in (await app.client.get("/api/v1/groups")).json()["items"]
        if i["next_meeting"]
    }
    assert seats == {"Grief circle": 12, "Anxiety at lunch": 1, "Duelo": 12}
    await rsvp(app, nxt["Anxiety at lunch"], ids[OTHER])  # the last seat
    assert await names(app, has_seats="true") == ["Grief circle", "Duelo"]
    full = next(i for i in (await app.client.get("/api/v1/groups")).json()["items"] if i["id"] == anxiety)
    assert full["next_meeting"]["seats_left"] == 0
    # the seats are those of the next meeting that matches the other filters
    assert await names(app, has_seats="true", topic="anxiety") == []
    await as_user(app, HOST)
    r = await app.client.patch(f"/api/v1/groups/{anxiety}", json={"size_limit": 3})
    assert r.status_code == 200
    assert await names(app, has_seats="true", topic="anxiety") == ["Anxiety at lunch"]


async def test_pagination(clock: Clock, app: App) -> None:
    await directory_world(app)
    pages = []
    for page in (1, 2, 3):
        r = await app.client.get("/api/v1/groups", params={"per_page": 2, "page": page})
        body = r.json()
        assert (body["total"], body["page"], body["per_page"]) == (4, page, 2)
        pages.append([item["name"] for item in body["items"]])
    assert pages == [LISTED[:2], LISTED[2:], []]
    r = await app.client.get("/api/v1/groups", params={"per_page": 1, "page": 2, "topic": "grief"})
    assert ([i["name"] for i in r.json()["items"]], r.json()["total"]) == (["Duelo"], 2)


async def test_changes_show_in_the_directory(clock: Clock, app: App) -> None:
    world = await directory_world(app)
    duelo = world["groups"]["Duelo"]
    await as_user(app, HOST)
    r = await app.client.patch(f"/api/v1/groups/{duelo}", json={"visibility": "private"})
    assert r.status_code == 200
    assert "Duelo" not in await names(app)
    r = await app.client.patch(f"/api/v1/groups/{duelo}", json={"visibility": "listed", "topics": ["trauma"]})
    assert await names(app, topic="trauma") == ["Duelo"]
    await as_user(app, MEMBER)  # anyone logged in may search
    assert await names(app, topic="trauma") == ["Duelo"]
    r = await app.client.post(f"/api/v1/meetings/{world['next']['Duelo']}/cancel")
    assert r.status_code == 403
    await as_user(app, HOST)
    r = await app.client.post(f"/api/v1/meetings/{world['next']['Duelo']}/cancel")
    assert r.status_code == 200
    duelo_item = next(
        i for i in (await app.client.get("/api/v1/groups")).json()["items"] if i["name"] == "Duelo"
    )
    assert duelo_item["next_meeting"] is None  # a cancelled meeting is nobody's next meeting
    assert await names(app, topic="trauma", has_seats="true") == []
    r = await app.client.post(f"/api/v1/groups/{duelo}/archive")
    assert r.status_code == 200
    assert "Duelo" not in await names(app)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"topic": "sadness"}, "topic"),
        ({"style": "guru"}, "style"),
        ({"language": "english!"}, "language"),
        ({"day": "funday"}, "day"),
        ({"from": "25:00"}, "from"),
        ({"to": "7pm"}, "to"),
        ({"from": "18:00", "to": "18:00"}, "to"),
        ({"tz": "Mars/Olympus_Mons"}, "tz"),
        ({"tz": "CET"}, "tz"),
        ({"has_seats": "maybe"}, "has_seats"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": "51"}, "per_page"),
        ({"q": "x" * 101}, "q"),
        ({"sort": "name"}, "sort"),
        ({"style": ["peer", "professional"]}, "style"),
    ],
)
async def test_bad_queries_are_422_naming_the_parameter(app: App, query: dict[str, Any], field: str) -> None:
    await people(app)
    await as_user(app, MEMBER)
    r = await app.client.get("/api/v1/groups", params=query)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_input", field)
    assert repr(field) in error["message"] or field in error["message"]


async def test_the_directory_needs_a_login(app: App) -> None:
    r = await app.client.get("/api/v1/groups")
    assert (r.status_code, r.json()["error"]["code"]) == (401, "not_authenticated")


async def test_postgresql_connections_run_without_jit_and_with_custom_plans(database_url: str) -> None:
    """JIT compilation cost more than the directory's queries, and generic plans kept the seat
    count off its indexes (docs/performance.md, "The group directory"); SQLite has neither."""
    db = Database(database_url)
    try:
        async with db.engine.connect() as conn:
            if db.dialect != "postgresql":
                assert (await conn.exec_driver_sql("SELECT 1")).scalar_one() == 1
                return
            jit = (await conn.exec_driver_sql("SHOW jit")).scalar_one()
            plans = (await conn.exec_driver_sql("SHOW plan_cache_mode")).scalar_one()
        assert (jit, plans) == ("off", "force_custom_plan")
    finally:
        await db.close()
