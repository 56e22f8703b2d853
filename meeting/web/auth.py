"""Who is making this request: the session cookie, resolved once per request."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from meeting.accounts import sessions
from meeting.accounts.models import User
from meeting.context import hearth

_UNSET = object()


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
