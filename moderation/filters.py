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

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

PERSONAL_INFO_CODE = "personal_info"
BLOCKED_TERM_CODE = "blocked_term"
BLOCKED_TERM_REASON = "This message includes a word or phrase this group has chosen not to allow."

Kind = Literal["email", "phone", "link", "handle"]

_REASONS: dict[Kind, str] = {
    "email": "For everyone's safety, email addresses can't be shared in meetings.",
    "phone": "For everyone's safety, phone numbers can't be shared in meetings.",
    "link": "For everyone's safety, links can't be shared in this group's meetings.",
    "handle": "For everyone's safety, social media handles and invitations to connect elsewhere "
    "can't be shared in meetings.",
}


@dataclass(frozen=True)
class PersonalInfo:
    """What kind of contact detail a message holds; `reason` is the sentence to show its sender."""

    kind: Kind

    @property
    def reason(self) -> str:
        return _REASONS[self.kind]


# --- contact details ----------------------------------------------------------------------------

_TLDS = (
    "com|net|org|edu|gov|io|co|uk|info|biz|xyz|ly|gg|tv|ee|ai|app|dev|online|site|ru|de|fr|nl|"
    "au|ca|es|eu|jp|cn|br|ch|se|ie|nz|pl"
)
# Real TLDs that are also words: a domain ending in one needs a scheme, "www." or a path.
_WORD_TLDS = "me|in|it|is|at|to|us|no|so|my|do|go|be|am|an|as|by|id|on|life|live|shop|store|blog|club|top"
_SOCIAL_HOSTS = re.compile(
    r"(?:^|\.)(?:instagram\.com|instagr\.am|facebook\.com|fb\.com|fb\.me|m\.me|messenger\.com|"
    r"snapchat\.com|tiktok\.com|twitter\.com|x\.com|t\.me|telegram\.me|wa\.me|whatsapp\.com|"
    r"discord\.gg|discord\.com|discordapp\.com|kik\.me|linkedin\.com|onlyfans\.com|threads\.net|"
    r"bsky\.app|linktr\.ee|tumblr\.com)$"
)
_BR_OPEN, _BR_CLOSE = r"[(\[{<]", r"[)\]}>]"
_DOT = rf"(?:[ \t]*{_BR_OPEN}[ \t]*(?:dot|\.)[ \t]*{_BR_CLOSE}[ \t]*|[ \t]+dot[ \t]+)"
_AT = rf"(?:[ \t]*{_BR_OPEN}[ \t]*(?:at|@)[ \t]*{_BR_CLOSE}[ \t]*|[ \t]+@[ \t]*|[ \t]*@[ \t]+)"
_PROVIDERS = r"gmail|googlemail|hotmail|yahoo|outlook|icloud|protonmail|proton|aol|live|msn|gmx"

_EMAIL = re.compile(
    r"(?<![\w.+-])[a-z0-9](?:[a-z0-9._%+-]*[a-z0-9_])?(?:"
    rf"@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{{2,}}\b|@(?:{_PROVIDERS})\b"  # jane@example.org, jane@gmail
    rf"|{_AT}[a-z0-9-]+(?:(?:{_DOT}|\.)[a-z0-9-]+)*(?:{_DOT}|\.)(?:{_TLDS})\b"  # jane (at) x.com
    rf"|[ \t]+at[ \t]+[a-z0-9-]+(?:(?:{_DOT}|\.)[a-z0-9-]+)*{_DOT}(?:{_TLDS})\b"  # jane at x dot com
    rf"|[ \t]+at[ \t]+(?:{_PROVIDERS})\b)",  # jane at gmail
    re.IGNORECASE,
)
_LINK = re.compile(
    r"\b(?:https?|ftp)[ \t]*:[ \t]*//[^\s<>\"]+"  # with a scheme
    r"|\bwww\d?\.[^\s<>\"]+"  # www.anything
    rf"|(?P<bare>(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:(?:{_TLDS})(?![\w-])|(?:{_WORD_TLDS})(?=/))"
    r"(?::[0-9]+)?(?:/[^\s<>\"]*)?)"  # bare domain, perhaps with a port and a path
    rf"|(?<![\w.-])(?!(?:the|a|an|this|that|old|big|whole)\b)[a-z0-9-]{{2,}}"
    rf"(?:{_DOT}(?:{_TLDS})|[ \t]*\.[ \t]+com|[ \t]+\.[ \t]*com)\b",  # example dot com, example . com
    re.IGNORECASE,
)
_GLITCH = re.compile(r"[a-z]\.[A-Z][a-z]")  # "finished.Net result": a missing space, not a domain
_HOST = re.compile(r"^(?:[a-z]+[ \t]*:[ \t]*//)?([^/:?#\s]+)", re.IGNORECASE)

