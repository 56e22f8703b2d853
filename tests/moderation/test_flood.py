"""Flood control as tables: a member's messages at given instants, and what each one gets."""

from __future__ import annotations

import hashlib

import pytest

from moderation.flood import (
    DEFAULT_RATE_LIMIT,
    MIN_REPEAT_CHARS,
    RATE_LIMITED_REASON,
    REPEAT_REASON,
    REPEAT_WINDOW,
    BucketDecision,
    RateLimit,
    RecentMessages,
    RepeatDecision,
    TokenBucket,
    message_digest,
    repeat_form,
    whole_seconds,
)

T0 = 1_700_000_000.0  # an arbitrary start, in seconds


def run(times: list[float], limit: RateLimit = DEFAULT_RATE_LIMIT) -> list[tuple[bool, float]]:
    """Send at each offset from T0 in turn; what each send got (allowed, retry_after)."""
    bucket = TokenBucket.full(T0, limit)
    out = []
    for t in times:
        allowed, retry_after, bucket = bucket.allow(T0 + t, limit)
        out.append((allowed, retry_after))
    return out


OK = (True, 0.0)

BUCKET = [
    # (id, send offsets in seconds, limit, expected (allowed, retry_after) per send)
    ("burst-of-five", [0, 0, 0, 0, 0], DEFAULT_RATE_LIMIT, [OK] * 5),
    ("sixth-waits-two-seconds", [0] * 6, DEFAULT_RATE_LIMIT, [OK] * 5 + [(False, 2.0)]),
    (
        "wait-shrinks-with-time",
        [0] * 5 + [0.5, 1.5],
        DEFAULT_RATE_LIMIT,
        [OK] * 5 + [(False, 1.5), (False, 0.5)],
    ),
    ("refill-after-exact-wait", [0] * 5 + [2.0], DEFAULT_RATE_LIMIT, [OK] * 6),
    (
        "just-before-refill",
        [0] * 5 + [1.999],
        DEFAULT_RATE_LIMIT,
        [OK] * 5 + [(False, pytest.approx(0.001, abs=1e-6))],
    ),
    (
        "refused-sends-cost-nothing",
        [0] * 5 + [1, 1, 1, 2],
        DEFAULT_RATE_LIMIT,
        [OK] * 5 + [(False, 1.0)] * 3 + [OK],
    ),
    ("steady-one-per-two-seconds", [0, 2, 4, 6, 8, 10, 12, 14], DEFAULT_RATE_LIMIT, [OK] * 8),
    (
        "ten-seconds-refill-the-burst",
        [0] * 5 + [10] * 5 + [10],
        DEFAULT_RATE_LIMIT,
        [OK] * 10 + [(False, 2.0)],
    ),
    (
        "refill-caps-at-burst",
        [0, 1000, 1000, 1000, 1000, 1000, 1000],
        DEFAULT_RATE_LIMIT,
        [OK] * 6 + [(False, 2.0)],
    ),
    # one a second: the burst drains by half a token a second, so the tenth must wait
    ("one-per-second", [float(i) for i in range(10)], DEFAULT_RATE_LIMIT, [OK] * 9 + [(False, 1.0)]),
    (
        "burst-one",
        [0, 0, 3, 3],
        RateLimit(messages=1, per_seconds=3, burst=1),
        [OK, (False, 3.0), OK, (False, 3.0)],
    ),
    ("bigger-burst", [0] * 11, RateLimit(messages=5, per_seconds=10, burst=10), [OK] * 10 + [(False, 2.0)]),
    ("clock-steps-back", [0] * 5 + [-30, 2], DEFAULT_RATE_LIMIT, [OK] * 5 + [(False, 2.0), OK]),
]


@pytest.mark.parametrize(("times", "limit", "expected"), [c[1:] for c in BUCKET], ids=[c[0] for c in BUCKET])
def test_bucket(times: list[float], limit: RateLimit, expected: list[tuple[bool, float]]) -> None:
    assert run(times, limit) == expected


def test_bucket_state_is_immutable_and_returned() -> None:
    bucket = TokenBucket.full(T0)
    decision = bucket.allow(T0)
    assert isinstance(decision, BucketDecision)
    assert bucket == TokenBucket(5.0, T0)  # unchanged: the caller stores decision.state
    assert decision.state == TokenBucket(4.0, T0)
    with pytest.raises(AttributeError):
        bucket.tokens = 0  # type: ignore[misc]


def test_defaults() -> None:
    assert RateLimit(messages=5, per_seconds=10.0, burst=5) == DEFAULT_RATE_LIMIT
    assert DEFAULT_RATE_LIMIT.rate == 0.5
    assert REPEAT_WINDOW == 60.0


