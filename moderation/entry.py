"""When a meeting's room may be entered: a pure function of the clock and the meeting.

`room_status(now, starts_at, ends_at, state)` answers "not_yet", "open" or "ended":

- ended   once `ends_at` has passed (at exactly `ends_at` the room is closed) or a
          facilitator ended the meeting (state "ended"), whichever comes first;
- open    from `opens_before` (10 minutes) before `starts_at`, inclusive, or as soon as a
          facilitator opened it early (state "open");
- not_yet otherwise.

All datetimes must be timezone-aware (Hearth keeps UTC), so a naive value is a bug and
raises ValueError instead of being guessed at. No I/O: the room gate and the pages call it
with `utcnow()`, tests with any instant they like.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

RoomStatus = Literal["not_yet", "open", "ended"]
OPENS_BEFORE = timedelta(minutes=10)
STATES = ("scheduled", "open", "ended")


def opens_at(starts_at: datetime, opens_before: timedelta = OPENS_BEFORE) -> datetime:
    """The first instant the room admits members without a facilitator opening it early."""
    return starts_at - opens_before


def room_status(
    now: datetime,
    starts_at: datetime,
    ends_at: datetime,
    state: str,
    opens_before: timedelta = OPENS_BEFORE,
) -> RoomStatus:
    """Whether the room is "not_yet" open, "open" or "ended" at `now` (see the module doc)."""
    for name, value in (("now", now), ("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} is a naive datetime; pass a timezone-aware one")
    if state not in STATES:
        raise ValueError(f"unknown meeting state {state!r}; expected one of {', '.join(STATES)}")
    if opens_before < timedelta(0):
        raise ValueError("opens_before must not be negative")
    if state == "ended" or now >= ends_at:
        return "ended"
    if state == "open" or now >= opens_at(starts_at, opens_before):
        return "open"
    return "not_yet"
