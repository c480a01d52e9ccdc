"""Words, stems, question language, the glossary and the Swedish → English word list.

Staff ask in Swedish; most regulations they rely on are English. The lexical side stems words
with the document's language, expands a question with glossary synonyms, and builds an English
pseudo-query from a Swedish question, which also goes through the embedding model.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Mapping
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
    source: str = ""  # the act (both language versions) or the section's usage it comes from


def _data(name: str) -> Any:
    return yaml.safe_load(resources.files("assistant").joinpath(name).read_text("utf-8"))


@lru_cache(maxsize=1)
def load_glossary() -> tuple[GlossaryGroup, ...]:
    groups = []
    for entry in _data("glossary.yaml").get("groups", []):
        # An entry is {terms: [...], source: "..."}; a bare list of terms is still read.
        raw = entry.get("terms", []) if isinstance(entry, dict) else entry
        source = str(entry.get("source") or "") if isinstance(entry, dict) else ""
        terms = tuple(str(t) for t in raw)
        pats = tuple(
            re.compile(r"(?<![\wåäö])" + re.escape(t.lower()) + r"(?![\wåäö])") for t in terms
        )
        groups.append(GlossaryGroup(terms, pats, source))
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


def _hand_lookup(w: str) -> list[str] | None:
    exact, by_stem = _sv_en()
    return exact.get(w) or by_stem.get(stemmer("sv").stemWord(w))


def _lookup(w: str) -> list[str] | None:
    """English for one Swedish word: the hand list first, then the index-filtered dictionary."""
    hit = _hand_lookup(w)
    if hit:
        return hit
    bridge = _BRIDGE.get("current")
    return bridge.lookup(w) if bridge is not None else None


def _split_compound(w: str) -> list[str] | None:
    """'utbetalningsansökningarna' → payment + applications: the longest known tail first.

    The hand list may supply the tail alone (as it always has); with the dictionary both parts
    must be known (a linking 's' dropped, a head split once more), so that a word is never
    reduced to a short accidental tail ("personal" is not "pers" + "onal").
    """
    for i in range(3, len(w) - 2):
        head, tail = w[:i], w[i:]
        t = _hand_lookup(tail)
        if not t:
            continue
        h = _hand_lookup(head) or (_hand_lookup(head[:-1]) if head.endswith("s") else None)
        if h:
            return h + t
        return t
    bridge = _BRIDGE.get("current")
    return bridge.split(w) if bridge is not None else None


# Country codes as EU acts print them in annex tables (ISO 3166, with EL for Greece and UK),
# with the English and Swedish names: chunking adds the names to a table row's heading path, so
# a row keyed "SE" is found by "Sweden" and by "Sverige". (Translating "Sverige" → "Sweden" in
# every question instead lifted English texts that merely mention Sweden: not done.)
COUNTRY_CODES: dict[str, tuple[str, str]] = {
    "AT": ("Austria", "Österrike"),
    "BE": ("Belgium", "Belgien"),
    "BG": ("Bulgaria", "Bulgarien"),
    "CH": ("Switzerland", "Schweiz"),
    "CY": ("Cyprus", "Cypern"),
    "CZ": ("Czechia", "Tjeckien"),
    "DE": ("Germany", "Tyskland"),
    "DK": ("Denmark", "Danmark"),
    "EE": ("Estonia", "Estland"),
    "EL": ("Greece", "Grekland"),
    "GR": ("Greece", "Grekland"),
    "ES": ("Spain", "Spanien"),
    "FI": ("Finland", "Finland"),
    "FR": ("France", "Frankrike"),
    "HR": ("Croatia", "Kroatien"),
    "HU": ("Hungary", "Ungern"),
    "IE": ("Ireland", "Irland"),
    "IS": ("Iceland", "Island"),
    "IT": ("Italy", "Italien"),
    "LI": ("Liechtenstein", "Liechtenstein"),
    "LT": ("Lithuania", "Litauen"),
    "LU": ("Luxembourg", "Luxemburg"),
    "LV": ("Latvia", "Lettland"),
    "MT": ("Malta", "Malta"),
    "NL": ("Netherlands", "Nederländerna"),
    "NO": ("Norway", "Norge"),
    "PL": ("Poland", "Polen"),
    "PT": ("Portugal", "Portugal"),
    "RO": ("Romania", "Rumänien"),
    "SE": ("Sweden", "Sverige"),
    "SI": ("Slovenia", "Slovenien"),
    "SK": ("Slovakia", "Slovakien"),
    "UK": ("United Kingdom", "Storbritannien"),
}


# -- the dictionary, filtered by the index ----------------------------------------------------
LEXICON_FILE = "data/folkets-sv-en.tsv"  # Folkets lexikon (KTH), CC BY-SA 2.5: data/README.md
# A sense is kept when each of its English words occurs at least this often in the indexed
# English text; at most MAX_SENSES per headword. A general dictionary merged unfiltered adds
# everyday senses that pull a question away from the regulation's wording (docs/ANSWERS.md).
MIN_OCCURRENCES = 3
MAX_SENSES = 2
# A sense whose words are in more than this share of English chunks names nothing ("make",
# "take"): it is dropped, so the senses that are kept are the ones with weight (idf).
MAX_DF_SHARE = 0.5
_ENDINGS: tuple[str, ...] = ("ernas", "arnas", "ornas", "erna", "arna", "orna", "ens", "ets")
_ENDINGS += ("en", "et", "na", "er", "ar", "or", "n", "s")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, tuple[str, ...]]:
    """Swedish headword (lower case, one word) → English senses in the dictionary's order."""
    text = resources.files("assistant").joinpath(LEXICON_FILE).read_text("utf-8")
    out: dict[str, list[str]] = {}
    for line in text.splitlines()[1:]:
        sv, _, en = line.partition("\t")
        sv = sv.strip().lower()
        if not sv or not en or " " in sv:
            continue
        senses = out.setdefault(sv, [])
        for sense in re.split(r"[;,]", _PAREN.sub(" ", en)):
            sense = " ".join(re.sub(r"[()\[\]]", " ", sense).split())
            if sense and sense.lower() not in (x.lower() for x in senses):
                senses.append(sense)
    return {k: tuple(v) for k, v in out.items() if v}


