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
(`declining.declines`). A fund or an act names a document, not a subject: funds have their own
check (`declining._other_funds_only`), and an act's number is no subject.

A question that names its currency ("hur många kronor", "how many euros") is answered only by an
amount in that currency: not by a percentage, and not by a sum in another currency (the answer
copies, it never converts).

A count names what it counts ("hur många ledamöter", "how many police officers", "hur många
procent ränta"): it is answered only by a unit that names that thing too, in either language
(its forms and translations, and the whole dictionary's senses of its headword, as a plural the
stemmer cannot undo, "ledamöter", is common); "högst 16 ledamöter" does not say how many police
officers there are, nor "10 % of the initial allocation" what interest is charged. A number
word directly before the counted noun counts it ("two palm prints", `counted_words`).

A question for a thing of a sort no kind of fact covers ("Vilken kommitté …?", "Vilken lag
…?") is answered by a unit that names one of that sort (`asked_sort`, `names_one`): "the
Committee for the Home Affairs Funds", "räntelagen (1975:635)".

These read the question's names (the glossary's entries, the table of country names) and the
language's ways of asking for a count or a sort, not the words of any question set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .answer_types import Span, asked_kind
from .asking import opens_clause
from .crossmatch import read_back, related
from .documents import Passage
from .glossary_terms import fund_groups, is_name, named_groups
from .language import (
    COUNTRY_CODES,
    STOP,
    GlossaryGroup,
    both_stems,
    load_glossary,
    question_word_forms,
    stemmer,
    words,
)
from .language.bridge import base_forms
from .language.lexicon import load_lexicon
from .units import Unit, row_names, sentence_units

if TYPE_CHECKING:
    from .quotes import Scored

# The kinds of fact that belong to one country (a sum, a share, a count); a time or a rule in
# an EU act holds for every Member State alike.
COUNTRY_KINDS = ("amount", "share", "count")
# A time asked about one country ("Vilket år utvärderades Sverige?") is one stated for it, for
# each Member State or for the Member States (`TIMED`: a switch, as `COUNTED_NOUN` is).
TIME_KINDS = ("date", "time", "year", "period", "duration", "length", "frequency")
TIMED = True
# The kinds of fact that belong to one system, body or project.
NAME_KINDS = COUNTRY_KINDS + TIME_KINDS
# A count must count what the question names (`counted`); a switch, as `declining.ANCHORED` is.
COUNTED_NOUN = True
_SENTENCES = re.compile(r"(?<=[.?!])\s+")
# "EUR 8 000 000 to each Member State": what every one gets, Sverige too (not "Member States
# shall receive EUR 96,5 million", a sum for all of them)
_EACH_STATE = re.compile(
    r"\b(?:each|every|per)\s+(?:\w+\s+)?(?:member state|country)\b|"
    r"\b(?:varje|var|per)\s+(?:\w+\s+)?(?:medlemsstat|medlemsland|land)\b",
    re.I,
)
_MEMBER_STATE = re.compile(r"\bmember states?\b|\bmedlemsstat", re.I)
_STATES_MUST = re.compile(
    r"\bmember states?(?: concerned)? (?:shall|must|may|should)\b|"
    r"\bmedlemsstat(?:en|erna) (?:ska|skall|måste|får|bör)\b",
    re.I,
)
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


# What a count is of: "hur många ledamöter", "hur många procent ränta", "how many (police)
# officers does …". A capitalised word is a name, with anchors of its own ("Hur många Norge …").
_COUNTED = (
    re.compile(r"\b(?i:hur många)\s+(?:(?i:procent|kronor|euro)\s+)?([a-zåäö]{4,})\b"),
    re.compile(
        r"\b(?i:how many)\s+(?:[a-z]+\s+)?([a-z]{4,})"
        r"(?=\s+(?:does|do|did|are|is|were|was|will|can|could|have|has|had|must|may|in|of|at"
        r"|per|for|on)\b)"
    ),
)
_MEASURE = frozenset("procent kronor euro euros percent gånger times".split())


@dataclass(frozen=True)
class Anchor:
    """A subject the question names: its label, and the patterns of its names (or, for what a
    count is of, the stems the word is found as in either language)."""

    label: str
    patterns: tuple[re.Pattern[str], ...]
    country: str = ""  # the country's code, for a country
    forms: frozenset[str] = frozenset()  # a counted noun's stems and translations

    def named_in(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


def counted(question: str) -> Anchor | None:
    """What a count or a share is of, as the question names it ("ledamöter"), or None."""
    for pat in _COUNTED:
        m = pat.search(question)
        if m and m.group(1) not in STOP and m.group(1) not in _MEASURE:
            forms = question_word_forms(m.group(1))
            return Anchor(m.group(1), (), forms=_senses(m.group(1), forms)) if forms else None
    return None


_UMLAUT = str.maketrans("äö", "ao")


def _senses(word: str, forms: list[set[str]]) -> frozenset[str]:
    """A counted noun's forms, and the English of its headword in the whole dictionary: the
    plural may be one the stemmer cannot undo ("ledamöter" of "ledamot": member)."""
    lex = load_lexicon()
    bases = [word, *base_forms(word)]
    bases += [b.translate(_UMLAUT) for b in bases]
    senses = [x for b in bases for x in lex.get(b, ())[:2]]
    if not senses and len(forms[0]) <= 2:  # no sense, no translation: read its parts
        senses = _compound_senses(word)
    out = set(forms[0]) | set(stemmer("en").stemWords(words(" ".join(senses))))
    return frozenset(out | {f.translate(_UMLAUT) for f in out})


def _compound_senses(word: str) -> list[str]:
    """The English of a compound's parts in the whole dictionary, the longest first part the
    dictionary knows first ("polisbilar" → police + car); where no last part is known, of its
    longest first part of five letters or more ("handflatsavtryck" → palm). A first part may
    have lost its final "a" before a linking "s" or none ("handflata", "skola" of "skolbarn")."""
    lex = load_lexicon()
    first: list[str] = []
    for i in range(len(word) - 4, 2, -1):  # the longest first part, the shortest last part
        head, tail = word[:i], word[i:]
        heads = [head, head + "a"] + ([head[:-1], head[:-1] + "a"] if head.endswith("s") else [])
        h = next((lex[b] for b in heads if b in lex), None)
        if h is None:
            continue
        t = next((lex[b] for b in (tail, *base_forms(tail)) if b in lex), None)
        if t is not None:
            return [*h[:2], *t[:2]]
        if not first and i >= 5:
            first = list(h[:2])
    return first


# "two palm prints", "one body", "tre ledamöter": a number word before the noun a count asks for
# counts it. Not "en" / "ett", which are the indefinite article as often, and not a number word
# before another noun ("two Member States" does not say how many palm prints). A switch.
COUNTED_WORDS = True
_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv)\s+((?:[\w-]+\s+)?[\w-]+)",
    re.I,
)


