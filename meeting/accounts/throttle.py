"""Failed-login throttling per account and per client address, shared through the database.

Counting in the database (not in process memory) makes the limits hold across every server
process. Keys are hashed so the table never holds an email address in clear.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import Throttle
from meeting.db import UTCDateTime, utcnow


@dataclass(frozen=True)
class Limit:
    """At most `failures` within `window`; past that, blocked for `block`."""

    prefix: str
    failures: int
    window: timedelta
    block: timedelta

    def key(self, value: str) -> str:
        digest = hashlib.sha256(value.casefold().encode("utf-8")).hexdigest()[:40]
        return f"{self.prefix}:{digest}"


PER_ACCOUNT = Limit("acct", failures=5, window=timedelta(minutes=15), block=timedelta(minutes=15))
PER_ADDRESS = Limit("addr", failures=20, window=timedelta(minutes=15), block=timedelta(minutes=15))
REGISTRATIONS = Limit("reg", failures=10, window=timedelta(hours=1), block=timedelta(hours=1))


async def retry_after(s: AsyncSession, checks: list[tuple[Limit, str]]) -> int:
    """Seconds until every (limit, value) pair is unblocked; 0 when none is blocked."""
    now = utcnow()
    wait = 0.0
    for limit, value in checks:
        row = await s.get(Throttle, limit.key(value))
        if row is not None and row.blocked_until is not None and row.blocked_until > now:
            wait = max(wait, (row.blocked_until - now).total_seconds())
    return int(wait + 0.999)


async def record(s: AsyncSession, limit: Limit, value: str) -> None:
    """Count one failure (or one attempt, for `REGISTRATIONS`) against `value`."""
    key, now = limit.key(value), utcnow()
    dialect = (await s.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await s.exec(
        insert(Throttle)
        .values(key=key, failures=0, window_start=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    stale = col(Throttle.window_start) < now - limit.window
    await s.exec(
        sa.update(Throttle)
        .where(col(Throttle.key) == key)
        .values(
            failures=sa.case((stale, 1), else_=col(Throttle.failures) + 1),
            window_start=sa.case((stale, sa.literal(now, UTCDateTime)), else_=col(Throttle.window_start)),
        )
    )
    row = await s.get(Throttle, key, populate_existing=True)
    if row is not None and row.failures >= limit.failures:
        row.blocked_until = now + limit.block


async def clear(s: AsyncSession, limit: Limit, value: str) -> None:
    await s.exec(sa.delete(Throttle).where(col(Throttle.key) == limit.key(value)))
