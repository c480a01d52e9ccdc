"""Choosing what to quote: the units of the top passages that say what the question asks.

A passage is cut into quotable units (`units`: sentences, list items, table rows; hard line
breaks inside a sentence are joined first, as PDFs break lines mid-sentence). Each unit is scored
by

- the question's words it holds (Swedish and English stems, the English pseudo-translation and
  glossary synonyms, weighted by their rarity among the passages of the unit's language,
  `langidf`), or that the sentence next to it holds (a fact often
  stands in the sentence after the one that names the topic);
- whether it holds the kind of fact asked for (an amount for "hur mycket", a duration for "hur
  länge", an authority for "vem" …; `answer_types`), its polarity for a question that asks
  what is *not* allowed, and whether it states a limit, a purpose or a condition when one is
  asked for;
- the rank of its passage, the asker's language, and whether it only repeats a heading or title.

The best unit is quoted first; others follow only when they score close to it, so no answer is
padded with sentences that merely share a word with the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .anchoring import anchors, asked_sort, counted_words, named_by, names_one
from .answer_types import (
    ACCEPTS,
    NAMED_YEAR,
    Span,
    asked_kind,
    asks_plural,
    asks_two,
    fact_key,
    find_spans,
    numbers_in,
    table_amounts,
    widen_to_bound,
    widen_to_list,
)
from .asker import asker_names, clause_subjects, in_condition
from .asking import asked_sentence, asking_words
from .crossmatch import backward_overlap, partial_overlap, question_words, says_same
from .documents import Passage
from .glossary_terms import (
    beyond_heaviest,
    funds_named,
    name_word_sets,
    names_in_title,
    translated_terms,
)
from .language import (
    STOP,
    both_stems,
    pseudo_translate,
    query_tokens,
    stemmer,
    swedish_stems,
    words,
)
from .language.bridge import known
from .leanings import NEGATION, NOT_COVERED, asks_negative, stated_leanings
from .periods import YEAR, other_period_acts, period_off
from .siblings import sibling_bonus
from .units import Unit, row_names, sentence_units

PRIOR = 0.3  # weight of the passage rank
QUOTE_FROM = 5  # quotes come from this many top passages
RELATIVE_CUTOFF = 0.55  # a further quote must score at least this share of the best one
KIND_BONUS = 1.0  # a unit holding the asked-for kind of fact scores (1 + this) times more
NAMED_SORT = True  # "Vilken kommitté": a unit naming one scores (1 + half of that) times more
NEIGHBOUR_SHARE = 0.6  # a unit borrows this share of its neighbour's word overlap
OWN_LANGUAGE_BONUS = 0.15
POLARITY = (1.4, 0.75)  # negative question: units that exclude / units that do not
# A question that asks for a limit, a purpose or a condition: a unit that states one
# ("finns det ett tak?", "vad ska X åstadkomma?", "vad måste vara uppfyllt?"; a condition
# measured at 1.4, 2.0 and 3.0 in session 16: 2.0 and 3.0 alike, 1.4 too weak).
STATED_BONUS = {"limit": POLARITY[0], "purpose": POLARITY[0], "condition": 2.0}
NOT_COVERED_BONUS = 2.0
YEAR_WEIGHT = 0.2  # a year of the question selects the period (the passage), not the sentence
# … except in a list item or table row that a year keys ("(b) 2022: 3 %", "| 2022 | …")
KEYED_YEAR_WEIGHT = 1.0
_KEYED_YEAR = re.compile(
    r"[\s\-–•|]*(?:\(?[a-z0-9]{1,3}[.)]\s*)?\|?\s*((?:19|20)\d\d)\b(?!\s*[-–/]\s*\d)", re.I
)
# A name the document's title names (the ISF in the ISF regulation) picks the document, not a
# sentence in it: in the quote choice it keeps this much less of its weight there.
TITLE_NAME_CUT = 0.8
# A unit this much of whose words are the title's (and heading's) restates it and is not quoted.
TITLE_SHARE = 0.8


# -- scoring -------------------------------------------------------------------------------------
@dataclass
class Scored:
    unit: Unit
    score: float
    lang: str
    spans: list[Span]


def _title_stems(p: Passage, lang: str) -> tuple[set[str], set[str]]:
    """The stems of the document's title, and of the title with the passage's heading path."""
    st = stemmer(lang)
    title = set(st.stemWords(words(str(p.chunk.metadata.get("title") or ""))))
    return title, title | set(st.stemWords(words(p.chunk.heading_path)))


def _faq_match(p: Passage, qtok: set[str], weight: Callable[[str], float]) -> bool:
    """A FAQ passage whose heading is (nearly) the question: its body is the answer."""
    heading = p.chunk.heading_path.split("›")[-1].strip()
    if not heading.endswith("?"):
        return False
    htok = set(query_tokens(heading))
    total = sum(weight(t) for t in qtok) or 1.0
    return sum(weight(t) for t in qtok & htok) / total >= 0.5


CONTEXT_WEIGHT = 0.5
ASKING_WEIGHT = 0.0  # the words that ask for a kind ("hur stor andel"): the kind bonus counts them
GLOSSARY_WEIGHT = 0.2
HEADING_SHARE = 0.5  # every unit of a passage gets this share of its heading's overlap
FUND_MISMATCH = 0.5  # a unit about another fund than the one asked about
PERIOD_MISMATCH = 0.5  # a passage whose programme period leaves out a year the question names
SUBJECT_MISMATCH = 0.5  # a unit not about the country or system the question names (`anchoring`)
LIST_BONUS = 0.5  # "vilka myndigheter": a unit naming several actors scores (1 + this) times more
LENGTH_PIVOT = 15  # content words; a longer unit's overlap is discounted …
LENGTH_EXP = 0.3  # … by (length / pivot) to this power
_HEADING_LINE = re.compile(r"^#{1,6}\s.*$", re.M)  # a table's caption


def question_tokens(text: str, lang: str = "sv", cognates: bool = True) -> set[str]:
    """The question's own words, both languages' stems, and their English translation (with
    cognates, `pseudo_translate`); for an English question also the Swedish dictionary words of
    its words (to find the sentence of a Swedish passage that answers it)."""
    out = both_stems(text) | both_stems(pseudo_translate(text, False, cognates))
    if lang == "en" and REVERSE:
        for w in words(text):
            if w not in STOP:
                out |= swedish_stems(w)
    return out


REVERSE = True  # English askers: Swedish units match through the dictionary read backwards
# Swedish askers: English units' words read backwards (`crossmatch.backward_overlap`).
BACKWARD = True
SAYS_SAME_FIRST = True  # the asker's language first when the dictionary reads it as the same


def score_units(
    question: str,
    passages: Sequence[Passage],
    lang: str,
    idf: Callable[[str], float] | None = None,
    prior: float = PRIOR,
    translations: bool = True,
    idf_in: Callable[[str], Callable[[str], float]] | None = None,
) -> list[Scored]:
    """Every unit of the passages with its score, best first. `prior` favours units of
    higher-ranked passages (0: the passages' order does not count). Without `translations`,
    glossary terms in the other language count as synonyms only (the passage ranking: retrieval
    has counted the glossary already, in the BM25 and pseudo-queries). `idf_in` gives a word's
    rarity among the passages of one language (`langidf`); without it, `idf` for all."""
    over_all = idf or (lambda _t: 1.0)
    asked_part = asked_sentence(question)
    own = question_tokens(question, lang, translations)  # the passage ranking reads no cognates
    focus = question_tokens(asked_part, lang, translations) if asked_part != question else own
    # Glossary synonyms of a fund's name pick the document, not the sentence: a sentence that
    # spells out the fund's full name says no more about the question than one that does not.
    synonyms = set(query_tokens(question)) - own
    qtok = own | synonyms
    names_of = name_word_sets(question, own)
    # Official terms in the other language (glossary entries that are no names) are the
    # question's words translated (`glossary_terms`).
    terms_of = translated_terms(question, asked_part, own) if translations else []
    for stems, _ in terms_of:
        synonyms -= stems

    # A Swedish compound that asks also names its topic ("medfinansieringsgraden"): not one.
    asks = [w for w in asking_words(asked_part) if lang != "sv" or known(w)]
    asking = question_tokens(" ".join(asks), lang)

    def weighing(base: Callable[[str], float]) -> Callable[[str], float]:
        def weight(t: str) -> float:  # words only of the context before the question weigh less
            if t not in own:
                return base(t) * GLOSSARY_WEIGHT
            if t in asking:
                return base(t) * ASKING_WEIGHT
            if YEAR.fullmatch(t):  # a year in the question says which period, not which sentence
                return base(t) * YEAR_WEIGHT
            return base(t) * (1.0 if t in focus else CONTEXT_WEIGHT)

        return weight

    qlow = question.lower()
    # What the question names (not the pseudo-translation of an English question, which reads
    # its words as Swedish): its stems, and their dictionary words in the other language.
    names = (
        own
        if lang == "sv"
        else both_stems(question) | {x for w in words(question) for x in swedish_stems(w)}
    )
    asked_funds = funds_named(question)
    asked = asked_kind(asked_part)
    accepts = ACCEPTS.get(asked or "", ())
    negative = asks_negative(question)
    leanings = stated_leanings(asked_part)
    subjects = clause_subjects(question)
    plural = asked == "actor" and asks_plural(asked_part)
    about = anchors(question, asked) if SUBJECT_MISMATCH < 1 else []
    sort = asked_sort(asked_part, asked) if NAMED_SORT else None
    counted_noun = next((a for a in about if a.forms), None) if asked == "count" else None
    out: list[Scored] = []
    asked_years = [int(y) for y in NAMED_YEAR.findall(question)]
    qwords = question_words(question) if lang == "sv" and BACKWARD else []
    later = other_period_acts(passages, asked_years, question)
    for pi, p in enumerate(passages):
        plang = p.chunk.language
        # In an index mostly of one language every word of the other is rare: a word weighs what
        # it does among the passages of the unit's language, or a translated word found in an
        # English unit outweighs the Swedish word found in a Swedish one.
        base = idf_in(plang) if idf_in is not None else over_all
        weight = weighing(base)
        period = str(p.chunk.metadata.get("programme_period") or "")
        # An act's transitional article speaks of the period before it: an act (a period read
        # from its own text) is of the asked period where the passage names the asked years.
        # A period given in metadata covers the whole document.
        own_text = p.chunk.text if p.chunk.metadata.get("period_inferred") else ""
        other_period = pi in later or period_off(asked_years, period, own_text)
        units = [u for u in sentence_units(pi, p.chunk.text) if u.kind != "heading"]
        doc_title, titles = _title_stems(p, plang)
        faq = _faq_match(p, qtok, weight)
        st = stemmer(plang)
        # Dictionary headwords are base forms, the text is inflected: an English question over
        # a Swedish passage also finds its words' relatives. (Swedish questions over Swedish
        # text: tried, it raised the dev and corpus suites but lowered the check set.)
        cross_sv = plang == "sv" and lang == "en"
        cross_en = plang == "en" and lang == "sv" and BACKWARD
        toks = [set(st.stemWords(words(f"{u.header} {u.text} {row_names(u)}"))) for u in units]
        in_title = [n for n in names_of if n & doc_title] if translations else []
        # A name the question writes only as its acronym ("ISF") where the title writes it out
        # ("the Internal Security Fund") is the document's name as well.
        title = str(p.chunk.metadata.get("title") or "") if translations else ""
        for m in names_in_title(question, own, title):
            if not any(m & n for n in in_title):
                in_title.append(m)
        # A fund's synonyms together name one thing: they add at most one synonym's weight.
        overlap = [
            sum(weight(t) for t in own & tk)
            - sum(beyond_heaviest(n & tk, weight) for n in names_of)
            - sum(TITLE_NAME_CUT * max(weight(t) for t in n & tk) for n in in_title if n & tk)
            + max((weight(t) for t in synonyms & tk), default=0.0)
            + sum(
                max((base(t) for t in stems & tk), default=0.0) * (1.0 if a else CONTEXT_WEIGHT)
                for stems, a in terms_of
            )
            + (partial_overlap(own, tk, weight, base) if cross_sv else 0.0)
            + (backward_overlap(qwords, tk, weight, base, translations) if cross_en else 0.0)
            for tk in toks
        ]
        found = [find_spans(u.text, accepts) if accepts else [] for u in units]  # once per unit
        for i, extra in sibling_bonus(units, toks, own, weight, asked, found, translations).items():
            overlap[i] += extra  # "(b) 38 % for land borders": the word its siblings lack
        for i, u in enumerate(units):  # "(b) 2022: 3 %": the year is the item's key
            keyed = _KEYED_YEAR.match(u.text)
            if keyed and int(keyed.group(1)) in asked_years:
                overlap[i] += base(keyed.group(1)) * (KEYED_YEAR_WEIGHT - YEAR_WEIGHT)
        heading = p.chunk.heading_path.split("›")[-1]
        # A table's caption (and heading path) may name the currency of its bare numbers.
        money = (
            " ".join([p.chunk.heading_path, *_HEADING_LINE.findall(p.chunk.text)])
            if "amount" in accepts
            else ""
        )
        htok = set(st.stemWords(words(heading)))
        on_topic = HEADING_SHARE * sum(weight(t) for t in qtok & htok)
        for i, u in enumerate(units):
            tk = toks[i]
            spans = list(found[i])
            # A heading or a line that repeats the title says nothing; "(a) 2021: 4 %" does.
            said = tk - STOP
            if not tk or (not spans and len(said & titles) >= TITLE_SHARE * len(said)):
                continue
            near = max([overlap[j] for j in (i - 1, i + 1) if 0 <= j < len(units)] or [0.0])
            lex = max(overlap[i], NEIGHBOUR_SHARE * near) if overlap[i] > 0 or near > 0 else 0.0
            if faq:
                lex = max(lex, NEIGHBOUR_SHARE * sum(weight(t) for t in qtok))
            lex = max(lex, on_topic)  # a passage headed by the question's words
            score = lex / max(1.0, len(tk) / LENGTH_PIVOT) ** LENGTH_EXP
            if counted_noun is not None:  # "two palm prints", not "two" alone
                more = counted_words(u.text, counted_noun)
                spans = [sp for sp in spans if not any(_overlaps(sp, m) for m in more)] + more
            if u.kind == "row" and "amount" in accepts:  # "(in EUR)" above bare numbers
                spans += table_amounts(u.text, f"{money} {u.header}", spans)
                spans.sort(key=lambda sp: accepts.index(sp.kind))
            # Not the asker's own words, in any language ("the Police Authority reports …":
            # "Polismyndigheten" is who asks, not who is asked for).
            spans = [
                sp
                for sp in spans
                if sp.text.lower() not in qlow
                and not asker_names(sp, names, st, subjects)
                and not in_condition(u.text, sp)
            ]
            if spans:
                # The preferred kind (a percentage for "hur stor andel") counts fully, others half.
                best_rank = min(accepts.index(sp.kind) for sp in spans)
                score *= 1.0 + KIND_BONUS / (1 + best_rank)
                if plural and len({sp.text.lower() for sp in spans}) >= 2:
                    score *= 1.0 + LIST_BONUS  # "vilka myndigheter": a unit that names several
            if sort is not None and names_one(sort, u.text):
                score *= 1.0 + KIND_BONUS / 2  # "Vilken kommitté …?": one named
            if negative:
                score *= POLARITY[0] if NEGATION.search(u.text) else POLARITY[1]
            for name, stated in leanings:
                if stated.search(u.text):
                    score *= STATED_BONUS[name]
            named = funds_named(u.text)
            if asked_funds and named and not (named & asked_funds):
                score *= FUND_MISMATCH
            if other_period:
                score *= PERIOD_MISMATCH
            if about and len(named_by(about, asked, p, u, units)) < len(about):
                score *= SUBJECT_MISMATCH  # not about the country or system asked about
            if NOT_COVERED.search(u.text) and overlap[i] > 0:
                score *= NOT_COVERED_BONUS
            score *= 1.0 + prior / (1 + pi)
            if plang == lang:
                score *= 1.0 + OWN_LANGUAGE_BONUS
            if len(u.text) < 25 and not (spans and focus & tk):
                score *= 0.5  # a fragment; not a short list item with the fact and the topic
            out.append(Scored(u, score, plang, spans))
    out.sort(key=lambda s: (-s.score, s.unit.p_index, s.unit.start))
    return out


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def choose(scored: Sequence[Scored], lang: str, max_units: int = 3) -> list[Scored]:
    """The best unit first (one holding a fact of the asked kind when the best holds none and
    another does, an actor aside; one in the asker's language when it says the same), then the
    few that score close to the best."""
    cands = [s for s in scored if s.score > 0]
    if not cands:
        return []
    best = cands[0]
    if not best.spans:  # asked for a figure, a time or a reference: the first quote holds one
        best = next((s for s in cands if any(sp.kind != "authority" for sp in s.spans)), best)
    if best.lang != lang:
        facts = {fact_key(sp) for sp in best.spans}
        numbers = set(numbers_in(best.unit.text))

        def says_it(s: Scored) -> bool:
            holds_numbers = numbers <= set(numbers_in(s.unit.text))
            # every fact of the asked kind, else every number the best unit states
            same = bool({fact_key(sp) for sp in s.spans} & facts) if best.spans else holds_numbers
            close = s.score >= (0.5 if best.spans else 0.85) * best.score
            # a unit that says the same in the asker's language, every number included, answers
            # as well, however weakly its words matched the question's (the dictionary finds
            # one in the other)
            sv, en = (s, best) if lang == "sv" else (best, s)
            return same and (
                close
                or (holds_numbers and SAYS_SAME_FIRST and says_same(sv.unit.text, en.unit.text))
            )

        same = [s for s in cands[1:] if s.lang == lang and says_it(s)]
        if same:
            best = same[0]
    chosen = [best]
    seen = {" ".join(best.unit.text.split()).lower()}
    for s in cands:
        if len(chosen) >= max_units or s.score < RELATIVE_CUTOFF * cands[0].score:
            break
        key = " ".join(s.unit.text.split()).lower()
        if s is best or key in seen:
            continue
        seen.add(key)
        chosen.append(s)
    return chosen


def short_span(question: str, top: Scored) -> Span | None:
    """The asked-for fact in the top unit: of the spans of the preferred kind, the one that
    stands closest to the question's words. Two different actors equally close give no short
    answer (the quote shows both); amounts and times then take the first, as rules state the
    main case first."""
    if not top.spans or asks_two(asked_sentence(question)):
        return None  # one span would answer half of a question that asks two things
    qtok = question_tokens(asked_sentence(question))
    st = stemmer(top.lang)
    text = top.unit.text
    first_kind = top.spans[0].kind  # find_spans lists the preferred kind first
    pool = [s for s in top.spans if s.kind == first_kind]
    hits = [
        m.start()
        for m in re.finditer(r"[\wåäöÅÄÖ]+", text)
        if st.stemWord(m.group(0).lower()) in qtok
    ]

    def near(sp: Span) -> float:
        return sum(1.0 / (1.0 + max(0, sp.start - h, h - sp.end) / 25.0) for h in hits)

    ranked = sorted(pool, key=lambda sp: (-near(sp), sp.start))
    span = widen_to_bound(text, widen_to_list(text, top.spans, ranked[0]))
    # Several facts of the asked kind in one sentence ("X ger Y i uppdrag efter samråd med Z",
    # "4 procent 2021, 3 procent 2022"): which one is meant takes reading, so the quote speaks
    # for itself unless one list holds them all. A wrong short answer is worse than none.
    # "5 % of the total plus EUR 500 000": a share and an amount together are one answer.
    # So are a duration and the date it runs from ("fem år räknat från den 31 december").
    together = next((g for g in (_NUMERIC, _TEMPORAL) if first_kind in g), (first_kind,))
    rivals = [s for s in top.spans if s.kind in together]
    others = {s.text for s in rivals if not (span.start <= s.start and s.end <= span.end)}
    if others - {span.text}:
        return None
    # "Frontex, Europol, EUAA och eu-LISA": a list that goes on with names the patterns do not
    # know would be cut short; the quote gives it whole.
    if first_kind == "authority" and (
        _LIST_GOES_ON.match(text, span.end) or _LIST_CAME_BEFORE.search(text, 0, span.start)
    ):
        return None
    # "Vilka myndigheter …?" asks for several: one name alone would answer only in part.
    if first_kind == "authority" and span is ranked[0] and asks_plural(asked_sentence(question)):
        return None
    return span


_NUMERIC = ("amount", "percent")
_TEMPORAL = ("duration", "date")
_NAME = r"(?:[A-ZÅÄÖ][\w-]*|[a-zåäö]+-[A-ZÅÄÖ][\w-]*)"
_LIST_GOES_ON = re.compile(rf"\s*(?:,\s*|\s+(?:och|and|samt|or|eller)\s+){_NAME}")
_LIST_CAME_BEFORE = re.compile(rf"{_NAME}\s*(?:,\s*|\s+(?:och|and|samt|or|eller)\s+)$")
