"""Every table, imported in one place so Alembic and `SQLModel.metadata` see them all."""

from meeting.accounts.models import LoginSession, Throttle, User
from meeting.groups.models import Group, GroupRole, GuidelinesAcceptance, Meeting
from meeting.moderation.models import GroupBan, MemberBlock, ModerationEvent

__all__ = [
    "Group",
    "GroupBan",
    "GroupRole",
    "GuidelinesAcceptance",
    "LoginSession",
    "Meeting",
    "MemberBlock",
    "ModerationEvent",
    "Throttle",
    "User",
]
