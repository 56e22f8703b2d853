"""Every table, imported in one place so Alembic and `SQLModel.metadata` see them all."""

from meeting.accounts.models import LoginSession, Throttle, User
from meeting.groups.models import Group, GroupRole, GuidelinesAcceptance, Meeting

__all__ = ["Group", "GroupRole", "GuidelinesAcceptance", "LoginSession", "Meeting", "Throttle", "User"]