_PHONE = re.compile(
    r"(?<![\w.,/$€£¥₹+-])(?<![0-9]:)"  # not glued to a word, a decimal, money or a time
    r"(?:\+[ \t]?)?\(?[0-9]+\)?"
    r"(?:(?:[ \t]*[.\-\u2010-\u2015][ \t]*|[ \t]{1,2}|(?<=\)))\(?[0-9]+\)?)*"
    r"(?![\w/%]|[.,:][0-9])"
)
_UNIT_AFTER = re.compile(
    r"[ \t]*(?:mg|mcg|µg|ug|g|ml|kg|lbs?|iu|units?|steps|cal(?:ories)?|kcal|people|days?|weeks?|"
    r"months?|years?|y/?o|hours?|hrs?|minutes?|mins?|seconds?|secs?|times|dollars|euros|pounds|bucks|"
    r"miles|km|m)\b",
    re.IGNORECASE,
)
_DATE = re.compile(r"\d{1,2}([.-])\d{1,2}\1(?:\d{2}|\d{4})|\d{4}([.-])\d{1,2}\2\d{1,2}")  # ASCII by now
_DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_NUMBER_WORDS = {"oh": "0"} | {name: str(n) for n, name in enumerate(_DIGIT_NAMES)}
_SPELLED = re.compile(
    rf"\b(?:(?:{'|'.join(_NUMBER_WORDS)}|[0-9]+)(?:[ \t]*[,.\-][ \t]*|[ \t]+)){{2,}}"
    rf"(?:{'|'.join(_NUMBER_WORDS)}|[0-9]+)\b",
    re.IGNORECASE,
)

_PLATFORMS = (
    r"insta(?:gram)?|ig|snap(?:chat)?|tik[ \t]?tok|twitter|discord|telegram|whats[ \t]?app|kik|"
    r"facebook|fb|twitch|skype|wechat|linkedin|tumblr|bluesky|bsky|mastodon"
)
_NOT_NAMES = (  # after "my insta is" or "@": ordinary words, not names
    "private public down broken full empty dead deleted gone banned blocked hacked locked new old off on "
    "not so too very just all really a an the my mostly only still kind pretty literally basically toxic "
    "bad awful terrible great fine ok okay boring inactive archived disabled suspended closed open messy "
    "weird different same where what how like about filled why it its it's i i'm me you we they he she "
    "home work school night least most everyone everybody here there lunch dinner breakfast noon midnight"
)
_NOT_A_NAME = frozenset(_NOT_NAMES.split())
_HANDLE = re.compile(
    r"(?<![\w@.+-])@(?P<at>[a-z_][a-z0-9_.]*[a-z0-9_])"  # @name
    rf"|\b(?:(?P<my>my)[ \t]+)?(?:{_PLATFORMS})[ \t]*(?:handle|name|user[ \t]?name|id|tag|account|acc)?"
    r"[ \t]*(?P<sep>:|=|->|=>|-|\bis\b)[ \t]*@?(?P<name>[\w.#]{2,})"  # insta: name, my snap is name
    rf"|\b(?:add|follow|find|dm|pm|message|msg|text|ping|contact|reach|friend|hit)"
    rf"[ \t]+me[ \t]+(?:up[ \t]+)?(?:on|at|via|over|through)[ \t]+(?:{_PLATFORMS})\b"  # add me on x
    rf"|\b(?:snap|snapchat|kik|whatsapp|telegram|insta|discord)[ \t]+me[ \t]+(?:at|on|@|:|via)"  # snap me at
    r"|(?<![0-9])(?<![0-9][ \t])\b(?:dm|pm|kik|whatsapp|telegram)[ \t]+me\b|\bhmu\b"  # dm me, hmu
    r"|\b[\w.]{2,32}#[0-9]{4}\b",  # discord name#1234
    re.IGNORECASE,
)


