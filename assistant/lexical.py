"""The lexical (BM25) index: stemmed, glossary-expanded, one view per access level.

It lives in the application (Chroma's sparse search is refused in local mode), is written by
ingest after each run and read by the retriever. It is saved beside the store, keyed by the
store's generation, and rebuilt from the store when stale (server mode, or another process
ingested). On disk: `lexical.json` names the current folder under `lexical/`, which holds the
chunk table (JSON), and per view its BM25 matrices in bm25s' own format, its word statistics and
Swedish → English bridge (JSON) and its term vectors (`.npy`). Nothing is pickled; the pickle
file of earlier versions (`lexical.pkl`) is never read: the index is rebuilt from the store once
and the old file removed.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .config import Settings
from .crossmatch import backward_doc, backward_query
from .documents import CLASSIFICATIONS, Chunk, classification_rank
from .glossary_terms import spelled_out
from .language import (
    Bridge,
    TermAligner,
    build_bridge,
    collect_terms,
    question_word_forms,
    split_query_tokens,
    stems,
    words,
)

if TYPE_CHECKING:
    from .protocols import ChunkSource
_Weighted = tuple[set[str], int, float]  # a question word's forms, document frequency, idf

log = logging.getLogger(__name__)

GLOSSARY_WEIGHT = 0.3
EmbedTerms = Callable[[list[str]], list[list[float]]]


def read_as_english(chunk: Chunk) -> bool:
    """Whether a Swedish question is matched to this chunk through English (the pseudo-query,
    the backward search): any language but Swedish, or none given (an unlabelled chunk is
    stemmed as English)."""
    return str(chunk.metadata.get("language") or "en") != "sv"


def doc_tokens(text: str, lang: str) -> list[str]:
    """Index side: stem with the document's language."""
    return stems(text, lang)


