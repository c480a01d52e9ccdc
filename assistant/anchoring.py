"""Whether a fact the answer would give is about what the question names.

"Hur mycket pengar får Sverige ur ISF?" is not answered by "EUR 1 127 000 000 in accordance
with Annex I" (the whole fund), nor "När startar EES?" by "by 1 June 2017 the Commission shall
…" (another matter of the same act). Both hold a fact of the asked kind, and both are wrong.

A question that asks for a number or a time and names a subject (a country, or a system, body
or project of the glossary) is answered only by a unit that names that subject too: in its own
text, the sentence before it, a table row's country key or header, or (for a glossary name)
the passage's heading path or the document's title. A Swedish national text is about Sverige,
and a sum "each Member State" receives is every country's; so, for a share, is one stated for
"a Member State".
When no unit holding a fact of the asked kind names the subject, the documents do not say it
(`answer.declines`). A fund or an act names a document, not a subject: funds have their own
check (`answer._other_funds_only`), and an act's number is no subject.

A question that names its currency ("hur många kronor", "how many euros") is answered only by an
amount in that currency: not by a percentage, and not by a sum in another currency (the answer
copies, it never converts).

These read the question's names (the glossary's entries, the table of country names), not the
words of any question set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .answer_types import asked_kind
from .documents import Passage
from .glossary_terms import fund_groups, is_name, named_groups
from .language import COUNTRY_CODES, GlossaryGroup, load_glossary
from .units import Unit, row_names, sentence_units

if TYPE_CHECKING:
    from .quotes import Scored

# The kinds of fact that belong to one country (a sum, a share, a count); a time or a rule in
# an EU act holds for every Member State alike.
COUNTRY_KINDS = ("amount", "share", "count")
# The kinds of fact that belong to one system, body or project.
NAME_KINDS = COUNTRY_KINDS + ("date", "time", "period", "duration", "length", "frequency")
_SENTENCES = re.compile(r"(?<=[.?!])\s+")
# "EUR 8 000 000 to each Member State": what every one gets, Sverige too (not "Member States
# shall receive EUR 96,5 million", a sum for all of them)
_EACH_STATE = re.compile(
    r"\b(?:each|every|per)\s+(?:\w+\s+)?(?:member state|country)\b|"
    r"\b(?:varje|var|per)\s+(?:\w+\s+)?(?:medlemsstat|medlemsland|land)\b",
    re.I,
)
_MEMBER_STATE = re.compile(r"\bmember states?\b|\bmedlemsstat", re.I)
_ACT_NUMBER = re.compile(r"\b\d{3,4}/\d{2,4}\b")

_CURRENCIES: dict[str, re.Pattern[str]] = {
    "EUR": re.compile(r"\beuros?\b|\beur\b|€", re.I),
    "SEK": re.compile(r"\bkronor\b|\bkr\b|\bsek\b|\w+kronor\b|\bmnkr\b|\bmdkr\b", re.I),
}
_ASKS_CURRENCY: dict[str, re.Pattern[str]] = {
    "EUR": re.compile(r"\b(?:hur många|how many|i|in)\s+(?:\w+ )?(?:euro|euros|eur)\b", re.I),
    "SEK": re.compile(
        r"\b(?:hur många|how many|i|in)\s+(?:\w+ )?(?:kronor|kr|sek|svenska kronor)\b", re.I
    ),
}


@dataclass(frozen=True)
class Anchor:
    """A subject the question names: its label, and the patterns of its names."""

    label: str
    patterns: tuple[re.Pattern[str], ...]
    country: str = ""  # the country's code, for a country

    def named_in(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


@lru_cache(maxsize=1)
def _country_anchors() -> tuple[Anchor, ...]:
    by_names: dict[tuple[str, str], Anchor] = {}
    for code, (en, sv) in COUNTRY_CODES.items():
        if (en, sv) in by_names:
            continue
        # "Sverige", "Sveriges", "Sweden", "Sweden's"; not "svensk" (an adjective says less)
        pats = tuple(re.compile(rf"\b{re.escape(n)}(?:s|'s|’s)?\b", re.I) for n in {en, sv})
        by_names[(en, sv)] = Anchor(sv, pats, code)
    return tuple(by_names.values())


def _subject_groups() -> list[GlossaryGroup]:
    funds = set(fund_groups())
    return [
        g
        for g in load_glossary()
        if is_name(g) and g not in funds and not any(_ACT_NUMBER.search(t) for t in g.terms)
    ]


def anchors(question: str, kind: str | None) -> list[Anchor]:
    """The subjects a question names that a fact of its asked kind must be about."""
    out: list[Anchor] = []
    if kind in COUNTRY_KINDS:
        # the country of the sentence that asks the number ("Hur mycket får Sverige?"), not
        # of one around it ("Kan Sverige flytta över …? Hur mycket får det bli?")
        asking = [x for x in _SENTENCES.split(question) if asked_kind(x) == kind] or [question]
        out += [a for a in _country_anchors() if any(a.named_in(x) for x in asking)]
    if kind in NAME_KINDS:
        subjects = set(_subject_groups())
        out += [Anchor(g.terms[0], g.patterns) for g in named_groups(question) if g in subjects]
    return out


def asked_currency(question: str) -> str | None:
    """The currency a question asks its amount in ("hur många kronor" → "SEK"), or None."""
    if sum(1 for p in _CURRENCIES.values() if p.search(question)) > 1:
        return None  # "i euro eller kronor": either will do
    hits = [c for c, p in _ASKS_CURRENCY.items() if p.search(question)]
    return hits[0] if hits else None


def in_currency(text: str, currency: str) -> bool:
    """Whether a text (a unit with its header and heading) writes the currency."""
    return bool(_CURRENCIES[currency].search(text))


def _near(u: Unit, units: Sequence[Unit]) -> str:
    """A unit with what may name its subject: the sentence before it, a table row's header
    and country names (`units`: its passage's)."""
    before = [v.text for v in units if v.end <= u.start][-1:]
    return " ".join([*before, u.header, u.text, row_names(u)]).lower()


def named_by(
    subjects: Sequence[Anchor], kind: str | None, p: Passage, u: Unit, units: Sequence[Unit]
) -> set[str]:
    """The labels of the subjects a unit of passage `p` is about (`units`: the passage's)."""
    near = _near(u, units)
    # asked for a share: one stated for "a Member State" is the rule for each, Sverige too
    share = kind == "share" and bool(_MEMBER_STATE.search(near))
    each = share or bool(_EACH_STATE.search(f"{u.header} {u.text}"))  # its own statement
    out: set[str] = set()
    title = str(p.chunk.metadata.get("title") or "")
    for a in subjects:
        if a.country:
            if each or a.named_in(near) or (a.country == "SE" and p.chunk.language == "sv"):
                out.add(a.label)
        elif _passage_names(a, p.chunk.heading_path, title, p.chunk.text):
            out.add(a.label)  # a system or body: the passage is about it
    return out


@lru_cache(maxsize=512)
def _passage_names(a: Anchor, heading: str, title: str, text: str) -> bool:
    """Whether a passage (its heading path, title and text) names the subject: read once per
    passage, not once per unit of it."""
    return a.named_in(f"{heading} {title} {text}".lower())


def missing_subject(
    question: str, kind: str | None, scored: Sequence[Scored], passages: Sequence[Passage]
) -> list[str]:
    """The subjects (and the currency) a question names that no unit holding a fact of the
    asked kind is about; empty when each is, or when the question names none, or when no unit
    holds such a fact (`quotes.missing_kind`'s case). `scored` are `quotes.Scored`."""
    subjects = anchors(question, kind)
    currency = asked_currency(question) if kind == "amount" else None
    if not subjects and not currency:
        return []
    holders = [s for s in scored if s.spans and s.score > 0]
    if not holders:
        return []
    found: set[str] = set()
    units: dict[int, list[Unit]] = {}
    for s in holders:
        p = passages[s.unit.p_index]
        u = s.unit
        if u.p_index not in units:
            units[u.p_index] = sentence_units(u.p_index, p.chunk.text)
        found |= named_by(subjects, kind, p, u, units[u.p_index])
        # a table's heading may name the currency of its bare numbers
        context = f"{_near(u, units[u.p_index])} {p.chunk.heading_path}"
        if (
            currency
            and any(sp.kind == "amount" for sp in s.spans)
            and in_currency(context, currency)
        ):
            found.add(currency)
    asked = [a.label for a in subjects] + ([currency] if currency else [])
    return [x for x in asked if x not in found]
