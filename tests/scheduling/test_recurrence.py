"""`meeting.scheduling` as tables: what recurs (the wall clock in the series' zone), DST changes
in the US (2026-03-08, 2026-11-01) and the EU (2026-03-29, 2026-10-25), leap days, midnight,
nonexistent and repeated local times, cancelled and moved occurrences, and refused series
(refused rules are in test_rules.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from meeting.scheduling import (
    Occurrence,
    Override,
    ScheduleError,
    Series,
    generated,
    local_original,
    next_occurrence,
    occurrences,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
ALL_OF_IT = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def series(
    start: datetime,
    minutes: int,
    tz: str,
    rrule: str | None = None,
    **more: object,
) -> Series:
    return Series(
        start=start,
        end=start + timedelta(minutes=minutes),
        timezone=tz,
        rrule=rrule,
        **more,  # type: ignore[arg-type]
    )


def starts(s: Series, lo: datetime = ALL_OF_IT[0], hi: datetime = ALL_OF_IT[1]) -> list[datetime]:
    return [o.start for o in occurrences(s, start=lo, end=hi)]


@pytest.mark.parametrize(
    ("case", "s", "expected"),
    [
        (
            "weekly 19:00 New York across the March change",
            series(datetime(2026, 3, 3, 19, tzinfo=NY), 60, "America/New_York", "FREQ=WEEKLY;COUNT=3"),
            [utc(2026, 3, 4, 0), utc(2026, 3, 10, 23), utc(2026, 3, 17, 23)],
        ),
        (
            "weekly 19:00 New York across the November change",
            series(datetime(2026, 10, 27, 19, tzinfo=NY), 60, "America/New_York", "FREQ=WEEKLY;COUNT=3"),
            [utc(2026, 10, 27, 23), utc(2026, 11, 4, 0), utc(2026, 11, 11, 0)],
        ),
        (
            "Sunday 10:00 Berlin across the March change",
            series(datetime(2026, 3, 22, 10, tzinfo=BERLIN), 90, "Europe/Berlin", "FREQ=WEEKLY;COUNT=3"),
            [utc(2026, 3, 22, 9), utc(2026, 3, 29, 8), utc(2026, 4, 5, 8)],
        ),
        (
            "Sunday 10:00 Berlin across the October change",
            series(datetime(2026, 10, 18, 10, tzinfo=BERLIN), 90, "Europe/Berlin", "FREQ=WEEKLY;COUNT=3"),
            [utc(2026, 10, 18, 8), utc(2026, 10, 25, 9), utc(2026, 11, 1, 9)],
        ),
        (
            "the first start may be given in any zone: 00:00 UTC is 19:00 in New York",
            series(utc(2026, 3, 4, 0), 60, "America/New_York", "FREQ=WEEKLY;COUNT=2"),
            [utc(2026, 3, 4, 0), utc(2026, 3, 10, 23)],
        ),
        (
            "a UTC series does not move",
            series(utc(2026, 3, 4, 0), 60, "UTC", "FREQ=WEEKLY;COUNT=2"),
            [utc(2026, 3, 4, 0), utc(2026, 3, 11, 0)],
        ),
        (
            "every other week",
            series(
                datetime(2026, 3, 3, 19, tzinfo=NY), 60, "America/New_York", "FREQ=WEEKLY;INTERVAL=2;COUNT=3"
            ),
            [utc(2026, 3, 4, 0), utc(2026, 3, 17, 23), utc(2026, 3, 31, 23)],
        ),
        (
            "every other week on two days, weeks starting on Sunday",
            series(
                datetime(2026, 3, 1, 18, tzinfo=BERLIN),
                60,
                "Europe/Berlin",
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,WE;WKST=SU;COUNT=4",
            ),
            [utc(2026, 3, 1, 17), utc(2026, 3, 4, 17), utc(2026, 3, 15, 17), utc(2026, 3, 18, 17)],
        ),
        (
            "monthly on the second Tuesday",
            series(
                datetime(2026, 1, 13, 19, tzinfo=NY), 60, "America/New_York", "FREQ=MONTHLY;BYDAY=2TU;COUNT=4"
            ),
            [utc(2026, 1, 14, 0), utc(2026, 2, 11, 0), utc(2026, 3, 10, 23), utc(2026, 4, 14, 23)],
        ),
        (
            "monthly on the last Friday",
            series(
                datetime(2026, 1, 30, 12, tzinfo=BERLIN),
                60,
                "Europe/Berlin",
                "FREQ=MONTHLY;BYDAY=-1FR;COUNT=5",
            ),
            [
                utc(2026, 1, 30, 11),
                utc(2026, 2, 27, 11),
                utc(2026, 3, 27, 11),
                utc(2026, 4, 24, 10),
                utc(2026, 5, 29, 10),
            ],
        ),
        (
            "monthly on the first and third Monday",
            series(
                datetime(2026, 6, 1, 9, tzinfo=BERLIN),
                60,
                "Europe/Berlin",
                "FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=4",
            ),
            [utc(2026, 6, 1, 7), utc(2026, 6, 15, 7), utc(2026, 7, 6, 7), utc(2026, 7, 20, 7)],
        ),
        (
            "weekdays only, daily",
            series(
                datetime(2026, 5, 1, 8, tzinfo=BERLIN),
                30,
                "Europe/Berlin",
                "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=3",
            ),
            [utc(2026, 5, 1, 6), utc(2026, 5, 4, 6), utc(2026, 5, 5, 6)],
        ),
        (
            "UNTIL as a UTC time is inclusive",
            series(
                datetime(2026, 3, 3, 19, tzinfo=NY),
                60,
                "America/New_York",
                "FREQ=WEEKLY;UNTIL=20260317T230000Z",
            ),
            [utc(2026, 3, 4, 0), utc(2026, 3, 10, 23), utc(2026, 3, 17, 23)],
        ),
        (
            "UNTIL one second earlier leaves that meeting out",
            series(
                datetime(2026, 3, 3, 19, tzinfo=NY),
                60,
                "America/New_York",
                "FREQ=WEEKLY;UNTIL=20260317T225959Z",
            ),
            [utc(2026, 3, 4, 0), utc(2026, 3, 10, 23)],
        ),
        (
            "UNTIL as a date runs to the end of that day in the series' zone (19:00 there is 23:00 UTC)",
            series(datetime(2026, 3, 3, 19, tzinfo=NY), 60, "America/New_York", "FREQ=WEEKLY;UNTIL=20260317"),
            [utc(2026, 3, 4, 0), utc(2026, 3, 10, 23), utc(2026, 3, 17, 23)],
        ),
        (
            "leap day: BYMONTHDAY=29 skips February 2027 but not February 2028",
            series(
                datetime(2027, 12, 29, 18, tzinfo=BERLIN),
                60,
                "Europe/Berlin",
                "FREQ=MONTHLY;BYMONTHDAY=29;COUNT=4",
            ),
            [utc(2027, 12, 29, 17), utc(2028, 1, 29, 17), utc(2028, 2, 29, 17), utc(2028, 3, 29, 16)],
        ),
        (
            "BYMONTHDAY=29 from January 2027 goes straight to March",
            series(
                datetime(2027, 1, 29, 18, tzinfo=BERLIN),
                60,
                "Europe/Berlin",
                "FREQ=MONTHLY;BYMONTHDAY=29;COUNT=2",
            ),
            [utc(2027, 1, 29, 17), utc(2027, 3, 29, 16)],
        ),
        (
            "a weekly Tuesday falls on 2028-02-29",
            series(datetime(2028, 2, 22, 19, tzinfo=NY), 60, "America/New_York", "FREQ=WEEKLY;COUNT=2"),
            [utc(2028, 2, 23, 0), utc(2028, 3, 1, 0)],
        ),
        (
            "monthly from the 31st skips shorter months",
            series(datetime(2026, 1, 31, 10, tzinfo=BERLIN), 60, "Europe/Berlin", "FREQ=MONTHLY;COUNT=3"),
            [utc(2026, 1, 31, 9), utc(2026, 3, 31, 8), utc(2026, 5, 31, 8)],
        ),
        (
            "02:30 does not exist on 2026-03-08: the meeting is at 03:30 EDT (offset from before the gap)",
            series(datetime(2026, 3, 1, 2, 30, tzinfo=NY), 60, "America/New_York", "FREQ=WEEKLY;COUNT=3"),
            [utc(2026, 3, 1, 7, 30), utc(2026, 3, 8, 7, 30), utc(2026, 3, 15, 6, 30)],
        ),
        (
            "02:30 does not exist on 2026-03-29 in Berlin either",
            series(datetime(2026, 3, 22, 2, 30, tzinfo=BERLIN), 60, "Europe/Berlin", "FREQ=WEEKLY;COUNT=3"),
            [utc(2026, 3, 22, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 4, 5, 0, 30)],
        ),
        (
            "01:30 happens twice on 2026-11-01: the first one (EDT) is meant",
            series(datetime(2026, 10, 25, 1, 30, tzinfo=NY), 60, "America/New_York", "FREQ=WEEKLY;COUNT=3"),
            [utc(2026, 10, 25, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 8, 6, 30)],
        ),
        (
            "02:30 happens twice on 2026-10-25 in Berlin: the first one (CEST) is meant",
            series(datetime(2026, 10, 18, 2, 30, tzinfo=BERLIN), 60, "Europe/Berlin", "FREQ=WEEKLY;COUNT=3"),
            [utc(2026, 10, 18, 0, 30), utc(2026, 10, 25, 0, 30), utc(2026, 11, 1, 1, 30)],
        ),
        (
            "a one-off meeting",
            series(datetime(2026, 3, 8, 19, tzinfo=NY), 60, "America/New_York"),
            [utc(2026, 3, 8, 23)],
        ),
    ],
)
def test_occurrence_starts(case: str, s: Series, expected: list[datetime]) -> None:
    assert starts(s) == expected, case
    assert all(o.end - o.start == s.duration for o in occurrences(s, start=ALL_OF_IT[0], end=ALL_OF_IT[1]))


@pytest.mark.parametrize(("tz", "zone"), [("America/New_York", NY), ("Europe/Berlin", BERLIN)])
def test_the_wall_clock_recurs_for_a_year(tz: str, zone: ZoneInfo) -> None:
    s = series(datetime(2026, 1, 6, 19, tzinfo=zone), 90, tz, "FREQ=WEEKLY")
    found = occurrences(s, start=utc(2026, 1, 1), end=utc(2027, 1, 1))
    assert len(found) == 52
    assert {(o.start.astimezone(zone).strftime("%a %H:%M")) for o in found} == {"Tue 19:00"}
    assert {o.start.utcoffset() for o in found} == {timedelta(0)}
    assert len({o.start.astimezone(UTC).hour for o in found}) == 2  # the UTC time moves twice


@pytest.mark.parametrize(
    ("case", "start", "tz", "expected_end", "local_end"),
    [
        (
            "23:00-01:00 crosses midnight",
            datetime(2026, 3, 7, 23, tzinfo=NY),
            "America/New_York",
            utc(2026, 3, 8, 6),
            "01:00",
        ),
        (
            "the next week it still lasts two hours",
            datetime(2026, 3, 14, 23, tzinfo=NY),
            "America/New_York",
            utc(2026, 3, 15, 5),
            "01:00",
        ),
        (
            "01:00-03:00 on the US change keeps two hours, ending 04:00 EDT",
            datetime(2026, 3, 8, 1, tzinfo=NY),
            "America/New_York",
            utc(2026, 3, 8, 8),
            "04:00",
        ),
        (
            "01:00-03:00 on the EU change keeps two hours, ending 04:00 CEST",
            datetime(2026, 3, 29, 1, tzinfo=BERLIN),
            "Europe/Berlin",
            utc(2026, 3, 29, 2),
            "04:00",
        ),
        (
            "01:30-03:30 on the EU October change keeps two hours, ending 02:30 CET",
            datetime(2026, 10, 25, 1, 30, tzinfo=BERLIN),
            "Europe/Berlin",
            utc(2026, 10, 25, 1, 30),
            "02:30",
        ),
    ],
)
def test_meetings_keep_their_length(
    case: str, start: datetime, tz: str, expected_end: datetime, local_end: str
) -> None:
    first = start - timedelta(days=7)
    s = series(first, 120, tz, "FREQ=WEEKLY;COUNT=4")
    (found,) = occurrences(s, start=start, end=start + timedelta(minutes=1))
    assert found.start == start
    assert found.end == expected_end, case
    assert found.end.astimezone(ZoneInfo(tz)).strftime("%H:%M") == local_end


WEEKLY = series(datetime(2026, 3, 3, 19, tzinfo=NY), 60, "America/New_York", "FREQ=WEEKLY;COUNT=5")
FIRST, SECOND, THIRD, FOURTH, FIFTH = (
    utc(2026, 3, 4, 0),
    utc(2026, 3, 10, 23),
    utc(2026, 3, 17, 23),
    utc(2026, 3, 24, 23),
    utc(2026, 3, 31, 23),
)


def test_cancelled_and_moved_occurrences() -> None:
    moved_to = datetime(2026, 3, 25, 18, tzinfo=NY)  # the fourth meeting, a day later and an hour earlier
    s = series(
        datetime(2026, 3, 3, 19, tzinfo=NY),
        60,
        "America/New_York",
        "FREQ=WEEKLY;COUNT=5",
        exdates=frozenset({datetime(2026, 3, 10, 19, tzinfo=NY)}),  # any zone names the same instant
        overrides={FOURTH: Override(moved_to, moved_to + timedelta(minutes=90))},
    )
    assert occurrences(s, start=utc(2026, 3, 1), end=utc(2026, 4, 30)) == [
        Occurrence(FIRST, FIRST + timedelta(hours=1), FIRST),
        Occurrence(THIRD, THIRD + timedelta(hours=1), THIRD),
        Occurrence(utc(2026, 3, 25, 22), utc(2026, 3, 25, 23, 30), FOURTH, overridden=True),
        Occurrence(FIFTH, FIFTH + timedelta(hours=1), FIFTH),
    ]
    # A moved occurrence is found where it now is, and kept out of where it was.
    assert starts(s, utc(2026, 3, 24, 22), utc(2026, 3, 25)) == []
    assert [o.key for o in occurrences(s, start=utc(2026, 3, 25, 21), end=utc(2026, 3, 26))] == [
        "20260324T230000Z"
    ]


def test_a_moved_occurrence_may_change_places_with_the_next() -> None:
    s = series(
        datetime(2026, 3, 3, 19, tzinfo=NY),
        60,
        "America/New_York",
        "FREQ=WEEKLY;COUNT=5",
        overrides={SECOND: Override(utc(2026, 3, 18, 0), utc(2026, 3, 18, 1))},
    )
    assert [o.key for o in occurrences(s, start=utc(2026, 3, 1), end=utc(2026, 3, 20))] == [
        "20260304T000000Z",
        "20260317T230000Z",
        "20260310T230000Z",
    ]


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (FIRST, FIRST + timedelta(hours=1), [FIRST]),
        (FIRST + timedelta(minutes=59), SECOND, [FIRST]),  # still in progress
        (FIRST + timedelta(hours=1), SECOND, []),  # ends exactly as the window opens
        (FIRST + timedelta(hours=1), SECOND + timedelta(seconds=1), [SECOND]),
        (utc(2026, 1, 1), FIRST, []),  # starts exactly as the window closes
        (utc(2026, 1, 1), utc(2027, 1, 1), [FIRST, SECOND, THIRD, FOURTH, FIFTH]),
        (FIFTH + timedelta(hours=1), utc(2030, 1, 1), []),
    ],
)
def test_windows_hold_what_overlaps_them(lo: datetime, hi: datetime, expected: list[datetime]) -> None:
    assert starts(WEEKLY, lo, hi) == expected


def test_limit() -> None:
    assert [o.start for o in occurrences(WEEKLY, start=utc(2026, 1, 1), end=utc(2027, 1, 1), limit=2)] == [
        FIRST,
        SECOND,
    ]


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (utc(2026, 1, 1), FIRST),
        (FIRST + timedelta(minutes=30), FIRST),  # in progress
        (FIRST + timedelta(hours=1), SECOND),
        (FIFTH + timedelta(hours=1), None),
    ],
)
def test_next_occurrence(after: datetime, expected: datetime | None) -> None:
    found = next_occurrence(WEEKLY, after=after)
    assert (found and found.start) == expected


def test_next_occurrence_skips_cancelled_ones_and_sees_moved_ones() -> None:
    moved = Override(utc(2026, 3, 9, 12), utc(2026, 3, 9, 13))
    s = series(
        datetime(2026, 3, 3, 19, tzinfo=NY),
        60,
        "America/New_York",
        "FREQ=WEEKLY",
        exdates=frozenset({FIRST}),
        overrides={THIRD: moved},
    )
    assert next_occurrence(s, after=utc(2026, 3, 1)) == Occurrence(
        moved.start, moved.end, THIRD, overridden=True
    )
    assert next_occurrence(s, after=utc(2026, 3, 9, 13)) == Occurrence(
        SECOND, SECOND + timedelta(hours=1), SECOND
    )
    assert next_occurrence(s, after=utc(2030, 1, 1)) is not None  # no end: it goes on


def test_a_one_off_meeting_can_be_cancelled_or_moved() -> None:
    start = datetime(2026, 3, 8, 19, tzinfo=NY)
    assert starts(series(start, 60, "America/New_York", exdates=frozenset({start}))) == []
    moved = series(
        start,
        60,
        "America/New_York",
        overrides={start: Override(start + timedelta(days=1), start + timedelta(days=1, hours=1))},
    )
    assert occurrences(moved, start=ALL_OF_IT[0], end=ALL_OF_IT[1]) == [
        Occurrence(utc(2026, 3, 9, 23), utc(2026, 3, 10, 0), utc(2026, 3, 8, 23), overridden=True)
    ]
    assert (
        next_occurrence(moved, after=utc(2026, 3, 9))
        == occurrences(moved, start=ALL_OF_IT[0], end=ALL_OF_IT[1])[0]
    )


def test_local_original_is_the_wall_time_as_written() -> None:
    s = series(datetime(2026, 3, 1, 2, 30, tzinfo=NY), 60, "America/New_York", "FREQ=WEEKLY;COUNT=3")
    wall = local_original(s, utc(2026, 3, 8, 7, 30))
    assert wall is not None
    assert wall.replace(tzinfo=None) == datetime(2026, 3, 8, 2, 30)
    assert local_original(s, utc(2026, 3, 8, 6, 30)) is None
    assert local_original(s, utc(2026, 3, 22, 6, 30)) is None  # past COUNT
    assert [wall.strftime("%d %H:%M") for wall, _ in generated(s, start=ALL_OF_IT[0], end=ALL_OF_IT[1])] == [
        "01 02:30",
        "08 02:30",
        "15 02:30",
    ]


def test_keys_are_utc_text() -> None:
    (found,) = occurrences(WEEKLY, start=FIRST, end=FIRST + timedelta(minutes=1))
    assert found.key == "20260304T000000Z"


START = datetime(2026, 3, 3, 19, tzinfo=NY)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"start": datetime(2026, 3, 3, 19)},
            "starts_at",
            "starts_at needs a time zone (a UTC offset such as +00:00).",
        ),
        (
            {"end": datetime(2026, 3, 3, 20)},
            "ends_at",
            "ends_at needs a time zone (a UTC offset such as +00:00).",
        ),
        ({"end": START}, "ends_at", "ends_at must be after starts_at."),
        ({"end": START - timedelta(minutes=1)}, "ends_at", "ends_at must be after starts_at."),
        ({"end": START + timedelta(hours=24, seconds=1)}, "ends_at", "A meeting can last at most 24 hours."),
        (
            {"timezone": "EST"},
            "timezone",
            "Time zone 'EST' is not an IANA time zone name such as America/New_York or Europe/Berlin.",
        ),
        ({"rrule": "FREQ=YEARLY"}, "rrule", "FREQ=YEARLY is not supported; use DAILY, WEEKLY or MONTHLY."),
        (
            {"start": START.replace(microsecond=5), "end": START + timedelta(hours=1)},
            "starts_at",
            "A recurring meeting must start on a whole second.",
        ),
        (
            {"start": utc(2026, 11, 1, 6, 30), "end": utc(2026, 11, 1, 7, 30)},  # 01:30 EST, the second 01:30
            "starts_at",
            "A recurring meeting cannot start in the hour that repeats when the clocks go back; "
            "start the series on another day or at another time.",
        ),
        (
            {"exdates": frozenset({utc(2026, 3, 11, 0)})},
            "exdates",
            "20260311T000000Z is not an occurrence of this series.",
        ),
        (
            {"exdates": frozenset({utc(2026, 4, 7, 23)})},
            "exdates",
            "20260407T230000Z is not an occurrence of this series.",
        ),
        (
            {"exdates": frozenset({datetime(2026, 3, 10, 19)})},
            "exdates",
            "A cancelled occurrence needs a time zone (a UTC offset such as +00:00).",
        ),
        (
            {"overrides": {SECOND: Override(utc(2026, 3, 12), utc(2026, 3, 11))}},
            "overrides",
            "Occurrence 20260310T230000Z must end after it starts, within 24 hours.",
        ),
        (
            {"overrides": {SECOND: Override(utc(2026, 3, 12), utc(2026, 3, 13, 0, 1))}},
            "overrides",
            "Occurrence 20260310T230000Z must end after it starts, within 24 hours.",
        ),
        (
            {"overrides": {utc(2026, 3, 10, 22): Override(utc(2026, 3, 12), utc(2026, 3, 12, 1))}},
            "overrides",
            "20260310T220000Z is not an occurrence of this series.",
        ),
        (
            {
                "exdates": frozenset({SECOND}),
                "overrides": {SECOND: Override(utc(2026, 3, 12), utc(2026, 3, 12, 1))},
            },
            "overrides",
            "Occurrence 20260310T230000Z is both cancelled and moved.",
        ),
    ],
)
def test_refused_series(kwargs: dict[str, object], field: str, message: str) -> None:
    values: dict[str, object] = {
        "start": START,
        "end": START + timedelta(hours=1),
        "timezone": "America/New_York",
        "rrule": "FREQ=WEEKLY;COUNT=5",
    }
    with pytest.raises(ScheduleError) as caught:
        Series(**{**values, **kwargs})  # type: ignore[arg-type]
    assert str(caught.value) == message
    assert caught.value.field == field


def test_a_one_off_meeting_may_start_in_the_repeated_hour() -> None:
    s = Series(start=utc(2026, 11, 1, 6, 30), end=utc(2026, 11, 1, 7, 30), timezone="America/New_York")
    assert starts(s) == [utc(2026, 11, 1, 6, 30)]
    assert s.duration == timedelta(hours=1)
