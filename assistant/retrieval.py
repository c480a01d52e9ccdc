"""Hybrid retrieval: dense (Chroma) + lexical (BM25, stemmed, glossary-expanded), fused by RRF.

The lexical index lives in the application (Chroma's sparse search is refused in local mode). It is
persisted beside the store, keyed by the store's generation, and rebuilt from the store when stale
(server mode, or another process ingested).
"""

from __future__ import annotations

import logging
import math
import pickle
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from .config import Settings
from .documents import CLASSIFICATIONS, Chunk, Passage, classification_rank
from .language import (
    TermAligner,
    build_bridge,
    collect_terms,
    detect_language,
    pseudo_translate,
    question_word_forms,
    split_query_tokens,
    stems,
    use_bridge,
)

log = logging.getLogger(__name__)

RRF_K = 60
GLOSSARY_WEIGHT = 0.3
# Weight of each ranked list in the fusion (measured on the eval suites; docs/ANSWERS.md).
LIST_WEIGHTS = {"dense": 1.0, "lexical": 1.0, "dense_en": 1.0, "lexical_en": 1.0}
_OLD_PERIOD = re.compile(
    r"2014\s*[-–]\s*2020|2014|ISF\s*Gräns|gräns-? och visering|Borders and Visa|515/2014|"
    r"514/2014|516/2014|513/2014|förra (programperioden|perioden)|previous (period|programme)|"
    r"2021\s*[-–]\s*2023",
    re.I,
)


def doc_tokens(text: str, lang: str) -> list[str]:
    """Index side: stem with the document's language."""
    return stems(text, lang)