def find_personal_info(
    text: str, *, allow_links: bool, member_names: Iterable[str] = ()
) -> PersonalInfo | None:
    """The first kind of contact detail in `text` (email, phone, handle, then link), or None.

    `allow_links` is the group's policy: True lets ordinary links through (not emails, phone
    numbers, or links to social or messaging profiles). `member_names` are the display names
    of the people in the room; "@" before one of them is addressing, not a handle.
    """
    text = _prepare(text)
    if _EMAIL.search(text):
        return PersonalInfo("email")
    links = [m for m in _LINK.finditer(text) if not (m.group("bare") and _GLITCH.search(m.group()))]
    social = any(_SOCIAL_HOSTS.search(_host(m.group())) for m in links)
    for m in reversed(links):  # blank the links so their paths are not read as numbers
        text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    if _has_phone(text):
        return PersonalInfo("phone")
    if social or _has_handle(text, member_names):
        return PersonalInfo("handle")
    if links and not allow_links:
        return PersonalInfo("link")
    return None


def _prepare(text: str) -> str:
    """Compatibility forms folded (fullwidth "www" is "www"), invisible characters gone, digits ASCII."""
    if text.isascii():  # most messages: already in that form (NFKC and Cf touch only non-ASCII)
        return text
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch
        for ch in text
        if unicodedata.category(ch) != "Cf"
    )


def _host(link: str) -> str:
    m = _HOST.match(link)
    return m.group(1).lower().removeprefix("www.") if m else ""


def _has_phone(text: str) -> bool:
    for m in _PHONE.finditer(text):
        if _looks_like_phone(m.group().strip(), text[m.end() :]):
            return True
    for m in _SPELLED.finditer(text):
        tokens = re.findall(r"[a-z]+|[0-9]+", m.group().lower())
        digits = "".join(_NUMBER_WORDS.get(t, t) for t in tokens)
        words = sum(t in _NUMBER_WORDS for t in tokens)
        if words >= 2 and 7 <= len(digits) <= 15 and len(set(digits)) >= 3 and not _counting(digits):
            return True
    return False


def _looks_like_phone(cand: str, after: str) -> bool:
    digits = re.sub(r"[^0-9]", "", cand)
    groups = re.findall(r"[0-9]+", cand)
    if not 7 <= len(digits) <= 15 or _UNIT_AFTER.match(after):
        return False
    if cand.startswith("+"):
        return len(digits) >= 8
    if len(groups) == 1:  # a run: not a round number (1000000) or a date (20240512)
        return not re.fullmatch(r"[1-9]0+|(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])[0-3][0-9]", digits)
    if "(" in cand or (digits.startswith("0") and len(digits) >= 9):  # area code, trunk prefix
        return True
    if _DATE.fullmatch(cand) or all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return False  # 12.05.2024, 2019-2020
    separators = set(re.sub(r"[0-9\s]", "", cand))
    if len(groups) == 2:  # 555-1234 or 9123 4567, not 3.1415926 or a range like 500-1000
        round_range = all(g.endswith("0") for g in groups)
        return separators != {"."} and not round_range and all(len(g) >= 3 for g in groups)
    if all(len(g) == 1 for g in groups):  # 5 5 5 1 2 3 4, but not counting 1 2 3 4 5 6 7
        return not _counting(digits)
    if all(len(g) <= 2 for g in groups) or (separators <= {"."} and len(groups) >= 4):
        return False  # 10 20 30 40; 10.0.19041.1234
    return not (len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) and digits.endswith("000"))


