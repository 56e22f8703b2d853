"""Pure scheduling: time zones and RRULEs (`rules`), series and their occurrences
(`recurrence`) and RFC 5545 calendars (`calendar`). No database and no I/O.

    from meeting.scheduling import Series, occurrences, validate_timezone
"""

from meeting.scheduling.recurrence import (
    MAX_DURATION,
    Occurrence,
    Override,
    Series,
    generated,
    local_original,
    next_occurrence,
    occurrences,
)
from meeting.scheduling.rules import Rule, ScheduleError, parse_rrule, validate_timezone, zone

__all__ = [
    "MAX_DURATION",
    "Occurrence",
    "Override",
    "Rule",
    "ScheduleError",
    "Series",
    "generated",
    "local_original",
    "next_occurrence",
    "occurrences",
    "parse_rrule",
    "validate_timezone",
    "zone",
]
