"""Group and meeting tables and their API shapes (Base / Create / Public / table families).

Kept minimal for the live room (full scheduling comes later): a `Group` with versioned
guidelines, per-group roles (`GroupRole`), a record of who accepted which guidelines
version (`GuidelinesAcceptance`) and `Meeting`s with UTC start and end times. Rows tied to a
user are deleted with the account (ON DELETE CASCADE), and everything of a group with it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AwareDatetime, BeforeValidator, ConfigDict
from sqlmodel import Field, SQLModel

from meeting.db import UTCDateTime, utcnow

GROUP_NAME_MAX = 80
DESCRIPTION_MAX = 2000
GUIDELINES_MAX = 20_000
TITLE_MAX = 120


# Used when a group is created without guidelines of its own. Hosts may rewrite them (each
# rewrite is a new version that members accept again), but the default says what a peer
# support group needs from the first meeting on.
DEFAULT_GUIDELINES = """\
Welcome. These guidelines keep this group a safe place to be heard.

1. What is shared here stays here. Do not repeat, copy, screenshot or record what others \
say, or who was in the meeting.
2. Be respectful. Everyone's experience is valid; no judging, mocking, or arguing about \
whose pain is worse.
3. Speak from your own experience. Say "I" rather than "you" or "everyone".
4. No advice unless asked. Listen first; if someone asks for suggestions, share what \
worked for you rather than telling them what to do.
5. No solicitation and no sharing of contact details. Do not sell, promote or recruit, \
and do not post phone numbers, emails, addresses or social media handles, yours or anyone \
else's.
6. This group is peer support, not a substitute for professional care. It is not therapy, \
medical advice or an emergency service.
7. If you are in crisis or in danger, get help now: the "Need help now?" link at the top of \
every page lists crisis lines, and you can call your local emergency number. You can also \
ask a facilitator privately for help.

It is fine to just listen. You may leave at any time."""


def _iso_text(value: Any) -> Any:
    """Only ISO 8601 text is a time here (no bare Unix numbers, which hide their zone)."""
    if not isinstance(value, str):
        raise ValueError("give an ISO 8601 date and time with a UTC offset, like 2026-03-01T18:00:00+01:00")
    return value


IsoInstant = Annotated[AwareDatetime, BeforeValidator(_iso_text)]


class GroupRoleName(StrEnum):
    """A person's role in one group. Ranks and powers are in `moderation.permissions`."""

    host = "host"
    facilitator = "facilitator"
    member = "member"


class MeetingState(StrEnum):
    """What facilitators did: nothing yet, opened the room early, or ended the meeting."""

    scheduled = "scheduled"
    open = "open"
    ended = "ended"


class GroupBase(SQLModel):
    name: str = Field(max_length=GROUP_NAME_MAX)
    description: str = Field(max_length=DESCRIPTION_MAX, sa_type=sa.Text)


class GroupCreate(GroupBase):
    """What `POST /api/v1/groups` accepts; without `guidelines` the default text is used."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    guidelines: str | None = Field(default=None, max_length=GUIDELINES_MAX)


class GroupPublic(GroupBase):
    """What anyone logged in sees of a group."""

    id: int
    guidelines: str
    guidelines_version: int
    created_at: datetime


class GroupDetail(GroupPublic):
    """A group as the API returns it, with the caller's own role and newest accepted version."""

    your_role: GroupRoleName | None = None
    your_accepted_version: int | None = None


class Group(GroupBase, table=True):
    """A group. The last six columns are its room rules (`meeting.moderation.rules`), with server
    defaults so that rows made before they existed read as the defaults of `rooms.types.RoomPolicy`."""

    __tablename__ = "groups"

    id: int | None = Field(default=None, primary_key=True)
    guidelines: str = Field(sa_type=sa.Text)
    guidelines_version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    allow_links: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    blocked_terms: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    rate_messages: int = Field(default=5, sa_column_kwargs={"server_default": "5"})
    rate_seconds: int = Field(default=10, sa_column_kwargs={"server_default": "10"})
    waiting_room: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    report_threshold: int = Field(default=3, sa_column_kwargs={"server_default": "3"})


class MembershipPublic(SQLModel):
    group_id: int
    user_id: int
    role: GroupRoleName


class GroupRole(SQLModel, table=True):
    """One person's role in one group (at most one row per group and user)."""

    __tablename__ = "group_roles"

    group_id: int = Field(foreign_key="groups.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    role: GroupRoleName = Field(default=GroupRoleName.member, sa_type=sa.String(16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AcceptancePublic(SQLModel):
    group_id: int
    user_id: int
    version: int
    accepted_at: datetime


class GuidelinesAcceptance(SQLModel, table=True):
    """That `user_id` accepted guidelines `version` of `group_id`, and when."""

    __tablename__ = "guidelines_acceptances"

    group_id: int = Field(foreign_key="groups.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    version: int = Field(primary_key=True)
    accepted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MeetingBase(SQLModel):
    title: str = Field(max_length=TITLE_MAX)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)


class MeetingCreate(SQLModel):
    """What `POST /api/v1/groups/{id}/meetings` accepts: times must carry a UTC offset."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    title: str = Field(max_length=TITLE_MAX)
    starts_at: IsoInstant
    ends_at: IsoInstant


class MeetingPublic(MeetingBase):
    """A meeting as the API shows it; times in UTC. `room_status` is as of the response."""

    id: int
    group_id: int
    state: MeetingState
    opened_at: datetime | None
    ended_at: datetime | None
    opens_at: datetime
    room_status: str


class Meeting(MeetingBase, table=True):
    __tablename__ = "meetings"

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="groups.id", index=True, ondelete="CASCADE")
    state: MeetingState = Field(default=MeetingState.scheduled, sa_type=sa.String(16))
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
