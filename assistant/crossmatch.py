"""How a question's words are found in a unit of the other language (`quotes.score_units`).

The dictionary is read both ways: an English question's words are looked for in a Swedish unit
as their Swedish dictionary words and those words' relatives (inflections, compounds with them as
head); a Swedish question's words that no translation matched are looked for in an English unit
through the Swedish dictionary words of the unit's own words.

An English question reaches Swedish passages through its words' Swedish dictionary words
(`swedish_list`), as a Swedish question reaches English ones through its pseudo-translation.

The search reads English passages backwards too (`backward_doc`, `backward_query`): each English
word of a passage stands for all its Swedish dictionary words, so a Swedish word matches a passage
through any sense the dictionary gives, not only the two the index-filtered bridge keeps; all the
English words that read as one Swedish word count as that one word (one document frequency, their
occurrences summed), so a word with many translations does not outweigh the question's others.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .language import CHATTER, STOP, question_word_forms, stemmer, swedish_query, words
from .language.bridge import base_forms, known
from .language.lexicon import reverse_lexicon

if TYPE_CHECKING:
    from .documents import Chunk
    from .lexical import LevelView

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


@lru_cache(maxsize=65536)
def read_back(sv: str, en: str) -> bool:
    """A Swedish question's stem is met by an English stem read backwards: the stem, or a
    relative of it (`related`), is among the English word's Swedish dictionary words."""
    back = swedish_of(en)
    return sv in back or any(related(sv, b) for b in back)


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
    qwords: list[tuple[str, set[str]]],
    tk: set[str],
    weight: Callable[[str], float],
    base: Callable[[str], float] | None = None,
    cap: bool = True,
) -> float:
    """A Swedish question over an English unit: a question word that no translation matched
    counts `PARTIAL` of its weight where an English word of the unit has it (or a compound
    with it as head) among its Swedish dictionary words ("boat" → fartyg), as an English
    question's words are read in a Swedish unit. With `base` (the rarity of the unit's words)
    and `cap` (the quote choice), at most the weight of the rarest English word it is read from
    (`BACKWARD_CAP`): a Swedish stem is rare among English passages whatever it means, and
    "skicka" is read from "state" (skick) in every "Member State"."""
    missed = [sv for sv, forms in qwords if not forms & tk]
    total = 0.0
    for sv in missed:
        # Pair by pair (`read_back` is cached): a question's units are scored three times over.
        hits = [t for t in tk if read_back(sv, t)]
        if hits:
            w = weight(sv)
            if base is not None and cap and BACKWARD_CAP:
                w = min(w, max(base(t) for t in hits))
            total += PARTIAL * w
    return total


# In the quote choice, a word read backwards weighs no more than the English word it is read
# from (session 21; in the passage ranking too, it moved one check-set passage down a rank).
BACKWARD_CAP = True

SAYS_SAME = 0.35  # share of each text's words the other holds, read through the dictionary


def _content(text: str, lang: str) -> list[str]:
    kept = [w for w in words(text) if w not in STOP and len(w) > 2 and not w.isdigit()]
    return list(stemmer(lang).stemWords(kept))


def says_same(sv_text: str, en_text: str) -> bool:
    """A Swedish and an English text say the same: at least `SAYS_SAME` of the Swedish words are
    Swedish dictionary words (or their relatives) of the English ones, and at least that share of
    the English words have a Swedish dictionary word the Swedish text holds. Measured on our
    Swedish pages and the English summaries of them: a paraphrase shares 0.38-0.50 both ways,
    unrelated sentences of the same passages up to 0.30."""
    sv, en = _content(sv_text, "sv"), _content(en_text, "en")
    if not sv or not en:
        return False
    en_words, sv_words = set(en), set(sv)
    sv_held = sum(1 for t in sv if any(read_back(t, e) for e in en_words))
    if sv_held < SAYS_SAME * len(sv):
        return False
    en_held = sum(1 for e in en if any(read_back(t, e) for t in sv_words))
    return en_held >= SAYS_SAME * len(en)


def backward_doc(en_stems: list[str]) -> list[str]:
    """An English passage's stems as Swedish ones, for the backward search: each stem becomes its
    Swedish dictionary words (`swedish_of`); a stem the dictionary has no Swedish for (a name, an
    acronym, a number) is left out, as the Swedish question cannot be matched by it here."""
    return [sv for t in en_stems for sv in swedish_of(t)]


def swedish_parts(w: str, depth: int = 0) -> list[str]:
    """A Swedish compound's parts, both words of the whole dictionary ("säkerhetsanläggningar" →
    säkerhet + anläggningar, a linking "s" dropped; the head may split once more). A word the
    dictionary knows is not split."""
    if len(w) < 8 or (depth == 0 and known(w)):
        return []
    for i in range(3, len(w) - 3):
        head, tail = w[:i], w[i:]
        if not known(tail):
            continue
        linked = head[:-1] if head.endswith("s") and len(head) > 4 else ""
        for part in (head, linked):
            if part and known(part):
                return [part, tail]
        if depth == 0 and (deeper := swedish_parts(linked or head, 1)):
            return [*deeper, tail]
    return []


def backward_query(question: str) -> list[str]:
    """A Swedish question's stems for the backward search: each content word, the parts of a word
    joined by "-" or "/", a compound's parts, and a headword the stemmer did not reach
    ("programmet" also as "program")."""
    st = stemmer("sv")
    out: list[str] = []
    for word in words(question):
        for w in [p for p in re.split(r"[-/]", word) if p]:
            if w in STOP or w in CHATTER or len(w) < 3:
                continue
            out.append(st.stemWord(w))
            base = next((b for b in base_forms(w) if known(b)), None)
            if base is not None and st.stemWord(base) != out[-1]:
                out.append(st.stemWord(base))
            out.extend(st.stemWord(p) for p in swedish_parts(w))
    return out


def swedish_list(
    question: str,
    view: LevelView,
    chunks: Sequence[Chunk],
    keep: Callable[[Chunk], bool],
    pool: int,
) -> list[tuple[int, float]]:
    """An English question over Swedish passages: BM25 of its Swedish dictionary words
    (`swedish_query`, the senses this level's text uses), over the passages `keep` accepts (the
    caller's: Swedish ones the asker may see). The English question's own words find Swedish
    text only where it quotes a name or a number."""
    query = swedish_query(question, view.df)
    sc = view.scores(query, glossary_weight=0.0) if query else np.zeros(0)
    out: list[tuple[int, float]] = []
    for i in np.argsort(-sc)[: pool * 3] if len(sc) else []:
        if sc[i] <= 0 or len(out) >= pool:
            break
        if keep(chunks[int(i)]):
            out.append((int(i), float(sc[i])))
    return out
