"""Creating a group through `/groups/new` with its directory fields (what the group page and the
directory then show, and bad input kept and named), and the group page's meetings as members
see them: the room window the operator configured, and cancelled meetings without buttons.
On SQLite and PostgreSQL; the clock starts at Monday 2027-03-01 12:00 UTC."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from group_helpers import HOST, MEMBER, OTHER, as_user, people
from page_helpers import START, card, freeze_pages, post_form, section, text_of
from series_helpers import Clock
from support import BASE_URL, App, make_settings

from meeting.app import create_app

pytestmark = pytest.mark.postgres

NEW = {
    "name": "Carers at dusk",
    "description": "For people caring for a parent or partner.",
    "guidelines": "",
    "topics": ["caregivers", "stress"],
    "style": "professional",
    "credential": "Licensed clinical social worker",
    "language": "es",
    "size_limit": "8",
    "visibility": "listed",
    "visitors_allowed": "yes",
}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return freeze_pages(monkeypatch)


async def create(app: App, **changes: Any) -> httpx.Response:
    fields = {key: value for key, value in (NEW | changes).items() if value is not None}
    return await post_form(app, "/groups/new", "/groups/new", fields)


async def test_the_form_offers_every_directory_field_with_the_defaults(clock: Clock, app: App) -> None:
    await people(app)
    await as_user(app, HOST)
    form = (await app.client.get("/groups/new")).text
    assert 'id="topic-wellness" name="topics" type="checkbox" value="wellness" checked' in form
    assert "<legend>Topics</legend>" in form
    assert 'id="style-peer" name="style" type="radio" value="peer" checked> Peer-led</label>' in form
    assert 'id="visibility-listed" name="visibility" type="radio" value="listed" checked>' in form
    for value in ("listed", "unlisted", "private"):  # each choice explained, and the explanation tied in
        assert f'aria-describedby="visibility-{value}-hint"' in form
        assert f'<p class="hint" id="visibility-{value}-hint">' in form
    assert "Not in the directory: only people you give its link to find it." in text_of(form)
    assert re.search(r'id="language" name="language" type="text" value="en"', form)
    assert '<option value="es">Spanish</option>' in form  # common languages suggested
    assert re.search(r'id="size_limit" name="size_limit" type="number" value="12"', form)
    assert 'value="yes" checked aria-describedby="visitors_allowed-hint"' in form
    for label_for in re.findall(r'<input[^>]* id="([^"]+)"', form):
        assert f'<label for="{label_for}">' in form, label_for


async def test_a_group_created_with_its_fields_shows_them_on_its_page_and_in_the_directory(
    clock: Clock, app: App
) -> None:
    await people(app)
    await as_user(app, HOST)
    r = await create(app)
    assert r.status_code == 303, r.text
    assert r.headers["location"].endswith("?done=created")
    page = (await app.client.get(r.headers["location"])).text
    assert "Your group is ready. You are its host." in page
    about = text_of(section(page, "about"))
    assert "Topics stress, caregivers and family" in about
    assert "Led by professionally facilitated: Licensed clinical social worker" in about
    assert "Language Spanish" in about
    assert "Up to 8 people a meeting" in about
    assert "Visitors Welcome to visit one meeting before joining" in about
    assert "Visibility Listed in the directory" in about
    # A second group, unlisted, that takes no visitors.
    r = await create(app, name="Quiet carers", visibility="unlisted", visitors_allowed=None, style="peer")
    assert r.status_code == 303, r.text
    about = text_of(section((await app.client.get(r.headers["location"])).text, "about"))
    assert "Visitors Members only" in about
    assert "Visibility Unlisted" in about
    assert "Led by peer-led" in about  # the credential line went with the professional style

    await as_user(app, MEMBER)
    listing = (await app.client.get("/directory", params={"topic": "caregivers"})).text
    words = text_of(listing)
    assert "1 group found." in words
    assert "Carers at dusk" in words
    assert "Quiet carers" not in words
    assert "Language Spanish" in words
    assert "Up to 8 people a meeting" in words
    assert "Visitors welcome" in words
    assert "Carers at dusk" in text_of((await app.client.get("/directory", params={"language": "es"})).text)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"topics": []}, "topics", "Choose at least one topic."),
        ({"size_limit": "0"}, "size_limit", "The size limit must be a whole number from 1 to 200."),
        ({"size_limit": "a dozen"}, "size_limit", "The size limit must be a whole number from 1 to 200."),
        ({"language": "klingon"}, "language", "Language 'klingon' is not a language tag"),
        ({"visibility": "secret"}, "visibility", "Visibility 'secret' is not listed, unlisted or private."),
    ],
)
async def test_bad_input_is_named_and_everything_typed_is_kept(
    clock: Clock, app: App, changes: dict[str, Any], field: str, words: str
) -> None:
    await people(app)
    await as_user(app, HOST)
    r = await create(app, **changes)
    assert r.status_code == 422
    assert f'<a href="#{field}">' in r.text
    assert words in text_of(r.text[r.text.index('id="form-errors"') :])
    assert 'id="form-errors"' in r.text
    if field in ("topics", "visibility"):  # a group of choices: the fieldset is marked, its error tied in
        assert f'<fieldset class="choices has-error" id="{field}">' in r.text
        assert f'{field}-error"' in r.text
    else:
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', r.text)
    entered = NEW | changes
    assert 'value="Carers at dusk"' in r.text
    assert ">For people caring for a parent or partner.</textarea>" in r.text
    assert f'value="{entered["language"]}"' in r.text
    assert f'value="{entered["size_limit"]}"' in r.text
    assert 'value="Licensed clinical social worker"' in r.text
    assert 'id="style-professional" name="style" type="radio" value="professional" checked' in r.text
    for topic in entered["topics"]:
        assert f'id="topic-{topic}" name="topics" type="checkbox" value="{topic}" checked' in r.text
    assert 'id="topic-wellness" name="topics" type="checkbox" value="wellness">' in r.text
    assert 'name="visitors_allowed" type="checkbox" value="yes" checked' in r.text
    await as_user(app, MEMBER)
    assert "Carers at dusk" not in (await app.client.get("/groups")).text  # nothing was created


# --- the group page's meetings ---------------------------------------------------------------


@pytest.fixture
async def wide(database_url: str, tmp_path: Path) -> AsyncIterator[App]:
    """The app with rooms opening 30 minutes before the start and closing 60 after the end."""
    settings = make_settings(
        tmp_path,
        HEARTH_DATABASE_URL=database_url,
        HEARTH_ROOM_OPENS_MINUTES="30",
        HEARTH_ROOM_GRACE_MINUTES="60",
    )
    asgi = create_app(settings)
    async with asgi.router.lifespan_context(asgi):
        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield App(settings, client)


async def hosted_meetings(app: App, *starts_in: int, length: int = 60) -> tuple[int, list[int]]:
    """A group (visitors welcome) and one meeting per start, `starts_in` minutes from now."""
    await people(app)
    await as_user(app, HOST)
    r = await create(app, style="peer")
    group = int(r.headers["location"].split("/")[2].split("?")[0])
    ids = []
    for minutes in starts_in:
        start = START + timedelta(minutes=minutes)
        body = {
            "title": f"In {minutes} minutes",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(minutes=length)).isoformat(),
        }
        made = await app.client.post(f"/api/v1/groups/{group}/meetings", json=body)
        assert made.status_code == 201, made.text
        ids.append(int(made.json()["id"]))
    return group, ids


async def test_the_group_page_follows_the_configured_room_window(clock: Clock, wide: App) -> None:
    group, (soon, later) = await hosted_meetings(wide, 20, 90)
    page = (await wide.client.get(f"/groups/{group}")).text
    first = text_of(card(page, f"meeting-{soon}"))
    assert "Enter the room" in first  # 20 minutes ahead: open, with rooms opening 30 before
    assert f"/meetings/{soon}/open" not in card(page, f"meeting-{soon}")
    assert "End the meeting" in first
    second = text_of(card(page, f"meeting-{later}"))
    assert "The room opens at 13:00 UTC, 30 minutes before the start." in second
    assert "Open the room now" in second
    assert "The room opens 30 minutes before the start." in text_of(section(page, "schedule"))
    # 50 minutes after the first meeting's end it is still open (a 60-minute grace period).
    clock.now = START + timedelta(minutes=20 + 60 + 50)
    page = (await wide.client.get(f"/groups/{group}")).text
    assert "Enter the room" in text_of(card(page, f"meeting-{soon}"))
    clock.now += timedelta(minutes=11)
    assert "This meeting has ended." in text_of(
        card((await wide.client.get(f"/groups/{group}")).text, f"meeting-{soon}")
    )


async def test_the_default_window_opens_rooms_ten_minutes_before(clock: Clock, app: App) -> None:
    group, (soon,) = await hosted_meetings(app, 20)
    item = text_of(card((await app.client.get(f"/groups/{group}")).text, f"meeting-{soon}"))
    assert "The room opens at 12:10 UTC, 10 minutes before the start." in item
    assert "Enter the room" not in item


async def test_a_cancelled_meeting_shows_no_buttons_to_anyone(clock: Clock, wide: App) -> None:
    group, (soon, later) = await hosted_meetings(wide, 20, 90)
    for meeting in (soon, later):  # one inside its room's window, one before it
        r = await wide.client.post(f"/api/v1/meetings/{meeting}/cancel")
        assert r.status_code == 200, r.text
    await as_user(wide, MEMBER)
    await post_form(wide, f"/groups/{group}", f"/groups/{group}/join")
    for who in (HOST, MEMBER, OTHER):  # the host, a member, someone who could visit
        await as_user(wide, who)
        page = (await wide.client.get(f"/groups/{group}")).text
        for meeting in (soon, later):
            html = card(page, f"meeting-{meeting}")
            assert "This meeting was cancelled." in text_of(html), who
            assert "<form" not in html, who  # no open, end, cancel, RSVP or visit
            assert "Enter the room" not in html, who
            assert "seats left" not in html, who
            assert "Add to my calendar" not in html, who
