"""Words, stems, question language, the glossary and the Swedish → English word list.

Staff ask in Swedish; most regulations they rely on are English. The lexical side stems words
with the document's language, expands a question with glossary synonyms, and builds an English
pseudo-query from a Swedish question, which also goes through the embedding model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

_WORD = re.compile(r"[\wåäöÅÄÖéü]+(?:[-/][\wåäö]+)*", re.UNICODE)

# Small stop lists: words that carry no topic in questions or regulations.
STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "may",
        "must",
        "not",
        "of",
        "on",
        "or",
        "our",
        "shall",
        "should",
        "so",
        "that",
        "the",
        "their",
        "there",
        "these",
        "this",
        "those",
        "to",
        "under",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
        "any",
        "all",
        "also",
        "other",
        "such",
        "than",
        "och",
        "att",
        "det",
        "som",
        "en",
        "ett",
        "är",
        "av",
        "för",
        "på",
        "med",
        "till",
        "den",
        "de",
        "om",
        "har",
        "vi",
        "kan",
        "hur",
        "vad",
        "vilka",
        "vilken",
        "vilket",
        "man",
        "får",
        "ska",
        "skall",
        "inte",
        "eller",
        "ni",
        "jag",
        "du",
        "han",
        "hon",
        "sig",
        "sin",
        "sina",
        "sitt",
        "finns",
        "fick",
        "blir",
        "vara",
        "var",
        "när",
        "där",
        "så",
        "än",
        "också",
        "efter",
        "vid",
        "mot",
        "under",
        "över",
        "hos",
        "ut",
        "in",
        "upp",
        "bara",
        "något",
        "någon",
        "några",
        "alla",
        "allt",
        "mycket",
        "mer",
        "mest",
    ]
)

_SV_HINTS = re.compile(
    r"[åäö]|\b(och|att|vad|vilken|vilka|hur|får|ska|kan vi|finns|det|är|för|om|inte|mycket|"
    r"myndighet|gäller|vem|när|varför|måste|någon)\b",
    re.I,
)
_EN_HINTS = re.compile(
    r"\b(the|what|which|how|can|does|do|is|are|who|when|why|we|our|must|any|there|of|for)\b", re.I
)


def detect_language(text: str) -> str:
    """'sv' or 'en' for a question (short texts defeat statistical detectors, so count hints)."""
    sv = len(_SV_HINTS.findall(text))
    en = len(_EN_HINTS.findall(text))
    if sv == en == 0:
        try:
            from langdetect import DetectorFactory, detect

            DetectorFactory.seed = 0
            return "en" if detect(text) == "en" else "sv"
        except Exception:
            return "sv"
    return "sv" if sv >= en else "en"


@lru_cache(maxsize=2)
def stemmer(lang: str) -> Any:
    import Stemmer

    return Stemmer.Stemmer("swedish" if lang == "sv" else "english")


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP and len(w) > 1]


def stems(text: str, lang: str) -> list[str]:
    return list(stemmer("sv" if lang == "sv" else "en").stemWords(words(text)))


# -- glossary ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class GlossaryGroup:
    terms: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]


def _data(name: str) -> Any:
    return yaml.safe_load(resources.files("assistant").joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=1)
def load_glossary() -> tuple[GlossaryGroup, ...]:
    groups = []
    for terms in _data("glossary.yaml").get("groups", []):
        terms = tuple(str(t) for t in terms)
        pats = tuple(
            re.compile(r"(?<![\wåäö])" + re.escape(t.lower()) + r"(?![\wåäö])") for t in terms
        )
        groups.append(GlossaryGroup(terms, pats))
    return tuple(groups)


def expand_with_glossary(question: str) -> list[str]:
    """Terms of every glossary group that the question mentions (for the lexical query)."""
    q = question.lower()
    extra: list[str] = []
    for g in load_glossary():
        if any(p.search(q) for p in g.patterns):
            extra.extend(g.terms)
    return extra


def both_stems(text: str) -> set[str]:
    ws = words(text)
    return set(stemmer("sv").stemWords(ws)) | set(stemmer("en").stemWords(ws))


def query_tokens(question: str) -> list[str]:
    """Lexical query: the language of the text we match is unknown, so stem both ways."""
    return sorted(both_stems(question + " " + " ".join(expand_with_glossary(question))))


def split_query_tokens(question: str) -> tuple[list[str], list[str]]:
    """(the question's own stems, stems only the glossary added)."""
    own = both_stems(question)
    extra = both_stems(" ".join(expand_with_glossary(question))) - own
    return sorted(own), sorted(extra)


# -- Swedish → English -------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _sv_en() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    exact: dict[str, list[str]] = {}
    by_stem: dict[str, list[str]] = {}
    st = stemmer("sv")
    for sv, en in (_data("sv_en.yaml").get("words") or {}).items():
        key = str(sv).lower()
        vals = [str(e) for e in en]
        exact[key] = vals
        by_stem.setdefault(st.stemWord(key), vals)
    return exact, by_stem


@lru_cache(maxsize=1)
def _phrases() -> tuple[tuple[re.Pattern[str], list[str]], ...]:
    """Multi-word Swedish entries ("stå för"), matched on the question before single words."""
    out = []
    for sv, en in (_data("sv_en.yaml").get("phrases") or {}).items():
        pat = re.compile(r"(?<![\wåäö])" + re.escape(str(sv).lower()) + r"(?![\wåäö])", re.I)
        out.append((pat, [str(e) for e in en]))
    return tuple(out)


def _lookup(w: str) -> list[str] | None:
    exact, by_stem = _sv_en()
    return exact.get(w) or by_stem.get(stemmer("sv").stemWord(w))


def _split_compound(w: str) -> list[str] | None:
    """'utbetalningsansökningarna' → payment + applications: the longest known tail first."""
    for i in range(3, len(w) - 2):
        head, tail = w[:i], w[i:]
        t = _lookup(tail)
        if not t:
            continue
        h = _lookup(head) or (_lookup(head[:-1]) if head.endswith("s") else None)
        if h:
            return h + t
        return t
    return None


def pseudo_translate(question: str, with_glossary: bool = True) -> str:
    """An English query from a Swedish one, word by word; acronyms and numbers are kept."""
    out: list[str] = []
    rest = question
    for phrase, english in _phrases():
        if phrase.search(rest):
            out.extend(english)
            rest = phrase.sub(" ", rest)
    parts = [p for w in _WORD.findall(rest) for p in re.split(r"[-/]", w) if p]
    for w in parts:
        lw = w.lower()
        if (w.isupper() and len(w) > 1) or any(ch.isdigit() for ch in w):
            out.append(w)
            continue
        if lw in STOP:
            continue
        hit = _lookup(lw) or (_split_compound(lw) if len(lw) > 7 else None)
        if hit:
            out.extend(hit)
    for term in expand_with_glossary(question) if with_glossary else []:
        if not _SV_HINTS.search(term):
            out.append(term)
    seen: set[str] = set()
    uniq = [x for x in out if not (x.lower() in seen or seen.add(x.lower()))]  # type: ignore[func-returns-value]
    return " ".join(uniq)


# Words that carry tone, not topic, in Slack questions ("tack", "exakt", "actually").
CHATTER = frozenset(
    """tack hej snälla please thanks exakt egentligen ju typ liksom vet vill tror undrar
    actually really just need know want wonder""".split()
)


def question_word_forms(question: str) -> list[set[str]]:
    """For each content word of a question, the stems it may appear as in either language."""
    out = []
    for w in words(question):
        if w in CHATTER:
            continue
        forms = {stemmer("sv").stemWord(w), stemmer("en").stemWord(w)}
        for t in _lookup(w) or (_split_compound(w) if len(w) > 7 else None) or []:
            forms |= set(stemmer("en").stemWords(words(t)))
        out.append(forms)
    return out