class LevelView:
    """BM25 and word statistics over the chunks of one access level and below. Everything that
    shapes an answer (scores, document frequencies, titles) comes from the asker's view, so a
    hidden document can change neither what a lower level is answered nor whether it is."""

    bridge: Bridge
    terms: TermAligner

    def __init__(
        self,
        index: LexicalIndex,
        positions: list[int],
        corpus: list[list[str]],
        backward: dict[int, list[str]],
    ) -> None:
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
        self._titles: dict[str, str] = {}
        for i in positions:
            c = index.chunks[i]
            self._titles.setdefault(c.doc_id, str(c.metadata.get("title") or c.doc_id))
        # The backward search: the view's English chunks read as Swedish (`backward`).
        english = [i for i in positions if i in backward]
        self.back_positions = np.asarray(english, dtype=np.int64)
        self.back_bm25 = bm25s.BM25()
        if english:
            self.back_bm25.index([backward[i] for i in english], show_progress=False)

    @property
    def titles(self) -> dict[str, str]:
        """Document id → title, for the documents this view holds (a copy: the view's own map
        is built with it and never changed from outside)."""
        return dict(self._titles)

    def build_bridge(self, corpus: list[list[str]], embed_terms: EmbedTerms | None) -> None:
        """Dictionary senses this view's English text uses, and its domain terms (titles,
        defined terms) with their vectors, embedded once here, never at query time."""
        chunks = self.index.chunks
        positions = range(self.n_total) if self.positions is None else self.positions.tolist()
        en_counts: Counter[str] = Counter()
        en_df: Counter[str] = Counter()
        en_words: Counter[str] = Counter()  # as written, for cognates
        n_en = 0
        for i in positions:
            if str(chunks[i].metadata.get("language") or "en") == "en":
                n_en += 1
                en_counts.update(corpus[i])
                en_df.update(set(corpus[i]))
                en_words.update(words(chunks[i].text))
        self.bridge = build_bridge(en_counts, en_df, n_en, en_words)
        self.terms = TermAligner.build(
            collect_terms([chunks[i] for i in positions]) if embed_terms is not None else [],
            embed_terms,
        )

    def idf(self, stem: str) -> float:
        return math.log((self.n + 1) / (self.df.get(stem, 0) + 0.5))

    def _weighted_forms(self, question: str, whole: bool = False) -> list[_Weighted]:
        """(forms, document frequency, idf) of each content word of a question (`whole`: read with
        the whole dictionary, `question_word_forms`; a name the view writes out is used, `spelled_out`).
        A word joined by "-" or "/" is found where a part is ("the ISF", "programmet")."""
        out = []
        spelled = spelled_out(question, self.df.__contains__) if whole else set()
        for forms in question_word_forms(question, whole):
            df = max((self.df.get(f, 0) for f in forms), default=0) or int(bool(forms & spelled))
            out.append((forms, df, math.log((self.n + 1) / (df + 0.5))))
        return out

    def unknown_share(self, question: str) -> float:
        """Share of the question's content (idf-weighted) that occurs nowhere in the view."""
        words = self._weighted_forms(question, whole=True)
        total = sum(idf for _f, _df, idf in words)
        return sum(idf for _f, df, idf in words if df == 0) / total if total else 0.0

    def coverage(
        self,
        question: str,
        chunk_ids: Sequence[str],
        relatives: Callable[[str, str], bool] | None = None,
        partial: float = 0.0,
    ) -> float:
        """Share of the question's content (idf-weighted) found in the given chunks: a word
        counts as found when any of its forms (Swedish or English stem, or a stem of its English
        translation) occurs in one of them; with `relatives`, a word found only as a relative of
        a form (`crossmatch.related`, `read_back`) counts `partial` of its weight. A word no
        passage holds as written, nor these chunks as a relative ("sjöräddning"), is left out:
        it cannot tell whether they are the right ones (`unknown_share` counts it)."""
        have: set[str] = set()
        for cid in chunk_ids:
            i = self.index.by_id.get(cid)
            if i is not None:
                have |= self.index.stem_sets[i]
        total = found = 0.0
        for forms, df, idf in self._weighted_forms(question):
            if forms & have:
                found += idf
            elif relatives is not None and any(relatives(a, b) for a in forms for b in have):
                found += partial * idf
            elif not df:
                continue
            total += idf
        return found / total if total else 0.0

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

    def backward_scores(self, question: str) -> np.ndarray:
        """BM25 of a Swedish question over the view's English chunks read as Swedish
        (`crossmatch.backward_query` / `backward_doc`), per chunk of the whole index (0 for
        Swedish chunks and outside the view)."""
        out = np.zeros(self.n_total, dtype=np.float32)
        tokens = backward_query(question)
        if not tokens or not len(self.back_positions):
            return out
        out[self.back_positions] = np.asarray(self.back_bm25.get_scores(tokens), dtype=np.float32)
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

    # -- on disk -------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True)
        if self.n:
            self.bm25.save(str(folder / "bm25"), show_progress=False)
        if len(self.back_positions):
            self.back_bm25.save(str(folder / "bm25_back"), show_progress=False)
        np.save(folder / "terms.npy", np.asarray(self.terms.vectors), allow_pickle=False)
        state = {
            "positions": None if self.positions is None else self.positions.tolist(),
            "df": dict(self.df),
            "titles": self._titles,
            "bridge": self.bridge.state(),
            "terms": self.terms.terms,
            "back_positions": self.back_positions.tolist(),
        }
        (folder / "view.json").write_text(json.dumps(state, ensure_ascii=False), "utf-8")

    @classmethod
    def restore(cls, index: LexicalIndex, folder: Path) -> LevelView:
        """A view as `save` wrote it, without recomputing anything."""
        import bm25s

        state = json.loads((folder / "view.json").read_text("utf-8"))
        view = cls.__new__(cls)
        view.index = index
        view.n_total = len(index.chunks)
        positions = state["positions"]
        view.positions = None if positions is None else np.asarray(positions)
        view.n = view.n_total if positions is None else len(positions)
        view.bm25 = bm25s.BM25.load(str(folder / "bm25")) if view.n else bm25s.BM25()
        view.back_positions = np.asarray(state["back_positions"], dtype=np.int64)
        back = folder / "bm25_back"
        view.back_bm25 = bm25s.BM25.load(str(back)) if len(view.back_positions) else bm25s.BM25()
        view.df = Counter(state["df"])
        view._titles = dict(state["titles"])
        view.bridge = Bridge.from_state(state["bridge"])
        view.terms = TermAligner(list(state["terms"]), np.load(folder / "terms.npy"))
        return view


