"""Flood control for chat messages: a token bucket per member, and no identical repeats. Pure.

Nothing here reads a clock or stores anything. Every state is a small frozen value and every
decision returns the next state, so the caller keeps it wherever it likes (a dict in process
memory, a Redis hash) and tests pass any instant they like. `now` is in seconds on any
clock that does not jump (pass `ctx.now_ms / 1000`).

Rate (`TokenBucket`): each member has a bucket holding up to `burst` tokens that refills at
`messages / per_seconds` tokens a second (default 5 per 10 s, burst 5: five at once, then one
every 2 s). A message takes one token; with less than one, it is refused and `retry_after`
says exactly how many seconds until a whole token is back. Refused messages take nothing.

Repeats (`RecentMessages`): a message is refused when it is the same as one of the member's
last `REPEAT_HISTORY` (3) relayed messages sent less than `REPEAT_WINDOW` (60) seconds ago.
"The same" means equal after casefolding and ignoring punctuation, spacing and emoji, so
"Hello!!" repeats "hello". Messages shorter than `MIN_REPEAT_CHARS` (12) in that form never
count as repeats: "thank you", "same", "yes" or a row of hearts are often said twice a
minute in a live meeting, while the bucket still caps how often. Only a keyed 16-byte
blake2b digest of a message is kept (`message_digest`), never its text; pass a secret `key`
when the digests leave the process so that short messages cannot be guessed from them.

A check would run, for each `say`:

    decision = (stored_bucket or TokenBucket.full(now)).allow(now, limit)
    store(decision.state)
    if not decision.allowed:  # error_frame(RATE_LIMITED_CODE, RATE_LIMITED_REASON)
        refuse(retry_after=whole_seconds(decision.retry_after))
    digest = message_digest(text, key=secret)
    repeat = recent.check(digest, now)
    if repeat.repeated:  # the same code, with REPEAT_REASON
        refuse(retry_after=whole_seconds(repeat.retry_after))
    ... and once the message is relayed: store(recent.record(digest, now))
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

RATE_LIMITED_CODE = "rate_limited"
RATE_LIMITED_REASON = "You're sending messages faster than this group allows: please wait a moment."
REPEAT_REASON = "You've just sent that message: please wait before sending it again."

REPEAT_WINDOW = 60.0  # seconds
REPEAT_HISTORY = 3  # messages
MIN_REPEAT_CHARS = 12
DIGEST_BYTES = 16

_NOT_WORD = re.compile(r"[\W_]+")
_EPSILON = 1e-9  # float slack, so 0.1 + 0.2 tokens is still a whole one when it should be


@dataclass(frozen=True)
class RateLimit:
    """`messages` per `per_seconds` on average, at most `burst` in a quick run."""

    messages: int = 5
    per_seconds: float = 10.0
    burst: int = 5

    def __post_init__(self) -> None:
        if self.messages < 1 or self.burst < 1 or not self.per_seconds > 0:
            raise ValueError("a rate limit needs messages >= 1, burst >= 1 and per_seconds > 0")

    @property
    def rate(self) -> float:
        """Tokens gained per second."""
        return self.messages / self.per_seconds


DEFAULT_RATE_LIMIT = RateLimit()


class BucketDecision(NamedTuple):
    """Whether the message may go, how long to wait if not (seconds, else 0), the next state."""

    allowed: bool
    retry_after: float
    state: TokenBucket


@dataclass(frozen=True)
class TokenBucket:
    """A member's tokens as of `updated` (seconds). Start with `TokenBucket.full(now)`."""

    tokens: float
    updated: float

    @classmethod
    def full(cls, now: float, limit: RateLimit = DEFAULT_RATE_LIMIT) -> TokenBucket:
        return cls(float(limit.burst), now)

    def allow(self, now: float, limit: RateLimit = DEFAULT_RATE_LIMIT) -> BucketDecision:
        """Take one token at `now` if there is one. A clock that steps back refills nothing."""
        elapsed = max(0.0, now - self.updated)
        tokens = min(float(limit.burst), self.tokens + elapsed * limit.rate)
        updated = max(now, self.updated)
        if tokens >= 1.0 - _EPSILON:
            return BucketDecision(True, 0.0, TokenBucket(max(0.0, tokens - 1.0), updated))
        return BucketDecision(False, (1.0 - tokens) / limit.rate, TokenBucket(tokens, updated))


def whole_seconds(retry_after: float) -> int:
    """`retry_after` for an error frame: whole seconds, rounded up, at least 1."""
    return max(1, math.ceil(retry_after - _EPSILON))


# --- repeats ------------------------------------------------------------------------------------


def repeat_form(text: str) -> str:
    """The form two messages are compared in: casefolded words and numbers, single spaces."""
    if text.isascii():
        return _NOT_WORD.sub(" ", text.lower()).strip()
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return _NOT_WORD.sub(" ", text).strip()


def message_digest(text: str, *, key: bytes = b"") -> bytes | None:
    """A 16-byte blake2b digest of `repeat_form(text)`, or None when it is too short to count.

    `key` (at most 64 bytes) makes the digest a keyed hash: use a per-deployment secret when
    digests are stored outside the process.
    """
    form = repeat_form(text)
    if len(form) < MIN_REPEAT_CHARS:
        return None
    return hashlib.blake2b(form.encode(), digest_size=DIGEST_BYTES, key=key).digest()


class RepeatDecision(NamedTuple):
    """Whether the message repeats a recent one, and seconds until it no longer would (else 0)."""

    repeated: bool
    retry_after: float


@dataclass(frozen=True)
class RecentMessages:
    """A member's last relayed messages as (sent at, digest or None), oldest first."""

    seen: tuple[tuple[float, bytes | None], ...] = ()

    def check(self, digest: bytes | None, now: float, *, window: float = REPEAT_WINDOW) -> RepeatDecision:
        """Whether a message with `digest` at `now` repeats one sent less than `window` ago."""
        if digest is None:
            return RepeatDecision(False, 0.0)
        times = [sent for sent, seen in self.seen if seen == digest and now - sent < window]
        if not times:
            return RepeatDecision(False, 0.0)
        return RepeatDecision(True, max(times) + window - now)

    def record(
        self,
        digest: bytes | None,
        now: float,
        *,
        history: int = REPEAT_HISTORY,
        window: float = REPEAT_WINDOW,
    ) -> RecentMessages:
        """The state after relaying a message (even a short one, whose digest is None) at `now`.

        Keeps the last `history` messages, dropping any sent `window` or more seconds ago.
        """
        kept = [(sent, seen) for sent, seen in self.seen if now - sent < window]
        kept.append((now, digest))
        return RecentMessages(tuple(kept[-history:]) if history > 0 else ())
