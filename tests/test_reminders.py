"""Reminder emails through a real SMTP server (aiosmtpd on a free port, `mail_helpers`): due 24
hours and 1 hour before, neutral wording, sent exactly once by two app instances sharing
PostgreSQL, opt-out respected, a failed send tried again; and the settings that drive them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from attendance_helpers import RApp, register, running, sql
from group_helpers import HOST, MEMBER, OTHER, as_user, new_group, new_meeting, people
from mail_helpers import Smtp, smtp
from support import free_port, make_settings

from meeting.context import Hearth
from meeting.reminders.mail import Mail, Outbox
from meeting.reminders.service import compose, reminder_pass, run_reminders
from meeting.settings import Settings, SettingsError

pytestmark = pytest.mark.postgres
__all__ = ["smtp"]  # the fixture


def hearth_of(app: RApp) -> Hearth:
    assert app.asgi is not None
    h = app.asgi.state.hearth
    assert isinstance(h, Hearth)
    return h


@pytest.fixture
async def pair(postgres_migrated: str, tmp_path: Path, smtp: Smtp) -> AsyncIterator[tuple[RApp, RApp]]:
    """Two app instances (as two processes would be) sharing one PostgreSQL database and one
    SMTP server; their own reminder loops are off, so only the test's passes send."""
    from support import empty_tables, run_async

    run_async(empty_tables(postgres_migrated))
    env = {"HEARTH_DATABASE_URL": postgres_migrated, "HEARTH_SMTP_URL": smtp.url, "HEARTH_REMINDERS": "off"}
    one = running(make_settings(tmp_path / "a", **env))
    two = running(make_settings(tmp_path / "b", **env))
    a, b = await anext(one), await anext(two)
    try:
        yield a, b
    finally:
        for gen in (one, two):
            with pytest.raises(StopAsyncIteration):
                await anext(gen)


async def rsvp(app: RApp, email_address: str, meeting_id: int) -> str:
    await as_user(app, email_address)
    r = await app.client.post(f"/api/v1/meetings/{meeting_id}/rsvp")
    assert r.status_code == 200, r.text
    return str(r.json()["status"])


