"""A group's blocked terms, matched as whole words through disguises. Pure, stdlib only.

`BlockedTerms.compile(group.blocked_terms)` once per group (again when the list changes), then
`.matches(text)` per message: True means refuse with `BLOCKED_TERM_REASON`, which never says
which term. How words are matched is described in `moderation.filters`.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

BLOCKED_TERM_REASON = "This message includes a word or phrase this group has chosen not to allow."

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