class LevelView:
    """BM25 and word statistics over the chunks of one access level and below. Everything that
    shapes an answer (scores, document frequencies, titles) comes from the asker's view, so a
    hidden document can change neither what a lower level is answered nor whether it is."""

    def __init__(self, index: LexicalIndex, positions: list[int], corpus: list[list[str]]) -> None:
        import bm25s

        self.index = index
        self.n_total = len(index.chunks)
        # None: every chunk is in the view, so scores need no mapping back.
        self.positions = None if len(positions) == self.n_total else np.asarray(positions)
        self.n = len(positions)
        self.bm25 = bm25s.BM25()
        if positions:
            self.bm25.index([corpus[i] for i in positions], show_progress=False)
        self.df: Counter[str] = Counter()
        for i in positions:
            self.df.update(index.stem_sets[i])
        self.titles: dict[str, str] = {}
        for i in positions:
            c = index.chunks[i]
            self.titles.setdefault(c.doc_id, str(c.metadata.get("title") or c.doc_id))

    def build_bridge(self, corpus: list[list[str]], embed_terms: Any) -> None:
        """Dictionary senses this view's English text uses, and its domain terms (titles,
        defined terms) with their vectors, embedded once here, never at query time."""
        chunks = self.index.chunks
        positions = range(self.n_total) if self.positions is None else self.positions.tolist()
        en_counts: Counter[str] = Counter()
        en_df: Counter[str] = Counter()
        n_en = 0
        for i in positions:
            if str(chunks[i].metadata.get("language") or "en") == "en":
                n_en += 1
                en_counts.update(corpus[i])
                en_df.update(set(corpus[i]))
        self.bridge = build_bridge(en_counts, en_df, n_en)
        self.terms = TermAligner.build(
            collect_terms([chunks[i] for i in positions]) if embed_terms is not None else [],
            embed_terms,
        )

    def idf(self, stem: str) -> float:
        return math.log((self.n + 1) / (self.df.get(stem, 0) + 0.5))

    def _weighted_forms(self, question: str) -> list[tuple[set[str], int, float]]:
        """(forms, document frequency, idf) of each content word of a question."""
        n = self.n + 1
        out = []
        for forms in question_word_forms(question):
            df = max((self.df.get(f, 0) for f in forms), default=0)
            out.append((forms, df, math.log(n / (df + 0.5))))
        return out

    def unknown_share(self, question: str) -> float:
        """Share of the question's content (idf-weighted) that occurs nowhere in the view."""
        words = self._weighted_forms(question)
        total = sum(idf for _f, _df, idf in words)
        return sum(idf for _f, df, idf in words if df == 0) / total if total else 0.0

    def coverage(self, question: str, chunk_ids: Sequence[str]) -> float:
        """Share of the question's content (idf-weighted) found in the given chunks.

        Each question word counts as found when any of its forms (Swedish or English stem, or a
        stem of its English translation) occurs in one of the chunks.
        """
        have: set[str] = set()
        for cid in chunk_ids:
            i = self.index.by_id.get(cid)
            if i is not None:
                have |= self.index.stem_sets[i]
        words = self._weighted_forms(question)
        total = sum(idf for _f, _df, idf in words)
        return sum(idf for f, _df, idf in words if f & have) / total if total else 0.0

    def bm25_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 per chunk of the whole index (0 outside the view)."""
        out = np.zeros(self.n_total, dtype=np.float32)
        if not self.n:
            return out
        sc = np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)
        if self.positions is None:
            return sc
        out[self.positions] = sc
        return out

    def scores(self, question: str, glossary_weight: float | None = None) -> np.ndarray:
        """BM25 of the question's own words, plus glossary synonyms at a lower weight: a
        synonym of a fund's name matches every article of that fund's regulation, so it should
        pick the right act without deciding which article."""
        if not self.n_total:
            return np.zeros(0)
        w = GLOSSARY_WEIGHT if glossary_weight is None else glossary_weight
        own, extra = split_query_tokens(question)
        sc = self.bm25_scores(own) if own else np.zeros(self.n_total, dtype=np.float32)
        if extra and w:
            sc = sc + w * self.bm25_scores(extra)
        return sc


class LexicalIndex:
    """BM25 over every visible chunk, one view per access level, plus the chunk table that maps
    ids to chunks. Statistics are asked of a level (`view`); without one, of `public`."""

    FILE = "lexical.pkl"
    FORMAT = 3  # bump when the pickled attributes change; older files are rebuilt

    def __init__(self, chunks: list[Chunk], generation: int, embed_terms: Any = None) -> None:
        self.generation = generation
        self.format = self.FORMAT
        self.chunks = chunks
        self.by_id = {c.chunk_id: i for i, c in enumerate(chunks)}
        corpus = [
            doc_tokens(f"{c.heading_path}\n{c.text}", str(c.metadata.get("language") or "en"))
            or ["_empty_"]
            for c in chunks
        ]
        # For the abstention check: which stems each chunk holds.
        self.stem_sets = [frozenset(toks) for toks in corpus]
        level_of = [str(c.metadata.get("classification") or "public") for c in chunks]
        self.levels = set(level_of)
        self.views: dict[str, LevelView] = {}
        previous: LevelView | None = None
        for level in CLASSIFICATIONS:
            rank = classification_rank(level)
            positions = [i for i, lv in enumerate(level_of) if classification_rank(lv) <= rank]
            if previous is not None and previous.n == len(positions):
                self.views[level] = previous  # nothing more to see at this level: share it
                continue
            previous = self.views[level] = LevelView(self, positions, corpus)
        # The Swedish → English bridge of each level: what the asker may see decides which
        # dictionary senses and domain terms translate a question (retrieve sets it per question).
        for view in dict.fromkeys(self.views.values()):
            view.build_bridge(corpus, embed_terms)

    @property
    def bridge(self) -> Any:
        """The public view's Swedish → English bridge."""
        return self.view().bridge

    @property
    def terms(self) -> Any:
        return self.view().terms

    def view(self, max_classification: str = "public") -> LevelView:
        """The statistics of what an asker at this level may see (unknown levels: public)."""
        return self.views.get(max_classification) or self.views[CLASSIFICATIONS[0]]

    def idf(self, stem: str, max_classification: str = "public") -> float:
        return self.view(max_classification).idf(stem)

    def unknown_share(self, question: str, max_classification: str = "public") -> float:
        return self.view(max_classification).unknown_share(question)

    def coverage(
        self, question: str, chunk_ids: Sequence[str], max_classification: str = "public"
    ) -> float:
        return self.view(max_classification).coverage(question, chunk_ids)

    @classmethod
    def path(cls, settings: Settings) -> Path:
        return settings.data_dir / cls.FILE

    @classmethod
    def refresh(cls, store: Any, settings: Settings) -> LexicalIndex:
        """Rebuild from the store and save beside it (atomically)."""
        idx = cls(list(store.iter_chunks()), store.generation(), _term_embedder(store, settings))
        p = cls.path(settings)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(idx, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(p)
        return idx

    @classmethod
    def load(cls, store: Any, settings: Settings) -> LexicalIndex:
        gen = store.generation()
        p = cls.path(settings)
        if p.exists():
            try:
                with p.open("rb") as fh:
                    idx = pickle.load(fh)
                if (
                    isinstance(idx, LexicalIndex)
                    and getattr(idx, "format", 0) == cls.FORMAT
                    and idx.generation == gen
                    and gen > 0
                ):
                    return idx
            except Exception as e:  # a damaged cache is rebuilt, never fatal
                log.warning("lexical index at %s unreadable (%s); rebuilding", p, e)
        try:
            return cls.refresh(store, settings)
        except OSError as e:  # read-only data folder: keep it in memory
            log.warning("cannot save the lexical index (%s); using it in memory", e)
            return cls(list(store.iter_chunks()), gen, _term_embedder(store, settings))

    def scores(
        self,
        question: str,
        glossary_weight: float | None = None,
        max_classification: str = "public",
    ) -> np.ndarray:
        """BM25 per chunk over the level's view (see `LevelView.scores`)."""
        return self.view(max_classification).scores(question, glossary_weight)


def _term_embedder(store: Any, settings: Settings) -> Any:
    """Embeds index terms through the passage-vector cache (a re-ingest costs the model nothing)."""
    emb = getattr(store, "embeddings", None)
    if emb is None:
        return None

    def embed(texts: list[str]) -> list[list[float]]:
        from .embeddings import embed_passages
        from .ingest import _open_cache

        cache = _open_cache(settings)
        try:
            return embed_passages(emb, texts, cache)[0]
        finally:
            if cache is not None:
                cache.close()

    return embed


def _english(chunk: Chunk) -> bool:
    """Whether the translated (English) query may rank this chunk. A Swedish question's English
    pseudo-query is there to reach English text; over Swedish text it only lifts English-looking
    passages above the ones the question itself matches."""
    return str(chunk.metadata.get("language") or "en") != "sv"


def allowed_levels(max_classification: str) -> list[str]:
    r = classification_rank(max_classification)
    return [c for c in CLASSIFICATIONS if classification_rank(c) <= r]


def is_superseded(chunk: Chunk, today: date | None = None) -> bool:
    m = chunk.metadata
    if m.get("superseded_by"):
        return True
    vt = str(m.get("valid_to") or "")
    if vt:
        try:
            return date.fromisoformat(vt[:10]) < (today or date.today())
        except ValueError:
            return False
    return False


def names_old_period(question: str) -> bool:
    return bool(_OLD_PERIOD.search(question))


class Retriever:
    """Dense + lexical retrieval over one store, with filters and fusion."""

    def __init__(self, store: Any, settings: Settings, reranker: Any = None) -> None:
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
            have = {f.strip().upper() for f in str(m.get("fund") or "").split(",") if f.strip()}
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
        if detect_language(question) == "sv":
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
                for cid, sim in self.store.search(vec, pool, where):
                    i = lex.by_id.get(cid)
                    if qi and i is not None and not _english(lex.chunks[i]):
                        continue  # the translation is there to reach English text only
                    if i is not None and self._visible(lex.chunks[i], levels, fund_set, period):
                        ranked.append((i, sim))
                        dense_of[i] = max(sim, dense_of.get(i, -1.0))
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
                    if qi and not _english(lex.chunks[int(i)]):
                        continue
                    if self._visible(lex.chunks[int(i)], levels, fund_set, period):
                        ranked.append((int(i), float(sc[i])))
                        lex_of[int(i)] = max(float(sc[i]), lex_of.get(int(i), 0.0))
                        if len(ranked) >= pool:
                            break
                lists.append(("lexical" if qi == 0 else "lexical_en", ranked))
            timings["lexical_ms"] = (time.perf_counter() - t) * 1000
        fused = fuse(lists)
        old_ok = names_old_period(question)
        passages = []
        for i, score in fused.items():
            c = lex.chunks[i]
            if not old_ok and is_superseded(c):
                score *= 0.8  # current acts first unless the question names the old period

            passages.append(Passage(c, score, dense_of.get(i), lex_of.get(i)))
        passages.sort(key=lambda p: -p.score)
        passages = merge_neighbours(passages)
        if self.reranker is not None and passages:
            t = time.perf_counter()
            passages = self.reranker.rerank(question, passages[: max(k * 2, 20)])
            timings["rerank_ms"] = (time.perf_counter() - t) * 1000
        return passages[:k]


FUSION = "rrf2max"


def fuse(lists: list[tuple[str, list[tuple[int, float]]]]) -> dict[int, float]:
    """Reciprocal rank fusion. The original and the translated query of one kind (dense or
    lexical) are first merged by best normalised score, so that a passage that sits in the
    middle of all four lists does not outrank one that is first in one of them."""
    if FUSION == "rrf4":
        merged = lists
    else:
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
        merged = [(k, sorted(b.items(), key=lambda x: -x[1])) for k, b in by_kind.items()]
    fused: dict[int, float] = defaultdict(float)
    for name, ranked in merged:
        w = 1.0 if FUSION != "rrf4" else LIST_WEIGHTS[name]
        for rank, (i, _s) in enumerate(ranked):
            fused[i] += w / (RRF_K + rank + 1)
    return fused


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
