"""`GET /ws/meetings/{meeting_id}`: the WebSocket driver. It only moves data.

Socket → `rooms.core` (decisions) → `Hub.execute` (state store, broker) → every member's
outbox. Entry is decided by the `Gate` the app hands in; the Origin header must be one of ours
(checked before the upgrade is accepted, so another site cannot ride a member's cookie).
Query parameter `after_seq` (the last seq a reconnecting client saw) lets the replay resume.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Iterable

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from rooms import core
from rooms.broker import BrokerUnavailable
from rooms.connection import Connection
from rooms.hub import Hub
from rooms.metrics import METRICS
from rooms.protocol import CloseCode, PresenceKind, encode, error_frame
from rooms.state import StateUnavailable
from rooms.types import Admission, Gate, RoomSnapshot

log = logging.getLogger("hearth.rooms")
SESSION_COOKIE = "hearth_session"
MAX_CONNECTIONS_PER_MEMBER = 5
TOO_MANY_CONNECTIONS = 4429
SESSION_CHECK_EVERY = 30.0
UNAVAILABLE = "That couldn't be sent just now. Please try again in a moment."


class RoomEndpoint:
    """Build once at start-up; `route()` gives the Starlette route."""

    def __init__(
        self,
        *,
        hub: Hub,
        gate: Gate,
        allowed_origins: Iterable[str],
        session_check_every: float = SESSION_CHECK_EVERY,
        max_connections: int = MAX_CONNECTIONS_PER_MEMBER,
    ) -> None:
        self.hub, self.gate = hub, gate
        self.origins = frozenset(o.lower().rstrip("/") for o in allowed_origins)
        self.session_check_every = session_check_every
        self.max_connections = max_connections

    def route(self) -> WebSocketRoute:
        return WebSocketRoute("/ws/meetings/{meeting_id:int}", self.serve)

    async def serve(self, ws: WebSocket) -> None:
        origin = (ws.headers.get("origin") or "").lower().rstrip("/")
        if origin not in self.origins:
            METRICS.refusals.labels(code="origin").inc()
            log.info("ws.refused", extra={"code": "origin"})
            await ws.close(code=CloseCode.not_allowed)  # before accept: an HTTP 403
            return
        room = int(ws.path_params["meeting_id"])
        admission = await self.gate.admit(session_token=ws.cookies.get(SESSION_COOKIE), meeting_id=room)
        await ws.accept()
        if admission.member is None:
            await self._refuse(ws, admission.close_code, admission.reason)
            return
        state = self.hub.state
        uid = admission.member.user_id
        try:
            if await state.connections(uid, 1) > self.max_connections:
                await self._refuse(ws, TOO_MANY_CONNECTIONS, "too many connections")
                return
            await self._run(ws, room, admission)
        finally:
            with contextlib.suppress(StateUnavailable):  # the count expires with its heartbeat
                await state.connections(uid, -1)

    async def _refuse(self, ws: WebSocket, code: int, reason: str) -> None:
        METRICS.refusals.labels(code=str(code)).inc()
        log.info("ws.refused", extra={"code": code})
        await ws.close(code=code, reason=reason)

    async def _run(self, ws: WebSocket, room: int, admission: Admission) -> None:
        member = admission.member
        assert member is not None
        conn = Connection(
            room=room,
            member=member,
            send_text=ws.send_text,
            close_socket=_closer(ws),
            session_key=admission.session_key,
        )
        conn.hold()
        await self.hub.attach(conn)
        writer = asyncio.create_task(conn.writer())
        watchdog = asyncio.create_task(self._watch_session(conn, admission.session_key))
        departed = False
        log.info("ws.connect", extra={"room": room})
        try:
            returning = await self.hub.state.still_reconnecting(room, member.user_id)
            fresh = await self.hub.state.join(room, member, self.hub.node)
            if fresh or returning:  # another tab of someone present is no news to the room
                kind = PresenceKind.joined if fresh else PresenceKind.returned
                await self.hub.publish(room, core.presence_event(kind, member))  # before the snapshot:
            snapshot = await self.hub.state.snapshot(room)  # its seq then marks this very entry
            conn.first_seq = await self.hub.state.first_seq(room, member.user_id, snapshot.seq)
            conn.offer(encode(core.welcome(member, snapshot)))
            await self.hub.replay(conn, _after_seq(ws))
            departed = await self._read(ws, conn, snapshot)
        finally:
            watchdog.cancel()
            try:
                await self.hub.detach(conn, departed=departed)
            except (BrokerUnavailable, StateUnavailable):  # presence heals by TTL once Redis is back
                log.warning("ws.detach_unavailable", extra={"room": room})
            conn.shut(conn.close_code or CloseCode.normal)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer, timeout=5)
            log.info("ws.disconnect", extra={"room": room, "code": conn.close_code})

    async def _read(self, ws: WebSocket, conn: Connection, snapshot: RoomSnapshot) -> bool:
        """Handle frames until the socket ends; True when the member left on purpose."""
        while conn.close_code is None:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return False
            text = message.get("text")
            if text is None:
                conn.shut(CloseCode.binary_frame)
                return False
            ctx = core.Context(member=conn.member, room=snapshot, now_ms=int(time.time() * 1000))
            for command in core.receive(text, ctx):
                try:
                    await self.hub.execute(conn.room, command, conn=conn)
                except (BrokerUnavailable, StateUnavailable):  # Redis is away: say so, keep the socket
                    client_id = command.client_id if isinstance(command, core.Publish) else None
                    conn.offer(encode(error_frame("unavailable", UNAVAILABLE, client_id)))
                    break
                if isinstance(command, core.Depart):
                    return True
        return False

    async def _watch_session(self, conn: Connection, session_key: str) -> None:
        """Close with 1008 when the login session behind this socket ends."""
        # The first check comes at a random point of the period: members who all joined at once
        # (a meeting's start) are then checked spread out, not in one burst that stalls the room.
        delay = self.session_check_every * random.random()
        while True:
            await asyncio.sleep(delay)
            delay = self.session_check_every
            try:
                alive = await self.gate.session_alive(session_key=session_key)
            except Exception:
                log.warning("ws.session_check_failed", exc_info=True)
                continue
            if not alive:
                conn.shut(CloseCode.session_expired)
                return


def _closer(ws: WebSocket):  # type: ignore[no-untyped-def]
    async def close(code: int, reason: str) -> None:
        await ws.close(code=code, reason=reason)

    return close


def _after_seq(ws: WebSocket) -> int:
    raw = ws.query_params.get("after_seq", "0")
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0