async def test_each_member_gets_each_reminder_once_from_two_processes(
    pair: tuple[RApp, RApp], smtp: Smtp, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = pair
    caplog.set_level(logging.DEBUG)
    await people(a)
    await register(a, "Ann")
    await as_user(a, HOST)
    group = await new_group(a, size_limit=2)
    soon = (await new_meeting(a, group["id"], start_in=50, title="Grief evening")).json()
    tomorrow = (await new_meeting(a, group["id"], start_in=23 * 60 + 30)).json()
    later = (await new_meeting(a, group["id"], start_in=3 * 60)).json()
    for who in (MEMBER, OTHER, "ann@example.org"):
        await as_user(a, who)
        await a.client.post(f"/api/v1/groups/{group['id']}/members")
    assert await rsvp(a, MEMBER, soon["id"]) == "going"
    assert await rsvp(a, MEMBER, tomorrow["id"]) == "going"
    assert await rsvp(a, MEMBER, later["id"]) == "going"  # nothing due for it yet
    assert await rsvp(a, OTHER, soon["id"]) == "going"
    await a.client.put("/api/v1/me/preferences", json={"reminders": False})  # OTHER opted out
    assert await rsvp(a, "ann@example.org", soon["id"]) == "waitlist"  # no seat, no reminder
    await as_user(a, HOST)
    assert await rsvp(a, HOST, tomorrow["id"]) == "going"
    await a.client.put(
        "/api/v1/me/preferences", json={"reveal_group_name": True, "timezone": "Europe/Berlin"}
    )

    for _ in range(3):  # both processes, at the same moment, several times
        await asyncio.gather(reminder_pass(hearth_of(a)), reminder_pass(hearth_of(b)))
    received = smtp.sink.received
    assert sorted((rcpt[0], m["Subject"]) for rcpt, m in received) == [
        ("hal@example.org", "Your Hearth meeting starts tomorrow"),
        ("mo@example.org", "Your Hearth meeting starts in 1 hour"),
        ("mo@example.org", "Your Hearth meeting starts tomorrow"),
    ]
    claims = await sql(a, "SELECT meeting_id, user_id, kind FROM reminders_sent ORDER BY kind")
    assert len(claims) == 3

    hour = next(m for m in smtp.sink.to("mo@example.org") if "1 hour" in m["Subject"])
    body = hour.get_content()
    assert f"http://127.0.0.1:8000/meetings/{soon['id']}" in body
    assert "(UTC time)" in body  # no zone of their own: the meeting's
    starts = datetime.fromisoformat(soon["starts_at"])
    assert f"at {starts:%H:%M}" in body
    for secret in ("Grief", "circle", "evening"):
        assert secret not in body + str(hour["Subject"])
    assert hour["From"] == "Hearth <no-reply@localhost>"
    assert hour["Auto-Submitted"] == "auto-generated"
    [named] = smtp.sink.to("hal@example.org")
    named_body = named.get_content()
    assert "Group: Grief circle" in named_body
    local = datetime.fromisoformat(tomorrow["starts_at"]).astimezone(ZoneInfo("Europe/Berlin"))
    assert f"at {local:%H:%M} (Europe/Berlin time)" in named_body
    ours = [r for r in caplog.records if r.name.startswith("hearth")]  # not the test server's
    assert "example.org" not in "\n".join(f"{r.getMessage()} {r.__dict__}" for r in ours)
    assert any(r.getMessage() == "reminders.sent" for r in ours)


async def test_no_reminders_for_cancelled_meetings_archived_groups_or_the_banned(
    pair: tuple[RApp, RApp], smtp: Smtp
) -> None:
    a, _ = pair
    await people(a)
    await as_user(a, HOST)
    group = await new_group(a)
    other = await new_group(a, name="Other")
    cancelled = (await new_meeting(a, group["id"], start_in=40)).json()
    archived = (await new_meeting(a, other["id"], start_in=40)).json()
    for g, m in ((group, cancelled), (other, archived)):
        await as_user(a, MEMBER)
        await a.client.post(f"/api/v1/groups/{g['id']}/members")
        await rsvp(a, MEMBER, m["id"])
    await as_user(a, HOST)
    assert (await a.client.post(f"/api/v1/meetings/{cancelled['id']}/cancel")).status_code == 200
    assert (await a.client.post(f"/api/v1/groups/{other['id']}/archive")).status_code == 200
    banned = (await new_meeting(a, group["id"], start_in=45)).json()
    await rsvp(a, MEMBER, banned["id"])
    ids = {email: user_id for (email, user_id) in await sql(a, "SELECT email, id FROM users")}
    await sql(
        a,
        "INSERT INTO group_bans (group_id, user_id, reason, created_at) VALUES (:g, :u, '', :now)",
        g=group["id"],
        u=ids[MEMBER],
        now=datetime.now(UTC),
    )
    assert await reminder_pass(hearth_of(a)) == 0
    assert smtp.sink.received == []


async def test_a_send_that_fails_is_claimed_again_later(pair: tuple[RApp, RApp], smtp: Smtp) -> None:
    a, _ = pair
    await people(a)
    await as_user(a, HOST)
    group = await new_group(a)
    meeting = (await new_meeting(a, group["id"], start_in=30)).json()
    await as_user(a, MEMBER)
    await a.client.post(f"/api/v1/groups/{group['id']}/members")
    await rsvp(a, MEMBER, meeting["id"])
    h = hearth_of(a)
    nobody = Outbox(host="127.0.0.1", port=free_port(), tls=False, sender="Hearth <no-reply@localhost>")
    assert await reminder_pass(h, outbox=nobody) == 0
    assert await sql(a, "SELECT count(*) FROM reminders_sent") == [(0,)]
    assert await reminder_pass(h) == 1
    assert await reminder_pass(h) == 0
    assert [m["Subject"] for m in smtp.sink.to("mo@example.org")] == ["Your Hearth meeting starts in 1 hour"]
    now = datetime.now(UTC)
    assert await reminder_pass(h, now=now + timedelta(hours=2)) == 0  # the meeting has begun


async def test_the_app_runs_the_reminder_loop_when_smtp_is_set(
    tmp_path: Path, smtp: Smtp, database_url: str
) -> None:
    settings = make_settings(tmp_path, HEARTH_DATABASE_URL=database_url, HEARTH_SMTP_URL=smtp.url)
    assert settings.reminders
    async for a in running(settings):
        names = {t.get_name() for t in asyncio.all_tasks() if not t.done()}
        assert "hearth-reminders" in names
        await people(a)
        await as_user(a, HOST)
        group = await new_group(a)
        meeting = (await new_meeting(a, group["id"], start_in=45)).json()
        await rsvp(a, HOST, meeting["id"])
        loop = asyncio.create_task(run_reminders(hearth_of(a), every=0.05))
        try:
            for _ in range(200):
                if smtp.sink.received:
                    break
                await asyncio.sleep(0.05)
        finally:
            loop.cancel()
            with pytest.raises(asyncio.CancelledError):
                await loop
        assert [rcpt for rcpt, _ in smtp.sink.received] == [["hal@example.org"]]
    off = make_settings(
        tmp_path / "off", HEARTH_DATABASE_URL=database_url, HEARTH_SMTP_URL=smtp.url, HEARTH_REMINDERS="off"
    )
    async for b in running(off):
        await asyncio.wait_for(run_reminders(hearth_of(b), every=0.01), timeout=1)  # returns at once


async def test_a_password_is_never_sent_without_tls(smtp: Smtp) -> None:
    port = int(smtp.url.rsplit(":", 1)[1])
    outbox = Outbox.from_url(f"smtp://sam:secret@127.0.0.1:{port}", sender="no-reply@example.org")
    assert (outbox.username, outbox.password, outbox.port, outbox.tls) == ("sam", "secret", port, False)
    assert "secret" not in repr(outbox)
    assert await outbox.send([Mail(to="mo@example.org", subject="S", body="B")]) == [False]
    assert smtp.sink.received == []
    plain = Outbox.from_url(smtp.url, sender="no-reply@example.org")
    assert await plain.send([Mail(to="mo@example.org", subject="S", body="B\n")] * 2) == [True, True]
    assert "mo@example.org" not in repr(Mail(to="mo@example.org", subject="S", body="B"))


def test_compose_is_neutral_unless_revealed() -> None:
    from meeting.reminders.models import ReminderKind
    from meeting.reminders.service import Due

    due = Due(
        meeting_id=7,
        user_id=1,
        kind=ReminderKind.day,
        email="mo@example.org",
        starts_at=datetime(2027, 3, 14, 23, 0, tzinfo=UTC),
        meeting_zone="America/New_York",
        group_name="Eating disorders support",
        reveal=False,
        zone=None,
    )
    mail = compose(due, base_url="https://hearth.example")
    assert mail.subject == "Your Hearth meeting starts tomorrow"
    assert "Sunday 14 March 2027 at 19:00 (America/New_York time)" in mail.body  # EDT, the day clocks change
    assert "https://hearth.example/meetings/7" in mail.body
    switch_off = (
        "turn reminders off in your preferences there:\nhttps://hearth.example/me/meetings#preferences\n"
    )
    assert switch_off in mail.body
    assert "/account" not in mail.body
    assert "Eating" not in mail.body
    assert "(the room opens 10 minutes before the start)" in mail.body
    tokyo = compose(
        Due(**{**due.__dict__, "reveal": True, "zone": "Asia/Tokyo", "kind": ReminderKind.hour}),
        base_url="https://hearth.example",
        opens_minutes=30,  # HEARTH_ROOM_OPENS_MINUTES
    )
    assert "(the room opens 30 minutes before the start)" in tokyo.body
    assert tokyo.subject == "Your Hearth meeting starts in 1 hour"
    assert "Monday 15 March 2027 at 08:00 (Asia/Tokyo time)" in tokyo.body
    assert "Group: Eating disorders support" in tokyo.body


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"HEARTH_SMTP_URL": "http://mail.example"}, "HEARTH_SMTP_URL must look like"),
        ({"HEARTH_SMTP_URL": "mail.example:25"}, "HEARTH_SMTP_URL"),
        ({"HEARTH_SMTP_URL": "smtp://u:p@mail.example:notaport"}, "HEARTH_SMTP_URL has a port"),
        ({"HEARTH_SMTP_URL": "smtp://u:p@mail.example:99999"}, "HEARTH_SMTP_URL has a port"),
        ({"HEARTH_SMTP_URL": "smtp://mail.example/path"}, "HEARTH_SMTP_URL takes no path"),
        ({"HEARTH_SMTP_URL": "smtp://onlyuser@mail.example"}, "both a user name and a password"),
        ({"HEARTH_REMINDERS": "on"}, "HEARTH_REMINDERS is on but HEARTH_SMTP_URL is not set"),
        ({"HEARTH_REMINDERS": "maybe", "HEARTH_SMTP_URL": "smtp://mail.example"}, "HEARTH_REMINDERS must be"),
        ({"HEARTH_MAIL_FROM": "not an address"}, "HEARTH_MAIL_FROM must be an address"),
        ({"HEARTH_MAIL_FROM": "Hearth <nobody>"}, "HEARTH_MAIL_FROM must be an address"),
    ],
)
def test_bad_mail_settings_stop_start_up_naming_the_variable(
    tmp_path: Path, env: dict[str, str], words: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        make_settings(tmp_path, **env)
    assert words in str(caught.value)
    assert ":p@" not in str(caught.value)


def test_mail_settings_defaults(tmp_path: Path) -> None:
    plain = make_settings(tmp_path)
    assert (plain.smtp_url, plain.reminders, plain.mail_from) == (None, False, "Hearth <no-reply@localhost>")
    on = make_settings(
        tmp_path,
        HEARTH_SMTP_URL="smtps://sam:s%40cret@mail.example",
        HEARTH_MAIL_FROM="Hearth <hello@hearth.example>",
        HEARTH_BASE_URL="https://hearth.example",
    )
    assert (on.reminders, on.mail_from) == (True, "Hearth <hello@hearth.example>")
    assert "cret" not in repr(on)
    outbox = Outbox.from_url(on.smtp_url or "", sender=on.mail_from)
    assert (outbox.host, outbox.port, outbox.tls, outbox.password) == ("mail.example", 465, True, "s@cret")
    assert make_settings(tmp_path, HEARTH_BASE_URL="https://hearth.example").mail_from == (
        "Hearth <no-reply@hearth.example>"
    )
    off = make_settings(tmp_path, HEARTH_SMTP_URL="smtp://mail.example:2525", HEARTH_REMINDERS="off")
    assert off.reminders is False
    assert Outbox.from_url(off.smtp_url or "", sender="x@y.z").port == 2525
    assert isinstance(on, Settings)