class LexicalIndex:
    """BM25 over every visible chunk, one view per access level, plus the chunk table that maps
    ids to chunks. Statistics are asked of a level (`view`); without one, of `public`."""

    FILE = "lexical.json"  # names the folder under FOLDER that holds the current index
    FOLDER = "lexical"
    LEGACY_FILE = "lexical.pkl"  # written by earlier versions; never read, removed on rebuild
    FORMAT = 6  # bump when what is saved changes; other formats are rebuilt from the store

    def __init__(
        self, chunks: list[Chunk], generation: int, embed_terms: EmbedTerms | None = None
    ) -> None:
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
        # For the backward search: each English chunk read as Swedish (`crossmatch`), once for
        # every view that holds it.
        backward = {
            i: backward_doc(toks) or ["_empty_"]
            for i, toks in enumerate(corpus)
            if read_as_english(chunks[i])
        }
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
            previous = self.views[level] = LevelView(self, positions, corpus, backward)
        # The Swedish → English bridge of each level: what the asker may see decides which
        # dictionary senses and domain terms translate a question (retrieve sets it per question).
        for view in dict.fromkeys(self.views.values()):
            view.build_bridge(corpus, embed_terms)

    @property
    def bridge(self) -> Bridge:
        """The public view's Swedish → English bridge."""
        return self.view().bridge

    @property
    def terms(self) -> TermAligner:
        return self.view().terms

    def view(self, max_classification: str = "public") -> LevelView:
        """The statistics of what an asker at this level may see (unknown levels: public)."""
        return self.views.get(max_classification) or self.views[CLASSIFICATIONS[0]]

    def titles(self, max_classification: str = "public") -> dict[str, str]:
        """Titles of the documents an asker at this level may see (a hidden one is not named)."""
        return self.view(max_classification).titles

    def idf(self, stem: str, max_classification: str = "public") -> float:
        return self.view(max_classification).idf(stem)

    def unknown_share(self, question: str, max_classification: str = "public") -> float:
        return self.view(max_classification).unknown_share(question)

    def coverage(
        self, question: str, chunk_ids: Sequence[str], max_classification: str = "public"
    ) -> float:
        return self.view(max_classification).coverage(question, chunk_ids)

    def scores(
        self,
        question: str,
        glossary_weight: float | None = None,
        max_classification: str = "public",
    ) -> np.ndarray:
        """BM25 per chunk over the level's view (see `LevelView.scores`)."""
        return self.view(max_classification).scores(question, glossary_weight)

    # -- on disk -------------------------------------------------------------------------------
    @classmethod
    def path(cls, settings: Settings) -> Path:
        """The file that names the saved index (rewritten, atomically, by every save)."""
        return settings.data_dir / cls.FILE

    def save(self, settings: Settings) -> None:
        """Write into a new folder, then point `lexical.json` at it, then remove older folders:
        a reader sees the old index or the new one, never half of one."""
        root = settings.data_dir / self.FOLDER
        name = f"g{self.generation}-{uuid.uuid4().hex[:8]}"
        folder = root / name
        views = list(dict.fromkeys(self.views.values()))
        try:
            folder.mkdir(parents=True)
            table = {
                "chunks": [asdict(c) for c in self.chunks],
                "stems": [sorted(s) for s in self.stem_sets],
            }
            text = json.dumps(table, ensure_ascii=False, default=str)
            (folder / "chunks.json").write_text(text, "utf-8")
            for n, view in enumerate(views):
                view.save(folder / f"view{n}")
            pointer = {
                "format": self.FORMAT,
                "generation": self.generation,
                "folder": name,
                "levels": sorted(self.levels),
                "views": {level: views.index(v) for level, v in self.views.items()},
            }
            p = self.path(settings)
            tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(pointer), "utf-8")
            tmp.replace(p)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        # Another process may have saved meanwhile: keep what the pointer names now, and ours.
        current = json.loads(p.read_text("utf-8")).get("folder")
        for old in root.iterdir():
            if old.name not in (name, current):
                shutil.rmtree(old, ignore_errors=True)
        (settings.data_dir / self.LEGACY_FILE).unlink(missing_ok=True)

    @classmethod
    def read(cls, settings: Settings) -> LexicalIndex | None:
        """The saved index, or None when there is none in this format."""
        p = cls.path(settings)
        if not p.exists():
            return None
        pointer = json.loads(p.read_text("utf-8"))
        if pointer.get("format") != cls.FORMAT:
            return None
        folder = settings.data_dir / cls.FOLDER / str(pointer["folder"])
        table = json.loads((folder / "chunks.json").read_text("utf-8"))
        idx = cls.__new__(cls)
        idx.generation = int(pointer["generation"])
        idx.format = cls.FORMAT
        idx.chunks = [Chunk(**c) for c in table["chunks"]]
        idx.by_id = {c.chunk_id: i for i, c in enumerate(idx.chunks)}
        idx.stem_sets = [frozenset(s) for s in table["stems"]]
        idx.levels = set(pointer["levels"])
        restored: dict[int, LevelView] = {}
        idx.views = {}
        for level, n in pointer["views"].items():
            if n not in restored:
                restored[n] = LevelView.restore(idx, folder / f"view{n}")
            idx.views[level] = restored[n]
        return idx

    @classmethod
    def refresh(cls, store: ChunkSource, settings: Settings) -> LexicalIndex:
        """Rebuild from the store and save beside it."""
        idx = cls(list(store.iter_chunks()), store.generation(), _term_embedder(store, settings))
        idx.save(settings)
        return idx

    @classmethod
    def load(cls, store: ChunkSource, settings: Settings) -> LexicalIndex:
        """The saved index when it matches the store's generation, else rebuilt (and saved)."""
        gen = store.generation()
        try:
            idx = cls.read(settings)
            if idx is not None and idx.generation == gen and gen > 0:
                return idx
        except Exception as e:  # a damaged copy is rebuilt, never fatal
            log.warning("lexical index at %s unreadable (%s); rebuilding", cls.path(settings), e)
        try:
            return cls.refresh(store, settings)
        except OSError as e:  # read-only data folder: keep it in memory
            log.warning("cannot save the lexical index (%s); using it in memory", e)
            return cls(list(store.iter_chunks()), gen, _term_embedder(store, settings))


def _term_embedder(store: ChunkSource, settings: Settings) -> EmbedTerms | None:
    """Embeds index terms through the passage-vector cache (a re-ingest costs the model nothing)."""
    emb = getattr(store, "embeddings", None)
    if emb is None:
        return None

    def embed(texts: list[str]) -> list[list[float]]:
        from .embeddings import embed_passages, open_cache

        cache = open_cache(settings.embed_cache_path)
        try:
            return embed_passages(emb, texts, cache)[0]
        finally:
            if cache is not None:
                cache.close()

    return embed
