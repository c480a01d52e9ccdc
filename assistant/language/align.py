"""Domain terms aligned from the index: English terms a Swedish word's embedding is closest to.

Terms the English documents name (article titles, defined terms) are embedded at ingest; a
Swedish word that neither the glossary nor the filtered dictionary translates is embedded at
query time and mapped onto the closest term when the match is clear: score at least
ALIGN_MIN, ahead of the next term by ALIGN_MARGIN, and not contradicted by the dictionary
(a headword whose senses share no word with the term is not aligned: "förvar" is not
"pre-financing").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .lexicon import load_lexicon
from .tokens import STOP, stemmer, words

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

# embed_documents: texts → one vector each; embed_query: one text → its vector.
EmbedDocuments = Callable[[list[str]], Any]
EmbedQuery = Callable[[str], Any]


class TermSource(Protocol):
    """What collect_terms reads of a chunk."""

    @property
    def heading_path(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def metadata(self) -> Mapping[str, Any]: ...


def frequent_phrases(texts: Iterable[str]) -> list[str]:
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


def collect_terms(chunks: Iterable[TermSource]) -> list[str]:
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
    def build(cls, terms: list[str], embed_documents: EmbedDocuments | None) -> TermAligner:
        import numpy as np

        if not terms:
            return cls([], np.zeros((0, 0), dtype=np.float32))
        if embed_documents is None:
            raise TypeError("TermAligner.build: terms to embed but no embed_documents")
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
class BoundAligner:
    """A TermAligner bound to the embedding model of the loaded index, with a word cache."""

    index: TermAligner
    embed_query: EmbedQuery
    cache: dict[str, str | None]

    def align(self, word: str) -> str | None:
        if word in self.cache:
            return self.cache[word]
        out = None
        hit = self.index.best(self.embed_query(word))
        if hit is not None:
            term, score, margin = hit
            if score >= ALIGN_MIN and margin >= ALIGN_MARGIN and dictionary_allows(word, term):
                out = term
        if len(self.cache) > 10000:
            self.cache.clear()
        self.cache[word] = out
        return out


def dictionary_allows(word: str, term: str) -> bool:
    """False when the dictionary knows the word and none of its senses shares a word with term."""
    senses = load_lexicon().get(word)
    if not senses:
        return True
    st = stemmer("en")
    have = set(st.stemWords(words(term)))
    return any(have & set(st.stemWords(words(s))) for s in senses)
