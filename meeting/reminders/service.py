"""Reminder emails, 24 hours and 1 hour before each meeting a member RSVPed "going" to.

`run_reminders(hearth)` runs in every process (started from the app's lifespan) when
`HEARTH_REMINDERS` is on; each `reminder_pass` finds the reminders now due, claims them in
`reminders_sent` (INSERT … ON CONFLICT DO NOTHING … RETURNING: a reminder another process
claimed first is not returned, so it is not sent twice), sends what it claimed over one SMTP
connection, and gives back the claims of messages the server did not take, for a later pass.

Due means the meeting starts within `(now + 20 h, now + 24 h]` for the "24h" reminder and
`(now + 10 min, now + 1 h]` for the "1h" one, so a reminder missed while no process ran is
still sent a little late, but never one that would say "tomorrow" about this evening. Members
who turned reminders off (`MemberPrefs.reminders`) get none, and nobody gets one for a
cancelled or ended meeting, an archived group, or a group that banned them.

The wording is neutral, since a lock screen shows it: "Your Hearth meeting starts in 1 hour" /
"... starts tomorrow", the time in the member's zone (their preference, else the meeting's),
the room link and where to turn reminders off (`/me/meetings#preferences`); the group's name
only for members who opted in. Addresses never reach a log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.attendance.models import MemberPrefs, Rsvp, RsvpStatus
from meeting.attendance.prefs import viewer_zone
from meeting.calendars.service import room_url
from meeting.context import Hearth
from meeting.db import utcnow
from meeting.groups.models import Group, Meeting, MeetingState
from meeting.moderation.models import GroupBan
from meeting.reminders.mail import Mail, Outbox
from meeting.reminders.models import ReminderKind, ReminderSent

log = logging.getLogger("hearth.reminders")
REMINDER_EVERY = 60.0
WINDOWS: dict[ReminderKind, tuple[timedelta, timedelta]] = {
    ReminderKind.day: (timedelta(hours=20), timedelta(hours=24)),
    ReminderKind.hour: (timedelta(minutes=10), timedelta(hours=1)),
}
SUBJECTS = {
    ReminderKind.day: "Your Hearth meeting starts tomorrow",
    ReminderKind.hour: "Your Hearth meeting starts in 1 hour",
}


@dataclass(frozen=True)
class Due:
    """One reminder to send: who, for which meeting, and what the message needs."""

    meeting_id: int
    user_id: int
    kind: ReminderKind
    email: str
    starts_at: datetime
    meeting_zone: str
    group_name: str
    reveal: bool
    zone: str | None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.meeting_id, self.user_id, self.kind.value)


async def due_reminders(h: Hearth, *, now: datetime) -> list[Due]:
    """The reminders due at `now` that nobody has claimed yet, in key order."""
    found: list[Due] = []
    async with h.db.session() as s:
        for kind, (soonest, latest) in WINDOWS.items():
            claimed = (
                select(ReminderSent.meeting_id)
                .where(col(ReminderSent.meeting_id) == col(Rsvp.meeting_id))
                .where(col(ReminderSent.user_id) == col(Rsvp.user_id), col(ReminderSent.kind) == kind.value)
                .exists()
            )
            banned = (
                select(GroupBan.user_id)
                .where(col(GroupBan.group_id) == col(Meeting.group_id))
                .where(col(GroupBan.user_id) == col(Rsvp.user_id))
                .exists()
            )
            query = (
                select(Rsvp, User.email, Meeting, Group)
                .join(Meeting, col(Meeting.id) == col(Rsvp.meeting_id))
                .join(Group, col(Group.id) == col(Meeting.group_id))
                .join(User, col(User.id) == col(Rsvp.user_id))
                .outerjoin(MemberPrefs, col(MemberPrefs.user_id) == col(Rsvp.user_id))
                .where(col(Rsvp.status) == RsvpStatus.going.value)
                .where(col(Meeting.state).in_([MeetingState.scheduled.value, MeetingState.open.value]))
                .where(col(Group.archived_at).is_(None))
                .where(col(Meeting.starts_at) > now + soonest, col(Meeting.starts_at) <= now + latest)
                .where(sa.or_(col(MemberPrefs.reminders).is_(None), col(MemberPrefs.reminders)))
                .where(~claimed, ~banned)
            )
            rows = (await s.exec(query)).all()
            prefs = await _prefs(s, [row.user_id for row, _, _, _ in rows])
            for row, email, meeting, group in rows:
                mine = prefs.get(row.user_id)
                found.append(
                    Due(
                        meeting_id=row.meeting_id,
                        user_id=row.user_id,
                        kind=kind,
                        email=email,
                        starts_at=meeting.starts_at,
                        meeting_zone=meeting.timezone,
                        group_name=group.name,
                        reveal=mine is not None and mine.reveal_group_name,
                        zone=None if mine is None else mine.timezone,
                    )
                )
    return sorted(found, key=lambda d: d.key)


async def _prefs(s: AsyncSession, user_ids: Sequence[int]) -> dict[int, MemberPrefs]:
    if not user_ids:
        return {}
    query = select(MemberPrefs).where(col(MemberPrefs.user_id).in_(sorted(set(user_ids))))
    return {p.user_id: p for p in (await s.exec(query)).all()}


async def claim(h: Hearth, due: Sequence[Due], *, now: datetime) -> list[Due]:
    """Claim `due` in one statement; returns the ones this process won (see the module doc)."""
    if not due:
        return []
    rows = [
        {"meeting_id": d.meeting_id, "user_id": d.user_id, "kind": d.kind.value, "sent_at": now} for d in due
    ]
    insert = postgresql.insert if h.db.dialect == "postgresql" else sqlite.insert
    statement = (
        insert(ReminderSent)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(col(ReminderSent.meeting_id), col(ReminderSent.user_id), col(ReminderSent.kind))
    )
    async with h.db.session() as s:
        won = {(int(m), int(u), str(k)) for m, u, k in (await s.exec(statement)).all()}
    return [d for d in due if d.key in won]


async def release(h: Hearth, due: Sequence[Due]) -> None:
    """Give back claims whose message was not sent, so a later pass tries again."""
    if not due:
        return
    async with h.db.session() as s:
        for d in due:
            await s.exec(
                sa.delete(ReminderSent).where(
                    col(ReminderSent.meeting_id) == d.meeting_id,
                    col(ReminderSent.user_id) == d.user_id,
                    col(ReminderSent.kind) == d.kind.value,
                )
            )


def local_time(when: datetime, zone: ZoneInfo) -> str:
    """E.g. "Tuesday 3 March 2026 at 19:00 (America/New_York time)"."""
    local = when.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M} ({zone.key} time)"


def compose(due: Due, *, base_url: str, opens_minutes: int = 10) -> Mail:
    """The reminder's neutral subject and body (see the module doc)."""
    zone = viewer_zone(due.zone or due.meeting_zone)
    when = "tomorrow" if due.kind == ReminderKind.day else "in 1 hour"
    lines = [
        f"Your Hearth meeting starts {when}: {local_time(due.starts_at, zone)}.",
        "",
        f"Join it here (the room opens {opens_minutes} minutes before the start): "
        + room_url(base_url, due.meeting_id),
    ]
    if due.reveal:
        lines += ["", f"Group: {due.group_name}"]
    lines += [
        "",
        "You are getting this because you said you would come. If you can't make it, you can cancel",
        "from My meetings, and you can turn reminders off in your preferences there:",
        f"{base_url}/me/meetings#preferences",
    ]
    return Mail(to=due.email, subject=SUBJECTS[due.kind], body="\n".join(lines) + "\n")


