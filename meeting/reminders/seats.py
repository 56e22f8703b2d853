"""The "a seat opened up" email, to members the waitlist just moved up to "going".

The request that freed the seat (an RSVP cancelled, a larger size limit) calls `email_promoted` after its
transaction committed, as a background task of its response: the member already has the
notice on their My meetings page, the email only tells them sooner. It is sent once, by
that one request, and never retried (a failure is logged by kind, with no address and no
meeting); nothing is sent without `HEARTH_SMTP_URL`, nor to members who turned email off
(`MemberPrefs.reminders`, "Email me reminders"), nor for a meeting called off meanwhile.

The wording is neutral, like the reminders' (a lock screen shows it): "A seat opened up for
your Hearth meeting", the time in the member's zone and a link to My meetings; the group's
name only for members who opted in.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from starlette.background import BackgroundTask

from meeting.accounts.models import User
from meeting.attendance.models import MemberPrefs, Rsvp, RsvpStatus
from meeting.attendance.prefs import viewer_zone
from meeting.context import Hearth
from meeting.groups.models import Group, Meeting, MeetingState
from meeting.reminders.mail import Mail, Outbox
from meeting.reminders.service import local_time

log = logging.getLogger("hearth.reminders")
SUBJECT = "A seat opened up for your Hearth meeting"


@dataclass(frozen=True)
class Promoted:
    """One member to tell, and what the message needs."""

    email: str
    starts_at: datetime
    meeting_zone: str
    group_name: str
    reveal: bool
    zone: str | None


async def recipients(h: Hearth, *, meeting_id: int, user_ids: Sequence[int]) -> list[Promoted]:
    """Those of `user_ids` still "going" to `meeting_id` who take email, in user id order."""
    query = (
        select(User.email, MemberPrefs, Meeting, Group)
        .select_from(Rsvp)
        .join(User, col(User.id) == col(Rsvp.user_id))
        .join(Meeting, col(Meeting.id) == col(Rsvp.meeting_id))
        .join(Group, col(Group.id) == col(Meeting.group_id))
        .outerjoin(MemberPrefs, col(MemberPrefs.user_id) == col(Rsvp.user_id))
        .where(col(Rsvp.meeting_id) == meeting_id, col(Rsvp.user_id).in_(list(user_ids)))
        .where(col(Rsvp.status) == RsvpStatus.going.value)
        .where(col(Meeting.state).in_([MeetingState.scheduled.value, MeetingState.open.value]))
        .where(col(Group.archived_at).is_(None))
        .where(sa.or_(col(MemberPrefs.reminders).is_(None), col(MemberPrefs.reminders)))
        .order_by(col(Rsvp.user_id))
    )
    async with h.db.session() as s:
        rows = (await s.exec(query)).all()
    return [
        Promoted(
            email=email,
            starts_at=meeting.starts_at,
            meeting_zone=meeting.timezone,
            group_name=group.name,
            reveal=prefs is not None and prefs.reveal_group_name,
            zone=None if prefs is None else prefs.timezone,
        )
        for email, prefs, meeting, group in rows
    ]


def compose_seat(member: Promoted, *, base_url: str) -> Mail:
    """The neutral message (see the module doc)."""
    zone = viewer_zone(member.zone or member.meeting_zone)
    lines = [
        f"A seat opened up, so you're going to your Hearth meeting: {local_time(member.starts_at, zone)}.",
        "",
        f"See it in My meetings: {base_url}/me/meetings",
    ]
    if member.reveal:
        lines += ["", f"Group: {member.group_name}"]
    lines += [
        "",
        "You are getting this because you were on the waitlist. If you can't come after all, you can",
        "cancel from My meetings, and you can turn these emails off in your preferences:",
        f"{base_url}/me/meetings#preferences",
    ]
    return Mail(to=member.email, subject=SUBJECT, body="\n".join(lines) + "\n")


async def email_promoted(
    h: Hearth, *, meeting_id: int, user_ids: Sequence[int], outbox: Outbox | None = None
) -> int:
    """Email the members `user_ids` that a seat on `meeting_id` is theirs; returns how many
    went. Never raises: it runs after the response, where nobody could be told."""
    settings = h.settings
    if not user_ids or (outbox is None and settings.smtp_url is None):
        return 0
    try:
        found = await recipients(h, meeting_id=meeting_id, user_ids=user_ids)
        if not found:
            return 0
        if outbox is None:
            assert settings.smtp_url is not None
            outbox = Outbox.from_url(settings.smtp_url, sender=settings.mail_from)
        results = await outbox.send([compose_seat(m, base_url=settings.base_url) for m in found])
    except Exception as exc:  # the database or the mail server is away: the notice remains
        log.warning("seat_mail.failed", extra={"error": type(exc).__name__})
        return 0
    sent = sum(results)
    if sent < len(results):
        log.warning("seat_mail.unsent", extra={"sent": sent, "failed": len(results) - sent})
    else:
        log.info("seat_mail.sent", extra={"sent": sent})
    return sent


def seat_email_task(h: Hearth, promoted: Mapping[int, Sequence[int]]) -> BackgroundTask | None:
    """`email_promoted` for each meeting of `promoted` (meeting id: user ids moved up), as a
    background task for the response of the request that freed the seats (it runs once the
    response is sent, so it never delays or fails the request); None when nobody was moved up
    or no email is sent."""
    moved = {meeting_id: list(users) for meeting_id, users in promoted.items() if users}
    if not moved or h.settings.smtp_url is None:
        return None
    return BackgroundTask(_email_all, h, moved)


async def _email_all(h: Hearth, moved: dict[int, list[int]]) -> None:
    for meeting_id, user_ids in moved.items():
        await email_promoted(h, meeting_id=meeting_id, user_ids=user_ids)
