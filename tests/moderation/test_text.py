"""Message text rules: each case is (input, what members see), or (input, why it is refused)."""

from __future__ import annotations

import pytest

from moderation.text import MAX_MESSAGE_CHARS, InvalidMessage, normalize_message

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # woman, ZWJ, woman, ZWJ, girl: 5 code points

KEPT = [
    # (id, input, expected)
    ("plain", "I made it through the week.", "I made it through the week."),
    ("trims-ends", "  \n\thello there \n ", "hello there"),
    ("keeps-inner-spaces", "a  b", "a  b"),
    ("keeps-tab", "step 1:\tbreathe", "step 1:\tbreathe"),
    ("keeps-single-newline", "line one\nline two", "line one\nline two"),
    ("crlf-to-lf", "one\r\ntwo", "one\ntwo"),
    ("cr-to-lf", "one\rtwo", "one\ntwo"),
    ("line-separator-to-lf", "one\u2028two\u2029three", "one\ntwo\nthree"),
    ("nel-to-lf", "one\x85two", "one\ntwo"),
    ("two-blank-lines-kept", "a\n\n\nb", "a\n\n\nb"),
    ("three-blank-lines-become-two", "a\n\n\n\nb", "a\n\n\nb"),
    ("many-blank-lines-become-two", "a" + "\n" * 40 + "b", "a\n\n\nb"),
    ("whitespace-only-lines-count-as-blank", "a\n \n\t\n  \n\nb", "a\n\n\nb"),
    ("crlf-blank-lines-collapse", "a\r\n\r\n\r\n\r\n\r\nb", "a\n\n\nb"),
    # control characters go, wherever they are
    ("nul-removed", "a\x00b", "ab"),
    ("bell-removed", "a\x07b", "ab"),
    ("ansi-escape-loses-esc", "\x1b[31mred", "[31mred"),
    ("del-removed", "a\x7fb", "ab"),
    ("c1-control-removed", "a\x9bb", "ab"),
    ("vertical-tab-and-form-feed-removed", "a\x0b\x0cb", "ab"),
    ("control-between-blank-lines", "a\n\x00\n\x00\n\x00\nb", "a\n\n\nb"),
    ("lone-surrogate-removed", "a\ud800b", "ab"),
    # NFC: one spelling per character
    ("nfc-composes-accent", "cafe\u0301", "caf\u00e9"),
    ("nfc-keeps-precomposed", "caf\u00e9", "caf\u00e9"),
    ("nfc-composes-hangul-jamo", "\u1100\u1161", "\uac00"),
    ("nfc-orders-combining-marks", "q\u0307\u0323", "q\u0323\u0307"),
    ("control-removed-before-composing", "e\x00\u0301", "\u00e9"),
    ("stacked-combining-marks-kept", "q\u0300\u0301\u0304", "q\u0300\u0301\u0304"),
    ("devanagari-kept", "नमस्ते", "नमस्ते"),
    # emoji, including the joiners and modifiers that build them
    ("emoji", "I'm okay \U0001f642", "I'm okay \U0001f642"),
    ("zwj-family", FAMILY, FAMILY),
    ("skin-tone", "\U0001f44b\U0001f3fd", "\U0001f44b\U0001f3fd"),
    ("flag", "\U0001f1fa\U0001f1e6", "\U0001f1fa\U0001f1e6"),
    ("keycap", "1\ufe0f\u20e3", "1\ufe0f\u20e3"),
    # right-to-left text and its marks are the writer's, not ours to change
    ("arabic", "أنا بخير اليوم", "أنا بخير اليوم"),
    ("hebrew-with-rlm", "שלום\u200f!", "שלום\u200f!"),
    ("mixed-direction", "I said שלום today", "I said שלום today"),
    # limits
    ("exactly-max", "x" * MAX_MESSAGE_CHARS, "x" * MAX_MESSAGE_CHARS),
    ("max-after-trimming", "  " + "x" * MAX_MESSAGE_CHARS + "\n\n", "x" * MAX_MESSAGE_CHARS),
    ("max-after-nfc", "e\u0301" * MAX_MESSAGE_CHARS, "\u00e9" * MAX_MESSAGE_CHARS),
    ("one-char", "k", "k"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in KEPT], ids=[c[0] for c in KEPT])
def test_normalize_message(text: str, expected: str) -> None:
    assert normalize_message(text) == expected


REFUSED = [
    # (id, input, reason)
    ("empty", "", "empty"),
    ("spaces", "     ", "empty"),
    ("newlines-and-tabs", "\n\n\t\r\n", "empty"),
    ("only-controls", "\x00\x01\x1b", "empty"),
    ("zero-width-space", "\u200b", "empty"),
    ("byte-order-mark", "\ufeff \ufeff", "empty"),
    ("ideographic-space", "\u3000", "empty"),
    ("only-direction-marks", "\u200f\u200e", "empty"),
    ("one-over-max", "x" * (MAX_MESSAGE_CHARS + 1), "too_long"),
    ("emoji-count-by-code-point", FAMILY * (MAX_MESSAGE_CHARS // 5 + 1), "too_long"),
    ("long-even-after-nfc", "\u0958" * (MAX_MESSAGE_CHARS // 2 + 1), "too_long"),  # NFC makes 2 of 1
]


@pytest.mark.parametrize(("text", "reason"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_normalize_message_refuses(text: str, reason: str) -> None:
    with pytest.raises(InvalidMessage) as caught:
        normalize_message(text)
    assert caught.value.reason == reason
    assert str(caught.value) == caught.value.message


def test_refusal_never_carries_the_text() -> None:
    canary = "my secret is purple-elephant"
    for text in (canary * 100, f"\u200b{canary}" * 200):
        with pytest.raises(InvalidMessage) as caught:
            normalize_message(text)
        assert "purple" not in str(caught.value)
        assert "purple" not in repr(caught.value)
        assert all("purple" not in str(arg) for arg in caught.value.args)


@pytest.mark.parametrize("text", [c[2] for c in KEPT], ids=[c[0] for c in KEPT])
def test_normalizing_twice_changes_nothing(text: str) -> None:
    assert normalize_message(normalize_message(text)) == normalize_message(text)
