"""`GET /ws/meetings/{meeting_id}`: the WebSocket driver. It only moves data.

Socket → `rooms.core` (decisions) → `Hub.execute` (state store, broker) → every member's
outbox. Entry is decided by the `Gate` the app hands in; the Origin header must be one of ours
(checked before the upgrade is accepted, so another site cannot ride a member's cookie).
Query parameter `after_seq` (the last seq a reconnecting client saw) lets the replay resume.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import random
import time
from collections.abc import Iterable

from starlette.routing import WebSocketRoute
from starlette.types import Message
from starlette.websockets import WebSocket

from rooms import core, views
from rooms.broker import BrokerUnavailable
from rooms.connection import Connection
from rooms.hub import Hub
from rooms.metrics import METRICS
from rooms.protocol import (
    CloseCode,
    CloseReason,
    ErrorCode,
    LeaveFrame,
    LowerHandFrame,
    PingFrame,
    PongFrame,
    PresenceKind,
    ProtocolError,
    RaiseHandFrame,
    ReactFrame,
    ResyncFrame,
    SayFrame,
    WaitingFrame,
    WelcomeFrame,
    encode,
    error_frame,
    parse_client_frame,
)
from rooms.state import StateUnavailable
from rooms.state.base import Mark, encode_member
from rooms.types import Admission, Gate, Ledger, Member, RoomSnapshot

log = logging.getLogger("hearth.rooms")
SESSION_COOKIE = "hearth_session"
MAX_CONNECTIONS_PER_MEMBER = 5
TOO_MANY_CONNECTIONS = 4429
SESSION_CHECK_EVERY = 30.0
UNAVAILABLE = "That couldn't be sent just now. Please try again in a moment."
WAITING = "You're in the waiting room: a facilitator will let you in shortly."
SENT_AWAY = frozenset({CloseCode.not_allowed, CloseCode.to_waiting_room})
STALE_OK = (PingFrame, ResyncFrame)  # frames judged without reading the room again
LIGHT = (SayFrame, ReactFrame, RaiseHandFrame, LowerHandFrame)  # judged without a fresh member list


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
        ledger: Ledger | None = None,
    ) -> None:
        self.hub, self.gate = hub, gate
        if ledger is not None:  # where moderation outcomes are kept (the hub carries them out)
            hub.ledger = ledger
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
            entry = await state.snapshot(room)
            refusal = entry_refusal(admission.member, entry)
            if refusal is not None:
                await self._refuse(ws, *refusal)
                return
            await self._run(ws, room, admission, must_wait(admission, entry))
        finally:
            with contextlib.suppress(StateUnavailable):  # the count expires with its heartbeat
                await state.connections(uid, -1)

    async def _refuse(self, ws: WebSocket, code: int, reason: str) -> None:
        METRICS.refusals.labels(code=str(code)).inc()
        log.info("ws.refused", extra={"code": code})
        await ws.close(code=code, reason=reason)

    async def _run(self, ws: WebSocket, room: int, admission: Admission, waiting: bool) -> None:
        member = admission.member
        assert member is not None
        conn = Connection(
            room=room,
            member=member,
            send_text=ws.send_text,
            close_socket=_closer(ws),
            session_key=admission.session_key,
            policy=admission.policy,
            blocks=admission.blocks,
            waiting=waiting,
        )
        await self.hub.attach(conn)
        writer = asyncio.create_task(conn.writer())
        watchdog = asyncio.create_task(self._watch_session(conn, admission.session_key))
        departed = False
        log.info("ws.connect", extra={"room": room})
        try:
            if waiting and not await self._wait(ws, conn):
                return
            conn.hold()
            returning = await self.hub.state.still_reconnecting(room, member.user_id)
            fresh = await self.hub.state.join(room, member, self.hub.node)
            if fresh or returning:  # another tab of someone present is no news to the room
                kind = PresenceKind.joined if fresh else PresenceKind.returned
                await self.hub.publish(room, core.presence_event(kind, member))  # before the snapshot:
            snapshot = await self.hub.state.snapshot(room)  # its seq then marks this very entry
            conn.first_seq = await self.hub.state.first_seq(room, member.user_id, snapshot.seq)
            conn.offer(encode(self._welcome(conn, snapshot)))
            if member.staff:
                conn.offer(encode(views.moderation_view(snapshot, now_ms=_now_ms())))
            await self.hub.replay(conn, _after_seq(ws))
            departed = await self._read(ws, conn, snapshot)
        finally:
            watchdog.cancel()
            try:
                if conn.close_code in SENT_AWAY and not conn.waiting:  # removed, banned, to the lobby
                    for command in core.departure(member):
                        await self.hub.execute(room, command, conn=None)
                    departed = True
                await self.hub.detach(conn, departed=departed)
            except (BrokerUnavailable, StateUnavailable):  # presence heals by TTL once Redis is back
                log.warning("ws.detach_unavailable", extra={"room": room})
            conn.shut(conn.close_code or CloseCode.normal)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer, timeout=5)
            log.info("ws.disconnect", extra={"room": room, "code": conn.close_code})

    def _welcome(self, conn: Connection, snapshot: RoomSnapshot) -> WelcomeFrame:
        note = self.hub.announcement(conn.room, snapshot)
        return core.welcome(conn.member, snapshot, now_ms=_now_ms(), announcement=note, blocks=conn.blocks)

    async def _wait(self, ws: WebSocket, conn: Connection) -> bool:
        """Hold an entrant in the waiting room until a facilitator admits them (True) or the
        socket ends (False). Only `ping` and `leave` are answered meanwhile."""
        room, member = conn.room, conn.member
        await self.hub.state.set_mark(room, Mark.waiting, member.user_id, encode_member(member, _now_ms()))
        try:
            await self.hub.refresh_staff(room)
            conn.offer(encode(WaitingFrame(you=views.room_member(member))))
            admitted = asyncio.create_task(conn.admitted.wait())
            try:
                while conn.close_code is None:
                    receiving = asyncio.create_task(ws.receive())
                    await asyncio.wait({receiving, admitted}, return_when=asyncio.FIRST_COMPLETED)
                    if admitted.done():
                        receiving.cancel()
                        with contextlib.suppress(BaseException):
                            await receiving
                        conn.waiting = False
                        return True
                    if not self._lobby_frame(conn, receiving.result()):
                        return False
                return False
            finally:
                admitted.cancel()
        finally:
            if conn.waiting:  # they left the lobby without being let in
                with contextlib.suppress(BrokerUnavailable, StateUnavailable):
                    await self.hub.state.set_mark(room, Mark.waiting, member.user_id, None)
                    await self.hub.refresh_staff(room)

    def _lobby_frame(self, conn: Connection, message: Message) -> bool:
        """Answer a frame sent from the waiting room; False when the socket is done."""
        if message["type"] == "websocket.disconnect":
            return False
        text = message.get("text")
        if text is None:
            conn.shut(CloseCode.binary_frame)
            return False
        try:
            frame = parse_client_frame(text)
        except ProtocolError as exc:
            conn.offer(encode(error_frame(exc.code, exc.message, exc.client_id)))
            return True
        if isinstance(frame, PingFrame):
            conn.offer(encode(PongFrame()))
        elif isinstance(frame, LeaveFrame):
            conn.shut(CloseCode.normal, "left")
            return False
        else:
            conn.offer(encode(error_frame(ErrorCode.waiting, WAITING)))
        return True

    async def _read(self, ws: WebSocket, conn: Connection, full: RoomSnapshot) -> bool:
        """Handle frames until the socket ends; True when the member left on purpose."""
        room = full
        while conn.close_code is None:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return False
            text = message.get("text")
            if text is None:
                conn.shut(CloseCode.binary_frame)
                return False
            try:
                frame = parse_client_frame(text)
            except ProtocolError as exc:
                conn.offer(encode(error_frame(exc.code, exc.message, exc.client_id)))
                continue
            try:
                if isinstance(frame, LIGHT):  # who is present is not needed: only marks and switches
                    light = await self.hub.state.snapshot(conn.room, members=False)
                    room = dataclasses.replace(light, members=full.members)
                elif not isinstance(frame, STALE_OK):
                    room = full = await self.hub.state.snapshot(conn.room)
            except (BrokerUnavailable, StateUnavailable):
                client_id = frame.client_id if isinstance(frame, SayFrame) else None
                conn.offer(encode(error_frame("unavailable", UNAVAILABLE, client_id)))
                continue
            ctx = self.hub.context(conn, room, _now_ms())
            for command in core.decide(frame, ctx):
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


def entry_refusal(member: Member, room: RoomSnapshot) -> tuple[int, str] | None:
    """Why `member` may not come in now, as (close code, reason), or None."""
    if member.user_id in room.removed:
        return CloseCode.not_allowed, CloseReason.removed
    if room.locked and not member.staff and room.member(member.user_id) is None:
        return CloseCode.room_locked_or_full, CloseReason.locked
    return None


def must_wait(admission: Admission, room: RoomSnapshot) -> bool:
    """Whether the entrant waits in the waiting room until a facilitator admits them."""
    member = admission.member
    if member is None or member.staff or member.user_id in room.admitted:
        return False
    if member.user_id in room.held:  # sent back by a facilitator
        return True
    return admission.policy.waiting_room and room.member(member.user_id) is None


def _now_ms() -> int:
    return int(time.time() * 1000)


def _closer(ws: WebSocket):  # type: ignore[no-untyped-def]
    async def close(code: int, reason: str) -> None:
        await ws.close(code=code, reason=reason)

    return close


def _after_seq(ws: WebSocket) -> int:
    raw = ws.query_params.get("after_seq", "0")
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0
