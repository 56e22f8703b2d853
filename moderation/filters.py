"""Automatic message filters: contact details and a group's blocked terms. Pure, stdlib only.

Run both on the text `moderation.text.normalize_message` returned, before relaying it:

- `find_personal_info(text, allow_links=group.allow_links)` returns None or a `PersonalInfo`
  whose `kind` ("email", "phone", "link", "handle") picks a fixed `reason` sentence: refuse with
  `error_frame(PERSONAL_INFO_CODE, found.reason)`, which says what kind of detail was found and
  never quotes the text. Members share their own details in a vulnerable moment, or get
  solicited; stopping both is the default. `allow_links` lets a host permit ordinary links, never
  links to social or messaging profiles (handles). `member_names` exempts "@Sam" when Sam is in
  the room: that is addressing, not a handle.
- `BlockedTerms.compile(group.blocked_terms)` once per group (again when the list changes), then
  `.matches(text)` per message: True means refuse with `error_frame(BLOCKED_TERM_CODE,
  BLOCKED_TERM_REASON)`, which never says which term.

Blocked terms match whole words only ("ass" never fires in "class", nor "hell" on "he'll"),
ignoring case and accents, through repeated letters ("baaad"), leetspeak (4 3 1 0 5 7 @ $, and
! | inside a word), zero-width characters and spelling out ("b a d", "b.a.d", "b-a-d"); a match
of digits only ("455") never counts. A multi-word term matches its words in a row, whatever is
between them, or written together ("killyourself"). Each word (and each few in a row) is a dict
lookup on a loose "skeleton" plus an exact check: the cost grows with the message, not the list.

Results hold kinds and fixed sentences only, never the text, so they are safe to log.
"""

from __future__ import annotations

from moderation.blocked_terms import BLOCKED_TERM_REASON, BlockedTerms
from moderation.contact_details import Kind, PersonalInfo, find_personal_info

__all__ = [
    "BLOCKED_TERM_CODE",
    "BLOCKED_TERM_REASON",
    "PERSONAL_INFO_CODE",
    "BlockedTerms",
    "Kind",
    "PersonalInfo",
    "find_personal_info",
]

PERSONAL_INFO_CODE = "personal_info"
BLOCKED_TERM_CODE = "blocked_term"
