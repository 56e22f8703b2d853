"""The ASGI application: `create_app(settings)` builds it; `lifespan` opens and closes resources.

Run it with `hearth serve`. Tests build it in-process with `create_app(Settings.load(...))`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from meeting.accounts import sessions
from meeting.api import api_routes
from meeting.api.attendance import calendar_routes
from meeting.api.errors import DOMAIN_ERRORS, ApiError, domain_error, error_response
from meeting.context import Hearth
from meeting.db import Database
from meeting.gate import MeetingGate
from meeting.health import health_routes
from meeting.live import sweep_meetings
from meeting.moderation.ledger import MeetingLedger
from meeting.reminders.service import run_reminders
from meeting.settings import Settings, SettingsError
from meeting.web.dashboard import dashboard_routes
from meeting.web.directory import directory_routes
from meeting.web.groups import group_page_routes
from meeting.web.moderation import moderation_page_routes
from meeting.web.my_meetings import my_meetings_routes
from meeting.web.pages import page_routes
from meeting.web.room import room_page_routes
from meeting.web.security import SecurityHeaders
from meeting.web.templating import asset_dir, error_page
from moderation.resources import DEFAULT, CrisisResources, parse_resources
from rooms.broker import broker_from_url
from rooms.endpoint import RoomEndpoint
from rooms.hub import RECONNECT_GRACE, Hub
from rooms.state import state_from_url

log = logging.getLogger("hearth.app")
PURGE_EVERY = 600.0
# Young-generation threshold for a served process (CPython's default is 700). With 1,000 live
# sockets the collector's pauses, not the CPU, made the tail latency: see docs/performance.md.
GC_THRESHOLDS = (50_000, 20, 100)


def load_resources(settings: Settings) -> CrisisResources:
    """The deployment's crisis resources, validated; a bad file stops start-up."""
    if settings.crisis_resources is None:
        return DEFAULT
    try:
        doc = json.loads(settings.crisis_resources.read_text(encoding="utf-8"))
        return parse_resources(doc)
    except (OSError, ValueError) as exc:
        where = str(settings.crisis_resources)
        raise SettingsError(f"HEARTH_CRISIS_RESOURCES {where!r}: {exc}") from None


def settle_gc() -> None:
    """Once start-up is done: move everything allocated so far (modules, app, pools) out of
    the collector's reach for good, and collect young objects less often, so that collections
    under load stay short and rare. For a server process only, not for tests that build apps."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def create_app(settings: Settings, *, tune_gc: bool = False) -> Starlette:
    """The whole application for `settings`: pages, API, live rooms, health and metrics.
    `tune_gc` (for `hearth serve`): call `settle_gc()` once start-up has finished."""
    resources = load_resources(settings)
    db = Database(settings.database_url)
    broker = broker_from_url(settings.redis_url, prefix=settings.redis_prefix)
    state = state_from_url(
        settings.redis_url,
        prefix=settings.redis_prefix,
        hub=getattr(broker, "hub", None),
        grace=RECONNECT_GRACE,
    )
    hub = Hub(broker=broker, state=state, secret=settings.secret_key, resources=resources)
    endpoint = RoomEndpoint(
        hub=hub,
        gate=MeetingGate(db, settings),
        allowed_origins=settings.allowed_origins,
        session_check_every=settings.session_check_seconds,
        ledger=MeetingLedger(db),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        redis = aioredis.from_url(settings.redis_url) if settings.redis_url else None
        app.state.hearth = Hearth(settings=settings, db=db, resources=resources, redis=redis, hub=hub)
        await hub.start()
        chores = [
            asyncio.create_task(_purge_sessions(app.state.hearth)),
            asyncio.create_task(sweep_meetings(app.state.hearth)),
            asyncio.create_task(run_reminders(app.state.hearth), name="hearth-reminders"),
        ]
        if tune_gc:
            settle_gc()
        try:
            yield
        finally:
            for task in chores:
                task.cancel()
            for task in chores:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await hub.stop()
            if redis is not None:
                await redis.aclose()
            await db.close()

    return Starlette(
        routes=[
            *page_routes(),
            *group_page_routes(),
            *moderation_page_routes(),
            *directory_routes(),
            *dashboard_routes(),
            *my_meetings_routes(),
            *room_page_routes(),
            *api_routes(),
            *calendar_routes(),
            *health_routes(),
            endpoint.route(),
            Mount("/static", StaticFiles(directory=asset_dir("static")), name="static"),
        ],
        middleware=[Middleware(SecurityHeaders, settings=settings)],
        exception_handlers={
            ApiError: _api_error,
            **dict.fromkeys(DOMAIN_ERRORS, _domain_error),
            HTTPException: _http_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )


async def _purge_sessions(h: Hearth) -> None:
    while True:
        try:
            async with h.db.session() as s:
                await sessions.purge_expired(s, settings=h.settings)
        except Exception:
            log.warning("session purge failed", exc_info=True)
        await asyncio.sleep(PURGE_EVERY)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _domain_error(request: Request, exc: Exception) -> Response:
    """A broken account or group rule that no page handled itself: JSON for the API."""
    response = domain_error(request, exc)
    if _wants_json(request):
        return response
    return await error_page(request, response.status_code, "That didn't work", str(exc))


_TITLES = {404: "Page not found", 405: "That isn't allowed here"}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if _wants_json(request):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), exc.headers)
    title = _TITLES.get(exc.status_code, "Something went wrong")
    return await error_page(request, exc.status_code, title, "We couldn't find what you were looking for.")


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error", extra={"path": request.url.path, "error": type(exc).__name__})
    message = "Something went wrong on our side. Please try again."
    if _wants_json(request):
        return error_response(500, "internal", message)
    return Response(message, status_code=500, media_type="text/plain")


def app_from_env() -> Starlette:
    """Factory for uvicorn (`hearth serve`): settings from the environment, logging set up."""
    from meeting import logs

    settings = Settings.load()
    logs.configure(settings)
    return create_app(settings, tune_gc=True)
