"""What the attendance services refuse, and why: each error carries the HTTP `status` and the
machine `code` the API answers with; its message is safe to show to the person who asked."""

from __future__ import annotations


class AttendanceError(Exception):
    """Base class: `status` is the HTTP status, `code` machine-readable, the message for people."""

    status = 400
    code = "invalid"


class NotInvited(AttendanceError):
    status, code = 403, "forbidden"


class VisitorsNotAllowed(AttendanceError):
    status, code = 403, "visitors_not_allowed"


class Unavailable(AttendanceError):
    """The occurrence cannot take RSVPs: cancelled, over, or its group archived."""

    status, code = 409, "meeting_unavailable"

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class Conflict(AttendanceError):
    status = 409

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class BadInput(AttendanceError):
    status, code = 422, "invalid_input"
