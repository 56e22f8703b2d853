"""The JSON API under `/api/v1`: `api_routes()` for the app, `ENDPOINTS` for its OpenAPI."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.routing import Route

from meeting.accounts.models import UserCreate, UserPublic
from meeting.api import accounts
from meeting.api.openapi import Endpoint, routes


class SessionPublic(BaseModel):
    user: UserPublic


class Deleted(BaseModel):
    deleted: list[str]


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "POST",
        "/accounts",
        accounts.create_account,
        "Create an account",
        body=UserCreate,
        returns=UserPublic,
        status=201,
        errors=(409, 415, 422, 429),
    ),
    Endpoint(
        "POST",
        "/session",
        accounts.log_in,
        "Log in (sets the session cookie)",
        body=accounts.Credentials,
        returns=SessionPublic,
        errors=(401, 415, 422, 429),
    ),
    Endpoint("DELETE", "/session", accounts.log_out, "Log out", status=204),
    Endpoint("GET", "/me", accounts.me, "The logged-in account", returns=UserPublic, auth=True),
    Endpoint(
        "PUT",
        "/me/password",
        accounts.change_password,
        "Change password (ends every other session)",
        body=accounts.PasswordChange,
        status=204,
        errors=(422,),
        auth=True,
    ),
    Endpoint(
        "DELETE",
        "/me",
        accounts.delete_account,
        "Delete the account and its personal data",
        body=accounts.AccountDeletion,
        returns=Deleted,
        errors=(422,),
        auth=True,
    ),
]


def api_routes() -> list[Route]:
    return routes(ENDPOINTS)
