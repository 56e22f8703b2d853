"""Group and meeting tables and their API shapes (Base / Create / Public / table families).

A `Group` with versioned guidelines, its directory description (topics in `GroupTopic`,
style, language, size limit, visibility, visitors) and an archive time; per-group roles
(`GroupRole`), a record of who accepted which guidelines version (`GuidelinesAcceptance`),
`MeetingSeries` (an RRULE anchored in an IANA time zone) and `Meeting`s with UTC start and
end times: one-offs, or one row per occurrence of a series (`series_id`, `original_start`).
`GroupNotice` records what members should be told (a meeting cancelled or moved, the group
archived). Rows tied to a user are deleted with the account (ON DELETE CASCADE), and
everything of a group with it.
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
    """What facilitators did: nothing yet, opened the room early, ended the meeting, or
    cancelled it beforehand (a cancelled meeting's room never opens)."""

    scheduled = "scheduled"
    open = "open"
    ended = "ended"
    cancelled = "cancelled"


class NoticeKind(StrEnum):
    """What a `GroupNotice` tells members: the group was archived, a meeting was cancelled, or
    a meeting was moved to another time; or one member: a seat opened up for them."""

    archived = "archived"
    cancelled = "cancelled"
    moved = "moved"
    promoted = "promoted"


CREDENTIAL_MAX = 120
LANGUAGE_MAX = 35
TIMEZONE_MAX = 64
RRULE_MAX = 300
SIZE_LIMIT_MIN, SIZE_LIMIT_MAX, SIZE_LIMIT_DEFAULT = 1, 200, 12
DEFAULT_TOPICS = ("wellness",)


class GroupBase(SQLModel):
    name: str = Field(max_length=GROUP_NAME_MAX)
    description: str = Field(max_length=DESCRIPTION_MAX, sa_type=sa.Text)


class GroupCreate(GroupBase):
    """What `POST /api/v1/groups` accepts; without `guidelines` the default text is used, and
    the directory fields default to a listed, peer-led, English "general wellness" group of 12
    that welcomes visitors. `topics` are slugs of `meeting.groups.vocabulary.TOPICS`."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    guidelines: str | None = Field(default=None, max_length=GUIDELINES_MAX)
    topics: list[str] = Field(default_factory=lambda: list(DEFAULT_TOPICS), max_length=20)
    style: str = Field(default="peer", max_length=16)
    credential: str | None = Field(default=None, max_length=CREDENTIAL_MAX)
    language: str = Field(default="en", max_length=LANGUAGE_MAX)
    size_limit: int = Field(default=SIZE_LIMIT_DEFAULT, ge=SIZE_LIMIT_MIN, le=SIZE_LIMIT_MAX)
    visibility: str = Field(default="listed", max_length=16)
    visitors_allowed: bool = True


class GroupUpdate(SQLModel):
    """What `PATCH /api/v1/groups/{id}` accepts: every field optional, those left out keep
    their value; `credential: null` clears it (a peer-led group has none)."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    name: str | None = Field(default=None, max_length=GROUP_NAME_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    topics: list[str] | None = Field(default=None, max_length=20)
    style: str | None = Field(default=None, max_length=16)
    credential: str | None = Field(default=None, max_length=CREDENTIAL_MAX)
    language: str | None = Field(default=None, max_length=LANGUAGE_MAX)
    size_limit: int | None = Field(default=None, ge=SIZE_LIMIT_MIN, le=SIZE_LIMIT_MAX)
    visibility: str | None = Field(default=None, max_length=16)
    visitors_allowed: bool | None = None


class GroupPublic(GroupBase):
    """What anyone logged in sees of a group."""

    id: int
    guidelines: str
    guidelines_version: int
    created_at: datetime
    topics: list[str]
    style: str
    credential: str | None
    language: str
    size_limit: int
    visibility: str
    visitors_allowed: bool
    archived_at: datetime | None


class PersonPublic(SQLModel):
    """Someone who runs a group's meetings, by display name."""

    user_id: int
    display_name: str
    role: GroupRoleName


class GroupDetail(GroupPublic):
    """A group as the API returns it, with the caller's own role and newest accepted version,
    its hosts and facilitators, and its next meetings (cancelled ones included, marked)."""

    your_role: GroupRoleName | None = None
    your_accepted_version: int | None = None
    facilitators: list[PersonPublic] = Field(default_factory=list)
    upcoming: list[MeetingPublic] = Field(default_factory=list)


class Group(GroupBase, table=True):
    """A group. Six columns are its room rules (`meeting.moderation.rules`), with server
    defaults so that rows made before they existed read as the defaults of `rooms.types.RoomPolicy`;
    the directory columns have server defaults for the same reason. Topics are `GroupTopic` rows."""

    __tablename__ = "groups"

    id: int | None = Field(default=None, primary_key=True)
    guidelines: str = Field(sa_type=sa.Text)
    guidelines_version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    style: str = Field(
        default="peer", sa_type=sa.String(16), index=True, sa_column_kwargs={"server_default": "peer"}
    )
    credential: str | None = Field(default=None, max_length=CREDENTIAL_MAX)
    language: str = Field(
        default="en", max_length=LANGUAGE_MAX, index=True, sa_column_kwargs={"server_default": "en"}
    )
    size_limit: int = Field(default=SIZE_LIMIT_DEFAULT, sa_column_kwargs={"server_default": "12"})
    visibility: str = Field(
        default="listed", sa_type=sa.String(16), index=True, sa_column_kwargs={"server_default": "listed"}
    )
    visitors_allowed: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    allow_links: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    blocked_terms: str = Field(default="", sa_type=sa.Text, sa_column_kwargs={"server_default": ""})
    rate_messages: int = Field(default=5, sa_column_kwargs={"server_default": "5"})
    rate_seconds: int = Field(default=10, sa_column_kwargs={"server_default": "10"})
    waiting_room: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    report_threshold: int = Field(default=3, sa_column_kwargs={"server_default": "3"})


class GroupTopic(SQLModel, table=True):
    """One topic slug of one group (a group has at least one); indexed by topic for the directory."""

    __tablename__ = "group_topics"

    group_id: int = Field(foreign_key="groups.id", primary_key=True, ondelete="CASCADE")
    topic: str = Field(sa_type=sa.String(32), primary_key=True, index=True)


class MembershipPublic(SQLModel):
    group_id: int
    user_id: int
    role: GroupRoleName


class GroupRole(SQLModel, table=True):
    """One person's role in one group (at most one row per group and user)."""

    __tablename__ = "group_roles"
    __table_args__ = (sa.Index("ix_group_roles_group_id_role", "group_id", "role"),)  # the seat count

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
    """What `POST /api/v1/groups/{id}/meetings` accepts: times must carry a UTC offset. With
    `rrule` (RFC 5545, e.g. "FREQ=WEEKLY;BYDAY=TU") the times are the first occurrence of a
    series whose wall-clock time in `timezone` (IANA, default UTC) recurs."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    title: str = Field(max_length=TITLE_MAX)
    starts_at: IsoInstant
    ends_at: IsoInstant
    timezone: str = Field(default="UTC", max_length=TIMEZONE_MAX)
    rrule: str | None = Field(default=None, max_length=RRULE_MAX)


class MeetingUpdate(SQLModel):
    """What `PATCH /api/v1/meetings/{id}` accepts (one occurrence); fields left out keep their value."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    title: str | None = Field(default=None, max_length=TITLE_MAX)
    starts_at: IsoInstant | None = None
    ends_at: IsoInstant | None = None


class SeriesUpdate(SQLModel):
    """What `PATCH /api/v1/series/{id}` accepts; fields left out keep their value. `starts_at`
    and `ends_at` are the first occurrence (its wall-clock time recurs); a new `timezone`
    without `starts_at` keeps the first occurrence's wall-clock time in the new zone."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    title: str | None = Field(default=None, max_length=TITLE_MAX)
    starts_at: IsoInstant | None = None
    ends_at: IsoInstant | None = None
    timezone: str | None = Field(default=None, max_length=TIMEZONE_MAX)
    rrule: str | None = Field(default=None, max_length=RRULE_MAX)


class MeetingExtend(SQLModel):
    """What `POST /api/v1/meetings/{id}/extend` accepts: minutes to add to the end (5 to 120)."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    minutes: int = Field(ge=5, le=120)


class MeetingPublic(MeetingBase):
    """A meeting as the API shows it; times in UTC. `state` is what facilitators did
    (scheduled, open, ended, cancelled); `status` is what members see (scheduled, open, ended,
    cancelled) and `room_status` the room (not_yet, open, ended, cancelled), both as of the
    response; the room admits from `opens_at` until `closes_at`."""

    id: int
    group_id: int
    series_id: int | None = None
    original_start: datetime | None = None
    timezone: str = "UTC"
    overridden: bool = False
    state: MeetingState
    status: str
    opened_at: datetime | None
    ended_at: datetime | None
    opens_at: datetime
    closes_at: datetime
    room_status: str


class SeriesPublic(SQLModel):
    """A series: the first occurrence's times (UTC), its IANA `timezone`, the canonical
    `rrule`, and the original starts (UTC) of cancelled occurrences (`exdates`)."""

    id: int
    group_id: int
    title: str
    timezone: str
    rrule: str
    starts_at: datetime
    ends_at: datetime
    exdates: list[datetime]
    created_at: datetime


class SeriesDetail(SeriesPublic):
    """`GET /api/v1/series/{id}`: the series and its next occurrences (cancelled ones marked)."""

    upcoming: list[MeetingPublic]


class MeetingScheduled(MeetingPublic):
    """`POST /api/v1/groups/{id}/meetings`: the meeting (the first occurrence, for a series)
    and, for a series, the series."""

    series: SeriesPublic | None = None


class MeetingList(SQLModel):
    """`GET /api/v1/groups/{id}/meetings`: the occurrences overlapping [from, to), by start."""

    group_id: int
    starts_from: datetime
    until: datetime
    meetings: list[MeetingPublic]


class MeetingSeries(SQLModel, table=True):
    """A recurring meeting: `starts_at`/`ends_at` are the first occurrence (UTC), whose
    wall-clock time in `timezone` recurs by `rrule`; `exdates` holds the original starts of
    cancelled occurrences as RFC 5545 UTC text ("20260303T000000Z"). Every occurrence whose
    original start is before `materialized_until` has a `Meeting` row."""

    __tablename__ = "meeting_series"

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="groups.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=TITLE_MAX)
    timezone: str = Field(max_length=TIMEZONE_MAX)
    rrule: str = Field(max_length=RRULE_MAX)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    exdates: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    materialized_until: datetime = Field(sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Meeting(MeetingBase, table=True):
    """A one-off meeting or one occurrence of a series (`series_id`, keyed by `original_start`,
    its start as the rule generated it). `overridden` marks an occurrence edited on its own,
    which series edits leave alone; `timezone` is the zone it was scheduled in, for display."""

    __tablename__ = "meetings"
    __table_args__ = (
        sa.Index("uq_meetings_series_id_original_start", "series_id", "original_start", unique=True),
        sa.Index("ix_meetings_group_id_starts_at", "group_id", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="groups.id", ondelete="CASCADE")
    state: MeetingState = Field(default=MeetingState.scheduled, sa_type=sa.String(16))
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    series_id: int | None = Field(
        default=None, foreign_key="meeting_series.id", ondelete="CASCADE", nullable=True
    )
    original_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    timezone: str = Field(default="UTC", max_length=TIMEZONE_MAX, sa_column_kwargs={"server_default": "UTC"})
    overridden: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class GroupNotice(SQLModel, table=True):
    """Something members should be told: the group was archived (`meeting_id` null, or the
    meeting it cancelled), a meeting was cancelled, or moved (`previous_starts_at` is when it
    was). The attendance feed shows these to members who RSVPed to the meeting.

    With `user_id`, the notice is for that one member only (`kind` promoted: a seat on the
    meeting's waitlist opened up for them)."""

    __tablename__ = "group_notices"
    __table_args__ = (
        sa.Index("ix_group_notices_group_id_created_at", "group_id", "created_at"),
        sa.Index("ix_group_notices_user_id_created_at", "user_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="groups.id", ondelete="CASCADE")
    meeting_id: int | None = Field(
        default=None, foreign_key="meetings.id", index=True, ondelete="CASCADE", nullable=True
    )
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE", nullable=True)
    kind: NoticeKind = Field(sa_type=sa.String(16))
    previous_starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


GroupDetail.model_rebuild()


class JoinRequest(SQLModel, table=True):
    """Someone asked to join a private group; a host or facilitator approves or declines."""

    __tablename__ = "join_requests"

    group_id: int = Field(foreign_key="groups.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class JoinRequestPublic(SQLModel):
    user_id: int
    display_name: str
    created_at: datetime


class JoinDecision(SQLModel):
    """What `POST /api/v1/groups/{id}/join-requests/{user_id}` accepts."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    approve: bool
