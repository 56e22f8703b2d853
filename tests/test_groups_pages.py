"""Group pages through their HTML forms (CSRF and all), on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import httpx
import pytest
from group_helpers import ADMIN, HOST, MEMBER, OTHER, as_user, new_group, new_meeting, people, soon
from support import App

pytestmark = pytest.mark.postgres


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def post(app: App, page: str, action: str, fields: dict[str, str] | None = None) -> httpx.Response:
    token = csrf_from((await app.client.get(page)).text)
    return await app.client.post(action, data={"csrf_token": token, **(fields or {})})


def local(minutes: float) -> str:
    """A `datetime-local` value, in UTC, `minutes` from now."""
    return soon(minutes).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("path", ["/groups", "/groups/new", "/groups/1"])
async def test_group_pages_ask_for_a_login(app: App, path: str) -> None:
    r = await app.client.get(path)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next={path}"


async def test_a_host_creates_a_group_through_the_form(app: App) -> None:
    await people(app)
    await as_user(app, HOST)
    form = await app.client.get("/groups/new")
    assert form.status_code == 200
    assert '<label for="guidelines">Guidelines</label>' in form.text
    assert "What is shared here stays here" in form.text  # the template is offered to start from
    r = await post(
        app, "/groups/new", "/groups/new", {"name": "Grief", "description": "Tuesdays.", "guidelines": ""}
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/groups/1?done=created"
    page = (await app.client.get("/groups/1?done=created")).text
    assert "<h1>Grief</h1>" in page
    assert "You are its host." in page
    assert "What is shared here stays here" in page  # blank guidelines: the default is used
    assert "You accepted version 1" in page
    assert 'id="schedule"' in page
    assert 'id="facilitators"' in page
    listing = (await app.client.get("/groups")).text
    assert 'href="/groups/1"' in listing.split("Other groups")[0]
    assert 'href="/groups/new"' in listing


async def test_a_bad_group_form_keeps_what_was_typed(app: App) -> None:
    await people(app)
    await as_user(app, ADMIN)
    fields = {"name": "  ", "description": "For carers.", "guidelines": "Be kind."}
    r = await post(app, "/groups/new", "/groups/new", fields)
    assert r.status_code == 422
    assert "name must be 1 to 80 characters" in r.text
    assert 'aria-invalid="true"' in r.text
    assert ">For carers.</textarea>" in r.text
    assert ">Be kind.</textarea>" in r.text


async def test_a_plain_member_may_not_create_groups(app: App) -> None:
    await people(app)
    await as_user(app, MEMBER)
    r = await app.client.get("/groups/new")
    assert r.status_code == 403
    assert "Only hosts and administrators can create groups" in r.text
    token = csrf_from((await app.client.get("/groups")).text)
    r = await app.client.post("/groups/new", data={"csrf_token": token, "name": "Mine", "description": ""})
    assert r.status_code == 403
    assert 'href="/groups/new"' not in (await app.client.get("/groups")).text
    await as_user(app, HOST)
    assert "Other groups" in (await app.client.get("/groups")).text


async def test_joining_and_accepting_and_accepting_again_after_a_change(app: App) -> None:
    await people(app)
    await as_user(app, HOST)
    await new_group(app, name="Carers", guidelines="Be kind.")
    await as_user(app, MEMBER)
    assert 'href="/groups/1"' in (await app.client.get("/groups")).text.split("Other groups")[1]
    page = (await app.client.get("/groups/1")).text
    assert "You are not a member of this group yet" in page
    assert 'id="schedule"' not in page  # no host forms for members
    r = await post(app, "/groups/1", "/groups/1/join")
    assert (r.status_code, r.headers["location"]) == (303, "/groups/1?done=joined#membership")
    page = (await app.client.get("/groups/1")).text
    assert "You are a member of this group." in page
    assert "I accept version 1 of these guidelines" in page
    r = await post(app, "/groups/1", "/groups/1/agreement", {"version": "1"})
    assert r.status_code == 303
    assert "You accepted version 1" in (await app.client.get("/groups/1")).text

    await as_user(app, HOST)
    r = await post(app, "/groups/1", "/groups/1/guidelines", {"guidelines_text": "Be kind.\nListen."})
    assert r.status_code == 303
    page = (await app.client.get("/groups/1")).text
    assert "(version 2)" in page
    assert "You accepted version 2" in page  # the author of a version has accepted it

    await as_user(app, MEMBER)
    page = (await app.client.get("/groups/1")).text
    assert "changed since you accepted version 1" in page
    assert "I accept version 2 of these guidelines" in page
    stale = await post(app, "/groups/1", "/groups/1/agreement", {"version": "1"})
    assert stale.status_code == 409
    assert "accept version 2" in stale.text
    r = await post(app, "/groups/1", "/groups/1/guidelines", {"guidelines_text": "Mine."})
    assert r.status_code == 403
    assert "(version 2)" in r.text
    assert (await post(app, "/groups/1", "/groups/1/agreement", {"version": "2"})).status_code == 303
    assert "You accepted version 2" in (await app.client.get("/groups/1")).text


async def test_a_meeting_typed_in_a_time_zone_is_stored_in_utc(app: App) -> None:
    await people(app)
    await as_user(app, HOST)
    await new_group(app)
    fields = {"title": "Evening", "starts_at": "2031-07-01T18:00", "ends_at": "2031-07-01T19:30"}
    r = await post(app, "/groups/1", "/groups/1/meetings", fields | {"timezone": "America/New_York"})
    assert (r.status_code, r.headers["location"]) == (303, "/groups/1?done=scheduled#schedule")
    meeting = (await app.client.get("/api/v1/meetings/1")).json()
    assert (meeting["starts_at"], meeting["ends_at"]) == ("2031-07-01T22:00:00Z", "2031-07-01T23:30:00Z")
    page = (await app.client.get("/groups/1")).text
    assert "Tue 1 Jul 2031, 22:00 to 23:30 UTC" in page
    assert 'datetime="2031-07-01T22:00:00+00:00"' in page
    assert "The room opens at 21:50 UTC" in page
    assert 'href="/meetings/1"' not in page  # not open yet


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"ends_at": "2031-07-01T17:00"}, "ends_at", "ends_at must be after starts_at"),
        ({"starts_at": "soon"}, "starts_at", "Enter a date and time"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone"),
        (
            {"timezone": "Europe/Paris", "starts_at": "2031-03-30T02:30"},
            "starts_at",
            "does not exist in Europe/Paris",
        ),
        ({"title": " "}, "title", "title must be 1 to 120"),
    ],
)
async def test_bad_meeting_forms_name_the_field_and_keep_the_input(
    app: App, fields: dict[str, str], field: str, words: str
) -> None:
    await people(app)
    await as_user(app, HOST)
    await new_group(app)
    base = {
        "title": "Evening",
        "starts_at": "2031-07-01T18:00",
        "ends_at": "2031-07-01T19:30",
        "timezone": "UTC",
    }
    r = await post(app, "/groups/1", "/groups/1/meetings", base | fields)
    assert r.status_code == 422
    assert f'<p class="error" id="{field}-error">' in r.text
    assert words in r.text
    assert f'value="{(base | fields)["starts_at"]}"' in r.text
    assert (await app.client.get("/api/v1/meetings/1")).status_code == 404


async def test_enter_link_appears_when_the_room_is_open_for_those_who_may_enter(app: App) -> None:
    await people(app)
    await as_user(app, HOST)
    await new_group(app)
    assert (await new_meeting(app, 1, start_in=5, title="Soon")).status_code == 201
    assert (await new_meeting(app, 1, start_in=120, title="Later")).status_code == 201
    page = (await app.client.get("/groups/1")).text
    assert page.count('href="/meetings/') == 1
    assert 'href="/meetings/1"' in page
    await as_user(app, MEMBER)
    page = (await app.client.get("/groups/1")).text
    assert 'href="/meetings/' not in page
    assert "Join the group and accept its guidelines to enter" in page
    await post(app, "/groups/1", "/groups/1/join")
    assert "Accept the guidelines above to enter" in (await app.client.get("/groups/1")).text
    await post(app, "/groups/1", "/groups/1/agreement", {"version": "1"})
    page = (await app.client.get("/groups/1")).text
    assert 'href="/meetings/1"' in page
    assert 'href="/meetings/2"' not in page
    assert "Open the room now" not in page  # members do not run meetings


async def test_host_assigns_a_facilitator_by_email_who_then_opens_and_ends_a_meeting(app: App) -> None:
    await people(app)
    await as_user(app, HOST)
    await new_group(app)
    await new_meeting(app, 1, start_in=120, title="Later")
    r = await post(app, "/groups/1", "/groups/1/facilitators", {"email": "nobody@example.org"})
    assert r.status_code == 404
    assert "No account uses that email address." in r.text
    assert 'value="nobody@example.org"' in r.text
    r = await post(app, "/groups/1", "/groups/1/facilitators", {"email": " MO@example.org "})
    assert (r.status_code, r.headers["location"]) == (303, "/groups/1?done=facilitator#facilitators")

    await as_user(app, OTHER)  # not the host: refused before the email is even looked up
    r = await post(app, "/groups/1", "/groups/1/facilitators", {"email": "nobody@example.org"})
    assert r.status_code == 403
    assert "No account uses that email" not in r.text
    assert "Only this group&#39;s host or an administrator can assign facilitators." in r.text
    assert (await post(app, "/groups/1", "/groups/1/meetings/1/open")).status_code == 403

    await as_user(app, MEMBER)
    await post(app, "/groups/1", "/groups/1/agreement", {"version": "1"})
    page = (await app.client.get("/groups/1")).text
    assert "You are a facilitator of this group." in page
    assert 'id="schedule"' not in page  # facilitators do not schedule
    r = await post(app, "/groups/1", "/groups/1/meetings/1/open")
    assert (r.status_code, r.headers["location"]) == (303, "/groups/1?done=opened#meetings")
    page = (await app.client.get("/groups/1")).text
    assert 'href="/meetings/1"' in page
    assert "End the meeting" in page
    assert (await post(app, "/groups/1", "/groups/1/meetings/1/end")).status_code == 303
    page = (await app.client.get("/groups/1")).text
    assert "This meeting has ended." in page
    assert 'href="/meetings/1"' not in page
    r = await post(app, "/groups/1", "/groups/1/meetings/1/open")
    assert r.status_code == 409
    assert "already ended" in r.text


async def test_group_forms_need_the_csrf_token_and_real_ids(app: App) -> None:
    await people(app)
    await as_user(app, HOST)
    await new_group(app)
    await as_user(app, MEMBER)
    await app.client.get("/groups/1")
    r = await app.client.post("/groups/1/join", data={})
    assert r.status_code == 403
    assert "expired" in r.text
    assert "You are not a member" in (await app.client.get("/groups/1")).text
    assert (await app.client.get("/groups/999")).status_code == 404
    assert (await post(app, "/groups/1", "/groups/999/join")).status_code == 404
    assert (await post(app, "/groups/1", "/groups/1/meetings/999/open")).status_code == 404
    assert (await app.client.get("/groups/abc")).status_code == 404


async def test_a_meeting_of_another_group_cannot_be_ended_through_this_one(app: App) -> None:
    await people(app)
    await as_user(app, HOST)
    await new_group(app, name="One")
    await new_group(app, name="Two")
    await new_meeting(app, 2, start_in=60 * 24)
    assert (await post(app, "/groups/1", "/groups/1/meetings/1/end")).status_code == 404
    assert (await app.client.get("/api/v1/meetings/1")).json()["state"] == "scheduled"
