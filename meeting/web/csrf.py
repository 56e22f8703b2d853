"""CSRF protection for HTML forms: a signed double-submit token.

The browser gets a random `hearth_csrf` cookie (HttpOnly, SameSite=Lax); each form carries
HMAC(secret, cookie). A cross-site page can neither read the cookie nor compute the HMAC, so
it cannot forge a form post. The token is stateless, so it works across server processes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from meeting.settings import Settings

COOKIE = "hearth_csrf"
FIELD = "csrf_token"


def _sign(settings: Settings, value: str) -> str:
    key = settings.secret_key.encode("utf-8")
    return hmac.new(key, b"csrf:" + value.encode("utf-8"), hashlib.sha256).hexdigest()


def token(request: Request, settings: Settings) -> str:
    """The form token for this browser; creates its cookie value if it has none yet."""
    value = getattr(request.state, "new_csrf", None) or request.cookies.get(COOKIE)
    if not value or len(value) > 128:
        value = secrets.token_urlsafe(32)
        request.state.new_csrf = value
    return _sign(settings, value)


def rotate(request: Request) -> None:
    """Issue a new cookie value with the next response (after login or logout)."""
    request.state.new_csrf = secrets.token_urlsafe(32)


def valid(request: Request, settings: Settings, submitted: object) -> bool:
    value = request.cookies.get(COOKIE)
    if not value or not isinstance(submitted, str) or len(value) > 128:
        return False
    return hmac.compare_digest(_sign(settings, value), submitted)


def set_cookie(request: Request, response: Response, settings: Settings) -> None:
    """Attach the cookie if `token` or `rotate` created a new value during this request."""
    value = getattr(request.state, "new_csrf", None)
    if value:
        response.set_cookie(
            COOKIE, value, httponly=True, samesite="lax", secure=settings.secure_cookies, path="/"
        )
