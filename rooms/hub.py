"""The process's room hub: local connections, broker subscriptions, fan-out, presence upkeep.

One `Hub` per process. The endpoint `attach()`es each accepted connection and `detach()`es it
when the socket ends; the hub subscribes to a room's channel while it has a local member there.
`publish()` seals an event and hands it to the broker; the listener opens each delivery once,
builds the frame text once, and offers it to every local connection of the room without
awaiting any of them. The hub also executes the core's state commands (`execute()`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import defaultdict

from moderation.resources import DEFAULT as DEFAULT_RESOURCES
from moderation.resources import CrisisResources
from rooms import actions, core, views
from rooms.broker import Broker
from rooms.commands import Audience, Flood
from rooms.connection import Connection
from rooms.control import CONTROL_ROOM, ControlEvent
from rooms.crypto import RoomCipher, SealBroken
from rooms.metrics import METRICS
from rooms.protocol import (
    Announcement,
    BlockedFrame,
    CloseCode,
    MessageEvent,
    PresenceKind,
    PrivateFrame,
    RoomEvent,
    author_frame_text,
    author_of,
    encode,
    event_json,
    frame_text,
    message_id_of,
    skip_text,
)
from rooms.state import RoomState
from rooms.types import Ledger, Member, RoomSnapshot

log = logging.getLogger("hearth.rooms")
HEARTBEAT_EVERY = 5.0
RECONNECT_GRACE = 60.0
_ENDED = '{"type":"ended"'
_BLOCKED = '{"type":"blocked"'
_ADMITTED = '{"type":"admitted"'


class Hub:
    """Create with a broker, a state store and the server secret; `await start()`, `await stop()`."""

    def __init__(
        self,
        *,
        broker: Broker,
        state: RoomState,
        secret: str,
        grace: float = RECONNECT_GRACE,
        ledger: Ledger | None = None,
        resources: CrisisResources = DEFAULT_RESOURCES,
    ) -> None:
        self.broker, self.state = broker, state
        self.ledger, self.resources = ledger, resources
        self.floods: dict[tuple[int, int], Flood] = {}  # (room, user) -> flood-control state
        self.cipher = RoomCipher(secret)
        self.node = secrets.token_hex(6)
        self.grace = grace
        self.rooms: dict[int, set[Connection]] = defaultdict(set)
        self._grace_timers: dict[tuple[int, int], asyncio.TimerHandle] = {}
        self.ended: set[int] = set()  # rooms whose meeting ended while members were here
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self.broker.connect()
        await self.state.connect()
        await self.broker.subscribe(CONTROL_ROOM)
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._upkeep())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for timer in self._grace_timers.values():
            timer.cancel()
        for connections in list(self.rooms.values()):
            for conn in list(connections):
                conn.shut(1001)
        await self.state.disconnect()
        await self.broker.disconnect()

    # --- connections ----------------------------------------------------------------------

    async def attach(self, conn: Connection) -> None:
        local = self.rooms[conn.room]
        if not local:
            await self.broker.subscribe(conn.room)
            await self.broker.subscribe(-conn.room)  # the room's private channel
        local.add(conn)
        conn.on_overflow(self._overflowed)
        timer = self._grace_timers.pop((conn.room, conn.member.user_id), None)
        if timer is not None:
            timer.cancel()
        METRICS.connections.inc()

    async def detach(self, conn: Connection, *, departed: bool) -> None:
        """Forget `conn`. Unless the member left on purpose, they are shown reconnecting."""
        local = self.rooms.get(conn.room)
        if local is None or conn not in local:
            return
        local.discard(conn)
        METRICS.connections.dec()
        if not local:
            del self.rooms[conn.room]
            self.floods = {key: flood for key, flood in self.floods.items() if key[0] != conn.room}
            await self.broker.unsubscribe(conn.room)
            await self.broker.unsubscribe(-conn.room)
        if conn.room in self.ended:  # nothing is kept for an ended meeting
            if not local:
                self.ended.discard(conn.room)
            return
        if departed or conn.waiting:  # `leave` already took it out of the store; a lobby never joined
            return
        uid = conn.member.user_id
        if await self.state.mark_reconnecting(conn.room, uid, self.node):  # True: their last connection
            await self.publish(conn.room, core.presence_event(PresenceKind.reconnecting, conn.member))
            loop = asyncio.get_running_loop()
            self._grace_timers[(conn.room, uid)] = loop.call_later(
                self.grace, lambda: asyncio.ensure_future(self._grace_over(conn.room, conn.member))
            )

    async def _grace_over(self, room: int, member: Member) -> None:
        self._grace_timers.pop((room, member.user_id), None)
        if room not in self.ended and await self.state.still_reconnecting(room, member.user_id):
            for command in core.departure(member):
                await self.execute(room, command, conn=None)

    def _overflowed(self, conn: Connection) -> None:
        METRICS.slow_consumers.inc()
        log.info("ws.slow_consumer", extra={"room": conn.room})

    # --- events ---------------------------------------------------------------------------

    async def publish(self, room: int, event: RoomEvent) -> int:
        """Seal and publish a room event; returns its seq."""
        return await self.broker.publish(room, self.cipher.seal(room, event_json(event).encode()))

    async def end_meeting(self, room: int) -> None:
        """Tell every member the meeting ended, close their sockets (4410) on every process, and
        delete everything held for the room: its replay log, sequence counter and state."""
        await self.publish(room, core.ended())
        await self.broker.forget(room)
        await self.broker.forget(-room)
        await self.state.clear(room)

    async def kick(
        self,
        *,
        user_id: int | None,
        code: int,
        room: int | None = None,
        session_key: str | None = None,
        reason: str = "",
    ) -> None:
        """Close `user_id`'s sockets on every process: in all rooms or one, all sessions or one."""
        event = ControlEvent(
            action="close", user_id=user_id, code=code, room=room, session_key=session_key, reason=reason
        )
        await self.broker.publish(
            CONTROL_ROOM, self.cipher.seal(CONTROL_ROOM, event.model_dump_json().encode())
        )

    async def _listen(self) -> None:
        """Deliver every broker event to local members. Never ends but by cancellation."""
        while True:
            delivery = await self.broker.next_published()
            try:
                plain = self.cipher.open(delivery.room, delivery.payload).decode()
                if delivery.room == CONTROL_ROOM:
                    self._control(ControlEvent.model_validate_json(plain))
                elif delivery.room < 0:
                    self._private(-delivery.room, plain)
                else:
                    self.fan_out(delivery.room, delivery.seq, plain)
            except Exception:  # one bad event must not stop the room; never log its content
                log.warning("room.bad_event", extra={"room": delivery.room, "seq": delivery.seq})

    def fan_out(self, room: int, seq: int, plain: str, only: Connection | None = None) -> None:
        """Offer one event to every local connection of `room` (or just `only`): encoded once."""
        started = time.perf_counter()
        text = frame_text(plain, seq)
        mid = message_id_of(plain)
        targets = (only,) if only is not None else self.rooms.get(room, ())
        ending = plain.startswith(_ENDED)
        if ending:
            self.ended.add(room)
        author = -1  # not looked up yet
        for conn in targets:
            if (seq <= conn.first_seq or conn.waiting) and not ending:
                continue
            if conn.blocks:
                if author == -1:
                    author = author_of(plain) or 0
                if author in conn.blocks:
                    conn.offer(skip_text(seq), seq)
                    continue
            client_id = conn.pending.pop(mid, None) if mid is not None and conn.pending else None
            conn.offer(author_frame_text(plain, seq, client_id) if client_id else text, seq)
            if ending:
                conn.shut(CloseCode.meeting_not_open)
        if only is None:
            METRICS.fanout_seconds.observe(time.perf_counter() - started)
            METRICS.relayed.inc()

    def _control(self, event: ControlEvent) -> None:
        for room, connections in list(self.rooms.items()):
            if event.room is not None and event.room != room:
                continue
            for conn in list(connections):
                if event.user_id is not None and conn.member.user_id != event.user_id:
                    continue
                if event.session_key is None or conn.session_key == event.session_key:
                    conn.shut(event.code, event.reason)

    async def replay(self, conn: Connection, after_seq: int) -> None:
        """Send `conn` what it missed since `after_seq`, never from before its first entry."""
        conn.hold()
        try:
            start = max(after_seq, conn.first_seq)
            if conn.sent_seq < start:
                conn.sent_seq = start  # nothing at or below `start` is wanted
            deliveries, complete = await self.broker.history(conn.room, start)
            if not complete:
                conn.offer(encode(core.missed()))
            for d in deliveries:
                try:
                    plain = self.cipher.open(d.room, d.payload).decode()
                except (SealBroken, UnicodeDecodeError):
                    continue
                self.fan_out(conn.room, d.seq, plain, only=conn)
        finally:
            conn.release()
        conn.offer(encode(core.replayed()))

    # --- state commands -------------------------------------------------------------------

    async def execute(self, room: int, command: core.Command, *, conn: Connection | None) -> None:
        """Carry out one core command (see `rooms.core` for what each means)."""
        match command:
            case core.Reply(frame=frame) if conn is not None:
                conn.offer(encode(frame))
            case core.Publish(event=event, client_id=client_id):
                if client_id and conn is not None and hasattr(event, "id"):
                    conn.pending[event.id] = client_id
                await self.publish(room, event)
            case core.RaiseHand(user_id=uid):
                await self.publish(room, core.hand_event(await self.state.raise_hand(room, uid)))
            case core.LowerHand(user_id=uid):
                await self.publish(room, core.hand_event(await self.state.lower_hand(room, uid)))
            case core.SetFloor(holder=holder):
                if await self.state.set_floor(room, holder):
                    await self.publish(room, core.floor_event(holder))
            case core.ReleaseFloor(user_id=uid):
                if await self.state.release_floor(room, uid):
                    await self.publish(room, core.floor_event(None))
            case core.Replay(after_seq=after) if conn is not None:
                await self.replay(conn, after)
            case core.Depart(member=member):
                if await self.state.leave(room, member.user_id, self.node):
                    await self.publish(room, core.presence_event(PresenceKind.left, member))
            case core.Close(code=code) if conn is not None:
                conn.shut(code)
            case _:
                await actions.carry_out(self, room, command, conn)

    # --- private deliveries and moderation views ---------------------------------------------

    async def deliver(self, room: int, to: Audience, frame: PrivateFrame) -> None:
        """Send a private frame to one member's connections or to the staff present, on every
        process, through the room's private channel (relayed, never logged)."""
        payload = f"{to}\n{encode(frame)}"
        await self.broker.publish(-room, self.cipher.seal(-room, payload.encode()))

    def _private(self, room: int, plain: str) -> None:
        to, _, text = plain.partition("\n")
        staff = to == "staff"
        uid = 0 if staff else int(to)
        for conn in list(self.rooms.get(room, ())):
            if (conn.member.staff and not conn.waiting) if staff else conn.member.user_id == uid:
                if text.startswith(_BLOCKED):
                    conn.blocks = frozenset(BlockedFrame.model_validate_json(text).user_ids)
                elif text.startswith(_ADMITTED):
                    conn.admitted.set()
                conn.offer(text)

    def context(self, conn: Connection, room: RoomSnapshot, now_ms: int) -> core.Context:
        """The context a frame from `conn` is judged in, with `room` freshly read."""
        return core.Context(
            member=conn.member,
            room=room,
            now_ms=now_ms,
            policy=conn.policy,
            flood=self.floods.get((conn.room, conn.member.user_id), Flood()),
            blocks=conn.blocks,
            resources=self.resources,
        )

    def announcement(self, room: int, snapshot: RoomSnapshot) -> Announcement | None:
        """The room's pinned note, unsealed (None if there is none or it cannot be opened)."""
        if snapshot.note is None:
            return None
        try:
            return Announcement.model_validate_json(self.cipher.open(room, snapshot.note))
        except (SealBroken, ValueError):
            return None

    async def refresh_staff(self, room: int) -> None:
        snapshot = await self.state.snapshot(room)
        await self.deliver(room, "staff", views.moderation_view(snapshot, now_ms=int(time.time() * 1000)))

    async def find_message(self, room: int, message_id: str) -> MessageEvent | None:
        """A message the room still holds for replay (newest first), opened; None if gone."""
        deliveries, _ = await self.broker.history(room, 0)
        for d in reversed(deliveries):
            try:
                plain = self.cipher.open(d.room, d.payload).decode()
            except (SealBroken, UnicodeDecodeError):
                continue
            if message_id_of(plain) == message_id:
                return MessageEvent.model_validate_json(plain)
        return None

    async def _reap(self, room: int) -> None:
        """Announce members whose process died (no heartbeat) or whose grace ran out."""
        names = {p.member.user_id: p.member for p in (await self.state.snapshot(room)).members}
        for uid in await self.state.reap(room):
            member = names.get(uid)
            if member is not None:
                for command in core.departure(member)[:-1]:  # hand and floor; `reap` removed them
                    await self.execute(room, command, conn=None)
                await self.publish(room, core.presence_event(PresenceKind.left, member))

    async def _upkeep(self) -> None:
        """Refresh this node's presence TTLs; reap members of nodes that died."""
        while True:
            await asyncio.sleep(HEARTBEAT_EVERY)
            try:
                members = {
                    room: sorted({c.member.user_id for c in conns if not c.waiting})
                    for room, conns in self.rooms.items()
                }
                for room, uid in await self.state.heartbeat(self.node, members):
                    for conn in [
                        c for c in self.rooms.get(room, ()) if c.member.user_id == uid and not c.waiting
                    ]:
                        await self.state.join(room, conn.member, self.node)  # reaped while we stalled
                for room in list(members):
                    await self._reap(room)
            except Exception:
                log.warning("rooms.upkeep_failed", exc_info=True)
