"""The per-process application context handed to every handler through `app.state.hearth`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from starlette.requests import HTTPConnection

from meeting.db import Database
from meeting.settings import Settings
from moderation.resources import CrisisResources


@dataclass
class Hearth:
    settings: Settings
    db: Database
    resources: CrisisResources
    redis: Any = None  # redis.asyncio.Redis when HEARTH_REDIS_URL is set


def hearth(conn: HTTPConnection) -> Hearth:
    return cast(Hearth, conn.app.state.hearth)
