"""`/healthz` (the process answers) and `/readyz` (its database and Redis answer too)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meeting.context import hearth


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    h = hearth(request)
    checks = {"database": await h.db.ping()}
    if h.redis is not None:
        try:
            checks["redis"] = bool(await asyncio.wait_for(h.redis.ping(), timeout=2))
        except Exception:
            checks["redis"] = False
    ok = all(checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
    )


def health_routes() -> list[Route]:
    return [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]
