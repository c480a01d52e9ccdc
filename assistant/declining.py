"""Declining: a question the top passages do not answer is declined, with the reason.

Retrieval may find passages close to a question that still do not say what it asks. The checks
here read the passages the quote choice would use (`quotes.score_units`): the question asks for
a figure or a time none of them holds (`missing_kind`), names a fund, country, system,
year or body none of them is about, or an abbreviation no document uses. `declines` names the
first check that fails, so the asker is told what is missing and an evaluator sees why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from . import quotes as Q
from .anchoring import missing_subject
from .answer_types import NAMED_YEAR, asked_kind, find_spans
from .asking import asked_sentence, asks_money, asks_yes_no
from .documents import Decline as Decline  # re-exported: callers and tests read it here
from .documents import Passage, listed_funds
from .glossary_terms import funds_named
from .language import both_stems, load_glossary, load_lexicon

# A fact must be about the country, system or currency the question names (`anchoring`).
ANCHORED = True
# A document about no fund answers for a fund only in a passage that names it.
FUNDLESS_NAMES = True


def declines(
    question: str,
    passages: Sequence[Passage],
    lang: str,
    doc_text: Callable[[str], str] | None = None,
    used: Callable[[str], bool] | None = None,
) -> Decline | None:
    """Why the question is declined, or None: it asks for a number or a time none of the top
    passages holds, or names a year, fund or body that none of their documents mentions, or
    (given `used`, whether a stem occurs in the asker's view of the index) an abbreviation no
    document uses and the glossary does not know: say so instead of quoting something else."""
    top = passages[: Q.QUOTE_FROM]
    if not top:
        return Decline("no_passages")
    scored = Q.score_units(question, top, lang)
    kind = asked_kind(asked_sentence(question))
    if missing_kind(question, scored):
        return Decline("missing_fact", kind or "")
    if _other_funds_only(question, scored, top):
        return Decline("other_fund", ", ".join(sorted(funds_named(question))))
    subjects = missing_subject(question, kind, scored, top) if ANCHORED else []
    if subjects:
        return Decline("other_subject", ", ".join(subjects))
    acronyms = unknown_acronyms(question, used) if used is not None else []
    if acronyms:
        return Decline("unknown_abbreviation", ", ".join(acronyms))
    names = unmatched_names(question, top, doc_text)
    return Decline("unmatched_name", ", ".join(names)) if names else None


# The kinds a passage states as a figure or a time, or as a telephone number or e-mail address:
# a question for one is declined without one.
COUNTABLE: tuple[str, ...] = ("share", "amount", "count", "date", "time", "year", "period")
COUNTABLE += ("duration", "length", "contact")
# "Hur mycket" without money ("hur mycket förvarning"): a time or a distance answers it too.
_MEASURES = ("duration", "distance")
MONEY_ONLY_WHEN_NAMED = True


def missing_kind(question: str, scored: Sequence[Q.Scored]) -> bool:
    """The question asks for a number or a time and no relevant unit holds one. The kind is
    the one the units were scored for: that of the sentence that asks (`asked_sentence`), not of
    a clause of context before it ("När X fördelades – hur tungt vägde Y?")."""
    asked = asked_kind(asked_sentence(question))
    if asked not in COUNTABLE or asks_yes_no(question):
        return False  # a yes/no question: the kind is welcome, not required
    # "Hur mycket förvarning …?" asks for a sum only where it names money: else a time or a
    # distance answers it too
    unpriced = asked == "amount" and MONEY_ONLY_WHEN_NAMED and not asks_money(question)
    other = _MEASURES if unpriced else ()
    return not any(
        s.spans or (other and find_spans(s.unit.text, other)) for s in scored if s.score > 0
    )


def passage_funds(p: Passage) -> frozenset[str]:
    """The funds a passage is about: those its section headings name ("Medfinansiering i ISF"
    in an overview of three funds), else its document's `fund` metadata, else the funds the
    document's title names ("… establishing the Internal Security Fund"); empty when none says."""
    m = p.chunk.metadata
    title = str(m.get("title") or "")
    headings = [h for h in p.chunk.heading_path.split(" › ") if h.strip() != title.strip()]
    return funds_named(" › ".join(headings)) or listed_funds(m) or funds_named(title)


def _other_funds_only(question: str, scored: Sequence[Q.Scored], top: Sequence[Passage]) -> bool:
    """An amount, share, count or time for one fund cannot come from a document about another:
    "Hur mycket har Sverige fått från BMVI?" is not answered by the ISF regulation's sums. True
    when the question names a fund and every unit holding a fact of the asked kind stands in a
    document about other funds only, or about none in a passage that does not name the asked
    one (`FUNDLESS_NAMES`: the police instruction's dates say nothing about a BMVI call), and
    does not name the asked one itself."""
    asked = funds_named(question)
    if not asked or asked_kind(asked_sentence(question)) not in COUNTABLE:
        return False
    holders = [s for s in scored if s.spans and s.score > 0]
    if not holders:
        return False  # missing_kind's case
    for s in holders:
        p = top[s.unit.p_index]
        funds = passage_funds(p)
        if funds & asked or funds_named(s.unit.text) & asked:
            return False
        if not funds and (not FUNDLESS_NAMES or funds_named(p.chunk.text) & asked):
            return False
    return True


_RANGE = re.compile(r"((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})")
_ACRONYM = re.compile(r"\b[A-ZÅÄÖ]{3,}\b")
_JOINED_ACRONYM = re.compile(r"\b([A-ZÅÄÖ]{3,})-[a-zåäö]{3,}")
JOINED_ACRONYMS = True
_NON_WORD = re.compile(r"[^\wåäö]+")


def _passage_text(p: Passage) -> str:
    c = p.chunk
    m = c.metadata
    own = (c.text, c.heading_path, m.get("title"), m.get("fund"), m.get("programme_period"))
    return " ".join(str(x) for x in own if x)


@lru_cache(maxsize=512)
def _facts(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A text's words (lower case, punctuation as spaces) and the years and periods it names;
    cached, as whole documents are read for every question."""
    spans = [(int(y), int(y)) for y in NAMED_YEAR.findall(text)]
    spans += [(int(a), int(b)) for a, b in _RANGE.findall(text)]
    return " " + " ".join(_NON_WORD.split(text.lower())) + " ", tuple(spans)


def unmatched_names(
    question: str, passages: Sequence[Passage], doc_text: Callable[[str], str] | None = None
) -> list[str]:
    """Years and periods, and funds or bodies of the glossary, that the question names and
    that neither the passages nor their documents mention."""
    texts = [_passage_text(p) for p in passages]
    if doc_text:
        texts += [doc_text(d) for d in dict.fromkeys(p.chunk.doc_id for p in passages)]
    facts = [_facts(t) for t in texts]
    spans = [s for _w, sp in facts for s in sp]
    missing: list[str] = []
    asked = [(int(a), int(b)) for a, b in _RANGE.findall(question)]
    rest = _RANGE.sub(" ", question)
    asked += [(int(y), int(y)) for y in NAMED_YEAR.findall(rest)]
    for a, b in asked:  # a year, or a period, that no passage mentions or overlaps
        if not any(x <= b and a <= y for x, y in spans):
            missing.append(str(a) if a == b else f"{a}-{b}")
    for name in set(_ACRONYM.findall(question)):
        groups = [g for g in load_glossary() if name in g.terms]
        if not groups:
            continue  # a name the glossary does not know: `unknown_acronyms`
        # Punctuation aside: "Asylum, Migration and Integration Fund" names AMIF too.
        norm = [" ".join(_NON_WORD.split(t.lower())) for g in groups for t in g.terms]
        if not any(f" {f} " in w or f" {f}s " in w for f in norm if f for w, _sp in facts):
            missing.append(name)
    return missing


def unknown_acronyms(question: str, used: Callable[[str], bool]) -> list[str]:
    """Abbreviations the question writes ("VAT", "SEK") that the glossary does not know and that
    no document the asker may see uses (`used`: a stem occurs in the index): the question is
    about something the documents do not cover, whatever else of it they match."""
    known = {t for g in load_glossary() for t in g.terms}
    lexicon = load_lexicon()
    # "ANPR-kamerorna": an abbreviation that qualifies a word is no topic of its own
    joined = set(_JOINED_ACRONYM.findall(question)) if JOINED_ACRONYMS else set()
    return [
        a
        for a in dict.fromkeys(_ACRONYM.findall(question))
        if a not in known
        and a not in joined
        and not any(used(s) for s in both_stems(a))
        and not (DICTIONARY_ABBREVIATIONS and a.lower() in lexicon)
    ]


# A Swedish abbreviation the dictionary lists ("BNP": GNP, "FN": UN) is a common word, not a
# name of something the documents leave out: the coverage rules judge it as one.
DICTIONARY_ABBREVIATIONS = True
