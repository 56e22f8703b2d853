"""The "a seat opened up" email, through a real SMTP server (aiosmtpd, `mail_helpers`), on SQLite
and PostgreSQL: one neutral message to the member the waitlist moved up, from the API and from
the My meetings form, none to members who turned email off, never twice; and a mail server
that is down neither fails nor slows the cancel, and leaves no address in the log."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from attendance_helpers import RApp, register, running
from group_helpers import HOST, MEMBER, OTHER, as_user, new_group, new_meeting, people
from mail_helpers import Smtp, smtp
from page_helpers import post_form
from support import free_port, make_settings

from meeting.reminders.seats import SUBJECT, Promoted, compose_seat

pytestmark = pytest.mark.postgres
__all__ = ["smtp"]  # the fixture
ANN = "ann@example.org"


async def mail_app(database_url: str, tmp_path: Path, smtp_url: str) -> AsyncIterator[RApp]:
    """The app with email through `smtp_url` (reminders off: only seat emails go out)."""
    env = {"HEARTH_DATABASE_URL": database_url, "HEARTH_SMTP_URL": smtp_url, "HEARTH_REMINDERS": "off"}
    async for running_app in running(make_settings(tmp_path, **env)):
        yield running_app


@pytest.fixture
async def app(database_url: str, tmp_path: Path, smtp: Smtp) -> AsyncIterator[RApp]:
    async for running_app in mail_app(database_url, tmp_path, smtp.url):
        yield running_app


@pytest.fixture
async def app_no_mail_server(database_url: str, tmp_path: Path) -> AsyncIterator[RApp]:
    async for running_app in mail_app(database_url, tmp_path, f"smtp://127.0.0.1:{free_port()}"):
        yield running_app


async def waitlisted(app: RApp, *emails: str) -> tuple[int, dict[str, str]]:
    """A group of one seat (Grief circle) with a meeting ("Grief evening") in an hour; `emails`
    join it and RSVP in order, so the first is going and the others wait."""
    await as_user(app, HOST)
    group = (await new_group(app, size_limit=1))["id"]
    r = await new_meeting(app, group, title="Grief evening")
    assert r.status_code == 201, r.text
    for email in emails:
        await as_user(app, email)
        assert (await app.client.post(f"/api/v1/groups/{group}/members")).status_code == 200
        assert (await app.client.post(f"/api/v1/meetings/{r.json()['id']}/rsvp")).status_code == 200
    return group, r.json()


def hearth_lines(caplog: pytest.LogCaptureFixture) -> str:
    ours = [r for r in caplog.records if r.name.startswith("hearth")]  # not the test server's
    return "\n".join(f"{r.getMessage()} {r.__dict__}" for r in ours)


async def test_the_member_moved_up_gets_one_neutral_email(
    app: RApp, smtp: Smtp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await people(app)
    await register(app, "Ann")
    group, meeting = await waitlisted(app, MEMBER, OTHER, ANN)
    await as_user(app, OTHER)
    await app.client.put("/api/v1/me/preferences", json={"timezone": "Europe/Berlin"})
    await as_user(app, ANN)
    await app.client.put("/api/v1/me/preferences", json={"reminders": False})

    await as_user(app, MEMBER)  # gives the seat up from My meetings: Oz moves up
    action = f"/groups/{group}/meetings/{meeting['id']}/rsvp/cancel"
    r = await post_form(app, "/me/meetings", action, {"back": "me"})
    assert r.status_code == 303
    assert [rcpt for rcpt, _ in smtp.sink.received] == [[OTHER]]
    [mail] = smtp.sink.to(OTHER)
    assert mail["Subject"] == SUBJECT == "A seat opened up for your Hearth meeting"
    assert (mail["From"], mail["Auto-Submitted"]) == ("Hearth <no-reply@localhost>", "auto-generated")
    body = mail.get_content().replace("\r\n", "\n")
    berlin = datetime.fromisoformat(meeting["starts_at"]).astimezone(ZoneInfo("Europe/Berlin"))
    assert f"you're going to your Hearth meeting: {berlin:%A} {berlin.day} " in body
    assert f"at {berlin:%H:%M} (Europe/Berlin time)." in body
    assert "See it in My meetings: http://127.0.0.1:8000/me/meetings\n" in body
    assert "turn these emails off in your preferences:\nhttp://127.0.0.1:8000/me/meetings#preferences" in body
    for secret in ("Grief", "circle", "evening"):
        assert secret not in body + str(mail["Subject"])

    await as_user(app, MEMBER)  # cancelling again changes nothing and sends nothing
    assert (await app.client.delete(f"/api/v1/meetings/{meeting['id']}/rsvp")).status_code == 204
    await as_user(app, OTHER)  # Ann moves up, but turned email off: the notice only
    assert (await app.client.delete(f"/api/v1/meetings/{meeting['id']}/rsvp")).status_code == 204
    assert len(smtp.sink.received) == 1
    await as_user(app, ANN)
    r = await app.client.get("/api/v1/me/notices")
    assert [n["kind"] for n in r.json()["notices"]] == ["promoted"]
    logged = hearth_lines(caplog)
    assert "example.org" not in logged
    assert "Grief" not in logged
    assert "seat_mail.sent" in logged


async def test_more_seats_from_the_dashboard_or_the_api_email_those_moved_up(app: RApp, smtp: Smtp) -> None:
    await people(app)
    await register(app, "Ann")
    group, meeting = await waitlisted(app, MEMBER, OTHER, ANN)
    await as_user(app, HOST)  # two seats, from the dashboard's Group details: Oz moves up
    page = f"/groups/{group}/dashboard"
    details = {"name": "Grief circle", "description": "", "topics": "grief", "style": "peer"}
    details |= {"credential": "", "language": "en", "size_limit": "2", "visibility": "listed"}
    r = await post_form(app, page, f"/groups/{group}/details", details)
    assert r.status_code == 303, r.text
    assert [rcpt for rcpt, _ in smtp.sink.received] == [[OTHER]]
    # Three, through the API: Ann moves up and is emailed too; nobody twice.
    assert (await app.client.patch(f"/api/v1/groups/{group}", json={"size_limit": 3})).status_code == 200
    assert [rcpt for rcpt, _ in smtp.sink.received] == [[OTHER], [ANN]]
    await as_user(app, ANN)
    assert (await app.client.get(f"/api/v1/meetings/{meeting['id']}/rsvp")).json()["status"] == "going"


async def test_group_names_only_for_members_who_opted_in(app: RApp, smtp: Smtp) -> None:
    await people(app)
    _, meeting = await waitlisted(app, MEMBER, OTHER)
    await as_user(app, OTHER)
    await app.client.put("/api/v1/me/preferences", json={"reveal_group_name": True})
    await as_user(app, MEMBER)
    assert (await app.client.delete(f"/api/v1/meetings/{meeting['id']}/rsvp")).status_code == 204
    [mail] = smtp.sink.to(OTHER)
    body = mail.get_content().replace("\r\n", "\n")
    assert "\nGroup: Grief circle\n" in body
    assert "(UTC time)" in body  # no zone of their own: the meeting's
    assert "evening" not in body  # the meeting's title never


async def test_a_mail_server_that_is_down_does_not_fail_the_cancel(
    app_no_mail_server: RApp, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_no_mail_server
    caplog.set_level(logging.DEBUG)
    await people(app)
    _, meeting = await waitlisted(app, MEMBER, OTHER)
    await as_user(app, MEMBER)
    started = time.monotonic()
    r = await app.client.delete(f"/api/v1/meetings/{meeting['id']}/rsvp")
    assert r.status_code == 204
    assert time.monotonic() - started < 10
    await as_user(app, OTHER)
    assert (await app.client.get(f"/api/v1/meetings/{meeting['id']}/rsvp")).json()["status"] == "going"
    assert [n["kind"] for n in (await app.client.get("/api/v1/me/notices")).json()["notices"]] == ["promoted"]
    logged = hearth_lines(caplog)
    assert "mail.connect_failed" in logged
    assert "example.org" not in logged


def test_compose_seat_is_neutral_unless_revealed() -> None:
    member = Promoted(
        email="mo@example.org",
        starts_at=datetime(2027, 3, 14, 23, 0, tzinfo=UTC),
        meeting_zone="America/New_York",
        group_name="Eating disorders support",
        reveal=False,
        zone=None,
    )
    mail = compose_seat(member, base_url="https://hearth.example")
    assert mail.subject == "A seat opened up for your Hearth meeting"
    assert "Sunday 14 March 2027 at 19:00 (America/New_York time)" in mail.body
    assert "https://hearth.example/me/meetings#preferences" in mail.body
    assert "Eating" not in mail.body
    named = compose_seat(
        Promoted(**{**member.__dict__, "reveal": True, "zone": "Asia/Tokyo"}),
        base_url="https://hearth.example",
    )
    assert "Monday 15 March 2027 at 08:00 (Asia/Tokyo time)" in named.body
    assert "Group: Eating disorders support" in named.body
