"""The group directory: listed, active groups found by topic, style, language, words in the
name or description, the day and time of their next meeting in the viewer's time zone, and
whether that meeting has seats left; paginated, soonest next meeting first.

    query = parse_query(request.query_params.multi_items())   # InvalidInput names the field
    page = await search(s, query)
    page.items[0].group, page.items[0].topics, page.items[0].next   # NextMeeting | None

Everything is filtered in SQL, in one statement per page (indexes on groups.visibility,
archived_at, language, style, group_topics.topic, meetings (group_id, starts_at), rsvps
(meeting_id, status), users.role and group_roles (group_id, role); trigram indexes on the
group's name and description on PostgreSQL). The day and time filter becomes a list
of UTC spans, one per matching local day over the next nine weeks, computed with the viewer's
zone so daylight-saving changes are exact. Seats left are the group's size limit minus the
"going" RSVPs of members (the group's hosts and facilitators and platform admins take none);
the RSVP table belongs to `meeting.attendance` and is named here without importing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.sql.selectable import NamedFromClause
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.db import utcnow
from meeting.groups import service
from meeting.groups.models import Group, GroupRole, GroupRoleName, GroupTopic, Meeting, MeetingState
from meeting.groups.vocabulary import (
    Style,
    TimeWindow,
    Visibility,
    VocabularyError,
    parse_language,
    parse_topics,
    parse_weekdays,
)
from meeting.scheduling import ScheduleError, validate_timezone

PER_PAGE, PER_PAGE_MAX, PAGE_MAX = 20, 50, 10_000
Q_MAX = 100
HORIZON = timedelta(weeks=9)  # how far ahead the day and time filter looks (series are materialized so far)
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")

RSVPS = sa.table(
    "rsvps",
    sa.column("meeting_id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("status", sa.String),
)


@dataclass(frozen=True)
class DirectoryQuery:
    topics: tuple[str, ...] = ()
    style: Style | None = None
    language: str | None = None
    q: str | None = None
    days: frozenset[int] = frozenset()
    window: TimeWindow | None = None
    timezone: str = "UTC"
    has_seats: bool = False
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class NextMeeting:
    meeting: Meeting
    seats_left: int


@dataclass(frozen=True)
class Listing:
    group: Group
    topics: list[str]
    next: NextMeeting | None


@dataclass(frozen=True)
class DirectoryPage:
    items: list[Listing]
    total: int
    page: int
    per_page: int
    timezone: str


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise service.InvalidInput(f"Give {name!r} once.", field=name)
    return values[0].strip() if values else None


def _whole(raw: str | None, name: str, default: int, most: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= most:
        raise service.InvalidInput(f"{name!r} must be a whole number from 1 to {most}.", field=name)
    return int(raw)


def _clock(raw: str | None, name: str) -> time | None:
    if raw is None or raw == "":
        return None
    match = _CLOCK.fullmatch(raw)
    if match is None:
        raise service.InvalidInput(f"{name!r} must be a local time like 18:30, not {raw!r}.", field=name)
    return time(int(match.group(1)), int(match.group(2)))


def parse_query(items: Iterable[tuple[str, str]]) -> DirectoryQuery:
    """The directory's query string: topic (repeatable), style, language, q, day (repeatable),
    from and to (local HH:MM; a window from 22:00 to 01:00 crosses midnight), tz (IANA, default
    UTC), has_seats, page, per_page (at most 50). `InvalidInput` names the parameter."""
    params: dict[str, list[str]] = {}
    for key, value in items:
        params.setdefault(key, []).append(value)
    known = {"topic", "style", "language", "q", "day", "from", "to", "tz", "has_seats", "page", "per_page"}
    for key in params:
        if key not in known:
            raise service.InvalidInput(f"Unknown query parameter {key!r}.", field=key)
    try:
        topics = parse_topics(params.get("topic", []), field="topic")
        days = parse_weekdays(params.get("day", []), field="day")
        language = _one(params, "language")
        language = parse_language(language, field="language") if language else None
    except VocabularyError as error:
        raise service.invalid(error) from None
    style_text = _one(params, "style")
    try:
        style = Style(style_text.lower()) if style_text else None
    except ValueError:
        raise service.InvalidInput(
            f"'style' must be peer or professional, not {style_text!r}.", field="style"
        ) from None
    zone_text = _one(params, "tz") or "UTC"
    try:
        zone_name = validate_timezone(zone_text)
    except ScheduleError as error:
        raise service.invalid(error, field="tz") from None
    start, end = _clock(_one(params, "from"), "from"), _clock(_one(params, "to"), "to")
    window = None
    if start is not None or end is not None:
        start, end = start or time(0, 0), end or time(23, 59)
        if start == end:
            raise service.InvalidInput("'to' must differ from 'from'.", field="to")
        window = TimeWindow(start, end)
    seats = (_one(params, "has_seats") or "").lower()
    if seats not in _TRUE + _FALSE:
        raise service.InvalidInput("'has_seats' must be true or false.", field="has_seats")
    q = _one(params, "q") or None
    if q is not None and len(q) > Q_MAX:
        raise service.InvalidInput(f"'q' is longer than {Q_MAX} characters.", field="q")
    return DirectoryQuery(
        topics=topics,
        style=style,
        language=language,
        q=q,
        days=days,
        window=window,
        timezone=zone_name,
        has_seats=seats in _TRUE,
        page=_whole(_one(params, "page"), "page", 1, PAGE_MAX),
        per_page=_whole(_one(params, "per_page"), "per_page", PER_PAGE, PER_PAGE_MAX),
    )


def utc_spans(query: DirectoryQuery, *, now: datetime) -> list[tuple[datetime, datetime]] | None:
    """The UTC spans a next meeting must start in to match the day and time filter over the
    next `HORIZON` (None when there is no such filter), merged and in order."""
    if not query.days and query.window is None:
        return None
    zone = ZoneInfo(query.timezone)
    today = now.astimezone(zone).date()
    spans: list[tuple[datetime, datetime]] = []
    for offset in range(-1, HORIZON.days + 2):
        day = today + timedelta(days=offset)
        if query.days and day.weekday() not in query.days:
            continue
        if query.window is None:
            low = datetime.combine(day, time(0, 0), zone)
            high = datetime.combine(day + timedelta(days=1), time(0, 0), zone)
        else:
            last_day = day + timedelta(days=1) if query.window.crosses_midnight else day
            low = datetime.combine(day, query.window.start, zone)
            high = datetime.combine(last_day, query.window.end, zone) + timedelta(minutes=1)
        lo, hi = low.astimezone(UTC), high.astimezone(UTC)
        if hi <= now or hi <= lo:
            continue
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo, hi))
    return spans


_G = Group.__table__  # type: ignore[attr-defined]
_M = Meeting.__table__.alias("next_meeting")  # type: ignore[attr-defined]
_UPCOMING = (MeetingState.scheduled.value, MeetingState.open.value)


def _takes_a_seat(rsvp: NamedFromClause, group_id: sa.ColumnElement[int]) -> list[sa.ColumnElement[bool]]:
    """An RSVP takes a seat when it is "going" and its person is neither one of the group's
    hosts or facilitators nor a platform admin."""
    runners = GroupRole.__table__.alias("seat_role")  # type: ignore[attr-defined]
    users = User.__table__.alias("seat_user")  # type: ignore[attr-defined]
    runs = (
        sa.exists()
        .where(
            runners.c.group_id == group_id,
            runners.c.user_id == rsvp.c.user_id,
            runners.c.role.in_([GroupRoleName.host.value, GroupRoleName.facilitator.value]),
        )
        .correlate_except(runners)  # the group and the RSVP are the enclosing query's
    )
    admin = sa.exists().where(users.c.id == rsvp.c.user_id, users.c.role == "admin").correlate_except(users)
    return [rsvp.c.status == "going", ~runs, ~admin]


def _taken(meeting_id: sa.ColumnElement[int], group_id: sa.ColumnElement[int]) -> sa.ScalarSelect[int]:
    """How many seats of `meeting_id` are taken (a correlated count)."""
    rsvp = RSVPS.alias("taken_rsvp")
    return (
        sa.select(sa.func.count())
        .select_from(rsvp)
        .where(rsvp.c.meeting_id == meeting_id, *_takes_a_seat(rsvp, group_id))
        .correlate_except(rsvp)
        .scalar_subquery()
    )


def _group_filters(query: DirectoryQuery) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses on the group's own columns (and its topics)."""
    where: list[sa.ColumnElement[bool]] = [
        _G.c.visibility == Visibility.listed.value,
        _G.c.archived_at.is_(None),
    ]
    if query.style is not None:
        where.append(_G.c.style == query.style.value)
    if query.language is not None:
        where.append(sa.or_(_G.c.language == query.language, _G.c.language.like(query.language + "-%")))
    if query.topics:
        topics = GroupTopic.__table__  # type: ignore[attr-defined]
        where.append(_G.c.id.in_(sa.select(topics.c.group_id).where(topics.c.topic.in_(query.topics))))
    if query.q:  # served by the trigram indexes on PostgreSQL (migration 0008)
        where.append(
            sa.or_(
                _G.c.name.icontains(query.q, autoescape=True),
                _G.c.description.icontains(query.q, autoescape=True),
            )
        )
    return where


