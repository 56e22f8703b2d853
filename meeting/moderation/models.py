"""Moderation tables and their API shapes (Base / Public / table families, as elsewhere).

- `ModerationEvent`: one audit entry, *that* something happened in a group (who acted, on
  whom, which `moderation.audit.AuditAction`, a reason code or a facilitator's own words,
  when), never what anyone said. People are kept by id and set to NULL when their account
  goes, so the entry stays but their name is removed.
- `GroupBan`: a person may not enter this group's meetings (the room gate refuses them).
- `MemberBlock`: one person's private choice not to see another's messages, in every
  meeting; nobody else ever sees it, and it is not audited.

`GroupRules` is the API shape of a group's room rules (the columns live on `groups`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlmodel import Field, SQLModel

from meeting.db import UTCDateTime, utcnow
from moderation.audit import REASON_MAX

ACTION_MAX = 32
TERMS_MAX = 200  # blocked terms per group
TERM_MAX = 60  # characters per blocked term
TERMS_TEXT_MAX = 20_000  # characters of the whole list as typed, blank lines and all
RATE_MESSAGES = (1, 30)
RATE_SECONDS = (1, 300)
REPORT_THRESHOLD = (1, 20)


class PersonRef(SQLModel):
    """Someone as moderation shows them: id and display name (never an email)."""

    id: int
    name: str


class ModerationEventBase(SQLModel):
    meeting_id: int | None = None
    action: str = Field(max_length=ACTION_MAX, sa_type=sa.String(ACTION_MAX))
    reason: str = Field(default="", max_length=REASON_MAX, sa_column_kwargs={"server_default": ""})


class AuditEntryPublic(ModerationEventBase):
    """One line of the moderation log; `label` is the action in plain words."""

    id: int
    label: str
    actor: PersonRef | None
    target: PersonRef | None
    created_at: datetime


class AuditLog(SQLModel):
    """A page of the log, newest first; pass `next_before` as `before` for older entries."""

    entries: list[AuditEntryPublic]
    next_before: int | None


class ModerationEvent(ModerationEventBase, table=True):
    __tablename__ = "moderation_events"
    __table_args__ = (sa.Index("ix_moderation_events_group_id_created_at", "group_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="groups.id", ondelete="CASCADE")
    meeting_id: int | None = Field(default=None, foreign_key="meetings.id", index=True, ondelete="CASCADE")
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    target_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GroupBanBase(SQLModel):
    reason: str = Field(default="", max_length=REASON_MAX)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BanPublic(GroupBanBase):
    """A ban as facilitators see it: who, by whom (None once their account is gone), why, when."""

    user: PersonRef
    banned_by: PersonRef | None


class BanList(SQLModel):
    bans: list[BanPublic]


class GroupBan(GroupBanBase, table=True):
    __tablename__ = "group_bans"

    group_id: int = Field(foreign_key="groups.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    banned_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class BlockPublic(SQLModel):
    user: PersonRef
    created_at: datetime


class BlockList(SQLModel):
    """The people you blocked (only you see this list)."""

    blocks: list[BlockPublic]


class MemberBlock(SQLModel, table=True):
    """`user_id` does not see `blocked_id`'s messages."""

    __tablename__ = "member_blocks"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    blocked_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GroupRules(SQLModel):
    """A group's room rules, as `GET` returns and `PUT /api/v1/groups/{id}/rules` takes (all fields).

    `blocked_terms` is one word or phrase per line (at most 200, each at most 60 characters);
    a member may send `rate_messages` messages per `rate_seconds` seconds; a message reported
    by `report_threshold` different people is hidden until a facilitator reviews it.
    """

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    allow_links: bool
    blocked_terms: str = Field(max_length=TERMS_TEXT_MAX)
    rate_messages: int = Field(ge=RATE_MESSAGES[0], le=RATE_MESSAGES[1])
    rate_seconds: int = Field(ge=RATE_SECONDS[0], le=RATE_SECONDS[1])
    waiting_room: bool
    report_threshold: int = Field(ge=REPORT_THRESHOLD[0], le=REPORT_THRESHOLD[1])
