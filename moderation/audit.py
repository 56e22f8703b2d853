"""The moderation audit's vocabulary: what can be recorded, and how a page names it. Pure.

An audit entry says *that* something happened (who acted, on whom, which action, a reason code
or the facilitator's own words, when), never *what was said*. `meeting/` stores entries in the
`moderation_events` table; `rooms/` asks for them through its `Ledger`. Two actions carry no
person on purpose: a crisis alert is counted, not attributed, and a report names the reported
member but not who reported them.
"""

from __future__ import annotations

from enum import StrEnum

REASON_MAX = 200  # characters of a facilitator's reason


class AuditAction(StrEnum):
    mute = "mute"
    unmute = "unmute"
    remove = "remove"
    ban = "ban"
    unban = "unban"
    lock = "lock"
    unlock = "unlock"
    slow_mode = "slow_mode"
    facilitated_mode = "facilitated_mode"
    delete_message = "delete_message"
    restore_message = "restore_message"
    auto_hide = "auto_hide"
    announce = "announce"
    admit = "admit"
    to_waiting_room = "to_waiting_room"
    end = "end"
    report = "report"
    crisis_alert = "crisis_alert"


class ReportReason(StrEnum):
    """Why a member reports a message (a fixed list: a report carries no free text)."""

    harmful = "harmful"
    disrespectful = "disrespectful"
    solicitation = "solicitation"
    personal_info = "personal_info"
    other = "other"


LABELS: dict[AuditAction, str] = {
    AuditAction.mute: "Muted a member",
    AuditAction.unmute: "Unmuted a member",
    AuditAction.remove: "Removed a member from the meeting",
    AuditAction.ban: "Banned a member from the group",
    AuditAction.unban: "Lifted a ban",
    AuditAction.lock: "Locked the room",
    AuditAction.unlock: "Unlocked the room",
    AuditAction.slow_mode: "Changed slow mode",
    AuditAction.facilitated_mode: "Changed facilitated mode",
    AuditAction.delete_message: "Deleted a message",
    AuditAction.restore_message: "Restored a hidden message",
    AuditAction.auto_hide: "A message was hidden after reports",
    AuditAction.announce: "Pinned an announcement",
    AuditAction.admit: "Admitted from the waiting room",
    AuditAction.to_waiting_room: "Sent a member to the waiting room",
    AuditAction.end: "Ended the meeting",
    AuditAction.report: "A message was reported",
    AuditAction.crisis_alert: "Crisis resources were offered (facilitators alerted)",
}


def label(action: str) -> str:
    """A plain-language name for an audit action (the code itself if unknown)."""
    try:
        return LABELS[AuditAction(action)]
    except ValueError:
        return action
