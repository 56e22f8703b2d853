"""The errors of group and meeting rules: each has a machine-readable `code`, a message
that is safe to show, and the `field` to blame when one is. `meeting.api.errors` maps them to
HTTP statuses (422, 403, 404, 409); the pages show the message next to the field."""

from __future__ import annotations

from meeting.groups.vocabulary import VocabularyError
from meeting.scheduling import ScheduleError


class GroupError(Exception):
    """Base class; `code` is machine-readable, the message is for people."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidInput(GroupError):
    code = "invalid_input"


class Forbidden(GroupError):
    code = "forbidden"


class NotFound(GroupError):
    code = "not_found"


class MeetingEnded(GroupError):
    code = "meeting_ended"


class MeetingCancelled(GroupError):
    code = "meeting_cancelled"


class MeetingStarted(GroupError):
    code = "meeting_started"


class GroupArchived(GroupError):
    code = "group_archived"


class GuidelinesChanged(GroupError):
    code = "guidelines_changed"

    def __init__(self, current_version: int) -> None:
        super().__init__(
            f"The group's guidelines have changed: the current version is {current_version}. "
            f"Please read them again and accept version {current_version}.",
            field="version",
        )
        self.current_version = current_version


def invalid(error: ScheduleError | VocabularyError, *, field: str | None = None) -> InvalidInput:
    """A scheduling or vocabulary error as `InvalidInput` (422), blaming `field` or its own."""
    return InvalidInput(str(error), field=field or error.field)