@pytest.mark.parametrize(
    ("kwargs"),
    [{"messages": 0}, {"burst": 0}, {"per_seconds": 0}, {"per_seconds": -1}, {"per_seconds": float("nan")}],
    ids=["no-messages", "no-burst", "no-time", "negative-time", "nan-time"],
)
def test_bad_rate_limits(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        RateLimit(**kwargs)  # type: ignore[arg-type]


WHOLE = [
    # (id, retry_after, seconds for the error frame)
    ("exact", 2.0, 2),
    ("rounds-up", 1.2, 2),
    ("tiny-is-one", 0.002, 1),
    ("zero-is-one", 0.0, 1),
    ("float-noise", 2.0000000001, 2),
    ("minute", 59.5, 60),
]


@pytest.mark.parametrize(("retry_after", "seconds"), [c[1:] for c in WHOLE], ids=[c[0] for c in WHOLE])
def test_whole_seconds(retry_after: float, seconds: int) -> None:
    assert whole_seconds(retry_after) == seconds


# --- repeats ------------------------------------------------------------------------------------

A = "I keep thinking about what happened"
B = "Does anyone else feel this way?"
C = "Thanks everyone for listening today"
D = "I'll try the breathing exercise tonight"

REPEATS = [
    # (id, earlier (offset, text) messages, (offset, text) now, expected (repeated, retry_after))
    ("first-message", [], (0, A), (False, 0.0)),
    ("same-at-once", [(0, A)], (1, A), (True, 59.0)),
    ("same-later-in-window", [(0, A)], (59.5, A), (True, 0.5)),
    ("same-at-window-edge", [(0, A)], (60, A), (False, 0.0)),
    ("same-after-window", [(0, A)], (61, A), (False, 0.0)),
    ("different-text", [(0, A)], (1, B), (False, 0.0)),
    ("third-last", [(0, A), (1, B), (2, C)], (3, A), (True, 57.0)),
    ("fourth-last-forgotten", [(0, A), (1, B), (2, C), (3, D)], (4, A), (False, 0.0)),
    ("latest-copy-counts", [(0, A), (30, A)], (40, A), (True, 50.0)),
    ("case-and-punctuation", [(0, A)], (1, A.upper() + "!!!"), (True, 59.0)),
    ("spacing", [(0, A)], (1, "  I keep   thinking\nabout what happened  "), (True, 59.0)),
    ("emoji-ignored", [(0, A)], (1, A + " \U0001f622"), (True, 59.0)),
    ("zero-width-ignored", [(0, A)], (1, "I keep think\u200bing about what happened"), (True, 59.0)),
    ("one-word-differs", [(0, A)], (1, "I keep thinking about what happened again"), (False, 0.0)),
    ("short-exempt", [(0, "thank you")], (1, "thank you"), (False, 0.0)),
    ("emoji-only-exempt", [(0, "\u2764\ufe0f" * 20)], (1, "\u2764\ufe0f" * 20), (False, 0.0)),
    ("short-still-takes-a-slot", [(0, A), (1, "yes"), (2, "ok"), (3, "same")], (4, A), (False, 0.0)),
]


@pytest.mark.parametrize(
    ("earlier", "now", "expected"), [c[1:] for c in REPEATS], ids=[c[0] for c in REPEATS]
)
def test_repeats(
    earlier: list[tuple[float, str]], now: tuple[float, str], expected: tuple[bool, float]
) -> None:
    recent = RecentMessages()
    for t, text in earlier:
        recent = recent.record(message_digest(text), T0 + t)
    t, text = now
    decision = recent.check(message_digest(text), T0 + t)
    assert isinstance(decision, RepeatDecision)
    assert decision == expected


def test_record_keeps_three_within_the_window() -> None:
    recent = RecentMessages()
    for t, text in [(0, A), (1, B), (2, C), (3, D)]:
        recent = recent.record(message_digest(text), T0 + t)
    assert [sent - T0 for sent, _ in recent.seen] == [1, 2, 3]
    recent = recent.record(message_digest(A), T0 + 62.5)
    assert [sent - T0 for sent, _ in recent.seen] == [3, 62.5]  # 1 and 2 aged out


def test_custom_window_and_history() -> None:
    recent = RecentMessages().record(message_digest(A), T0, history=1, window=10)
    assert recent.check(message_digest(A), T0 + 9.5, window=10) == (True, 0.5)
    assert recent.check(message_digest(A), T0 + 10, window=10) == (False, 0.0)
    assert RecentMessages().record(message_digest(A), T0, history=0).seen == ()


DIGESTS = [
    # (id, text, repeat form or None when too short to count)
    ("plain", "Hello everyone, how are you?", "hello everyone how are you"),
    ("accents-kept", "Café crème après-midi", "café crème après midi"),
    ("fullwidth-folded", "\uff28\uff25\uff2c\uff2c\uff2f everyone", "hello everyone"),
    ("just-long-enough", "a" * MIN_REPEAT_CHARS, "a" * MIN_REPEAT_CHARS),
    ("one-short", "a" * (MIN_REPEAT_CHARS - 1), None),
    ("punctuation-only", "?!?!?!?!?!?!?!", None),
]


@pytest.mark.parametrize(("text", "form"), [c[1:] for c in DIGESTS], ids=[c[0] for c in DIGESTS])
def test_digest(text: str, form: str | None) -> None:
    digest = message_digest(text)
    if form is None:
        assert digest is None
    else:
        assert repeat_form(text) == form
        assert digest == hashlib.blake2b(form.encode(), digest_size=16).digest()


def test_keyed_digest_differs() -> None:
    plain, keyed = message_digest(A), message_digest(A, key=b"deployment secret")
    assert plain is not None
    assert keyed is not None
    assert plain != keyed
    assert message_digest(A, key=b"deployment secret") == keyed


# --- canary: nothing kept, returned, raised or printed holds the text ---------------------------

CANARY = "zq7canary"


def test_state_never_holds_the_text() -> None:
    text = f"my secret is {CANARY} and nobody knows"
    digest = message_digest(text)
    recent = RecentMessages().record(digest, T0).record(digest, T0 + 1)
    decision = recent.check(digest, T0 + 2)
    bucket = TokenBucket.full(T0).allow(T0)
    for value in (digest, recent, decision, bucket, RATE_LIMITED_REASON, REPEAT_REASON):
        assert CANARY not in repr(value)
        assert CANARY not in str(value)
        assert CANARY.encode() not in repr(value).encode()
    with pytest.raises(ValueError, match="key") as raised:
        message_digest(text, key=b"k" * 65)  # blake2b keys are at most 64 bytes
    assert CANARY not in str(raised.value)
    assert CANARY not in repr(raised.value)
