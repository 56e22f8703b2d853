"""Checking what people type for groups and meetings: text lines and blocks, the directory
fields (topics, style, credential, language, size limit, visibility), time zones and meeting
times. Each check returns the cleaned value or raises `InvalidInput` naming the field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from meeting.groups.errors import InvalidInput, invalid
from meeting.groups.models import CREDENTIAL_MAX, SIZE_LIMIT_MAX, SIZE_LIMIT_MIN
from meeting.groups.vocabulary import Style, Visibility, VocabularyError, parse_language, parse_topics
from meeting.scheduling import MAX_DURATION, ScheduleError, validate_timezone


def clean_line(raw: str, *, field: str, label: str, most: int) -> str:
    """One line of text: NFC, no control characters, single spaces, 1 to `most` characters."""
    text = unicodedata.normalize("NFC", raw)
    text = re.sub(
        r"\s+", " ", "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    )
    text = text.strip()
    if not 1 <= len(text) <= most:
        raise InvalidInput(f"{label} must be 1 to {most} characters long.", field=field)
    return text


def clean_text(raw: str, *, field: str, label: str, most: int, least: int = 1) -> str:
    """Multi-line text: NFC, newlines kept (as \\n), other control characters dropped."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t").strip()
    if not least <= len(text) <= most:
        raise InvalidInput(f"{label} must be {least} to {most} characters long.", field=field)
    return text


DIRECTORY_FIELDS = (
    "topics",
    "style",
    "credential",
    "language",
    "size_limit",
    "visibility",
    "visitors_allowed",
)


def check_topics(values: Iterable[str]) -> tuple[str, ...]:
    """At least one topic slug of the vocabulary, in vocabulary order; `InvalidInput` otherwise."""
    try:
        topics = parse_topics(values)
    except VocabularyError as error:
        raise invalid(error) from None
    if not topics:
        raise InvalidInput("Choose at least one topic.", field="topics")
    return topics


def check_style(value: str) -> Style:
    try:
        return Style(value.strip().lower() if isinstance(value, str) else value)
    except ValueError:
        raise InvalidInput(f"Style {value!r} is not peer or professional.", field="style") from None


def check_visibility(value: str) -> Visibility:
    try:
        return Visibility(value.strip().lower() if isinstance(value, str) else value)
    except ValueError:
        raise InvalidInput(
            f"Visibility {value!r} is not listed, unlisted or private.", field="visibility"
        ) from None


def check_language(value: str) -> str:
    try:
        return parse_language(value)
    except VocabularyError as error:
        raise invalid(error) from None


def check_size_limit(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not SIZE_LIMIT_MIN <= value <= SIZE_LIMIT_MAX:
        raise InvalidInput(
            f"The size limit must be a whole number from {SIZE_LIMIT_MIN} to {SIZE_LIMIT_MAX}.",
            field="size_limit",
        )
    return value


def check_credential(value: str | None, *, style: Style) -> str | None:
    """The facilitator's credential line: only for professionally facilitated groups."""
    if value is None or not value.strip():
        return None
    if style is not Style.professional:
        raise InvalidInput(
            "A credential is only shown for professionally facilitated groups (style professional).",
            field="credential",
        )
    return clean_line(value, field="credential", label="The credential", most=CREDENTIAL_MAX)


def check_timezone(name: str, *, field: str = "timezone") -> str:
    """The canonical IANA name, or `InvalidInput` naming `field`."""
    try:
        return validate_timezone(name)
    except ScheduleError as error:
        raise invalid(error, field=field) from None


def check_times(starts_at: datetime, ends_at: datetime, *, now: datetime) -> None:
    """Aware times, ending after they start, within 24 hours, and in the future."""
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInput(f"{name} needs a time zone (a UTC offset such as +00:00).", field=name)
    if ends_at <= starts_at:
        raise InvalidInput("ends_at must be after starts_at.", field="ends_at")
    if ends_at - starts_at > MAX_DURATION:
        raise InvalidInput(
            "ends_at is more than 24 hours after starts_at; a meeting lasts at most 24 hours.",
            field="ends_at",
        )
    if ends_at <= now:
        raise InvalidInput("ends_at is in the past; a meeting must end in the future.", field="ends_at")
