"""Swedish question → English pseudo-query, with the loaded index's bridge and term aligner.

A retriever registers what its index knows with `use_bridge` (per thread); `pseudo_translate`,
`aligned_terms` and `question_word_forms` then use it. Without a registration only the hand
list translates.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Generic, TypeVar

from .align import MAX_ALIGNED_WORDS, BoundAligner, EmbedQuery, TermAligner
from .bridge import Bridge, dictionary_senses
from .detect import SV_HINTS
from .glossary import expand_with_glossary
from .lexicon import PARTICLES, hand_lookup, hand_phrases, particle_verbs, reverse_lexicon
from .tokens import STOP, WORD, stemmer, words

SV_SENSES = 2  # Swedish words per English word in an English question's Swedish query
COGNATES = True  # a word nothing translates is matched to an English cognate of the index

# Words that carry tone, not topic, in Slack questions ("tack", "exakt", "actually").
CHATTER = frozenset(
    """tack hej snälla please thanks exakt egentligen ju typ liksom vet vill tror undrar
    actually really just need know want wonder""".split()
)

_T = TypeVar("_T")


class _Registry(threading.local, Generic[_T]):
    """Per thread: a bot worker translates its own asker's question with its level's bridge."""

    def __init__(self) -> None:
        self.items: dict[str, _T] = {}

    def get(self, key: str) -> _T | None:
        return self.items.get(key)

    def pop(self, key: str, default: _T | None = None) -> _T | None:
        return self.items.pop(key, default)

    def __setitem__(self, key: str, value: _T) -> None:
        self.items[key] = value


_BRIDGE: _Registry[Bridge] = _Registry()
_TERMS: _Registry[BoundAligner] = _Registry()


def use_bridge(
    bridge: Bridge | None, terms: TermAligner | None = None, embed_query: EmbedQuery | None = None
) -> None:
    """Register the loaded index's dictionary bridge and term aligner (None: hand list only).

    The registry is per thread: callers that pass only a question (`pseudo_translate(question)`)
    use what the retriever set for the question this thread is answering.
    """
    if bridge is None:
        _BRIDGE.pop("current", None)
    else:
        _BRIDGE["current"] = bridge
    if terms is None or embed_query is None or not terms.terms:
        _TERMS.pop("current", None)
        return
    now = _TERMS.get("current")
    if now is None or now.index is not terms or now.embed_query != embed_query:
        _TERMS["current"] = BoundAligner(terms, embed_query, {})


def _lookup(w: str) -> list[str] | None:
    """English for one Swedish word: the index-filtered dictionary first, the hand list where
    it has no sense (the section's own words, and domain words a small index uses too seldom)."""
    bridge = _BRIDGE.get("current")
    hit = bridge.lookup(w) if bridge is not None else None
    return hit or hand_lookup(w)


def _translated(w: str, general: bool = False, cognates: bool = False) -> list[str] | None:
    """A word's English: its own senses, else its compound's parts (`_split_compound`), else
    the senses of the verb a verbal noun is made from (`Bridge.verbal`), else,
    with `cognates`, a cognate among the index's English words ("koefficient" → coefficient):
    the dictionary first, the spelling last."""
    hit = _lookup(w) or (_split_compound(w, general, cognates) if len(w) > 7 else None)
    bridge = _BRIDGE.get("current")
    if not hit and bridge is not None and cognates:
        hit = bridge.verbal(w)  # "registrering": the verb's senses, where nothing else spoke
    if hit or bridge is None or not (COGNATES and cognates):
        return hit
    return bridge.cognate(w)


def _split_compound(w: str, general: bool = False, heads: bool = False) -> list[str] | None:
    """'utbetalningsansökningarna' → payment + applications: the longest known tail first.

    The hand list may supply the tail alone (as it always has), and with `heads` (the quote
    choice) the index's dictionary the head the hand list lacks ("landgränser" → land +
    borders: the word that tells land borders from sea borders); with the dictionary both parts
    must be known (a linking 's' dropped, a head split once more), so that a word is never
    reduced to a short accidental tail ("personal" is not "pers" + "onal").
    """
    for i in range(3, len(w) - 2):
        head, tail = w[:i], w[i:]
        t = hand_lookup(tail)
        if not t:
            continue
        h = hand_lookup(head) or (hand_lookup(head[:-1]) if head.endswith("s") else None)
        if not h and heads and COMPOUND_HEAD:
            h = _head_senses(head)
        if h:
            return h + t
        return t
    bridge = _BRIDGE.get("current")
    return bridge.split(w, general=general) if bridge is not None else None


# The quote choice reads a compound's first part with the index's dictionary (a switch, as
# `COGNATES` is); the search does not: it changed which passages a few questions found.
COMPOUND_HEAD = True


def _head_senses(head: str) -> list[str] | None:
    """The dictionary's senses of a compound's first part ("land" of "landgränser")."""
    bridge = _BRIDGE.get("current")
    if bridge is None or len(head) < 3:
        return None
    return bridge.lookup(head) or (
        bridge.lookup(head[:-1]) if head.endswith("s") and len(head) > 4 else None
    )


def aligned_terms(question: str) -> list[str]:
    """English index terms for the Swedish words of a question that nothing else translates."""
    aligner = _TERMS.get("current")
    if aligner is None:
        return []
    out: list[str] = []
    tried = 0
    for w in words(question):
        if len(w) < 5 or w in CHATTER or any(ch.isdigit() for ch in w) or _translated(w):
            continue
        tried += 1
        if tried > MAX_ALIGNED_WORDS:
            break
        term = aligner.align(w)
        if term and term not in out:
            out.append(term)
    return out


def pseudo_translate(question: str, with_glossary: bool = True, cognates: bool = False) -> str:
    """An English query from a Swedish one, word by word; acronyms and numbers are kept. With
    `cognates`, a word nothing else translates may be read by its spelling: the quote choice
    reads sentences so; the search does not, as a right cognate that is not the passage's
    wording ("maximalt" → maximum, for "shall not exceed") moved the passages found."""
    out: list[str] = []
    rest = question
    for phrase, english in hand_phrases():
        if phrase.search(rest):
            out.extend(english)
            rest = phrase.sub(" ", rest)
    parts = [p for w in WORD.findall(rest) for p in re.split(r"[-/]", w) if p]
    for i, w in enumerate(parts):
        lw = w.lower()
        if (w.isupper() and len(w) > 1) or any(ch.isdigit() for ch in w):
            out.append(w)
            continue
        if lw in STOP:
            continue
        # "läggs in": enter; "ta bort": not take. The quote choice reads pairs; the search does
        # not, as the pair's senses moved the dense query for phrases the text words otherwise.
        pair = _particle_pair(lw, parts[i + 1].lower() if cognates and i + 1 < len(parts) else "")
        if pair is not None:
            out.extend(pair)
            continue
        hit = _translated(lw, general=True, cognates=cognates)
        if hit:
            out.extend(hit)
    out.extend(aligned_terms(question))
    for term in expand_with_glossary(question) if with_glossary else []:
        if not SV_HINTS.search(term):
            out.append(term)
    seen: set[str] = set()
    uniq = []
    for x in out:
        if x.lower() not in seen:
            seen.add(x.lower())
            uniq.append(x)
    return " ".join(uniq)


def _particle_pair(w: str, after: str) -> list[str] | None:
    """A verb with its particle means what the pair does: the dictionary's senses of the pair
    ("läggs in" → enter, lodge), or nothing for a light verb the dictionary has no such pair of
    ("lägga", "ta": lay, take say nothing of "ta bort"); None when the verb stands alone or
    means what it does alone (`PARTICLE_VERBS`: a switch)."""
    if not PARTICLE_VERBS or after not in PARTICLES:
        return None
    pairs, forms, light = particle_verbs()
    verb = forms.get(w)
    if verb is None:
        return None
    senses = pairs.get((verb, after))
    if senses:
        return list(senses)
    return [] if verb in light else None


PARTICLE_VERBS = True


def question_word_forms(question: str, whole_dictionary: bool = False) -> list[set[str]]:
    """For each content word of a question, the stems it may appear as in either language; a
    word joined by "-" or "/" ("isf-programmet", "ISF/BMVI") also as any of its parts. With
    `whole_dictionary`, also the stems of every sense the dictionary gives it (`dictionary_senses`:
    whether an index mentions the word at all, not which passage it means)."""
    out = []
    for w in words(question):
        if w in CHATTER:
            continue
        forms = _word_forms(w, whole_dictionary)
        for part in re.split(r"[-/]", w):
            if len(part) > 1 and part != w and part not in STOP and part not in CHATTER:
                forms |= _word_forms(part, whole_dictionary)
        out.append(forms)
    return out


def _word_forms(w: str, whole_dictionary: bool = False) -> set[str]:
    forms = {stemmer("sv").stemWord(w), stemmer("en").stemWord(w)}
    senses = list(_translated(w) or [])
    if whole_dictionary and WHOLE_DICTIONARY:
        senses += dictionary_senses(w)
    for t in senses:
        forms |= set(stemmer("en").stemWords(words(t)))
    forms |= swedish_stems(w)  # an English word over Swedish text
    return forms


# Whether a question's word occurs in the index at all is read with the whole dictionary.
WHOLE_DICTIONARY = True


def swedish_words(word: str) -> tuple[str, ...]:
    """An English word's Swedish dictionary words, read backwards ("costs" → kostnad, utgift)."""
    return reverse_lexicon().get(stemmer("en").stemWord(word), ())


def swedish_stems(word: str) -> set[str]:
    """Swedish stems of an English word's Swedish dictionary words (`swedish_words`). Used to
    tell whether, and where, a Swedish text holds what an English question asks."""
    return set(stemmer("sv").stemWords(swedish_words(word)))


def swedish_query(question: str, used: Mapping[str, int]) -> str:
    """A Swedish lexical query for an English question, to reach Swedish statutes and guides
    with BM25 (the other direction of `pseudo_translate`): each English word's Swedish
    dictionary words (`swedish_words`) that the index uses (`used`: stem → number of passages),
    at most SV_SENSES each, the most used first. Names and numbers are left to the question's
    own query."""
    sv = stemmer("sv")
    out: list[str] = []
    for w in words(question):
        if w in STOP or w in CHATTER or len(w) < 3:
            continue
        found = {sv.stemWord(x): x for x in swedish_words(w)}
        held = sorted((s for s in found if used.get(s)), key=lambda s: (-used[s], s))
        out += [found[s] for s in held[:SV_SENSES]]
    return " ".join(out)
