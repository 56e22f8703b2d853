"""Chat message text rules: what a member's `say` text becomes before anyone else sees it.

Call `normalize_message(text)` on every incoming message and relay only what it returns. It
raises `InvalidMessage` for a message that is blank or too long; the exception carries a fixed
reason and never the text itself, because chat text must not reach logs or error reports.

The rules, in order:

1. Line breaks (CRLF, CR, NEL, U+2028, U+2029) become "\\n", so every client sees the same lines.
2. Control characters are removed, except newline and tab; so are lone surrogates, which JSON
   can smuggle in but UTF-8 cannot carry.
3. Unicode NFC, so the same words are the same code points whichever keyboard typed them.
4. More than two blank lines in a row become two.
5. Leading and trailing whitespace is trimmed.
6. What is left must be 1 to `MAX_MESSAGE_CHARS` code points and not only invisible characters
   (whitespace or format characters such as zero-width spaces).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

MAX_MESSAGE_CHARS = 2000

Reason = Literal["empty", "too_long"]

_REASONS: dict[Reason, str] = {
    "empty": "The message is empty.",
    "too_long": f"The message is longer than {MAX_MESSAGE_CHARS:,} characters.",
}

_LINE_BREAK = re.compile("\r\n|[\r\x85\u2028\u2029]")
# C0 and C1 controls except \t (0x09) and \n (0x0a), DEL, and the surrogate range.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# A newline followed by three or more blank (whitespace-only) lines.
_BLANK_RUN = re.compile(r"\n(?:[^\S\n]*\n){3,}")


class InvalidMessage(ValueError):
    """A message that cannot be relayed. Built from a reason only, so it cannot hold the text."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(_REASONS[reason])
        self.reason: Reason = reason
        self.message = _REASONS[reason]


def normalize_message(text: str) -> str:
    """Return `text` as it should be relayed, or raise `InvalidMessage` (see the module rules)."""
    text = _LINE_BREAK.sub("\n", text)
    text = _UNWANTED.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _BLANK_RUN.sub("\n\n\n", text)
    text = text.strip()
    if _invisible(text):
        raise InvalidMessage("empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidMessage("too_long")
    return text


def _invisible(text: str) -> bool:
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)