def _counting(digits: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(digits)}
    return steps in ({1}, {9})


def _has_handle(text: str, member_names: Iterable[str]) -> bool:
    names: set[str] | None = None
    for m in _HANDLE.finditer(text):
        at, name = m.group("at"), m.group("name")
        if at is not None:
            if not any(c.isalpha() for c in at) or at.lower().rstrip(".") in _NOT_A_NAME:
                continue
            if names is None:
                names = {w for n in member_names for w in (n.casefold(), *n.casefold().split()[:1])}
            if at.casefold().rstrip(".") in names:
                continue
        elif name is not None:
            name = name.lower().rstrip(".#")
            if (
                name in _NOT_A_NAME
                or not any(c.isalpha() for c in name)
                or (m.group("sep").lower() == "is" and not m.group("my"))
            ):
                continue
        return True
    return False


# --- blocked terms ------------------------------------------------------------------------------

_LEET = {"a": "a4@", "e": "e3", "i": "i1!|", "l": "l1|", "o": "o0", "s": "s5$", "t": "t7"}
_DELEET = {"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "|": "l", "0": "o", "5": "s", "$": "s", "7": "t"}
# The skeleton of a word: leetspeak read as letters, i and l (which 1 and | can both be) as one,
# repeated letters as one. Words with equal skeletons are candidates; `_fits` then decides.
_SKELETON = str.maketrans({**_DELEET, "|": "i", "l": "i"})
# A word: letters and digits, with @ $ (anywhere) and ! | (inside only: "bad!" is "bad").
_TOKEN = re.compile(r"[@$]*[^\W_](?:[^\W_@$]|[@$]+|[!|]+(?=[^\W_@$]))*|[@$]{2,}")
_GAP = re.compile(r"(?:[^\S\n]|[.\-_*,'\"`~/\\:;·•^=]){1,4}")  # between spelled-out letters
_RUN = re.compile(r"(.)\1{2,}", re.DOTALL)
_REPEATS = re.compile(r"(.)\1*", re.DOTALL)

Runs = tuple[tuple[str, int], ...]  # (characters that spell this letter, fewest in a row)


@dataclass(frozen=True)
class _Term:
    words: tuple[Runs, ...]
    glued: Runs  # the words written together


@dataclass(frozen=True)
class BlockedTerms:
    """A group's blocked terms, indexed for matching. Build it with `BlockedTerms.compile`."""

    count: int
    _index: dict[str, tuple[_Term, ...]] = field(repr=False, compare=False)
    _max_words: int = field(default=0, repr=False, compare=False)
    _max_skeleton: int = field(default=0, repr=False, compare=False)
    _max_letters: int = field(default=0, repr=False, compare=False)

    @classmethod
    def compile(cls, terms: Iterable[str]) -> BlockedTerms:
        """Index `terms` (words or phrases; blank ones and ones without letters are ignored)."""
        index: dict[str, tuple[_Term, ...]] = {}
        seen: set[tuple[str, ...]] = set()
        for term in terms:
            folded = _fold(term)
            words = tuple("".join(_DELEET.get(c, c) for c in w) for w in _TOKEN.findall(folded))
            if not any(c.isalpha() for c in folded) or words in seen:
                continue
            seen.add(words)
            entry = _Term(tuple(_runs(w) for w in words), _runs("".join(words)))
            key = _skeleton("".join(words))
            index[key] = (*index.get(key, ()), entry)
        most_words = max((len(w) for w in seen), default=0)
        longest = max((len(k) for k in index), default=0)
        return cls(len(seen), index, most_words, longest, max((len("".join(w)) for w in seen), default=0))

    def matches(self, text: str) -> bool:
        """Whether `text` contains one of the terms as a whole word (see the module doc)."""
        if not self._index:
            return False
        folded = _RUN.sub(_two, _fold(text))  # runs capped at two: "baaaad" is "baad"
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(folded)]
        words = [folded[a:b] for a, b in spans]
        skeletons = [_skeleton(w) for w in words]
        for i in range(len(words)):  # a term's words as consecutive words, or written together
            skeleton = ""
            for j in range(i, min(len(words), i + self._max_words)):
                skeleton = _extend(skeleton, skeletons[j])
                if len(skeleton) > self._max_skeleton:
                    break
                for term in self._index.get(skeleton, ()):
                    if _found(term, words[i : j + 1]):
                        return True
        return self._spelled_out(folded, spans, words, skeletons)

    def _spelled_out(
        self, folded: str, spans: list[tuple[int, int]], words: list[str], skeletons: list[str]
    ) -> bool:
        """A term spelled one letter at a time ("b a d", "b.a.d") inside a run of lone letters.

        It must fill its part of the run: a lone letter right before or after it (other than
        the words "a" and "I") means a longer word is being spelled, as "t i t" in "t i t l e".
        """
        lone = [len(w) == 1 for w in words]
        linked = [
            lone[k] and lone[k + 1] and _GAP.fullmatch(folded, spans[k][1], spans[k + 1][0]) is not None
            for k in range(len(words) - 1)
        ]
        for i in range(len(words) - 1):
            if not linked[i] or (i > 0 and linked[i - 1] and words[i - 1] not in "ai"):
                continue
            skeleton = skeletons[i]
            for j in range(i + 1, min(len(words), i + 2 * self._max_letters)):
                if not linked[j - 1]:
                    break
                skeleton = _extend(skeleton, skeletons[j])
                if len(skeleton) > self._max_skeleton:
                    break
                if j + 1 < len(words) and linked[j] and words[j + 1] not in "ai":
                    continue
                candidates = self._index.get(skeleton, ())
                glued = "".join(words[i : j + 1]) if candidates else ""
                if any(_fits(glued, t.glued) and not glued.isdigit() for t in candidates):
                    return True
        return False

    def __repr__(self) -> str:
        return f"BlockedTerms(count={self.count})"


