"""Each member's preferences: reminder emails, showing group names, their time zone.

A member who never set any has the defaults (`MemberPrefs` with no row behind it): email on,
group names hidden, times in their browser's zone (or UTC where there is no browser).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.attendance.errors import BadInput
from meeting.attendance.models import MemberPrefs
from meeting.scheduling import ScheduleError, validate_timezone


async def preferences(s: AsyncSession, *, user_id: int) -> MemberPrefs:
    """The member's preferences (the defaults when they never set any; not saved then)."""
    found = await s.get(MemberPrefs, user_id, populate_existing=True)
    return found if found is not None else MemberPrefs(user_id=user_id)


async def update_preferences(s: AsyncSession, *, user_id: int, changes: dict[str, Any]) -> MemberPrefs:
    """Apply `changes` (any of reminders, reveal_group_name, timezone) and save."""
    prefs = await preferences(s, user_id=user_id)
    if "timezone" in changes and changes["timezone"] is not None:
        try:
            changes = changes | {"timezone": validate_timezone(changes["timezone"])}
        except ScheduleError as exc:
            raise BadInput(str(exc)) from None
    for name in ("reminders", "reveal_group_name"):
        if name in changes and changes[name] is None:
            raise BadInput(f"Field {name!r} must be true or false.")
    values = {
        "reminders": changes.get("reminders", prefs.reminders),
        "reveal_group_name": changes.get("reveal_group_name", prefs.reveal_group_name),
        "timezone": changes.get("timezone", prefs.timezone),
    }
    dialect = (await s.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(MemberPrefs).values(user_id=user_id, **values)
    await s.exec(statement.on_conflict_do_update(index_elements=["user_id"], set_=values))
    return await preferences(s, user_id=user_id)


def viewer_zone(name: str | None) -> ZoneInfo:
    """The zone to show times in: a valid IANA `name`, else UTC."""
    if name:
        try:
            return ZoneInfo(validate_timezone(name))
        except ScheduleError:
            pass
    return ZoneInfo("UTC")