@dataclass
class Bridge:
    """Swedish → English for one index: the dictionary senses its English text uses.

    Built at ingest with the lexical index (the vocabulary is known there) and registered with
    `use_bridge` when a retriever loads that index; `pseudo_translate` then uses it.
    """

    words: dict[str, tuple[str, ...]]
    by_stem: dict[str, tuple[str, ...]]

    def lookup(self, w: str) -> list[str] | None:
        hit = self.words.get(w) or self.by_stem.get(stemmer("sv").stemWord(w))
        if not hit:
            # The stemmer and the headword disagree now and then ("kontor" → "kont", but
            # "kontoret" → "kontor"): try the word without a common inflection ending.
            for end in _ENDINGS:
                if w.endswith(end) and len(w) - len(end) >= 3:
                    hit = self.words.get(w[: -len(end)])
                    if hit:
                        break
        return list(hit) if hit else None

    def split(self, w: str, depth: int = 0) -> list[str] | None:
        """A compound split on the dictionary: both parts known (the head may split once more)."""
        if len(w) < 8:
            return None
        for i in range(3, len(w) - 3):
            head, tail = w[:i], w[i:]
            t = _hand_lookup(tail) or self.lookup(tail)
            if not t:
                continue
            h = (
                _hand_lookup(head)
                or self.lookup(head)
                or (self.lookup(head[:-1]) if head.endswith("s") and len(head) > 4 else None)
                or (self.split(head, depth + 1) if depth == 0 else None)
            )
            if h:
                return h + t
        return None


def build_bridge(en_counts: Mapping[str, int], en_df: Mapping[str, int], n_en: int) -> Bridge:
    """Keep the dictionary senses whose English words (stemmed) the indexed English text uses.

    en_counts: occurrences of each English stem; en_df: English chunks holding it; n_en: the
    number of English chunks.
    """
    st_en = stemmer("en")
    st_sv = stemmer("sv")
    limit = MAX_DF_SHARE * n_en
    kept: dict[str, tuple[str, ...]] = {}
    by_stem: dict[str, tuple[str, ...]] = {}
    if not n_en:
        return Bridge(kept, by_stem)
    for sv, senses in load_lexicon().items():
        good = []
        for sense in senses:
            stems_ = st_en.stemWords(words(sense))
            if not stems_ or any(en_counts.get(x, 0) < MIN_OCCURRENCES for x in stems_):
                continue
            if all(en_df.get(x, 0) > limit for x in stems_):
                continue
            good.append(sense)
            if len(good) >= MAX_SENSES:
                break
        if good:
            kept[sv] = tuple(good)
            by_stem.setdefault(st_sv.stemWord(sv), tuple(good))
    return Bridge(kept, by_stem)


# -- domain terms aligned from the index ------------------------------------------------------
# Terms the English documents name (article titles, defined terms) are embedded at ingest; a
# Swedish word that neither the glossary nor the filtered dictionary translates is embedded at
# query time and mapped onto the closest term when the match is clear: score at least
# ALIGN_MIN, ahead of the next term by ALIGN_MARGIN, and not contradicted by the dictionary
# (a headword whose senses share no word with the term is not aligned: "förvar" is not
# "pre-financing").
ALIGN_MIN = 0.88
ALIGN_MARGIN = 0.015
MAX_ALIGNED_WORDS = 3
_DEFINED = re.compile(r"[‘'\"“]([A-Za-z][\w \-]{2,60}?)[’'\"”]\s+(?:means|shall mean)\b")
_LABEL_HEAD = re.compile(
    r"^(Article|Annex|Chapter|Section|Subsection|Recital|Title|Part)\s+[\dIVXLC]+[a-z]?\b\.?\s*",
    re.I,
)


PHRASE_MIN_COUNT = 3
MAX_PHRASES = 120
_PHRASE_WORD = re.compile(r"[a-z][a-z\-]*[a-z]|[^\sa-z]+")