def counted_words(text: str, noun: Anchor) -> list[Span]:
    """The number words of a text that count the counted noun (`counted`), as count spans."""
    if not COUNTED_WORDS:
        return []
    out = []
    for m in _NUMBER_WORD.finditer(text):
        if not _holds(noun, m.group(1).lower()):
            continue
        # the noun phrase: "two palm prints", "one body" (not "one body having")
        first, *second = m.group(1).lower().split()
        if second and (second[0] in STOP or second[0].endswith(("ing", "ed"))):
            end = m.start(1) + len(first)
        else:
            end = m.end()
        out.append(Span("number", m.start(), end, text[m.start() : end]))
    return out


def _holds(a: Anchor, near: str) -> bool:
    """Whether a unit's text (with its context) names a counted noun: one of its forms (umlauts
    aside: the dictionary's "ledamot" is "ledamöter" in the text), or a relative of one (an
    inflection or compound; an English word read back as Swedish)."""
    have = both_stems(near)
    if a.forms & (have | {h.translate(_UMLAUT) for h in have}):
        return True
    if "countri" in a.forms and _MEMBER_STATE.search(near):
        return True  # the acts' countries are Member States
    return any(related(f, h) or read_back(f, h) for f in a.forms for h in have)


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
    if kind in COUNTRY_KINDS or (TIMED and kind in TIME_KINDS):
        # the country of the sentence that asks the number ("Hur mycket får Sverige?"), not
        # of one around it ("Kan Sverige flytta över …? Hur mycket får det bli?")
        asking = [x for x in _SENTENCES.split(question) if asked_kind(x) == kind] or [question]
        out += [a for a in _country_anchors() if any(a.named_in(x) for x in asking)]
    if kind in COUNTRY_KINDS and COUNTED_NOUN and (noun := counted(question)) is not None:
        out.append(noun)
    if kind in NAME_KINDS:
        subjects = set(_subject_groups())
        out += [Anchor(g.terms[0], g.patterns) for g in named_groups(question) if g in subjects]
    return out


