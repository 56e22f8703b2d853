"""`moderation.entry.room_status` as a table: the entry window's edges and the facilitator's states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from moderation.entry import OPENS_BEFORE, opens_at, room_status

S = datetime(2031, 5, 6, 18, 0, tzinfo=UTC)
E = S + timedelta(hours=1)
MIN, SEC = timedelta(minutes=1), timedelta(seconds=1)


@pytest.mark.parametrize(
    ("now", "state", "expected"),
    [
        (S - timedelta(days=1), "scheduled", "not_yet"),
        (S - 10 * MIN - SEC, "scheduled", "not_yet"),  # 10:01 before: not yet
        (S - 10 * MIN, "scheduled", "open"),  # exactly 10 minutes before: open
        (S - 9 * MIN - 59 * SEC, "scheduled", "open"),
        (S, "scheduled", "open"),
        (E - SEC, "scheduled", "open"),
        (E, "scheduled", "ended"),  # exactly at the end: ended
        (E + timedelta(days=1), "scheduled", "ended"),
        (S - timedelta(days=1), "open", "open"),  # a facilitator opened it early
        (S - 10 * MIN - SEC, "open", "open"),
        (E - SEC, "open", "open"),
        (E, "open", "ended"),  # opening early does not run past the end
        (S - timedelta(days=1), "ended", "ended"),  # a facilitator ended it
        (S, "ended", "ended"),
        (E - SEC, "ended", "ended"),
    ],
)
def test_room_status(now: datetime, state: str, expected: str) -> None:
    assert room_status(now, S, E, state) == expected


def test_offsets_are_compared_as_instants() -> None:
    paris = timezone(timedelta(hours=2))
    now = datetime(2031, 5, 6, 19, 50, tzinfo=paris)  # 17:50 UTC: exactly 10 minutes before
    assert room_status(now, S, E, "scheduled") == "open"
    assert room_status(now - SEC, S, E, "scheduled") == "not_yet"


@pytest.mark.parametrize(
    ("before", "now", "expected"),
    [
        (timedelta(0), S - SEC, "not_yet"),
        (timedelta(0), S, "open"),
        (timedelta(hours=1), S - 59 * MIN, "open"),
    ],
)
def test_the_window_length_can_be_changed(before: timedelta, now: datetime, expected: str) -> None:
    assert room_status(now, S, E, "scheduled", opens_before=before) == expected


def test_opens_at_is_ten_minutes_before_the_start() -> None:
    assert timedelta(minutes=10) == OPENS_BEFORE
    assert opens_at(S) == datetime(2031, 5, 6, 17, 50, tzinfo=UTC)


@pytest.mark.parametrize("which", ["now", "starts_at", "ends_at"])
def test_naive_datetimes_are_refused(which: str) -> None:
    args = {"now": S, "starts_at": S, "ends_at": E} | {which: datetime(2031, 5, 6, 18, 0)}
    with pytest.raises(ValueError, match=which):
        room_status(args["now"], args["starts_at"], args["ends_at"], "scheduled")


def test_unknown_state_and_negative_window_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown meeting state 'paused'"):
        room_status(S, S, E, "paused")
    with pytest.raises(ValueError, match="negative"):
        room_status(S, S, E, "scheduled", opens_before=-MIN)
