"""Helpers for the RSVP, calendar and reminder tests: an app with the attendance routes, more
people, several logged-in clients on one app, and direct database changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from support import BASE_URL, STRONG_PASSWORD, App, make_settings

from meeting.accounts import service as accounts
from meeting.accounts.models import Role
from meeting.api.attendance import ENDPOINTS_ATTENDANCE, calendar_routes
from meeting.api.openapi import routes
from meeting.app import create_app
from meeting.db import Database
from meeting.settings import Settings


def with_attendance_routes(asgi: Starlette) -> Starlette:
    """Put the attendance endpoints first unless the app already routes them."""
    paths = {getattr(route, "path", None) for route in asgi.router.routes}
    if "/api/v1/me/preferences" not in paths:
        extra = [r for r in routes(ENDPOINTS_ATTENDANCE) if r.path != "/api/v1/openapi.json"]
        asgi.router.routes[0:0] = extra
    if "/calendar/{token}.ics" not in paths:
        asgi.router.routes[0:0] = calendar_routes()
    return asgi


@dataclass
class RApp(App):
    """`App` plus the ASGI app itself, for more clients with their own cookies."""

    asgi: Starlette | None = None

    def client_for(self) -> httpx.AsyncClient:
        assert self.asgi is not None
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.asgi), base_url=BASE_URL)

    async def logged_in(self, email: str) -> httpx.AsyncClient:
        """A new client logged in as `email` (close it after use)."""
        client = self.client_for()
        r = await client.post("/api/v1/session", json={"email": email, "password": STRONG_PASSWORD})
        assert r.status_code == 200, r.text
        return client


async def running(settings: Settings) -> AsyncIterator[RApp]:
    asgi = with_attendance_routes(create_app(settings))
    async with asgi.router.lifespan_context(asgi):
        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield RApp(settings, client, asgi)


@pytest.fixture
async def app(database_url: str, tmp_path: Path) -> AsyncIterator[RApp]:
    """The app (with the attendance routes), its lifespan running, and a client."""
    async for running_app in running(make_settings(tmp_path, HEARTH_DATABASE_URL=database_url)):
        yield running_app


async def register(app: App, *names: str) -> dict[str, int]:
    """Create members named `names` (email name@example.org) as the CLI does (no per-address
    registration throttle); returns their ids by email."""
    ids = {}
    db = Database(app.settings.database_url)
    try:
        for name in names:
            email = f"{name.lower()}@example.org"
            async with db.session() as s:
                user = await accounts.register(
                    s, email=email, password=STRONG_PASSWORD, display_name=name, client=None, role=Role.member
                )
            assert user.id is not None
            ids[email] = user.id
    finally:
        await db.close()
    return ids


async def sql(app: App, statement: str, **params: Any) -> list[Any]:
    """Run one SQL statement directly on the app's database; returns its rows, if any."""
    db = Database(app.settings.database_url)
    try:
        async with db.engine.begin() as conn:
            result = await conn.execute(sa.text(statement), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await db.close()
