"""Contact details in a message: emails, phone numbers, links and social handles. Pure, stdlib only.

`find_personal_info(text, allow_links=group.allow_links, member_names=names)` returns None or a
`PersonalInfo` whose `kind` ("email", "phone", "link", "handle") picks a fixed `reason`
sentence to show its sender (see `moderation.filters` for how a refusal is framed). It never
quotes the text, so results are safe to log.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

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
