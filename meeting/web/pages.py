"""HTML pages: home, register, log in / out, account (with the people you blocked), crisis help.

Every POST checks the CSRF token and Origin first (`form_data`), re-renders the form with
the person's input kept and errors named on failure, and redirects with 303 on success.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import func, select
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meeting.accounts import service, sessions
from meeting.accounts.models import User
from meeting.context import hearth
from meeting.live import close_live_rooms
from meeting.moderation import service as moderation
from meeting.web import csrf
from meeting.web.auth import (
    clear_session_cookie,
    client_address,
    current_user,
    set_session_cookie,
)
from meeting.web.security import origin_allowed
from meeting.web.templating import error_page, render


class FormRejected(Exception):
    """The form failed CSRF/Origin checks or could not be parsed; `response` explains."""

    def __init__(self, response: Response) -> None:
        self.response = response


async def form_data(request: Request) -> FormData:
    h = hearth(request)
    try:
        form = await request.form(max_files=0, max_fields=50, max_part_size=64 * 1024)
    except Exception:
        raise FormRejected(
            await error_page(request, 400, "That form couldn't be read", "Please go back and try again.")
        ) from None
    if not origin_allowed(request, h.settings) or not csrf.valid(request, h.settings, form.get("csrf_token")):
        raise FormRejected(
            await error_page(
                request,
                403,
                "This form has expired",
                "For your safety, forms stop working after a while or when opened from another site. "
                "Please go back, reload the page and try again.",
            )
        )
    return form


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def signed_in(request: Request, back: str) -> User | Response:
    """The signed-in person, or a redirect to the login page that returns them to `back`:

    user = await signed_in(request, "/me/meetings")
    if isinstance(user, Response):
        return user
    """
    user = await current_user(request)
    return redirect(f"/login?next={back}") if user is None or user.id is None else user


async def signed_in_form(request: Request, back: str) -> tuple[User, FormData] | Response:
    """The signed-in person and their form, CSRF- and Origin-checked (`form_data`); or the
    response to send instead: the login page (returning to `back`) or the refusal.

        found = await signed_in_form(request, "/me/meetings")
        if isinstance(found, Response):
            return found
        user, form = found
    """
    user = await signed_in(request, back)
    if isinstance(user, Response):
        return user
    try:
        return user, await form_data(request)
    except FormRejected as exc:
        return exc.response


def safe_next(url: str) -> str:
    """Only same-site paths, so `next` cannot send someone to another site."""
    return url if url.startswith("/") and not url.startswith(("//", "/\\")) else "/account"


async def home(request: Request) -> Response:
    return await render(request, "home.html")


async def help_page(request: Request) -> Response:
    return await render(request, "help.html")


async def register(request: Request) -> Response:
    h = hearth(request)
    async with h.db.session() as s:
        first = (await s.exec(select(func.count()).select_from(User))).one() == 0
    ctx: dict[str, Any] = {"active": "register", "first_account": first}
    if request.method == "GET":
        return await render(request, "register.html", ctx)
    try:
        form = await form_data(request)
    except FormRejected as exc:
        return exc.response
    entered = {"email": text(form, "email"), "display_name": text(form, "display_name")}
    try:
        async with h.db.session() as s:
            user = await service.register(
                s,
                email=entered["email"],
                password=text(form, "password"),
                display_name=entered["display_name"],
                client=client_address(request),
            )
            token = await service.log_in(s, user=user, settings=h.settings)
    except service.AccountError as exc:
        ctx |= {"form": entered, "errors": {exc.field or "_": str(exc)}}
        return await render(request, "register.html", ctx, status=_status(exc))
    response = redirect("/account?welcome=1")
    set_session_cookie(request, response, token)
    csrf.rotate(request)
    csrf.set_cookie(request, response, h.settings)
    return response


async def log_in(request: Request) -> Response:
    h = hearth(request)
    ctx: dict[str, Any] = {"active": "login", "next": safe_next(request.query_params.get("next", ""))}
    if request.query_params.get("ended"):
        ctx["notice"] = "You have been logged out."
    if request.method == "GET":
        return await render(request, "login.html", ctx)
    try:
        form = await form_data(request)
    except FormRejected as exc:
        return exc.response
    entered = {"email": text(form, "email")}
    try:
        async with h.db.session() as s:
            user = await service.authenticate(
                s, email=entered["email"], password=text(form, "password"), client=client_address(request)
            )
            await sessions.end(s, token=request.cookies.get(sessions.COOKIE))
            token = await service.log_in(s, user=user, settings=h.settings)
    except service.AccountError as exc:
        ctx |= {"form": entered, "errors": {"_": str(exc)}, "next": safe_next(text(form, "next"))}
        return await render(request, "login.html", ctx, status=_status(exc))
    response = redirect(safe_next(text(form, "next")))
    set_session_cookie(request, response, token)
    csrf.rotate(request)
    csrf.set_cookie(request, response, h.settings)
    return response


async def log_out(request: Request) -> Response:
    try:
        await form_data(request)
    except FormRejected as exc:
        return exc.response
    user = await current_user(request)
    token = request.cookies.get(sessions.COOKIE)
    async with hearth(request).db.session() as s:
        await sessions.end(s, token=token)
    await close_live_rooms(request, user_id=user.id if user else None, session_token=token)
    response = redirect("/login?ended=1")
    clear_session_cookie(request, response)
    csrf.rotate(request)
    csrf.set_cookie(request, response, hearth(request).settings)
    return response


async def account(request: Request) -> Response:
    return await _account_page(request)


async def _account_page(request: Request, *, status: int = 200, **ctx: Any) -> Response:
    user = await current_user(request)
    if user is None or user.id is None:
        return redirect("/login?next=/account")
    async with hearth(request).db.session() as s:
        blocks = await moderation.list_blocks(s, user_id=user.id)
    base = {
        "active": "account",
        "welcome": request.query_params.get("welcome") == "1",
        "deleted_data": service.DELETED_DATA,
        "pw_errors": {},
        "del_errors": {},
        "blocks": blocks,
    }
    if request.query_params.get("changed") == "1":
        base["notice"] = "Your password was changed. Other devices have been logged out."
    if request.query_params.get("unblocked") == "1":
        base["notice"] = "Unblocked. You will see their messages again in meetings."
    return await render(request, "account/index.html", base | ctx, status=status)


async def change_password(request: Request) -> Response:
    h = hearth(request)
    user = await current_user(request)
    if user is None:
        return redirect("/login?next=/account")
    try:
        form = await form_data(request)
        async with h.db.session() as s:
            token = await service.change_password(
                s,
                user=await s.merge(user),
                current=text(form, "current_password"),
                new=text(form, "new_password"),
                settings=h.settings,
            )
    except FormRejected as exc:
        return exc.response
    except service.AccountError as exc:
        field = "current_password" if isinstance(exc, service.BadCredentials) else "new_password"
        return await _account_page(request, status=_status(exc), pw_errors={field: str(exc)})
    await close_live_rooms(request, user_id=user.id)
    response = redirect("/account?changed=1")
    set_session_cookie(request, response, token)
    return response


async def delete_account(request: Request) -> Response:
    h = hearth(request)
    user = await current_user(request)
    if user is None:
        return redirect("/login?next=/account")
    try:
        form = await form_data(request)
        async with h.db.session() as s:
            await service.delete_account(s, user=await s.merge(user), password=text(form, "delete_password"))
    except FormRejected as exc:
        return exc.response
    except service.AccountError as exc:
        return await _account_page(request, status=_status(exc), del_errors={"delete_password": str(exc)})
    await close_live_rooms(request, user_id=user.id)
    request.state.user = None
    response = await render(request, "account/deleted.html", {"deleted_data": service.DELETED_DATA})
    clear_session_cookie(request, response)
    return response


def _status(exc: service.AccountError) -> int:
    return {service.Throttled: 429, service.BadCredentials: 401}.get(type(exc), 422)


def page_routes() -> list[Route]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/help", help_page, methods=["GET"]),
        Route("/register", register, methods=["GET", "POST"]),
        Route("/login", log_in, methods=["GET", "POST"]),
        Route("/logout", log_out, methods=["POST"]),
        Route("/account", account, methods=["GET"]),
        Route("/account/password", change_password, methods=["POST"]),
        Route("/account/delete", delete_account, methods=["POST"]),
    ]
