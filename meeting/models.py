"""Every table, imported in one place so Alembic and `SQLModel.metadata` see them all."""

from meeting.accounts.models import LoginSession, Throttle, User

__all__ = ["LoginSession", "Throttle", "User"]
