"""Crisis language detection: does a chat message say the speaker may harm themselves or others?

Call `assess(text)` on a message that is being delivered. It returns None, or a
`CrisisSignal(kind, rule)`: `kind` is suicide, self_harm or harm_to_others, and `rule` is the
stable id of the reviewed rule that fired (e.g. "suicide.want_to_die"), for explaining the
decision and counting it in an audit. Neither holds any of the message text. This module only
decides: the message is delivered either way, and what follows (crisis resources privately to
the sender, a text-free private alert to facilitators) is the caller's job.

How it decides:

1. `normalise` makes one canonical copy of the text: NFKD with combining marks dropped (accents,
   "zalgo" stacking), case-folded, invisible characters removed, Cyrillic look-alikes and simple
   leetspeak inside words mapped to letters ("k1ll", "$uicide", "d!e"), starred-out words
   restored ("k*ll"), letter-by-letter spellings joined when they spell a crisis word ("k i l l",
   "s.u.i.c.i.d.e"), curly apostrophes straightened and contractions spelled out ("i'm", "im",
   "dont", "can't"), slang and misspellings mapped (`crisis_phrases.SPELLINGS`: "wanna", "kms"
   -> "kill myself", "unalive" -> "kill", "sucide"), long letter runs shortened ("diiiie").
   Punctuation becomes structure: one sentence per line, a clause break as a "," word.
2. `crisis_rules.RULES` is a reviewed table of rules, most urgent first (method, means, plan and
   timeline before general ideation), each a few precompiled regular expressions over one
   sentence. A sentence is only searched by an expression if it holds that expression's
   keywords, which keeps ordinary talk cheap. The first rule with a match that survives the
   checks below is the answer. Patterns are first person ("i want to die", "kill myself",
   "better off without me") or about the speaker's intent, plan, means or timeline, so talk about
   other people ("my friend's brother died by suicide"), training ("suicide prevention") and
   idioms ("this is killing me", "dying to see it", "kill the lights") do not match; the idioms
   that share a rule's words are excluded inside it ("kill myself laughing", "die of
   embarrassment", "hurt her feelings").
3. Negation: a match is dropped when one of the four words before it, in the same clause ("but"
   and "and" start a new one), is "not", "never" or "no longer" ("i am not going to kill
   myself"), except in phrases that only look negative ("not sure", "not okay", "can not stop
   thinking about", "why do not i just").
4. Past and recovered: a match marked as the past ("used to", "years ago", "when i was 15", "as
   a teen", "in 2015") is dropped unless the message says it is coming back ("again", "the urge
   is back", "relapsed", "lately", "still do"). So "i used to want to die but i am better now"
   does not fire and "i used to self harm and the urge is back" does. A plain past tense ("i
   wanted to die last night", "i tried to kill myself last year") fires: when unsure, we err on
   the side of care.

Decided on purpose: figures of speech about others stay quiet ("i could kill him", "she'll kill
me"); so do wishes about others ("i wish he was dead"), telling someone else to die ("kys", a
matter for ordinary moderation), and goodbyes with no stated intent ("this is goodbye"), which
are too common in a grief group to tell apart.

Limits: English only; keyword and pattern based, with no model and no grasp of context, so it
misses what it has no pattern for (false negatives are certain, and new slang appears all the
time) and fires on some jokes, hyperbole and song lyrics ("kms lol", "i'm going to kill my
sister for taking my car"), quotations and reported speech. A pattern never spans two
sentences ("I have the pills. I'm ready." does not fire) nor two messages. Facilitators remain
the safeguard; this only makes sure the clearest statements are not missed in a busy room.
Everything is linear in the text: a 2,000-character message takes about 0.1 to 0.3 ms (under 1 ms
for the most hostile shapes we tried).

To add or change a rule: first add the phrase to the table in `tests/moderation/test_crisis.py`
with the rule it should fire, plus the near misses that must stay quiet. Then add an alternative
`(keywords, pattern)` to the closest rule in `crisis_rules.RULES`, or a new rule in urgency
order whose id starts with its kind ("self_harm.burning"). Ids are counted in audits: never
rename one or reuse it for a different meaning. Write the pattern over normalised text, build
it from the pieces in `crisis_phrases` (anchor it on the speaker with `SUBJ`), keep the idioms
you found as `(?! ...)` exclusions, and list keywords that every match contains. The tests
check that every alternative matches one of its rule's examples and holds its keywords.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from moderation.crisis_phrases import SPELLINGS
from moderation.crisis_rules import RULES


class CrisisKind(StrEnum):
    suicide = "suicide"
    self_harm = "self_harm"
    harm_to_others = "harm_to_others"


@dataclass(frozen=True)
class CrisisSignal:
    """What fired: the kind of crisis and the id of the rule. Never any of the message text."""

    kind: CrisisKind
    rule: str


@dataclass(frozen=True)
class _Alternative:
    order: int  # position in the rules table: lower is more urgent
    signal: CrisisSignal
    also: tuple[frozenset[str], ...]  # keyword groups after the first, which `_BY_KEYWORD` indexes
    pattern: re.Pattern[str]


def _index() -> dict[str, tuple[_Alternative, ...]]:
    index: dict[str, list[_Alternative]] = {}
    order = 0
    for rule_id, alternatives in RULES:
        signal = CrisisSignal(CrisisKind(rule_id.partition(".")[0]), rule_id)
        for keywords, pattern in alternatives:
            first, *also = (frozenset(group.split()) for group in keywords.split("+"))
            alternative = _Alternative(order, signal, tuple(also), re.compile(pattern))
            for word in first:
                index.setdefault(word, []).append(alternative)
            order += 1
    return {word: tuple(alternatives) for word, alternatives in index.items()}


_BY_KEYWORD = _index()
_KEYWORDS = frozenset(_BY_KEYWORD)


def assess(text: str) -> CrisisSignal | None:
    """The first rule, most urgent first, that `text` clearly triggers; None if there is none."""
    sentences = normalise(text).split("\n")
    # Only sentences with an alternative's keywords can match it: find those pairs first.
    todo: dict[tuple[int, int], _Alternative] = {}
    for number, sentence in enumerate(sentences):
        words = set(sentence.split())
        for word in words & _KEYWORDS:
            for alternative in _BY_KEYWORD[word]:
                if not any(group.isdisjoint(words) for group in alternative.also):
                    todo[alternative.order, number] = alternative
    for (_, number), alternative in sorted(todo.items()):
        for match in alternative.pattern.finditer(sentences[number]):
            if _stands(sentences[number], match, sentences):
                return alternative.signal
    return None


# --- deciding whether a match stands --------------------------------------------------------

_NEGATOR = re.compile(r"\b(?:not|never|no longer)\b")
_CLAUSE = re.compile(r",| (?:but|and|so|because|though|although|yet|however) ")
_NOT_A_NEGATION = re.compile(
    r"\b(?:not (?:sure|certain|ok|okay|fine|well|good|happy|coping|only|kidding|joking|exaggerating"
    r"|going to lie|to be dramatic|being dramatic|even joking|doing (?:ok|okay|well|good|great))"
    r"|(?:can|could) not (?:stop|help)|(?:do|did) not know|why (?:do |does |would |should |can )?not)\b"
)
_STAGE = r"(?:kid|child|teen|teenager|student)"
_WHEN_YOUNG = (
    rf"when i was (?:\d+|young|younger|little|a {_STAGE}|in (?:school|high school|college|uni|university))"
    rf"|as a {_STAGE}|in (?:high school|college|my teens|my twenties)|in (?:19|20)\d\d"
    r"|years ago|a long time ago"
)
_PAST_BEFORE = re.compile(rf"\b(?:used to|back when|in the past|{_WHEN_YOUNG})\b")
_PAST_AFTER = re.compile(rf"\b(?:back then|{_WHEN_YOUNG})\b")
_RECURS = re.compile(
    r"\b(?:again|urges?|relaps(?:e|ed|ing)|(?:is|are|came|coming|comes|come|creeping|crept) back"
    r"|returned|returning|lately|recently|these days|nowadays|tempted|cravings?"
    r"|still (?:do|feel|think|want|have|get|struggle)|start(?:ing|ed) to (?:feel|think|want|get))\b"
)


def _stands(sentence: str, match: re.Match[str], sentences: list[str]) -> bool:
    """Whether a match is meant: not negated, and not only in the past unless it is coming back."""
    if _negated(sentence[: match.start()]):
        return False
    if _PAST_BEFORE.search(sentence, 0, match.end()) or _PAST_AFTER.search(sentence, match.end()):
        return any(_recurs(s) for s in sentences)
    return True


def _negated(before: str) -> bool:
    """Whether one of the last four words of the clause before a match negates it."""
    clause = _NOT_A_NEGATION.sub("_", _CLAUSE.split(before)[-1])
    return _NEGATOR.search(" ".join(clause.split()[-4:])) is not None


def _recurs(sentence: str) -> bool:
    return any(not _negated(sentence[: cue.start()]) for cue in _RECURS.finditer(sentence))


# --- normalising ----------------------------------------------------------------------------

_APOSTROPHES = re.compile("[\u2018\u2019\u201a\u201b\u2032\u00b4`\u02bc\uff07]")
_DASHES = re.compile("[\u2013\u2014\u2015]")  # long dashes break clauses
# Combining marks (accents, "zalgo") and invisible characters in the usual blocks; any others
# are found by `_drop_marks`.
_COMMON_MARKS = re.compile(
    "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u00ad\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\ufe00-\ufe0f\ufeff]+"
)
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LOOKALIKES = str.maketrans("аеорсухіѕјӏк", "aeopcyxisjlk")  # Cyrillic letters that pass for Latin
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_MARKS = frozenset({"Mn", "Me", "Cf"})  # combining marks and invisible format characters
_LEET = str.maketrans("013457@$!", "oieastasi")
# Leetspeak is a digit or symbol next to a letter ("!" only between letters: "die!" keeps its "!").
_LEET_CHAR = re.compile(r"[0-9@$*!]")
_LEET_REST = re.compile(r"[a-z0-9@$*]*(?:!+[a-z0-9@$*]+)*")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_LEET_WORD_CHARS = _LETTERS | frozenset("0123456789@$*")
_NUMBERISH = re.compile(r"\d+(?:st|nd|rd|th|am|pm|mg|ml|g|kg|lbs?|s|x|k|m|h|hrs?|mins?|yo|y)?")
_CRISIS_WORDS = (
    "kill", "killing", "myself", "suicide", "suicidal", "die", "dead", "dying", "unalive",
    "cut", "cutting", "hurt", "harm", "self", "want",
)  # fmt: skip
# Letter-by-letter spellings ("k i l l", "s.u.i.c.i.d.e") of these are joined.
_SPELLED = {w: w for w in _CRISIS_WORDS} | {"kms": "kms", "killmyself": "kill myself"}
_SPACED = re.compile(r"\b[a-z](?:[ .\-_*]{1,2}[a-z]\b){2,}")
_DASH = re.compile(r" -+ |--+")
# ASCII punctuation: sentence ends become line breaks, clause breaks commas, the rest spaces.
_PUNCTUATION = str.maketrans(
    {chr(c): " " for c in range(128) if not chr(c).isalnum() and chr(c) != "'"}
    | dict.fromkeys(".!?;\n", "\n")
    | dict.fromkeys(",:()[]{}", ",")
)
_COMMAS = re.compile(r",(?: *,)+")
_LONG_RUN = re.compile(r"([a-z])\1\1+")
_PHRASE = re.compile(
    r"\bsewer slide\b|\bun alive\b|\bmy self\b(?! (?:esteem|worth|confidence|image|care|respect)\b)"
)
_PHRASES = {"sewer slide": "suicide", "un alive": "unalive", "my self": "myself"}
_CLITICS = {"m": "am", "re": "are", "ve": "have", "ll": "will", "d": "would"}
# Whose "'s" is "is" ("it's", "tonight's"); elsewhere it is a possessive and dropped.
_IS_WORDS = frozenset({
    "it", "that", "what", "there", "here", "he", "she", "who", "everything", "nothing", "life", "this",
    "tonight", "today", "tomorrow",
})  # fmt: skip
# After these, "2" is "to" ("want 2 die").
_BEFORE_TO = frozenset({
    "want", "wanted", "need", "going", "ready", "have", "trying", "try", "tried", "plan", "planning",
    "about", "used",
})  # fmt: skip


def normalise(text: str) -> str:
    """The canonical copy rules run on: lower-case ASCII words, one sentence per line."""
    if text.isascii():
        text = text.lower().replace("`", "'")
    else:
        text = _APOSTROPHES.sub("'", _DASHES.sub(",", text))
        text = _COMMON_MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()
        if _CYRILLIC.search(text):
            text = text.translate(_LOOKALIKES)
        text = _NON_ASCII.sub(_drop_marks, text)
    text = _unleet(text)
    text = _SPACED.sub(_unspace, text)
    if "-" in text:
        text = _DASH.sub(",", text)
    text = _LONG_RUN.sub(_shorten, text.translate(_PUNCTUATION))
    if "," in text:
        text = _COMMAS.sub(",", text).replace(",", " , ")
    if "sewer" in text or "un alive" in text or "my self" in text:
        text = _PHRASE.sub(lambda m: _PHRASES[m[0]], text)
    sentences = (_words(line.strip(" ,")) for line in text.split("\n"))
    return "\n".join(sentence for sentence in sentences if sentence)


def _drop_marks(match: re.Match[str]) -> str:
    """A run of non-ASCII characters: nothing if it is only marks, else a space."""
    return " " if any(unicodedata.category(ch) not in _MARKS for ch in match[0]) else ""


def _unleet(text: str) -> str:
    """Read the words that mix letters with digits or symbols as leetspeak ("k1ll", "$uicide")."""
    parts: list[str] = []
    done = 0
    for hit in _LEET_CHAR.finditer(text):
        at = hit.start()
        before = text[at - 1] if at > done else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        if at < done or not (before in _LETTERS or after in _LETTERS):
            continue
        if hit[0] == "!" and not (before in _LETTERS and after in _LETTERS):
            continue
        start = at
        while start > done and text[start - 1] in _LEET_WORD_CHARS:
            start -= 1
        rest = _LEET_REST.match(text, start)  # always matches, perhaps empty
        end = rest.end() if rest else at + 1
        parts += (text[done:start], _unleet_word(text[start:end]))
        done = end
    return "".join(parts) + text[done:] if parts else text


def _unleet_word(word: str) -> str:
    if _NUMBERISH.fullmatch(word):
        return word
    word = word.translate(_LEET)
    if "*" in word:
        starred = re.compile(re.sub(r"(?:\\\*)+", "[a-z]{1,3}", re.escape(word)))
        word = next((w for w in _CRISIS_WORDS if starred.fullmatch(w)), word.replace("*", ""))
    return word


def _unspace(match: re.Match[str]) -> str:
    word = "".join(ch for ch in match[0] if ch.isalpha())
    if word in _SPELLED:
        return _SPELLED[word]
    if word[0] in "ia" and word[1:] in _SPELLED:
        return word[0] + " " + _SPELLED[word[1:]]
    return match[0]


def _shorten(match: re.Match[str]) -> str:
    """Three or more of a letter: one vowel ("diiie"), two consonants ("killll")."""
    return match[1] if match[1] in "aeiouy" else match[1] * 2


def _words(line: str) -> str:
    """Spell out the words of one sentence: contractions, slang, misspellings."""
    if "'" not in line and "2" not in line:
        return " ".join([SPELLINGS.get(word, word) for word in line.split()])
    out: list[str] = []
    for word in line.split():
        if word == "2" and out and out[-1] in _BEFORE_TO:
            out.append("to")
        elif "'" in word:
            if word := word.strip("'"):  # a quotation mark, not a contraction
                out.append(_contraction(word))
        else:
            out.append(SPELLINGS.get(word, word))
    return " ".join(out)


def _contraction(word: str) -> str:
    """ "i'm" -> "i am", "didn't" -> "did not", "it's" -> "it is", "friend's" -> "friend"."""
    if word in SPELLINGS:
        return SPELLINGS[word]
    stem, _, tail = word.rpartition("'")
    stem = stem.replace("'", "")
    if tail == "t" and stem.endswith("n"):
        return SPELLINGS.get(stem[:-1], stem[:-1]) + " not"
    if tail == "s":
        return stem + " is" if stem in _IS_WORDS else SPELLINGS.get(stem, stem)
    if tail in _CLITICS:
        return SPELLINGS.get(stem, stem) + " " + _CLITICS[tail]
    return SPELLINGS.get(stem + tail, stem + tail)
