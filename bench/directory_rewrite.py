"""A proposed rewrite of the directory's page query, for measuring only (not the app's code).

Since migration 0008 `meeting.groups.directory.search` *is* this rewrite (`directory.statements`);
this copy stays so that `bench/directory.py --try rewrite` still runs, and against an older
checkout measures the difference. The text below describes the search it replaced.

`meeting.groups.directory.search` sends two statements that each compute every candidate
group's next meeting with a correlated subquery: the count, and the page, whose ORDER BY
repeats the subquery (twice: `IS NULL` and the value) and whose `has_seats` filter repeats it
twice more (once to test it, once inside the seat count). `search` below computes the next
meeting (its id and its start) once per group, in a materialized CTE, takes the total from
`count(*) OVER ()` on the same rows, and counts seats once, exactly (hosts, facilitators and
admins aside) only where the "going" RSVPs reach the size limit; the results, their order and
the totals are the same (`bench/directory.py --try rewrite` checks it on every case first).

    .venv/bin/python bench/directory_rewrite.py serve --port 8000   # hearth, with this search

Run as a program it is `hearth` with `meeting.groups.directory.search` replaced by `search`.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meeting.db import utcnow
from meeting.groups import directory, service
from meeting.groups.directory import (
    _G,
    _M,
    _UPCOMING,
    RSVPS,
    DirectoryPage,
    DirectoryQuery,
    Listing,
    NextMeeting,
    _taken,
    seats_taken,
    utc_spans,
)
from meeting.groups.models import Group, GroupTopic, Meeting
from meeting.groups.vocabulary import Visibility


def _group_filters(query: DirectoryQuery) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses on the group's own columns (as `directory._filters` writes them)."""
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
    if query.q:
        where.append(
            sa.or_(
                _G.c.name.icontains(query.q, autoescape=True),
                _G.c.description.icontains(query.q, autoescape=True),
            )
        )
    return where


def statements(query: DirectoryQuery, *, now: datetime) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """(page, count): the page carries the total in every row; the count is only needed
    when the page is past the end (no rows to carry it)."""
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
            sa.or_(
                found.c.size_limit > going_count,
                found.c.size_limit > _taken(found.c.next_id, found.c.id),
            )
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
    """The same page as `meeting.groups.directory.search`, in one statement (two past the end)."""
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


def main() -> None:
    directory.search = search
    from meeting.cli import main as hearth

    hearth()


if __name__ == "__main__":
    main()
