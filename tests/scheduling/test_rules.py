"""`meeting.scheduling.rules` as tables: RRULE texts accepted (and how they are written back)
and refused with their exact messages, and IANA time zone names."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from meeting.scheduling import ScheduleError, parse_rrule, validate_timezone

NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FREQ=WEEKLY", "FREQ=WEEKLY"),
        ("rrule:freq=weekly;interval=2;byday=tu", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        (" FREQ=MONTHLY ; BYDAY=+1TU ; COUNT=12 ;", "FREQ=MONTHLY;COUNT=12;BYDAY=1TU"),
        (
            "FREQ=MONTHLY;BYDAY=1TU,-1FR;UNTIL=20261231T235959Z",
            "FREQ=MONTHLY;UNTIL=20261231T235959Z;BYDAY=1TU,-1FR",
        ),
        ("FREQ=WEEKLY;UNTIL=20261231", "FREQ=WEEKLY;UNTIL=20270101T045959Z"),
        ("FREQ=WEEKLY;BYDAY=TU,TU,TH;WKST=SU", "FREQ=WEEKLY;BYDAY=TU,TH;WKST=SU"),
        ("FREQ=MONTHLY;BYMONTHDAY=6,-1", "FREQ=MONTHLY;BYMONTHDAY=6,-1"),
        ("FREQ=DAILY;COUNT=520", "FREQ=DAILY;COUNT=520"),
    ],
)
def test_rules_are_written_canonically(text: str, expected: str) -> None:
    assert str(parse_rrule(text, dtstart=datetime(2026, 1, 6, 19, tzinfo=NY))) == expected


TUESDAY = datetime(2026, 1, 6, 19, tzinfo=NY)  # the first Tuesday of 2026


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The recurrence rule is empty; give one such as FREQ=WEEKLY;BYDAY=TU."),
        ("RRULE:", "The recurrence rule is empty; give one such as FREQ=WEEKLY;BYDAY=TU."),
        ("FREQ=WEEKLY;" * 30, "The recurrence rule is too long (at most 300 characters)."),
        ("WEEKLY", "Recurrence rule part 'WEEKLY' is not NAME=VALUE."),
        ("FREQ=WEEKLY;;COUNT=2", "Recurrence rule part '' is not NAME=VALUE."),
        ("FREQ=", "Recurrence rule part 'FREQ=' is not NAME=VALUE."),
        ("FREQ=WEEKLY;FREQ=DAILY", "The recurrence rule gives FREQ twice."),
        ("COUNT=3", "The recurrence rule needs FREQ=DAILY, FREQ=WEEKLY or FREQ=MONTHLY."),
        ("FREQ=HOURLY", "FREQ=HOURLY is not allowed: meetings recur at most daily."),
        ("FREQ=MINUTELY", "FREQ=MINUTELY is not allowed: meetings recur at most daily."),
        ("FREQ=YEARLY", "FREQ=YEARLY is not supported; use DAILY, WEEKLY or MONTHLY."),
        ("FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY is not supported; use DAILY, WEEKLY or MONTHLY."),
        (
            "FREQ=DAILY;BYHOUR=9,21",
            "BYHOUR is not supported: a meeting recurs at the time of its first occurrence.",
        ),
        (
            "FREQ=DAILY;BYMINUTE=0",
            "BYMINUTE is not supported: a meeting recurs at the time of its first occurrence.",
        ),
        (
            "FREQ=DAILY;BYSECOND=0",
            "BYSECOND is not supported: a meeting recurs at the time of its first occurrence.",
        ),
        (
            "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1",
            "BYSETPOS is not supported: for the nth weekday of the month write BYDAY=2TU (second Tuesday) "
            "or -1FR (last Friday).",
        ),
        (
            "FREQ=MONTHLY;BYMONTH=1",
            "BYMONTH is not supported: use FREQ=MONTHLY with INTERVAL, BYDAY or BYMONTHDAY.",
        ),
        ("FREQ=WEEKLY;BYWEEKNO=2", "BYWEEKNO is not supported: use FREQ=WEEKLY with INTERVAL."),
        ("FREQ=WEEKLY;X-NAME=1", "X-NAME is not a recurrence rule part Hearth knows."),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 52, not '0'."),
        ("FREQ=WEEKLY;INTERVAL=53", "INTERVAL must be a whole number from 1 to 52, not '53'."),
        ("FREQ=WEEKLY;INTERVAL=-1", "INTERVAL must be a whole number from 1 to 52, not '-1'."),
        ("FREQ=WEEKLY;COUNT=0", "COUNT must be a whole number from 1 to 520, not '0'."),
        ("FREQ=WEEKLY;COUNT=521", "COUNT must be a whole number from 1 to 520, not '521'."),
        ("FREQ=WEEKLY;COUNT=ten", "COUNT must be a whole number from 1 to 520, not 'TEN'."),
        ("FREQ=MONTHLY;COUNT=200", "COUNT=200 runs more than ten years past the first meeting."),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20261231T000000Z", "Give COUNT or UNTIL, not both."),
        (
            "FREQ=WEEKLY;UNTIL=2026-12-31",
            "UNTIL must be a UTC time such as 20261231T235959Z or a date such as 20261231, not '2026-12-31'.",
        ),
        (
            "FREQ=WEEKLY;UNTIL=20261231T235959",
            "UNTIL must be a UTC time such as 20261231T235959Z or a date such as 20261231, "
            "not '20261231T235959'.",
        ),
        (
            "FREQ=WEEKLY;UNTIL=20260231",
            "UNTIL must be a UTC time such as 20261231T235959Z or a date such as 20261231, not '20260231'.",
        ),
        ("FREQ=WEEKLY;UNTIL=20260101T000000Z", "UNTIL (2026-01-01 00:00 UTC) is before the first meeting."),
        ("FREQ=WEEKLY;UNTIL=20370101T000000Z", "UNTIL is more than ten years after the first meeting."),
        (
            "FREQ=WEEKLY;BYDAY=TUESDAY",
            "BYDAY has 'TUESDAY', which is not a weekday (MO, TU, WE, TH, FR, SA or SU, "
            "with an optional position such as 2TU or -1FR).",
        ),
        (
            "FREQ=WEEKLY;BYDAY=TU,",
            "BYDAY has '', which is not a weekday (MO, TU, WE, TH, FR, SA or SU, "
            "with an optional position such as 2TU or -1FR).",
        ),
        ("FREQ=WEEKLY;BYDAY=2TU", "BYDAY=2TU (a position in the month) needs FREQ=MONTHLY."),
        ("FREQ=MONTHLY;BYDAY=6TU", "The position in BYDAY=6TU must be 1 to 5 or -1 to -5."),
        ("FREQ=MONTHLY;BYDAY=0TU", "The position in BYDAY=0TU must be 1 to 5 or -1 to -5."),
        (
            "FREQ=MONTHLY;BYDAY=TU,-1FR",
            "BYDAY=TU,-1FR mixes days with and without a position; use one kind or the other.",
        ),
        ("FREQ=WEEKLY;BYMONTHDAY=6", "BYMONTHDAY needs FREQ=MONTHLY."),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY must be 1 to 31 or -1 to -31, not '32'."),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY must be 1 to 31 or -1 to -31, not '0'."),
        ("FREQ=WEEKLY;WKST=XX", "WKST must be a weekday (MO, TU, WE, TH, FR, SA or SU), not 'XX'."),
        (
            "FREQ=WEEKLY;BYDAY=WE",
            "The first meeting (Tuesday 2026-01-06 19:00) is not a day the rule FREQ=WEEKLY;BYDAY=WE "
            "includes; start the series on one of its days.",
        ),
        (
            "FREQ=MONTHLY;BYDAY=2TU",
            "The first meeting (Tuesday 2026-01-06 19:00) is not a day the rule FREQ=MONTHLY;BYDAY=2TU "
            "includes; start the series on one of its days.",
        ),
    ],
)
def test_refused_rules(text: str, message: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_rrule(text, dtstart=TUESDAY)
    assert str(caught.value) == message
    assert caught.value.field == "rrule"


def test_parse_rrule_needs_an_aware_start() -> None:
    with pytest.raises(ValueError, match="naive"):
        parse_rrule("FREQ=WEEKLY", dtstart=datetime(2026, 1, 6, 19))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("America/New_York", "America/New_York"),
        ("america/new_york", "America/New_York"),
        (" Europe/Berlin ", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("Asia/Kolkata", "Asia/Kolkata"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_time_zones(name: str, expected: str) -> None:
    assert validate_timezone(name) == expected


@pytest.mark.parametrize(
    "name", ["EST", "CET", "GMT", "+02:00", "UTC+2", "Mars/Olympus_Mons", "", "localtime", "../etc/passwd"]
)
def test_refused_time_zones(name: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        validate_timezone(name)
    assert str(caught.value) == (
        f"Time zone {name!r} is not an IANA time zone name such as America/New_York or Europe/Berlin."
    )
    assert caught.value.field == "timezone"