async def reminder_pass(h: Hearth, *, now: datetime | None = None, outbox: Outbox | None = None) -> int:
    """Send the reminders due at `now` that no other process claimed; returns how many went."""
    settings = h.settings
    if outbox is None:
        if settings.smtp_url is None:
            return 0
        outbox = Outbox.from_url(settings.smtp_url, sender=settings.mail_from)
    now = now or utcnow()
    mine = await claim(h, await due_reminders(h, now=now), now=now)
    if not mine:
        return 0
    results = await outbox.send(
        [compose(d, base_url=settings.base_url, opens_minutes=settings.room_opens_minutes) for d in mine]
    )
    failed = [d for d, ok in zip(mine, results, strict=True) if not ok]
    await release(h, failed)
    sent = len(mine) - len(failed)
    if failed:
        log.warning("reminders.unsent", extra={"sent": sent, "failed": len(failed)})
    else:
        log.info("reminders.sent", extra={"sent": sent})
    return sent


async def run_reminders(h: Hearth, *, every: float = REMINDER_EVERY) -> None:
    """Run `reminder_pass` every `every` seconds until cancelled; returns at once when
    `HEARTH_REMINDERS` is off (or no SMTP server is configured)."""
    if not h.settings.reminders or h.settings.smtp_url is None:
        return
    while True:
        try:
            await reminder_pass(h)
        except Exception as exc:  # the database is away for a moment: try again next time
            log.warning("reminders.pass_failed", extra={"error": type(exc).__name__})
        await asyncio.sleep(every)
