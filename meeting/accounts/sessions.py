"""Server-side login sessions.

The browser holds a random 256-bit token in an HttpOnly cookie; the database holds only its
SHA-256, so a database leak does not hand out live sessions. A session ends after
`session_idle_minutes` without use, after `session_max_hours` in all, at logout, and for every
session of the account at a password change or account deletion. Because the state is in the
shared database, all of this holds the same across any number of server processes.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import LoginSession, User
from meeting.db import utcnow
from meeting.settings import Settings

COOKIE = "hearth_session"
TOUCH_EVERY = timedelta(minutes=1)  # write last_seen at most this often


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def start(s: AsyncSession, *, user_id: int, settings: Settings) -> str:
    """Create a session for `user_id` and return the cookie token (shown to nobody else)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    s.add(
        LoginSession(
            token_hash=token_hash(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_max_hours),
        )
    )
    await s.flush()
    return token


async def resolve(s: AsyncSession, *, token: str | None, settings: Settings) -> User | None:
    """The user a cookie token belongs to, or None if it is unknown, idle too long or expired."""
    if not token or len(token) > 128:
        return None
    row = await live(s, key=token_hash(token), settings=settings)
    return None if row is None else await s.get(User, row.user_id)


async def live(
    s: AsyncSession, *, key: str, settings: Settings, now: datetime | None = None
) -> LoginSession | None:
    """The session stored under `key` (a token hash) if it is still valid, marked as in use.

    One rule for every caller (page requests and live room sockets alike): past the idle or
    the absolute timeout the session is deleted and None returned.
    """
    row = await s.get(LoginSession, key)
    if row is None:
        return None
    now = now or utcnow()
    idle_limit = row.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if now >= row.expires_at or now >= idle_limit:
        await s.delete(row)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row


async def end(s: AsyncSession, *, token: str | None) -> None:
    if token:
        await s.exec(sa.delete(LoginSession).where(col(LoginSession.token_hash) == token_hash(token)))


async def end_all(s: AsyncSession, *, user_id: int) -> None:
    await s.exec(sa.delete(LoginSession).where(col(LoginSession.user_id) == user_id))


async def purge_expired(s: AsyncSession, *, settings: Settings) -> int:
    """Delete sessions past either timeout; returns how many. Run now and then."""
    now = utcnow()
    idle_cut = now - timedelta(minutes=settings.session_idle_minutes)
    stale = select(LoginSession.token_hash).where(
        sa.or_(col(LoginSession.expires_at) <= now, col(LoginSession.last_seen_at) <= idle_cut)
    )
    hashes = list((await s.exec(stale)).all())
    if hashes:
        await s.exec(sa.delete(LoginSession).where(col(LoginSession.token_hash).in_(hashes)))
    return len(hashes)
