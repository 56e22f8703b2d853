"""`ReminderSent`: the claim that one reminder (meeting, person, kind) is or was being sent.

A process inserts the row before sending, with ON CONFLICT DO NOTHING; only the process whose
insert went in sends, so each reminder goes out once however many processes run. A failed
send deletes its claim so that a later pass tries again.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from meeting.db import UTCDateTime, utcnow


class ReminderKind(StrEnum):
    day = "24h"
    hour = "1h"


class ReminderSent(SQLModel, table=True):
    __tablename__ = "reminders_sent"

    meeting_id: int = Field(foreign_key="meetings.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    kind: ReminderKind = Field(primary_key=True, sa_type=sa.String(8))
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
