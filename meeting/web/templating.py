"""Rendering pages: the Jinja2 environment, and `render()` which every page handler uses.

Templates and static files are found next to the installed `meeting` package (a wheel puts
them there) or, in a source checkout, at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from meeting.accounts.models import User
from meeting.attendance import notices
from meeting.context import hearth
from meeting.web import csrf


def asset_dir(name: str) -> Path:
    """`templates` or `static`, wherever this installation keeps them."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"Hearth's {name!r} folder is missing from the installation")


templates = Jinja2Templates(directory=asset_dir("templates"))


async def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> Response:
    """Render `name` with the common context (user, CSRF token, crisis resources, and for a
    signed-in member the number of their new notices, `unread_notices`, unless given)."""
    from meeting.web.auth import current_user

    h = hearth(request)
    user = await current_user(request)
    ctx: dict[str, Any] = {
        "user": user,
        "csrf_token": csrf.token(request, h.settings),
        "resources": h.resources,
        "errors": {},
        "form": {},
    }
    ctx.update(context or {})
    if "unread_notices" not in ctx:
        ctx["unread_notices"] = await unread_notices(request, ctx.get("user"))
    response: HTMLResponse = templates.TemplateResponse(request, name, ctx, status_code=status)
    csrf.set_cookie(request, response, h.settings)
    return response


async def unread_notices(request: Request, user: User | None) -> int:
    """How many of `user`'s notices are new to them, for the main navigation; no query at all
    for visitors who are not signed in."""
    if user is None or user.id is None:
        return 0
    async with hearth(request).db.session() as s:
        return await notices.unread_count(s, user_id=user.id)


async def error_page(request: Request, status: int, title: str, message: str, **extra: Any) -> Response:
    """A page saying what went wrong, with `status`."""
    return await render(request, "error.html", {"title": title, "message": message, **extra}, status=status)
