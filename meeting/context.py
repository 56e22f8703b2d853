"""The per-process application context handed to every handler through `app.state.hearth`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from starlette.requests import HTTPConnection

from meeting.db import Database
from meeting.settings import Settings
from moderation.resources import CrisisResources

if TYPE_CHECKING:
    from rooms.hub import Hub


@dataclass
class Hearth:
    settings: Settings
    db: Database
    resources: CrisisResources
    redis: Any = None  # redis.asyncio.Redis when HEARTH_REDIS_URL is set
    hub: Hub | None = None  # the live room engine of this process


def hearth(conn: HTTPConnection) -> Hearth:
    return cast(Hearth, conn.app.state.hearth)
