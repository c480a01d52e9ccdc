"""Hybrid retrieval: dense (Chroma) + lexical (BM25, stemmed, glossary-expanded), fused by RRF,
then the top passages ranked again by their best sentence (`unit_rerank`).

The lexical index (`assistant.lexical`) is loaded beside the store and rebuilt from it when stale
(server mode, or another process ingested).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .config import Settings
from .crossmatch import swedish_list
from .documents import Chunk, Passage, allowed_levels, is_superseded, listed_funds
from .language import detect_language, pseudo_translate, use_bridge
from .leanings import asks_why, names_old_period
from .legal_labels import classify_heading
from .lexical import GLOSSARY_WEIGHT, LevelView, LexicalIndex, doc_tokens, read_as_english
from .quotes import score_units

if TYPE_CHECKING:
    from .protocols import ChunkSource, Reranker

__all__ = [
    "LIST_WEIGHTS",
    "RRF_K",
    "CrossEncoderReranker",
    "Retriever",
    "fuse",
    "merge_neighbours",
    "unit_rerank",
    "reorder_english",
    "names_old_period",
    "level_languages",
    "is_provision",
    # Their old import path: the lexical index and the metadata rules lived here.
    "GLOSSARY_WEIGHT",
    "LevelView",
    "LexicalIndex",
    "allowed_levels",
    "doc_tokens",
    "is_superseded",
]

RRF_K = 60
# The passages ranked this deep are ranked a second time by their best sentence (unit_rerank),
# and that ranking joins the first with this weight.
UNIT_DEPTH = 15
UNIT_WEIGHT = 0.6
BACK_WEIGHT = 0.9  # the backward search's normalised scores, against the translated query's
# Weight of each ranked list in the fusion (measured on the eval suites; docs/ANSWERS.md).
# "lexical_sv": an English question's Swedish dictionary words over Swedish passages, a looser
# translation than the English pseudo-query (every Swedish word a sense reads back to).
LIST_WEIGHTS = {
    "dense": 1.0,
    "lexical": 1.0,
    "dense_en": 1.0,
    "lexical_en": 1.0,
    "lexical_sv": 0.85,
}


ACROSS_POOL = 4  # a Swedish question's dense search looks this many pools deep for English acts


def is_provision(chunk: Chunk) -> bool:
    """An article or annex of an act (not a summary, a recital or a guide)."""
    return classify_heading(str(chunk.section or ""))[0] in ("article", "annex")


def level_languages(
    ranked: list[tuple[int, float]],
    provisions: list[tuple[int, float]],
    chunks: Sequence[Chunk],
    pool: int,
) -> list[tuple[int, float]]:
    """A Swedish question's dense list with English act provisions scored as if in Swedish.

    The embedding model scores text in the question's own language higher: a Swedish question
    puts Swedish passages ahead of the English article that answers it. Each English provision
    is raised by the gap between the best Swedish passage and the best English provision, so
    provisions compete with Swedish text on how well they match, not on their language. Only
    provisions: an English summary that restates a Swedish page is not lifted over that page.
    """
    swedish = [s for i, s in ranked if not read_as_english(chunks[i])]
    if not swedish or not provisions:
        return ranked
    gap = max(0.0, max(swedish) - provisions[0][1])
    lifted = {i: s + gap for i, s in provisions}
    out = {i: max(s, lifted.get(i, s)) for i, s in ranked}
    for i, v in lifted.items():
        out.setdefault(i, v)
    return sorted(out.items(), key=lambda x: -x[1])[:pool]


# An EU act's recitals explain why; its articles say what applies. A question about what applies
# is answered by an article, so a recital ranks a little lower, unless the question asks why.
RECITAL_WEIGHT = 0.85
OLD_FACTOR = 0.8


def is_recital(chunk: Chunk) -> bool:
    return chunk.section.lower().startswith(("recital", "skäl"))


class Retriever:
    """Dense + lexical retrieval over one store, with filters and fusion."""

    def __init__(
        self, store: ChunkSource, settings: Settings, reranker: Reranker | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self.reranker = reranker
        self._lock = threading.Lock()
        self._lex: LexicalIndex | None = None
        self._checked = 0.0

    @property
    def lexical(self) -> LexicalIndex:
        # Another process may ingest: look at the store's generation at most every few seconds.
        now = time.monotonic()
        with self._lock:
            if self._lex is None or now - self._checked > 5.0:
                self._checked = now
                gen = self.store.generation()
                if self._lex is None or self._lex.generation != gen:
                    self._lex = LexicalIndex.load(self.store, self.settings)
            return self._lex

    def _visible(self, chunk: Chunk, levels: set[str], funds: set[str], period: str | None) -> bool:
        m = chunk.metadata
        if str(m.get("classification") or "public") not in levels:
            return False
        if funds:
            have = {f.upper() for f in listed_funds(m)}
            if not have & funds:
                return False
        return not (period and str(m.get("programme_period") or "") != period)

    def retrieve(
        self,
        question: str,
        *,
        k: int = 10,
        max_classification: str = "public",
        method: str = "hybrid",
        funds: Sequence[str] | None = None,
        period: str | None = None,
        timings: dict[str, float] | None = None,
    ) -> list[Passage]:
        timings = timings if timings is not None else {}
        lex = self.lexical
        # The translation of this question (and of its answer's quote choice, in this thread)
        # uses the vocabulary of what the asker may see (language.use_bridge).
        view = lex.view(max_classification)
        use_bridge(view.bridge, view.terms, self.store.embeddings.embed_query)
        levels = set(allowed_levels(max_classification))
        fund_set = {f.upper() for f in funds or []}
        pool = max(50, k * 5)
        queries = [question]
        asked_in = detect_language(question)
        swedish = asked_in == "sv"
        if swedish:
            english = pseudo_translate(question, with_glossary=False)
            if english:
                queries.append(english)
        lists: list[tuple[str, list[tuple[int, float]]]] = []
        dense_of: dict[int, float] = {}
        lex_of: dict[int, float] = {}
        if method in ("hybrid", "dense"):
            t = time.perf_counter()
            vecs = [self.store.embeddings.embed_query(q) for q in queries]
            timings["embed_ms"] = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            # A metadata filter makes Chroma scan instead of using its index (21 ms → 469 ms at
            # 100k chunks), so filter there only when the index holds something the asker may
            # not see; every passage is checked again below either way.
            hidden = lex.levels - levels
            where = {"classification": {"$in": sorted(levels)}} if hidden else None
            for qi, vec in enumerate(vecs):
                ranked: list[tuple[int, float]] = []
                provisions: list[tuple[int, float]] = []
                # A Swedish question's own vector also looks further for English provisions.
                wide = qi == 0 and len(queries) > 1
                for cid, sim in self.store.search(vec, pool * ACROSS_POOL if wide else pool, where):
                    i = lex.by_id.get(cid)
                    if i is None or not self._visible(lex.chunks[i], levels, fund_set, period):
                        continue
                    in_english = read_as_english(lex.chunks[i])
                    if qi and not in_english:
                        continue  # the translation is there to reach English text only
                    kept = len(ranked) < pool
                    if kept:
                        ranked.append((i, sim))
                    if (
                        wide
                        and in_english
                        and len(provisions) < pool
                        and is_provision(lex.chunks[i])
                    ):
                        provisions.append((i, sim))
                        kept = True
                    if kept:  # the raw cosine, as abstention is calibrated on
                        dense_of[i] = max(sim, dense_of.get(i, -1.0))
                    if len(ranked) >= pool and (not wide or len(provisions) >= pool):
                        break
                if provisions:
                    ranked = level_languages(ranked, provisions, lex.chunks, pool)
                lists.append(("dense" if qi == 0 else "dense_en", ranked))
            timings["dense_ms"] = (time.perf_counter() - t) * 1000
        if method in ("hybrid", "lexical"):
            t = time.perf_counter()
            for qi, q in enumerate(queries):
                ranked = []
                sc = lex.scores(q, max_classification=max_classification)
                order: Any = np.argsort(-sc)[: pool * 3] if len(sc) else []
                for i in order:
                    if sc[i] <= 0:
                        break
                    # The English pseudo-query is there to reach English text; over Swedish text
                    # it only lifts English-looking passages above what the question matches.
                    if qi and not read_as_english(lex.chunks[int(i)]):
                        continue
                    if self._visible(lex.chunks[int(i)], levels, fund_set, period):
                        ranked.append((int(i), float(sc[i])))
                        lex_of[int(i)] = max(float(sc[i]), lex_of.get(int(i), 0.0))
                        if len(ranked) >= pool:
                            break
                lists.append(("lexical" if qi == 0 else "lexical_en", ranked))
            if asked_in == "en":

                def swedish_visible(c: Chunk) -> bool:
                    return not read_as_english(c) and self._visible(c, levels, fund_set, period)

                if sv_list := swedish_list(question, view, lex.chunks, swedish_visible, pool):
                    lists.append(("lexical_sv", sv_list))
            if swedish:
                sc = view.backward_scores(question)
                back = [
                    (int(i), float(sc[i]))
                    for i in np.argsort(-sc)[: pool * 3]
                    if sc[i] > 0 and self._visible(lex.chunks[int(i)], levels, fund_set, period)
                ][:pool]
                lists = reorder_english(lists, back)
            timings["lexical_ms"] = (time.perf_counter() - t) * 1000
        fused = fuse(lists)
        old_ok = names_old_period(question)
        recital_prior = not asks_why(question)
        passages = []
        for i, score in fused.items():
            c = lex.chunks[i]
            # Current acts before the ones they replaced, unless the question names the old
            # period. A document that only ran out (a finished project) has no successor to
            # yield to: it is history, and still the source on its own subject.
            if not old_ok and c.metadata.get("superseded_by"):
                score *= OLD_FACTOR
            if recital_prior and is_recital(c):
                score *= RECITAL_WEIGHT
            passages.append(Passage(c, score, dense_of.get(i), lex_of.get(i)))
        passages.sort(key=lambda p: -p.score)
        passages = merge_neighbours(passages)
        if method == "hybrid" and passages:
            t = time.perf_counter()
            passages = unit_rerank(question, passages, view.idf)
            timings["units_ms"] = (time.perf_counter() - t) * 1000
        if self.reranker is not None and passages:
            t = time.perf_counter()
            passages = self.reranker.rerank(question, passages[: max(k * 2, 20)])
            timings["rerank_ms"] = (time.perf_counter() - t) * 1000
        return passages[:k]


def fuse(lists: list[tuple[str, list[tuple[int, float]]]]) -> dict[int, float]:
    """Reciprocal rank fusion. The original and the translated query of one kind (dense or
    lexical) are first merged by best normalised score, so that a passage that sits in the
    middle of all four lists does not outrank one that is first in one of them."""
    by_kind: dict[str, dict[int, float]] = {}
    for name, ranked in lists:
        kind = name.split("_")[0]
        top = max((s for _i, s in ranked), default=0.0) or 1.0
        bucket = by_kind.setdefault(kind, {})
        w = LIST_WEIGHTS[name]
        for i, s in ranked:
            # Dense cosines share one scale; BM25 scores are divided by the list's best.
            v = (s if kind == "dense" else s / top) * w
            bucket[i] = max(v, bucket.get(i, float("-inf")))
    fused: dict[int, float] = defaultdict(float)
    for bucket in by_kind.values():
        ranked_kind = sorted(bucket.items(), key=lambda x: -x[1])
        for rank, (i, _s) in enumerate(ranked_kind):
            fused[i] += 1.0 / (RRF_K + rank + 1)
    return fused


def reorder_english(
    lists: list[tuple[str, list[tuple[int, float]]]], back: list[tuple[int, float]]
) -> list[tuple[str, list[tuple[int, float]]]]:
    """The backward search (a Swedish question over English chunks read as Swedish, see
    `crossmatch`) decides the order of English passages in the translated lexical list, not how
    English passages stand against Swedish ones: each passage gets the better of its two
    normalised scores (the backward one × BACK_WEIGHT), and the passages in that order take the
    translated list's own scores, best first. A Swedish question over Swedish guides is left as
    it was; the dictionary's other senses only pick among English articles. When no word of the
    question translates (no translated list), the backward list stands in for it, as that list
    would have ranked English passages."""
    if not back:
        return lists
    en = next((ranked for name, ranked in lists if name == "lexical_en"), None)
    rest = [x for x in lists if x[0] != "lexical_en"]
    if not en:
        return [*rest, ("lexical_en", back)]
    top_en = max(s for _i, s in en) or 1.0
    top_back = max(s for _i, s in back) or 1.0
    merged = {i: s / top_en for i, s in en}
    for i, s in back:
        merged[i] = max(merged.get(i, 0.0), BACK_WEIGHT * s / top_back)
    slots = sorted((s for _i, s in en), reverse=True)
    order = sorted(merged, key=lambda i: -merged[i])[: len(slots)]
    return [*rest, ("lexical_en", list(zip(order, slots, strict=True)))]


def unit_rerank(
    question: str, passages: list[Passage], idf: Callable[[str], float]
) -> list[Passage]:
    """A passage is as good as its best sentence. An article with one sentence that says what the
    question asks (its words, the asked kind of fact) can rank below a neighbouring article that
    only shares the topic's words throughout: chunk vectors and BM25 see the whole text. The top
    UNIT_DEPTH passages are ranked again by their best unit, scored as quotes are
    (`quotes.score_units`, without the first ranking's weight), and that rank adds
    UNIT_WEIGHT / (RRF_K + rank) to the fused score, as one more list of the fusion would."""
    head = passages[:UNIT_DEPTH]
    best: dict[int, float] = {}
    for s in score_units(
        question, head, detect_language(question), idf, prior=0.0, translations=False
    ):
        best[s.unit.p_index] = max(best.get(s.unit.p_index, 0.0), s.score)
    by_unit = sorted(range(len(head)), key=lambda i: -best.get(i, 0.0))
    out = [
        Passage(
            head[i].chunk,
            head[i].score + UNIT_WEIGHT / (RRF_K + rank + 1),
            head[i].dense_score,
            head[i].lexical_score,
        )
        for rank, i in enumerate(by_unit)
    ]
    out.sort(key=lambda p: -p.score)
    return out + passages[UNIT_DEPTH:]


def merge_neighbours(passages: list[Passage]) -> list[Passage]:
    """Parts of one section that were both retrieved become one passage, in text order."""
    groups: dict[tuple[str, str], list[Passage]] = {}
    order: list[tuple[str, str]] = []
    for p in passages:
        key = (p.chunk.doc_id, p.chunk.section)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(p)
    out = []
    for key in order:
        ps = groups[key]
        if len(ps) == 1:
            out.append(ps[0])
            continue
        best = ps[0]
        parts = sorted(ps, key=lambda p: p.chunk.start)
        # Only adjacent parts are merged; a far-away part of a long annex stays separate.
        merged = [parts[0]]
        for p in parts[1:]:
            if p.chunk.part == merged[-1].chunk.part + 1 and len(merged) < 3:
                merged.append(p)
        if len(merged) == 1:
            out.append(best)
            out.extend(p for p in ps[1:])
            continue
        c0 = merged[0].chunk
        chunk = Chunk(
            chunk_id=c0.chunk_id,
            doc_id=c0.doc_id,
            text="\n\n".join(p.chunk.text for p in merged),
            section=c0.section,
            heading_path=c0.heading_path,
            start=c0.start,
            end=merged[-1].chunk.end,
            page=c0.page,
            part=c0.part,
            metadata=dict(c0.metadata, merged_ids=[p.chunk.chunk_id for p in merged]),
        )
        dense = [p.dense_score for p in merged if p.dense_score is not None]
        lexs = [p.lexical_score for p in merged if p.lexical_score is not None]
        out.append(
            Passage(chunk, best.score, max(dense) if dense else None, max(lexs) if lexs else None)
        )
        out.extend(p for p in ps if p not in merged)
    out.sort(key=lambda p: -p.score)
    return out


class CrossEncoderReranker:
    """Optional: any sentence-transformers cross-encoder by name or local folder."""

    def __init__(self, name_or_path: str) -> None:
        from sentence_transformers import CrossEncoder

        from .errors import ConfigError

        try:
            self.model = CrossEncoder(name_or_path, device="cpu")
        except Exception as e:
            raise ConfigError(
                f"ASSISTANT_RERANKER={name_or_path!r}: could not load the cross-encoder ({e}). "
                "Give a local folder with a sentence-transformers CrossEncoder, or unset it."
            ) from None

    def rerank(self, question: str, passages: list[Passage]) -> list[Passage]:
        pairs = [(question, f"{p.chunk.heading_path}\n{p.chunk.text}") for p in passages]
        scores = self.model.predict(pairs, show_progress_bar=False)
        ranked = sorted(zip(passages, scores, strict=True), key=lambda x: -float(x[1]))
        return [Passage(p.chunk, float(s), p.dense_score, p.lexical_score) for p, s in ranked]
