"""Who is making this request: the session cookie, resolved once per request."""

from __future__ import annotations

import logging

from starlette.requests import HTTPConnection
from starlette.responses import Response

from meeting.accounts import sessions
from meeting.accounts.models import User
from meeting.context import hearth

_UNSET = object()
log = logging.getLogger("hearth.auth")
NOT_LOGGED_IN = 4401


async def current_user(conn: HTTPConnection) -> User | None:
    """The logged-in user, or None. Cached on the request; touches the session's idle clock."""
    cached = getattr(conn.state, "user", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    h = hearth(conn)
    token = conn.cookies.get(sessions.COOKIE)
    user = None
    if token:
        async with h.db.session() as s:
            user = await sessions.resolve(s, token=token, settings=h.settings)
    conn.state.user = user
    return user


def client_address(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


def set_session_cookie(conn: HTTPConnection, response: Response, token: str) -> None:
    settings = hearth(conn).settings
    response.set_cookie(
        sessions.COOKIE,
        token,
        max_age=settings.session_max_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def clear_session_cookie(conn: HTTPConnection, response: Response) -> None:
    response.delete_cookie(
        sessions.COOKIE, httponly=True, samesite="lax", secure=hearth(conn).settings.secure_cookies
    )


async def close_live_rooms(
    conn: HTTPConnection, *, user_id: int | None, session_token: str | None = None
) -> None:
    """Close the user's room sockets on every process: one login session's, or all of them."""
    hub = hearth(conn).hub
    if hub is None or user_id is None:
        return
    key = sessions.token_hash(session_token) if session_token else None
    try:
        await hub.kick(user_id=user_id, code=NOT_LOGGED_IN, session_key=key)
    except Exception:  # the broker is down: the sockets' own session checks close them soon
        log.warning("rooms.kick_failed", exc_info=True)
