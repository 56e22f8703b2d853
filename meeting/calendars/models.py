"""The secret token of a member's "my meetings" calendar feed: only its SHA-256 is stored, so
the URL is shown once, when it is made; making a new one replaces it, deleting revokes it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from meeting.db import UTCDateTime, utcnow


class CalendarToken(SQLModel, table=True):
    __tablename__ = "calendar_tokens"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