def frequent_phrases(texts: Any) -> list[str]:
    """Two- and three-word runs of content words that recur in the texts ("liaison officer")."""
    counts: Counter[str] = Counter()
    for text in texts:
        run: list[str] = []
        for tok in [*_PHRASE_WORD.findall(text.lower()), "."]:
            if tok[0].isalpha() and tok not in STOP and len(tok) > 2:
                run.append(tok)
                continue
            for n in (2, 3):
                for i in range(len(run) - n + 1):
                    counts[" ".join(run[i : i + n])] += 1
            run = []
    common = [(p, n) for p, n in counts.items() if n >= PHRASE_MIN_COUNT]
    common.sort(key=lambda x: (-x[1], x[0]))
    return [p for p, _n in common[:MAX_PHRASES]]


def collect_terms(chunks: Any) -> list[str]:
    """English terms an index names: section titles, defined terms and recurring phrases."""
    seen: dict[str, str] = {}
    english = [c for c in chunks if str(c.metadata.get("language") or "en") == "en"]
    for p in frequent_phrases(c.text for c in english):
        seen.setdefault(p, p)
    for c in english:
        cands = []
        for part in str(c.heading_path).split(" › "):
            title = _LABEL_HEAD.sub("", part).strip(" .:")
            cands.append(title)
        cands.extend(m.group(1) for m in _DEFINED.finditer(c.text))
        for t in cands:
            t = " ".join(t.split())
            n = len(t.split())
            if not t or n > 6 or len(t) > 60 or not any(ch.isalpha() for ch in t):
                continue
            if t.isupper() and n > 1:  # "CHAPTER II" style running heads
                continue
            seen.setdefault(t.lower(), t)
    return sorted(seen.values())


@dataclass
class TermAligner:
    """Candidate English terms of one index with their vectors (unit length), built at ingest."""

    terms: list[str]
    vectors: Any  # numpy array (n, d), float32, rows normalised

    @classmethod
    def build(cls, terms: list[str], embed_documents: Any) -> TermAligner:
        import numpy as np

        if not terms:
            return cls([], np.zeros((0, 0), dtype=np.float32))
        vecs = np.asarray(embed_documents(terms), dtype=np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
        return cls(terms, vecs)

    def best(self, vec: Any) -> tuple[str, float, float] | None:
        """(term, score, margin over the next term) for one query vector."""
        import numpy as np

        if not self.terms:
            return None
        v = np.asarray(vec, dtype=np.float32)
        v = v / (np.linalg.norm(v) + 1e-9)
        sims = self.vectors @ v
        order = np.argsort(-sims)[:20]
        best = self.terms[int(order[0])]
        top = float(sims[order[0]])
        # The margin is over the best term that shares no word with the winner ("third
        # country" / "third countries" are one answer, not two rivals).
        st = stemmer("en")
        have = set(st.stemWords(words(best)))
        second = next(
            (
                float(sims[i])
                for i in order[1:]
                if not have & set(st.stemWords(words(self.terms[int(i)])))
            ),
            0.0,
        )
        return best, top, top - second


@dataclass
class _Aligner:
    """A TermAligner bound to the embedding model of the loaded index, with a word cache."""

    index: TermAligner
    embed_query: Any
    cache: dict[str, str | None]

    def align(self, word: str) -> str | None:
        if word in self.cache:
            return self.cache[word]
        out = None
        hit = self.index.best(self.embed_query(word))
        if hit is not None:
            term, score, margin = hit
            if score >= ALIGN_MIN and margin >= ALIGN_MARGIN and _dictionary_allows(word, term):
                out = term
        if len(self.cache) > 10000:
            self.cache.clear()
        self.cache[word] = out
        return out


def _dictionary_allows(word: str, term: str) -> bool:
    """False when the dictionary knows the word and none of its senses shares a word with term."""
    senses = load_lexicon().get(word)
    if not senses:
        return True
    st = stemmer("en")
    have = set(st.stemWords(words(term)))
    return any(have & set(st.stemWords(words(s))) for s in senses)


def aligned_terms(question: str) -> list[str]:
    """English index terms for the Swedish words of a question that nothing else translates."""
    aligner = _TERMS.get("current")
    if aligner is None:
        return []
    out: list[str] = []
    tried = 0
    for w in words(question):
        if (
            len(w) < 5
            or w in CHATTER
            or any(ch.isdigit() for ch in w)
            or _lookup(w)
            or (len(w) > 7 and _split_compound(w))
        ):
            continue
        tried += 1
        if tried > MAX_ALIGNED_WORDS:
            break
        term = aligner.align(w)
        if term and term not in out:
            out.append(term)
    return out


class _Registry(threading.local):
    """Per thread: a bot worker translates its own asker's question with its level's bridge."""

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        return self.items.get(key)

    def pop(self, key: str, default: Any = None) -> Any:
        return self.items.pop(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self.items[key] = value


_BRIDGE = _Registry()
_TERMS = _Registry()


def use_bridge(
    bridge: Bridge | None, terms: TermAligner | None = None, embed_query: Any = None
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
        _TERMS["current"] = _Aligner(terms, embed_query, {})


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
    out.extend(aligned_terms(question))
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