def statements(query: DirectoryQuery, *, now: datetime) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """(page, count). Each candidate group's next meeting (its id and start, within the day and
    time spans if any) is computed once, in a materialized CTE; the page carries the total in
    every row (`count(*) OVER ()`), so the count is only needed past the end of the results."""
    spans = utc_spans(query, now=now)
    candidates = [_M.c.group_id == _G.c.id, _M.c.state.in_(_UPCOMING), _M.c.starts_at > now]
    if spans is not None:
        candidates.append(
            sa.or_(sa.false(), *(sa.and_(_M.c.starts_at >= lo, _M.c.starts_at < hi) for lo, hi in spans))
        )
    ordered = sa.select(_M.c.id).where(*candidates).order_by(_M.c.starts_at, _M.c.id).limit(1)
    next_id = ordered.correlate(_G).scalar_subquery()
    next_start = ordered.with_only_columns(_M.c.starts_at).correlate(_G).scalar_subquery()
    found = (
        sa.select(
            _G.c.id, _G.c.name, _G.c.size_limit, next_id.label("next_id"), next_start.label("next_start")
        )
        .where(*_group_filters(query))
        .cte("found")
        .prefix_with("MATERIALIZED")  # computed once, never inlined (PostgreSQL 12+, SQLite 3.35+)
    )
    where: list[sa.ColumnElement[bool]] = []
    if spans is not None or query.has_seats:
        where.append(found.c.next_id.is_not(None))
    if query.has_seats:
        # Seats taken never exceed the "going" RSVPs, so a meeting with fewer of those than the
        # size limit has seats, and only the others need the exact count (staff and admins aside).
        going = RSVPS.alias("going_rsvp")
        going_count = (
            sa.select(sa.func.count())
            .select_from(going)
            .where(going.c.meeting_id == found.c.next_id, going.c.status == "going")
            .scalar_subquery()
        )
        where.append(
            sa.or_(found.c.size_limit > going_count, found.c.size_limit > _taken(found.c.next_id, found.c.id))
        )
    page = (
        sa.select(found.c.id, found.c.next_id, sa.func.count().over().label("total"))
        .where(*where)
        .order_by(found.c.next_start.is_(None), found.c.next_start, sa.func.lower(found.c.name), found.c.id)
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    )
    count = sa.select(sa.func.count()).select_from(found).where(*where)
    return page, count


