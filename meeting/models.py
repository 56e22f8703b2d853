"""Every table, imported in one place so Alembic and `SQLModel.metadata` see them all."""

from meeting.accounts.models import LoginSession, Throttle, User
from meeting.attendance.models import Attendance, MemberPrefs, Rsvp, Visit
from meeting.calendars.models import CalendarToken
from meeting.groups.models import (
    Group,
    GroupNotice,
    GroupRole,
    GroupTopic,
    GuidelinesAcceptance,
    JoinRequest,
    Meeting,
    MeetingSeries,
)
from meeting.moderation.models import GroupBan, MemberBlock, ModerationEvent
from meeting.reminders.models import ReminderSent

__all__ = [
    "Attendance",
    "CalendarToken",
    "Group",
    "GroupBan",
    "GroupNotice",
    "GroupRole",
    "GroupTopic",
    "GuidelinesAcceptance",
    "JoinRequest",
    "LoginSession",
    "Meeting",
    "MeetingSeries",
    "MemberBlock",
    "MemberPrefs",
    "ModerationEvent",
    "ReminderSent",
    "Rsvp",
    "Throttle",
    "User",
    "Visit",
]
