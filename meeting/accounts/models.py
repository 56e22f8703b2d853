"""Account tables and their API shapes (Base / Create / Public / table families).

The email address is private: only `UserPublic` (for the account owner and admins) carries it;
other members only ever see `display_name`, the pseudonym chosen at registration.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import ConfigDict
from sqlmodel import Field, SQLModel

from meeting.db import UTCDateTime, utcnow

EMAIL_MAX = 254
NAME_MAX = 40


class Role(StrEnum):
    """Platform-wide role. Per-group roles (host, facilitator) live with groups."""

    admin = "admin"
    host = "host"
    member = "member"


class UserBase(SQLModel):
    email: str = Field(max_length=EMAIL_MAX)
    display_name: str = Field(max_length=NAME_MAX)


class UserCreate(UserBase):
    """What `POST /api/v1/accounts` accepts."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]
    password: str


class UserPublic(UserBase):
    """What the account owner sees of themselves."""

    id: int
    role: Role


class User(UserBase, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=EMAIL_MAX, sa_column_kwargs={"unique": True}, index=True)
    role: Role = Field(default=Role.member, sa_type=sa.String(16), index=True)  # the directory's seat count
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LoginSession(SQLModel, table=True):
    """A server-side session. Only the SHA-256 of the cookie token is stored."""

    __tablename__ = "login_sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class Throttle(SQLModel, table=True):
    """Failed-attempt counter for one key (a hashed email or client address) in a window."""

    __tablename__ = "throttles"

    key: str = Field(primary_key=True, max_length=80)
    failures: int = 0
    window_start: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
