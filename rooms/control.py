"""Control events between processes (not shown to members), on the broker's room 0 channel.

`Hub.kick()` publishes one to close a member's sockets on every process: at logout, password
change, account deletion, removal or ban. They carry ids and a close code, never content.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

CONTROL_ROOM = 0  # meeting ids start at 1, so room 0 is free for control traffic


class ControlEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Literal["close"]
    user_id: int | None = None  # None: everyone
    code: int
    room: int | None = None  # None: every room
    session_key: str | None = None  # None: every login session of the user
    reason: str = ""  # a fixed close reason ("removed", "banned", ...), never chat text
