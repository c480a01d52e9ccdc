"""How the glossary's entries count when a question names them (`quotes.score_units`).

The glossary holds two kinds of entry, and a question's words count differently by kind:

- **Names** (an entry with an acronym: ISF, BMVI, EUROSUR and its "European Border
  Surveillance System"). A name picks the document, not the sentence: its other spellings count
  little (`quotes.GLOSSARY_WEIGHT`), and the words of one name written out in the question
  ("Fonden för inre säkerhet", and "internal security fund" as the pseudo-translation gives it,
  with the acronym beside them) count as one word, so a sentence that merely repeats the
  fund's long name does not outscore the one with the asked fact.
- **Terms** ("nödbistånd" / "emergency assistance", "förskott" / "pre-financing"). An official
  term in the other language is the question's own word translated: a unit that holds it holds
  what was asked, at full weight, once per entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from .language import STOP, GlossaryGroup, both_stems, load_glossary, words

_FUNDS = ("ISF", "BMVI", "AMIF", "ISF Gräns")
_PUNCTUATION = re.compile(r"[^\w\s/()-]")


def is_name(g: GlossaryGroup) -> bool:
    """An entry with an acronym among its terms names one thing (a fund, a system, a body)."""
    return any(t.isupper() and len(t) > 1 for t in g.terms)


@lru_cache(maxsize=1024)
def named_groups(text: str) -> tuple[GlossaryGroup, ...]:
    """The glossary entries a text names (any of its terms, as a word)."""
    low = text.lower()
    return tuple(g for g in load_glossary() if any(p.search(low) for p in g.patterns))


def translated_terms(
    question: str, asked_part: str, own: set[str]
) -> list[tuple[frozenset[str], bool]]:
    """For each term entry the question names: the stems of its wordings that are not already
    the question's own, and whether the asked sentence (not only the context) names it."""
    asked = named_groups(asked_part)
    out = []
    for g in named_groups(question):
        if is_name(g):
            continue
        stems = frozenset(both_stems(" ".join(g.terms)) - own)
        if stems:
            out.append((stems, g in asked))
    return out


def name_word_sets(question: str, own: set[str]) -> list[frozenset[str]]:
    """The question's own words (and their pseudo-translation) that together name one entry of
    the glossary: its long name in either language and its acronym ("Fonden för inre säkerhet
    (ISF)" is one name, not five words). Overlapping sets are merged. Each set counts as its
    heaviest word."""
    sets: list[set[str]] = []
    for g in named_groups(question):
        if not is_name(g):
            continue
        found: set[str] = set()
        for term in g.terms:
            # A name of several words counts where the question writes out two of them, not
            # one common word of it ("gränsen" is no part of "European Border Surveillance").
            content = [w for w in words(term) if w not in STOP]
            written = sum(1 for w in content if both_stems(w) & own)
            if written and written >= min(2, len(content)):
                found |= both_stems(term) & own
        if len(found) < 2:
            continue
        for other in [s for s in sets if s & found]:
            sets.remove(other)
            found |= other
        sets.append(found)
    return [frozenset(s) for s in sets]


def names_in_title(question: str, own: set[str], title: str) -> list[frozenset[str]]:
    """For each name the question and the document's title both name (in any of its spellings:
    "ISF" in the question, "Internal Security Fund" in the title), the question's own stems of
    it. Every sentence of that document is about the name; it says nothing of which sentence."""
    if not title:
        return []
    in_title = set(named_groups(title))
    out = []
    for g in named_groups(question):
        if is_name(g) and g in in_title:
            stems = frozenset(both_stems(" ".join(g.terms)) & own)
            if stems:
                out.append(stems)
    return out


def beyond_heaviest(found: frozenset[str], weight: Callable[[str], float]) -> float:
    """What the words of one name (a set of `name_word_sets`) that a unit holds count beyond
    the heaviest of them: subtracted, so the name counts as one word."""
    ws = [weight(t) for t in found]
    return sum(ws) - max(ws) if len(ws) >= 2 else 0.0


@lru_cache(maxsize=4096)
def funds_named(text: str) -> frozenset[str]:
    """The funds a text names, by the glossary's fund groups (ISF, BMVI, AMIF …). Punctuation
    counts as space: "the Asylum, Migration and Integration Fund" names AMIF."""
    low = " ".join(_PUNCTUATION.sub(" ", text.lower()).split())
    return frozenset(g.terms[0] for g in fund_groups() if any(p.search(low) for p in g.patterns))


@lru_cache(maxsize=1)
def fund_groups() -> tuple[GlossaryGroup, ...]:
    return tuple(g for g in load_glossary() if g.terms[0] in _FUNDS)


# A glossary name the documents write out is no unknown word (a switch, as `quotes.NAMED_SORT`).
SPELLED_OUT = True


def spelled_out(question: str, used: Callable[[str], bool]) -> set[str]:
    """The stems of the glossary terms a question writes ("BMVI") whose entry the documents
    write another way ("the Border Management and Visa Instrument": every word of one of its
    terms is `used`, a stem the index holds): the documents speak of that thing."""
    out: set[str] = set()
    low = question.lower()
    for g in named_groups(question) if SPELLED_OUT else ():
        if any(
            all(any(map(used, both_stems(w))) for w in words(t) if w not in STOP) for t in g.terms
        ):
            out |= {
                s
                for t, p in zip(g.terms, g.patterns, strict=True)
                if p.search(low)
                for s in both_stems(t)
            }
    return out