async def search(s: AsyncSession, query: DirectoryQuery, *, now: datetime | None = None) -> DirectoryPage:
    """One page of the directory for `query` (see the module docstring): one statement, two
    when the page is past the end of the results."""
    now = now or utcnow()
    page_query, count_query = statements(query, now=now)
    conn = await s.connection()
    found = (await conn.execute(page_query)).all()
    if found:
        total = int(found[0][2])
    else:
        total = int((await conn.execute(count_query)).scalar_one()) if query.page > 1 else 0
    rows = [(int(gid), None if mid is None else int(mid)) for gid, mid, _ in found]
    group_ids = [gid for gid, _ in rows]
    groups = {g.id: g for g in (await s.exec(select(Group).where(col(Group.id).in_(group_ids)))).all()}
    topics = await service.topics_of(s, group_ids=group_ids)
    meeting_ids = [mid for _, mid in rows if mid is not None]
    meetings = {
        m.id: m for m in (await s.exec(select(Meeting).where(col(Meeting.id).in_(meeting_ids)))).all()
    }
    taken = await seats_taken(s, meeting_ids)
    items = []
    for gid, mid in rows:
        group = groups[gid]
        upcoming = None
        if mid is not None:
            upcoming = NextMeeting(meetings[mid], max(0, group.size_limit - taken.get(mid, 0)))
        items.append(Listing(group=group, topics=topics[gid], next=upcoming))
    return DirectoryPage(
        items=items, total=total, page=query.page, per_page=query.per_page, timezone=query.timezone
    )


async def seats_taken(s: AsyncSession, meeting_ids: Iterable[int]) -> dict[int, int]:
    """Seats taken per meeting id (meetings nobody holds a seat in are left out)."""
    ids = sorted(set(meeting_ids))
    if not ids:
        return {}
    rsvp = RSVPS.alias("seat_rsvp")
    meetings = Meeting.__table__  # type: ignore[attr-defined]
    query = (
        sa.select(rsvp.c.meeting_id, sa.func.count())
        .select_from(rsvp.join(meetings, meetings.c.id == rsvp.c.meeting_id))
        .where(rsvp.c.meeting_id.in_(ids), *_takes_a_seat(rsvp, meetings.c.group_id))
        .group_by(rsvp.c.meeting_id)
    )
    return {int(mid): int(n) for mid, n in (await (await s.connection()).execute(query)).all()}
