"""`meeting.groups.vocabulary` as tables: topics, style, visibility, language tags, and the
directory's day and time-of-day filter in the viewer's zone (midnight, DST)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, time

import pytest

from meeting.groups.vocabulary import (
    TOPIC_LABELS,
    TOPICS,
    Style,
    TimeWindow,
    Visibility,
    VocabularyError,
    in_time_window,
    parse_language,
    parse_time_window,
    parse_topics,
    parse_weekdays,
)

KNOWN = (
    "anxiety, depression, bipolar, eating-disorders, grief, stress, life-transitions, trauma, "
    "caregivers, addiction, wellness"
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_the_topic_vocabulary() -> None:
    assert [(t.slug, t.label) for t in TOPICS] == [
        ("anxiety", "anxiety"),
        ("depression", "depression"),
        ("bipolar", "bipolar"),
        ("eating-disorders", "eating disorders"),
        ("grief", "grief and loss"),
        ("stress", "stress"),
        ("life-transitions", "life transitions"),
        ("trauma", "trauma and PTSD"),
        ("caregivers", "caregivers and family"),
        ("addiction", "addiction and recovery"),
        ("wellness", "general wellness"),
    ]
    assert TOPIC_LABELS["caregivers"] == "caregivers and family"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["grief", "anxiety"], ("anxiety", "grief")),
        ([" Caregivers ", "caregivers", "CAREGIVERS"], ("caregivers",)),
        ([], ()),
        ((t.slug for t in reversed(TOPICS)), tuple(t.slug for t in TOPICS)),
        (["eating-disorders", "life-transitions"], ("eating-disorders", "life-transitions")),
    ],
)
def test_parse_topics(values: list[str], expected: tuple[str, ...]) -> None:
    assert parse_topics(values) == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["griefs"], f"Unknown topic 'griefs'; choose from {KNOWN}."),
        (["grief", "eating disorders"], f"Unknown topic 'eating disorders'; choose from {KNOWN}."),
        (["anxiety", ""], f"Unknown topic ''; choose from {KNOWN}."),
        ([3], f"Unknown topic 3; choose from {KNOWN}."),
        ("grief", "Give topics as a list of slugs such as ['grief', 'anxiety']."),
    ],
)
def test_refused_topics(values: list[str], message: str) -> None:
    with pytest.raises(VocabularyError) as caught:
        parse_topics(values)
    assert str(caught.value) == message
    assert caught.value.field == "topics"


def test_style_and_visibility() -> None:
    assert [s.value for s in Style] == ["peer", "professional"]
    assert [(Style.peer.label, Style.professional.label)] == [("peer-led", "professionally facilitated")]
    assert [v.value for v in Visibility] == ["listed", "unlisted", "private"]
    assert Visibility.listed.label == "listed in the directory"
    assert Style("peer") is Style.peer
    with pytest.raises(ValueError, match="'led'"):
        Style("led")


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", "en"),
        ("EN", "en"),
        (" es ", "es"),
        ("fil", "fil"),
        ("pt-BR", "pt-BR"),
        ("pt-br", "pt-BR"),
        ("pt_BR", "pt-BR"),
        ("zh-Hant", "zh-Hant"),
        ("ZH-HANT-tw", "zh-Hant-TW"),
        ("sr-latn", "sr-Latn"),
        ("es-419", "es-419"),
    ],
)
def test_languages(tag: str, expected: str) -> None:
    assert parse_language(tag) == expected


@pytest.mark.parametrize(
    "tag",
    [
        "",
        "e",
        "english",
        "en-",
        "-en",
        "en--US",
        "en-US-x-private",
        "en-Latn-US-fonipa",
        "zh-Hantt",
        "123",
        "en US",
        None,
    ],
)
def test_refused_languages(tag: str) -> None:
    with pytest.raises(VocabularyError) as caught:
        parse_language(tag)
    assert str(caught.value) == f"Language {tag!r} is not a language tag such as en, es, pt-BR or zh-Hant."
    assert caught.value.field == "language"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["mon", "Thursday"], {0, 3}),
        (["SU", "sat"], {5, 6}),
        (["0", "6", "tue"], {0, 1, 6}),
        ([], set()),
    ],
)
def test_weekdays(values: list[str], expected: set[int]) -> None:
    assert parse_weekdays(values) == expected


@pytest.mark.parametrize("value", ["funday", "m", "7", "tues", "-1", ""])
def test_refused_weekdays(value: str) -> None:
    with pytest.raises(VocabularyError) as caught:
        parse_weekdays(["mon", value])
    assert str(caught.value) == f"Unknown day {value!r}; use mon, tue, wed, thu, fri, sat or sun."
    assert caught.value.field == "day"


@pytest.mark.parametrize(
    ("text", "expected", "crosses"),
    [
        ("18:00-21:00", TimeWindow(time(18), time(21)), False),
        ("18:00 \u2013 21:00", TimeWindow(time(18), time(21)), False),
        ("9:30-10:00", TimeWindow(time(9, 30), time(10)), False),
        ("22:00-01:00", TimeWindow(time(22), time(1)), True),
        ("00:00-23:59", TimeWindow(time(0), time(23, 59)), False),
    ],
)
def test_time_windows(text: str, expected: TimeWindow, crosses: bool) -> None:
    assert parse_time_window(text) == expected
    assert expected.crosses_midnight is crosses


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("18-21", "Time window '18-21' is not like 18:00-21:00."),
        ("18:00", "Time window '18:00' is not like 18:00-21:00."),
        ("", "Time window '' is not like 18:00-21:00."),
        ("24:00-25:00", "Time window '24:00-25:00' is not like 18:00-21:00."),
        ("18:60-19:00", "Time window '18:60-19:00' is not like 18:00-21:00."),
        ("18:00-19:00-20:00", "Time window '18:00-19:00-20:00' is not like 18:00-21:00."),
        ("18:00-18:00", "Time window '18:00-18:00' starts and ends at the same time."),
    ],
)
def test_refused_time_windows(text: str, message: str) -> None:
    with pytest.raises(VocabularyError) as caught:
        parse_time_window(text)
    assert str(caught.value) == message
    assert caught.value.field == "time"


EVENING = TimeWindow(time(18), time(21))
LATE = TimeWindow(time(22), time(1))  # crosses midnight
MON, TUE, WED, FRI, SAT = 0, 1, 2, 4, 5


@pytest.mark.parametrize(
    ("case", "starts_at", "tz", "days", "window", "expected"),
    [
        ("no filter", utc(2026, 3, 4, 0), "Europe/Berlin", None, None, True),
        ("19:00 Tuesday in New York", utc(2026, 3, 4, 0), "America/New_York", {TUE}, EVENING, True),
        ("is 01:00 Wednesday in Berlin", utc(2026, 3, 4, 0), "Europe/Berlin", {WED}, None, True),
        ("not Tuesday in Berlin", utc(2026, 3, 4, 0), "Europe/Berlin", {TUE}, None, False),
        ("nor in the evening there", utc(2026, 3, 4, 0), "Europe/Berlin", None, EVENING, False),
        (
            "and 09:00 Wednesday in Tokyo",
            utc(2026, 3, 4, 0),
            "Asia/Tokyo",
            {WED},
            TimeWindow(time(8), time(10)),
            True,
        ),
        ("an empty day set is any day", utc(2026, 3, 4, 0), "America/New_York", set(), EVENING, True),
        ("the window's start is included", utc(2026, 3, 3, 23), "America/New_York", {TUE}, EVENING, True),
        ("a minute before it is not", utc(2026, 3, 3, 22, 59), "America/New_York", {TUE}, EVENING, False),
        ("the window's end is included", utc(2026, 3, 4, 2), "America/New_York", {TUE}, EVENING, True),
        (
            "seconds past the end minute still count",
            utc(2026, 3, 4, 2, 0, 30),
            "America/New_York",
            None,
            EVENING,
            True,
        ),
        ("a minute after it is not", utc(2026, 3, 4, 2, 1), "America/New_York", {TUE}, EVENING, False),
        (
            "18:00 EST on 3 March is outside 18:30-21:00",
            utc(2026, 3, 3, 23),
            "America/New_York",
            None,
            TimeWindow(time(18, 30), time(21)),
            False,
        ),
        (
            "the same UTC time is 19:00 EDT a week later",
            utc(2026, 3, 10, 23),
            "America/New_York",
            None,
            TimeWindow(time(18, 30), time(21)),
            True,
        ),
        (
            "Berlin evening before the EU change (CET)",
            utc(2026, 3, 28, 20, 30),
            "Europe/Berlin",
            {SAT},
            TimeWindow(time(21), time(21, 30)),
            True,
        ),
        (
            "Berlin evening after it (CEST)",
            utc(2026, 3, 29, 20, 30),
            "Europe/Berlin",
            None,
            TimeWindow(time(21), time(21, 30)),
            False,
        ),
        ("Friday 23:00 in a Friday late window", utc(2026, 3, 6, 22), "Europe/Berlin", {FRI}, LATE, True),
        (
            "Saturday 00:30 belongs to Friday night",
            utc(2026, 3, 6, 23, 30),
            "Europe/Berlin",
            {FRI},
            LATE,
            True,
        ),
        ("so it is not Saturday's", utc(2026, 3, 6, 23, 30), "Europe/Berlin", {SAT}, LATE, False),
        ("Saturday 01:00 is the window's end", utc(2026, 3, 7, 0), "Europe/Berlin", {FRI}, LATE, True),
        ("Saturday 01:01 is past it", utc(2026, 3, 7, 0, 1), "Europe/Berlin", {FRI, SAT}, LATE, False),
        ("Friday 21:59 is before it", utc(2026, 3, 6, 20, 59), "Europe/Berlin", {FRI}, LATE, False),
        (
            "Monday 00:15 belongs to Sunday night",
            utc(2026, 3, 8, 23, 15),
            "Europe/Berlin",
            {MON},
            LATE,
            False,
        ),
        ("a late window without days", utc(2026, 3, 8, 23, 15), "Europe/Berlin", None, LATE, True),
    ],
)
def test_in_time_window(
    case: str,
    starts_at: datetime,
    tz: str,
    days: Collection[int] | None,
    window: TimeWindow | None,
    expected: bool,
) -> None:
    assert in_time_window(starts_at, timezone=tz, days=days, window=window) is expected, case


def test_in_time_window_refuses_bad_zones_and_naive_times() -> None:
    with pytest.raises(VocabularyError) as caught:
        in_time_window(utc(2026, 3, 4), timezone="PST")
    assert caught.value.field == "timezone"
    assert str(caught.value) == (
        "Time zone 'PST' is not an IANA time zone name such as America/New_York or Europe/Berlin."
    )
    with pytest.raises(ValueError, match="naive"):
        in_time_window(datetime(2026, 3, 4), timezone="UTC")
