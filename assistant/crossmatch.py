"""How a question's words are found in a unit of the other language (`quotes.score_units`).

The dictionary is read both ways: an English question's words are looked for in a Swedish unit
as their Swedish dictionary words and those words' relatives (inflections, compounds with them as
head); a Swedish question's words that no translation matched are looked for in an English unit
through the Swedish dictionary words of the unit's own words.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from .language import CHATTER, STOP, question_word_forms, stemmer, words
from .language.lexicon import reverse_lexicon

# An English question over a Swedish unit: a Swedish dictionary word of the question found in the
# unit only as a relative (see `related`) counts this share of its weight …
PARTIAL = 0.6
PART_MIN = 5  # … when both stems have at least this many letters
PART_PREFIX_EXTRA = 3  # … and one goes on from the other by at most this many (an inflection)


@lru_cache(maxsize=65536)
def related(a: str, b: str) -> bool:
    """Two Swedish stems of one word that stemming did not make equal: one begins the other and
    goes on by an inflection at most (Snowball stems the dictionary's "kostnad" to "kostn" but
    the text's "kostnader" to "kostnad"), or one is the last part of the other, a compound's
    head ("kostnad" … "enhetskostnad")."""
    if a == b or len(a) < PART_MIN or len(b) < PART_MIN:
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    extra = len(long) - len(short)
    return (long.startswith(short) and extra <= PART_PREFIX_EXTRA) or (
        long.endswith(short) and extra >= 3
    )


def partial_overlap(
    own: set[str], tk: set[str], weight: Callable[[str], float], base: Callable[[str], float]
) -> float:
    """What a unit holds of the question's words as relatives only: each such word counts
    `PARTIAL` of its weight, at most the weight of the rarest relative found."""
    total = 0.0
    for t in own - tk:
        if len(t) < PART_MIN:
            continue
        found = [u for u in tk if related(t, u)]
        if found:
            total += PARTIAL * min(weight(t), max(base(u) for u in found))
    return total


@lru_cache(maxsize=65536)
def swedish_of(en_stem: str) -> frozenset[str]:
    """Swedish stems of an English stem, by the whole dictionary read backwards."""
    return frozenset(stemmer("sv").stemWords(reverse_lexicon().get(en_stem, ())))


def question_words(question: str) -> list[tuple[str, set[str]]]:
    """Each content word of a Swedish question: its Swedish stem and every form it is matched by
    (its stems, its translations' stems)."""
    kept = [w for w in words(question) if w not in CHATTER]
    return [
        (stemmer("sv").stemWord(w), forms)
        for w, forms in zip(kept, question_word_forms(question), strict=True)
        if w not in STOP and len(w) >= 4 and not w.isdigit()
    ]


def backward_overlap(
    qwords: list[tuple[str, set[str]]], tk: set[str], weight: Callable[[str], float]
) -> float:
    """A Swedish question over an English unit: a question word that no translation matched
    counts `PARTIAL` of its weight where an English word of the unit has it (or a compound
    with it as head) among its Swedish dictionary words ("boat" → fartyg), as an English
    question's words are read in a Swedish unit."""
    missed = [sv for sv, forms in qwords if not forms & tk]
    if not missed:
        return 0.0
    back: set[str] = set()
    for t in tk:
        back |= swedish_of(t)
    return sum(
        PARTIAL * weight(sv) for sv in missed if sv in back or any(related(sv, b) for b in back)
    )
