"""Account endpoints of the JSON API: `/api/v1/accounts`, `/session`, `/me`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.accounts import service, sessions
from meeting.accounts.models import User, UserCreate, UserPublic
from meeting.api.errors import ApiError, check_origin, read_json
from meeting.context import hearth
from meeting.live import close_live_rooms
from meeting.web.auth import (
    clear_session_cookie,
    client_address,
    current_user,
    set_session_cookie,
)


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str
    password: str


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str
    new_password: str


class AccountDeletion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str


def public(user: User) -> dict[str, object]:
    return UserPublic.model_validate(user, from_attributes=True).model_dump(mode="json")


async def require_user(request: Request) -> User:
    user = await current_user(request)
    if user is None:
        raise ApiError(401, "not_authenticated", "Log in first.")
    return user


async def create_account(request: Request) -> Response:
    body = await read_json(request, UserCreate)
    h = hearth(request)
    async with h.db.session() as s:
        user = await service.register(
            s,
            email=body.email,
            password=body.password,
            display_name=body.display_name,
            client=client_address(request),
        )
    return JSONResponse(public(user), status_code=201)


async def log_in(request: Request) -> Response:
    body = await read_json(request, Credentials)
    h = hearth(request)
    async with h.db.session() as s:
        user = await service.authenticate(
            s, email=body.email, password=body.password, client=client_address(request)
        )
        await sessions.end(s, token=request.cookies.get(sessions.COOKIE))
        token = await service.log_in(s, user=user, settings=h.settings)
    response = JSONResponse({"user": public(user)})
    set_session_cookie(request, response, token)
    return response


async def log_out(request: Request) -> Response:
    check_origin(request)
    user = await current_user(request)
    token = request.cookies.get(sessions.COOKIE)
    async with hearth(request).db.session() as s:
        await sessions.end(s, token=token)
    await close_live_rooms(request, user_id=user.id if user else None, session_token=token)
    response = Response(status_code=204)
    clear_session_cookie(request, response)
    return response


async def me(request: Request) -> Response:
    return JSONResponse(public(await require_user(request)))


async def change_password(request: Request) -> Response:
    body = await read_json(request, PasswordChange)
    user = await require_user(request)
    h = hearth(request)
    async with h.db.session() as s:
        user = await s.merge(user)
        token = await service.change_password(
            s, user=user, current=body.current_password, new=body.new_password, settings=h.settings
        )
    await close_live_rooms(request, user_id=user.id)
    response = Response(status_code=204)
    set_session_cookie(request, response, token)
    return response


async def delete_account(request: Request) -> Response:
    body = await read_json(request, AccountDeletion)
    user = await require_user(request)
    async with hearth(request).db.session() as s:
        await service.delete_account(s, user=await s.merge(user), password=body.password)
    await close_live_rooms(request, user_id=user.id)
    response = JSONResponse({"deleted": list(service.DELETED_DATA)})
    clear_session_cookie(request, response)
    return response
