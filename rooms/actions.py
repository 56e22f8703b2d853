"""The hub's moderation commands: carried out against the state store, the broker and the app's
`Ledger`. `Hub.execute` hands over every command it does not handle itself.

Kept apart from `rooms.hub` (connections and fan-out) so each stays readable; nothing here
decides anything: `rooms.core` and `moderation/` did that already.
"""

from __future__ import annotations

import base64
import logging
from typing import TYPE_CHECKING

from moderation.audit import AuditAction, ReportReason
from rooms import commands as c
from rooms.protocol import (
    AnnouncementEvent,
    MessageChange,
    MessageChangeEvent,
    Person,
    ReportedFrame,
)
from rooms.state.base import Flag

if TYPE_CHECKING:
    from rooms.connection import Connection
    from rooms.hub import Hub

log = logging.getLogger("hearth.rooms")


async def carry_out(hub: Hub, room: int, command: c.Command, conn: Connection | None) -> None:
    """Carry out one moderation command from `conn`'s member (None: the engine itself)."""
    actor = conn.member.user_id if conn is not None else None
    match command:
        case c.Deliver(to=to, frame=frame):
            await hub.deliver(room, to, frame)
        case c.SetFlag(flag=flag, value=value):
            await hub.state.set_flag(room, flag, value)
        case c.SetMark(mark=mark, user_id=uid, value=value):
            await hub.state.set_mark(room, mark, uid, value)
        case c.Spoke(flood=flood) if conn is not None:
            hub.floods[(room, conn.member.user_id)] = flood
        case c.Pin(announcement=note):
            sealed = None if note is None else hub.cipher.seal(room, note.model_dump_json().encode())
            await hub.state.set_flag(
                room, Flag.note, None if sealed is None else base64.b64encode(sealed).decode()
            )
            await hub.publish(room, AnnouncementEvent(announcement=note))
        case c.Kick(user_id=uid, code=code, reason=reason):
            await hub.kick(user_id=uid, code=code, room=room, reason=reason)
        case c.RefreshStaff():
            await hub.refresh_staff(room)
        case c.Report(message_id=mid, reason=reason) if conn is not None:
            await _report(hub, room, mid, ReportReason(reason), conn)
        case c.EndMeeting():
            await _ledger(hub, room, command, actor)  # recorded first: ending clears the room
            await hub.end_meeting(room)
        case c.Audit() | c.Ban() | c.Block():
            await _ledger(hub, room, command, actor)
        case _:
            pass


async def _report(hub: Hub, room: int, message_id: str, reason: ReportReason, conn: Connection) -> None:
    """Count a member's report; the facilitators see it (with the text, live only); enough
    distinct reports hide the message for everyone until a facilitator reviews it."""
    count = await hub.state.count_report(room, message_id, conn.member.user_id)
    message = await hub.find_message(room, message_id)
    author = None if message is None else message.author
    threshold = max(conn.policy.report_threshold, 1)
    if count == threshold:
        await hub.publish(room, MessageChangeEvent(message_id=message_id, change=MessageChange.hidden))
        await _ledger(hub, room, c.Audit(AuditAction.auto_hide, _id(author), anonymous=True), None)
    frame = ReportedFrame(
        message_id=message_id,
        reason=reason,
        author=author,
        text=None if message is None else message.text,
        hidden=count >= threshold,
    )
    await hub.deliver(room, "staff", frame)
    await _ledger(hub, room, c.Audit(AuditAction.report, _id(author), reason.value, anonymous=True), None)


def _id(person: Person | None) -> int | None:
    return None if person is None else person.id


async def _ledger(hub: Hub, room: int, command: c.Command, actor: int | None) -> None:
    try:
        await _keep(hub, room, command, actor)
    except Exception:  # the database is away: the action itself stands; say so without details
        log.warning("moderation.ledger_failed", extra={"room": room, "command": type(command).__name__})


async def _keep(hub: Hub, room: int, command: c.Command, actor: int | None) -> None:
    ledger = hub.ledger
    match command:
        case _ if ledger is None:
            return
        case c.EndMeeting() if actor is not None:
            await ledger.end(meeting_id=room, actor_id=actor)
        case c.Audit(action=action, target_id=target, reason=reason, anonymous=anonymous):
            who = None if anonymous else actor
            await ledger.record(meeting_id=room, actor_id=who, action=action, target_id=target, reason=reason)
        case c.Ban(user_id=uid, reason=reason) if actor is not None:
            await ledger.ban(meeting_id=room, actor_id=actor, user_id=uid, reason=reason)
        case c.Block(user_id=uid, blocked=blocked) if actor is not None:
            await ledger.block(user_id=actor, blocked_id=uid, blocked=blocked)
        case _:
            pass
