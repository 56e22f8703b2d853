"""How a meeting repeats, as the dashboard's forms ask it: the repeat and "ends" choices, the
RFC 5545 RRULE they make (`build_rrule`), and back again for a series already scheduled
(`rule_choices`), so that "Schedule meetings" and each "Edit the series" form say the same.

    build_rrule("weekly", day=date(2027, 3, 9), ends="count", count="4", until="")
    # -> "FREQ=WEEKLY;BYDAY=TU;COUNT=4"
    rule_choices(plan.rule, first=first_start_in_its_zone)
    # -> {"repeat": "weekly", "ends": "count", "count": "4", "until": ""}

Choices the form cannot say (a rule written through the API, such as FREQ=DAILY) come back as
repeat `KEEP`: the series keeps its rule, and its end, as they are. Errors are
`service.InvalidInput` naming the form field (repeat, ends, count or until).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from meeting.groups import service
from meeting.scheduling import Rule
from meeting.scheduling.rules import MAX_COUNT, WEEKDAYS
from meeting.web.localtime import BadTime, parse_date

REPEATS = (
    ("none", "Does not repeat"),
    ("weekly", "Every week"),
    ("biweekly", "Every other week"),
    ("monthly", "Every month, on the same weekday (for example the second Tuesday)"),
)
ENDS = (("never", "Keep going"), ("count", "After a number of meetings"), ("until", "On a date"))
KEEP = "keep"  # an existing series whose rule the repeat choices cannot say


def nth_weekday(day: date) -> int:
    """Which of its month's weekdays `day` is: 1 to 4, or -1 for a fifth (the last)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def build_rrule(repeat: str, *, day: date, ends: str, count: str, until: str) -> str | None:
    """The RRULE for the form's choices, starting on `day` (None when it does not repeat)."""
    code = WEEKDAYS[day.weekday()]
    rules = {
        "none": None,
        "weekly": f"FREQ=WEEKLY;BYDAY={code}",
        "biweekly": f"FREQ=WEEKLY;INTERVAL=2;BYDAY={code}",
        "monthly": f"FREQ=MONTHLY;BYDAY={nth_weekday(day)}{code}",
    }
    if repeat not in rules:
        raise service.InvalidInput("Choose how the meeting repeats.", field="repeat")
    rule = rules[repeat]
    if rule is None:
        return None
    if ends == "count":
        raw = count.strip()
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_COUNT:
            message = f"Give the number of meetings as a whole number from 1 to {MAX_COUNT}."
            raise service.InvalidInput(message, field="count")
        return f"{rule};COUNT={int(raw)}"
    if ends == "until":
        try:
            last = parse_date(until, field="until")
        except BadTime as exc:
            raise service.InvalidInput(str(exc), field="until") from None
        if last < day:
            raise service.InvalidInput("The last date is before the first meeting.", field="until")
        return f"{rule};UNTIL={last:%Y%m%d}"
    if ends != "never":
        raise service.InvalidInput("Choose when the meetings end.", field="ends")
    return rule


def rule_choices(rule: Rule, *, first: datetime) -> dict[str, str]:
    """A series' rule as the form's choices (repeat, ends, count, until), for a series whose
    first meeting starts at `first` (aware, in the series' zone); repeat is `KEEP` when no
    choice makes this rule, and then the end is the rule's own."""
    day = first.date()
    code = WEEKDAYS[day.weekday()]
    shapes = {
        ("WEEKLY", 1, ((None, code),)): "weekly",
        ("WEEKLY", 1, ()): "weekly",
        ("WEEKLY", 2, ((None, code),)): "biweekly",
        ("WEEKLY", 2, ()): "biweekly",
        ("MONTHLY", 1, ((nth_weekday(day), code),)): "monthly",
    }
    plain = not rule.bymonthday and rule.wkst is None
    repeat = shapes.get((rule.freq, rule.interval, rule.byday)) if plain else None
    found = {"repeat": repeat or KEEP, "ends": "never", "count": "", "until": ""}
    if rule.count is not None:
        found |= {"ends": "count", "count": str(rule.count)}
    elif rule.until is not None:
        found |= {"ends": "until", "until": rule.until.astimezone(first.tzinfo).date().isoformat()}
    return found


def rule_ending(rule: Rule, *, last: datetime) -> str:
    """`rule` as RRULE text that generates nothing starting after the instant `last`."""
    until = last.astimezone(UTC).replace(microsecond=0)
    return str(replace(rule, count=None, until=until))
