"""The fixed words groups are described and found by: topics, facilitation style, visibility,
language, and the directory's day and time-of-day filter. Pure functions, no I/O.

    parse_topics(["grief", "Anxiety"])       # -> ("anxiety", "grief"), vocabulary order
    TOPIC_LABELS["caregivers"]                # -> "caregivers and family"
    Style("peer"), Visibility("private")      # API values; `.label` for people
    parse_language("pt_br")                   # -> "pt-BR"
    days = parse_weekdays(["mon", "Thursday"]) # -> frozenset({0, 3}), Monday is 0
    window = parse_time_window("18:00-21:00") # or "22:00-01:00", crossing midnight
    in_time_window(occurrence.start, timezone="Europe/Berlin", days=days, window=window)

Parsers raise `VocabularyError` (a `ValueError` whose `field` names the API field) with a
message that is safe to show and names the refused value.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType

from meeting.scheduling.rules import ScheduleError, zone


class VocabularyError(ValueError):
    """A value outside the vocabulary; `field` is the API field to blame."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Topic:
    slug: str
    label: str


TOPICS: tuple[Topic, ...] = (
    Topic("anxiety", "anxiety"),
    Topic("depression", "depression"),
    Topic("bipolar", "bipolar"),
    Topic("eating-disorders", "eating disorders"),
    Topic("grief", "grief and loss"),
    Topic("stress", "stress"),
    Topic("life-transitions", "life transitions"),
    Topic("trauma", "trauma and PTSD"),
    Topic("caregivers", "caregivers and family"),
    Topic("addiction", "addiction and recovery"),
    Topic("wellness", "general wellness"),
)
TOPIC_LABELS = MappingProxyType({topic.slug: topic.label for topic in TOPICS})
_ORDER = {topic.slug: index for index, topic in enumerate(TOPICS)}


def parse_topics(values: Iterable[str], *, field: str = "topics") -> tuple[str, ...]:
    """Topic slugs (trimmed, any case, repeats dropped) in vocabulary order; the empty list gives
    (). Raises `VocabularyError` naming the first unknown slug."""
    if isinstance(values, str):
        raise VocabularyError("Give topics as a list of slugs such as ['grief', 'anxiety'].", field=field)
    found: set[str] = set()
    for value in values:
        slug = value.strip().lower() if isinstance(value, str) else None
        if slug not in _ORDER:
            raise VocabularyError(
                f"Unknown topic {value!r}; choose from {', '.join(_ORDER)}.",
                field=field,
            )
        found.add(slug)
    return tuple(sorted(found, key=_ORDER.__getitem__))


class Style(StrEnum):
    """Who leads a group's meetings."""

    peer = "peer"
    professional = "professional"

    @property
    def label(self) -> str:
        return "peer-led" if self is Style.peer else "professionally facilitated"


class Visibility(StrEnum):
    """Who can find a group: everyone in the directory, only those with its link, or members
    approved on request (a private group is not listed either)."""

    listed = "listed"
    unlisted = "unlisted"
    private = "private"

    @property
    def label(self) -> str:
        return {"listed": "listed in the directory", "unlisted": "unlisted", "private": "private"}[self.value]


_LANGUAGE = re.compile(r"([a-z]{2,3})(?:-([a-z]{4}))?(?:-([a-z]{2}|\d{3}))?", re.IGNORECASE)


def parse_language(tag: str, *, field: str = "language") -> str:
    """A simple BCP 47 tag, case-normalised: language (2-3 letters), optional script (4
    letters) and region (2 letters or 3 digits): "EN" -> "en", "zh-hant-tw" -> "zh-Hant-TW",
    "es-419" -> "es-419"; "_" is read as "-". Extensions and private use are refused."""
    text = tag.strip().replace("_", "-") if isinstance(tag, str) else ""
    match = _LANGUAGE.fullmatch(text)
    if match is None:
        raise VocabularyError(
            f"Language {tag!r} is not a language tag such as en, es, pt-BR or zh-Hant.", field=field
        )
    language, script, region = match.groups()
    parts = [language.lower(), script.title() if script else "", region.upper() if region else ""]
    return "-".join(part for part in parts if part)


_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NAMES = {spelling: i for i, name in enumerate(_DAYS) for spelling in (name, name[:3], name[:2], str(i))}


def parse_weekdays(values: Iterable[str], *, field: str = "day") -> frozenset[int]:
    """Weekday names ("mon", "Monday", "MO") or numbers "0"-"6" as ISO weekday - 1, so Monday
    is 0 as in `datetime.weekday()`. Raises `VocabularyError` naming the refused value."""
    days: set[int] = set()
    for value in values:
        day = _DAY_NAMES.get(value.strip().lower()) if isinstance(value, str) else None
        if day is None:
            raise VocabularyError(
                f"Unknown day {value!r}; use mon, tue, wed, thu, fri, sat or sun.", field=field
            )
        days.add(day)
    return frozenset(days)


@dataclass(frozen=True)
class TimeWindow:
    """Local times of day a meeting may start at, both ends included. When `end` is earlier
    than `start` the window crosses midnight and belongs to the day it starts on: a Friday
    22:00-01:00 window holds Saturday 00:30."""

    start: time
    end: time

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start


_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def parse_time_window(text: str, *, field: str = "time") -> TimeWindow:
    """Parse "18:00-21:00" (an en dash works too); "22:00-01:00" crosses midnight."""
    pieces = re.split(r"\s*[-\u2013]\s*", text.strip()) if isinstance(text, str) else []
    clocks = [_CLOCK.fullmatch(piece) for piece in pieces]
    if len(clocks) != 2 or clocks[0] is None or clocks[1] is None:
        raise VocabularyError(f"Time window {text!r} is not like 18:00-21:00.", field=field)
    start, end = (time(int(m.group(1)), int(m.group(2))) for m in (clocks[0], clocks[1]))
    if start == end:
        raise VocabularyError(f"Time window {text!r} starts and ends at the same time.", field=field)
    return TimeWindow(start, end)


def in_time_window(
    starts_at: datetime,
    *,
    timezone: str,
    days: Collection[int] | None = None,
    window: TimeWindow | None = None,
) -> bool:
    """Whether a meeting starting at `starts_at` (aware) matches the directory filter in the
    viewer's IANA `timezone`: on one of `days` (0 = Monday; None or empty = any day), at a
    local time inside `window` (None = any time; compared to the minute). A start after
    midnight in a window that crosses midnight counts for the day before. Raises
    `VocabularyError` for a bad zone."""
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise ValueError("starts_at is a naive datetime; pass a timezone-aware one")
    try:
        local = starts_at.astimezone(zone(timezone))
    except ScheduleError as error:
        raise VocabularyError(str(error), field=error.field) from None
    clock, day = local.time().replace(second=0, microsecond=0), local.date()
    if window is not None:
        if not window.crosses_midnight:
            if not window.start <= clock <= window.end:
                return False
        elif clock <= window.end:
            day -= timedelta(days=1)  # the small hours belong to the evening before
        elif clock < window.start:
            return False
    return not days or day.weekday() in days