def _two(match: re.Match[str]) -> str:
    return match.group(1) * 2


def _fold(text: str) -> str:
    """Casefolded, accents and invisible characters removed, compatibility forms folded."""
    if text.isascii():  # no accents, marks or compatibility forms to fold
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Me", "Cf"))
    return unicodedata.normalize("NFKC", text.casefold())


def _runs(word: str) -> Runs:
    return tuple((_LEET.get(m.group(1), m.group(1)), min(len(m.group()), 2)) for m in _REPEATS.finditer(word))


def _skeleton(word: str) -> str:
    return "".join(letter for letter, _ in itertools.groupby(word.translate(_SKELETON)))


def _extend(skeleton: str, more: str) -> str:
    return skeleton + more[1:] if skeleton and more and skeleton[-1] == more[0] else skeleton + more


def _found(term: _Term, words: list[str]) -> bool:
    """Whether `words` spell `term`: all of it in one word, or one word for each of its words."""
    if len(words) == 1:
        return _fits(words[0], term.glued) and not words[0].isdigit()  # "455" is never "ass"
    return (
        len(words) == len(term.words)
        and all(_fits(w, runs) for w, runs in zip(words, term.words, strict=True))
        and not "".join(words).isdigit()
    )


def _fits(word: str, runs: Runs) -> bool:
    """Whether `word` is exactly these runs: each letter (or its leetspeak) at least so often."""
    ends = {0}
    for chars, fewest in runs:
        reach: set[int] = set()
        for start in ends:
            stop = start
            while stop < len(word) and word[stop] in chars:
                stop += 1
            reach.update(range(start + fewest, stop + 1))
        if not reach:
            return False
        ends = reach
    return len(word) in ends
