"""A group's room rules: read them, change them (hosts), and hand them to the room engine.

    rules = await get_rules(s, group=group, viewer=user)          # facilitators and up
    group = await update_rules(s, group=group, actor=user, allow_links=False, blocked_terms="",
                               rate_messages=5, rate_seconds=10, waiting_room=False, report_threshold=3)
    policy = policy_for(group)                                     # a `rooms.types.RoomPolicy`

Bad values raise `meeting.groups.service.InvalidInput` naming the field (and, for a blocked
term, its line); `parse_whole` turns a form's text into a checked number the same way.
Changing the rules is not audited. Blocked terms are stored cleaned, one per line.
"""

from __future__ import annotations

import re
import unicodedata

from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.groups import service as groups
from meeting.groups.models import Group
from meeting.moderation import service
from meeting.moderation.models import (
    RATE_MESSAGES,
    RATE_SECONDS,
    REPORT_THRESHOLD,
    TERM_MAX,
    TERMS_MAX,
    TERMS_TEXT_MAX,
    GroupRules,
)
from moderation.filters import BlockedTerms
from moderation.permissions import Action
from rooms.types import RoomPolicy

# field: (what a person calls it, least, most)
NUMBERS = {
    "rate_messages": ("Messages allowed", *RATE_MESSAGES),
    "rate_seconds": ("The time window in seconds", *RATE_SECONDS),
    "report_threshold": ("Reports needed to hide a message", *REPORT_THRESHOLD),
}


def terms_of(group: Group) -> tuple[str, ...]:
    return tuple(line for line in group.blocked_terms.split("\n") if line)


def rules_of(group: Group) -> GroupRules:
    return GroupRules(
        allow_links=group.allow_links,
        blocked_terms=group.blocked_terms,
        rate_messages=group.rate_messages,
        rate_seconds=group.rate_seconds,
        waiting_room=group.waiting_room,
        report_threshold=group.report_threshold,
    )


def policy_for(group: Group) -> RoomPolicy:
    """What the room engine enforces for `group`'s meetings."""
    assert group.id is not None
    return RoomPolicy(
        group_id=group.id,
        allow_links=group.allow_links,
        blocked_terms=terms_of(group),
        rate_messages=group.rate_messages,
        rate_seconds=group.rate_seconds,
        waiting_room=group.waiting_room,
        report_threshold=group.report_threshold,
    )


def clean_terms(raw: str) -> str:
    """The blocked-terms list as stored: one cleaned term per line, blanks and repeats dropped.

    Raises `InvalidInput` (field "blocked_terms") naming the first bad line: too long, or
    with no letters (it could never match); or when there are more than `TERMS_MAX` terms.
    """
    if len(raw) > TERMS_TEXT_MAX:
        raise groups.InvalidInput(
            f"The blocked terms are longer than {TERMS_TEXT_MAX} characters in all.", field="blocked_terms"
        )
    lines = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    terms: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        term = re.sub(r"\s+", " ", "".join(c if unicodedata.category(c)[0] != "C" else " " for c in line))
        term = term.strip()
        if not term or term.casefold() in seen:
            continue
        if len(term) > TERM_MAX:
            raise groups.InvalidInput(
                f"Line {number} of the blocked terms is {len(term)} characters long; "
                f"each term may be at most {TERM_MAX}.",
                field="blocked_terms",
            )
        if BlockedTerms.compile([term]).count == 0:
            raise groups.InvalidInput(
                f"Line {number} of the blocked terms has no letters, so it could never match. "
                "Remove it or add a word.",
                field="blocked_terms",
            )
        seen.add(term.casefold())
        terms.append(term)
    if len(terms) > TERMS_MAX:
        raise groups.InvalidInput(
            f"There are {len(terms)} blocked terms; a group may have at most {TERMS_MAX}.",
            field="blocked_terms",
        )
    BlockedTerms.compile(terms)  # the list as the room will use it
    return "\n".join(terms)


def check_whole(value: int, *, field: str) -> int:
    """`value` if it is within `NUMBERS[field]`'s range, else `InvalidInput` saying the range."""
    name, least, most = NUMBERS[field]
    if isinstance(value, bool) or not least <= value <= most:
        raise groups.InvalidInput(f"{name} must be a whole number from {least} to {most}.", field=field)
    return value


def parse_whole(raw: str, *, field: str) -> int:
    """A form's text as a whole number in `NUMBERS[field]`'s range (`InvalidInput` otherwise)."""
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        return check_whole(-1, field=field)
    return check_whole(int(text), field=field)


async def get_rules(s: AsyncSession, *, group: Group, viewer: User) -> GroupRules:
    """The rules, for the group's facilitators, host and administrators (`Forbidden` otherwise)."""
    assert group.id is not None
    await service.require(s, action=service.VIEW_RULES, user=viewer, group_id=group.id)
    return rules_of(group)


async def update_rules(
    s: AsyncSession,
    *,
    group: Group,
    actor: User,
    allow_links: bool,
    blocked_terms: str,
    rate_messages: int,
    rate_seconds: int,
    waiting_room: bool,
    report_threshold: int,
) -> Group:
    """Replace all six rules (the group's host or an admin). They apply to the next entrant."""
    assert group.id is not None
    await service.require(s, action=Action.edit_rules, user=actor, group_id=group.id)
    numbers = {
        "rate_messages": check_whole(rate_messages, field="rate_messages"),
        "rate_seconds": check_whole(rate_seconds, field="rate_seconds"),
        "report_threshold": check_whole(report_threshold, field="report_threshold"),
    }
    terms = clean_terms(blocked_terms)  # everything is checked before anything changes
    group.sqlmodel_update(numbers | {"blocked_terms": terms})
    group.allow_links, group.waiting_room = bool(allow_links), bool(waiting_room)
    s.add(group)
    await s.flush()
    return group
