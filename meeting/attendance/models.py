"""RSVP, visitor-pass, attendance and member-preference tables, and their API shapes.

- `Rsvp`: one person's answer for one occurrence (a `Meeting` row): "going" holds a seat (or
  is a facilitator's, host's or admin's, which never take one), "waitlist" waits for a seat;
  `visitor` marks someone coming on a visitor pass.
- `Visit`: a one-meeting visitor pass for a group, bound to a meeting when the visitor RSVPs
  and `used_at` once the room admitted them.
- `Attendance`: that someone entered a meeting's room, and when (first entry). Numbers for
  hosts come from here; nothing anyone said is ever involved.
- `MemberPrefs`: reminder emails on or off, whether calendars and emails may show the group's
  name (off by default, so a lock screen reveals nothing), and the member's IANA time zone;
  also `notices_seen_at`, how far the member has read their notices (for the unread count).

Every row goes with its meeting, group or account (ON DELETE CASCADE).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlmodel import Field, SQLModel

from meeting.db import UTCDateTime, utcnow

TIMEZONE_MAX = 64


class RsvpStatus(StrEnum):
    going = "going"
    waitlist = "waitlist"


class Rsvp(SQLModel, table=True):
    __tablename__ = "rsvps"
    __table_args__ = (sa.Index("ix_rsvps_meeting_id_status", "meeting_id", "status"),)

    meeting_id: int = Field(foreign_key="meetings.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    status: RsvpStatus = Field(sa_type=sa.String(16))
    visitor: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Visit(SQLModel, table=True):
    """One visitor pass per person and group; `meeting_id` is the meeting it is for."""

    __tablename__ = "visits"

    group_id: int = Field(foreign_key="groups.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    meeting_id: int | None = Field(
        default=None, foreign_key="meetings.id", index=True, ondelete="SET NULL", nullable=True
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Attendance(SQLModel, table=True):
    __tablename__ = "attendance"

    meeting_id: int = Field(foreign_key="meetings.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MemberPrefsBase(SQLModel):
    reminders: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    reveal_group_name: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    timezone: str | None = Field(default=None, max_length=TIMEZONE_MAX)


class MemberPrefs(MemberPrefsBase, table=True):
    __tablename__ = "member_prefs"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    # notices created after this are new to the member (None: they never looked)
    notices_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PrefsPublic(MemberPrefsBase):
    """`GET /api/v1/me/preferences`: reminder emails, showing group names, your time zone."""


class PrefsUpdate(SQLModel):
    """`PUT /api/v1/me/preferences`: fields left out keep their value; `timezone` null clears it."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    reminders: bool | None = None
    reveal_group_name: bool | None = None
    timezone: str | None = Field(default=None, max_length=TIMEZONE_MAX)