# "Vilken kommitté …?", "Vilken lag styr räntan?", "Which minister is quoted …?": a question
# word asks for a thing of a sort no answer kind covers; the answer names one of that sort: "the
# Committee for the Home Affairs Funds", "räntelagen (1975:635)", "justitieminister Gunnar
# Strömmer". The noun (and the word after it, which may be the noun an adjective qualifies) is
# read as a counted noun is, in either language; a capitalised word ("what is EUROSUR") is a
# name, not a sort.
_ASKED_NOUN = re.compile(
    r"\b(?i:vilk(?:en|et|a)|which|what)(?:\s+(?i:is|are|was|were|är|var)(?:\s+the)?)?"
    # "vilken annan EU-förordning": "annan" says which one, the compound's head what sort
    r"(?:\s+(?:annan|annat|andra|other|another))?"
    r"\s+(?:[A-ZÅÄÖ]{2,}-)?([a-zåäö][\wåäö-]{2,})(?:\s+([a-zåäö][\wåäö-]{2,}))?"
)
# the sort's noun capitalised inside a text, or followed by a statute's number, an act's
# "(EU)" or a name
_NAME_AFTER = re.compile(r"\s*(?:\(\d{4}:\d+\)|\((?:EU|EC|EG|EEG|EU, Euratom)\)|[A-ZÅÄÖ][\wåäö]+)")
_TOKEN = re.compile(r"[\wåäö]+(?:-[\wåäö]+)*")


def asked_sort(question: str, kind: str | None) -> Anchor | None:
    """The sort of thing a question word asks for when it asks for no kind of fact, or None."""
    hits = list(_ASKED_NOUN.finditer(question)) if kind is None else []
    # "Vilka säkerhetsdetaljer ska det ha – vilken förordning hänvisar man till?": each question
    # word that opens a clause ("the fund which pays" is no question for a fund)
    hits = hits[:1] + [m for m in hits[1:] if opens_clause(question, m.start())]
    found: set[str] = set()
    words = (x for m in hits for x in m.groups() if x and x not in STOP and asked_kind(x) is None)
    for w in words:
        if forms := question_word_forms(w):
            found |= _senses(w, forms)
    return Anchor(hits[0].group(1), (), forms=frozenset(found)) if found else None


@lru_cache(maxsize=4096)  # a question's units are scored three times over
def names_one(a: Anchor, text: str) -> bool:
    """Whether a text names one thing of the asked sort (`asked_sort`): its noun, or a compound
    ending in it, capitalised inside the text or followed by a name or a statute's number."""
    for m in _TOKEN.finditer(text):
        stems = both_stems(m.group(0).lower())
        if not (
            a.forms & stems or any(s.endswith(f) for s in stems for f in a.forms if len(f) > 2)
        ):
            continue
        if (m.group(0)[0].isupper() and m.start() > 0) or _NAME_AFTER.match(text, m.end()):
            return True
    return False


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
    # a time the Member States must keep ("Member States shall submit … by 15 February")
    share = share or (kind in TIME_KINDS and bool(_STATES_MUST.search(near)))
    each = share or bool(_EACH_STATE.search(f"{u.header} {u.text}"))  # its own statement
    out: set[str] = set()
    title = str(p.chunk.metadata.get("title") or "")
    for a in subjects:
        if a.forms:
            if _holds(a, near):
                out.add(a.label)
        elif a.country:
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
    holds such a fact (`declining.missing_kind`'s case). `scored` are `quotes.Scored`."""
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
