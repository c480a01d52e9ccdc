"""The Chroma store: the only module that imports chromadb.

Two collections:
- `<name>`: one record per chunk (verbatim passage, its vector, its metadata), used through
  langchain-chroma for search, get and delete.
- `<name>-docs`: the document registry (one record per document: content hash, active version,
  chunk count, where it came from) plus a `__meta__` record (embedding model, generation).

A chunk is visible only when its `version` equals its document's active version in the registry.
Ingest writes new chunks first, then switches the registry record, then deletes the old chunks, so
a changed document is never missing or doubled, and chunks left by a killed run stay invisible
until the next run removes them.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache, partial
from typing import Any

import numpy as np

from .config import Settings
from .documents import Chunk
from .embeddings import AssistantEmbeddings
from .errors import EmbeddingMismatchError, StoreError, StoreUnavailableError

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

log = logging.getLogger(__name__)

META_ID = "__meta__"

# The timeout of the Chroma HTTP client being created (see `_install_http_timeout`).
_http_timeout = 30.0
_http_timeout_lock = threading.Lock()


@lru_cache(maxsize=1)
def _install_http_timeout() -> None:
    """chromadb's HTTP client waits forever for an answer (it builds its httpx client with
    timeout=None, and only from a fixed class path): give every client the timeout of the
    Store that creates it, so a frozen server becomes an error instead of a hung question."""
    import httpx
    from chromadb.api.fastapi import FastAPI

    original = FastAPI.__init__

    def init(self: Any, system: Any) -> None:
        original(self, system)
        self._session.timeout = httpx.Timeout(_http_timeout)

    FastAPI.__init__ = init  # type: ignore[method-assign]


def _zeros(n: int) -> np.ndarray:
    """Registry records carry no meaning in vector space; Chroma still wants one vector each."""
    return np.zeros((n, 1), dtype=np.float32)


_BATCH = 1000
_Row = tuple[str, list[float], str, dict[str, Any]]  # one chunk record: id, vector, text, metadata
_SCALAR = (str, int, float, bool)


@dataclass
class DocRecord:
    doc_id: str
    version: str  # content hash prefix of the active chunks
    content_hash: str
    chunks: int
    source: str
    folder: str  # the ingested folder this document belongs to ("" for single files/URLs)
    fmt: str
    ingested_at: str
    metadata: dict[str, Any] = field(default_factory=dict)
    path: str = ""  # the file's absolute path when it came from disk: ids are unique per file


def _chunk_metadata(c: Chunk, version: str, doc_meta: dict[str, Any]) -> dict[str, Any]:
    m: dict[str, Any] = {
        "doc_id": c.doc_id,
        "section": c.section,
        "heading_path": c.heading_path,
        "start": c.start,
        "end": c.end,
        "part": c.part,
        "version": version,
        "classification": str(doc_meta.get("classification") or "public"),
        "language": str(doc_meta.get("language") or ""),
        "title": str(doc_meta.get("title") or c.doc_id),
        "fund": ",".join(doc_meta.get("fund") or []),
        "programme_period": str(doc_meta.get("programme_period") or ""),
        # "1" when the period was read from the document's text, not given in its metadata
        "period_inferred": "1" if doc_meta.get("period_inferred") else "",
        "valid_to": str(doc_meta.get("valid_to") or ""),
        "superseded_by": str(doc_meta.get("superseded_by") or ""),
        "url": str(doc_meta.get("url") or ""),
        "doc_type": str(doc_meta.get("doc_type") or ""),
        "short_title": str(doc_meta.get("short_title") or ""),
        "short_title_sv": str(doc_meta.get("short_title_sv") or ""),
        "short_title_en": str(doc_meta.get("short_title_en") or ""),
        "beteckning": str(doc_meta.get("beteckning") or ""),
    }
    if c.page is not None:
        m["page"] = c.page
    return m


def chunk_from_record(chunk_id: str, text: str, m: dict[str, Any]) -> Chunk:
    meta = {
        k: m.get(k)
        for k in (
            "title",
            "language",
            "classification",
            "fund",
            "programme_period",
            "period_inferred",
            "valid_to",
            "superseded_by",
            "url",
            "doc_type",
            "short_title",
            "short_title_sv",
            "short_title_en",
            "beteckning",
            "version",
        )
    }
    return Chunk(
        chunk_id=chunk_id,
        doc_id=str(m["doc_id"]),
        text=text,
        section=str(m.get("section") or ""),
        heading_path=str(m.get("heading_path") or ""),
        start=int(m.get("start") or 0),
        end=int(m.get("end") or 0),
        page=int(m["page"]) if m.get("page") is not None else None,
        part=int(m.get("part") or 0),
        metadata=meta,
    )


class Store:
    """Chroma embedded on disk (default) or a Chroma server (ASSISTANT_CHROMA_URL)."""

    def __init__(self, settings: Settings, embeddings: AssistantEmbeddings) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        self.settings = settings
        self.embeddings = embeddings
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if settings.chroma_url:
                from urllib.parse import urlparse

                global _http_timeout
                u = urlparse(settings.chroma_url)
                _install_http_timeout()
                with _http_timeout_lock:
                    _http_timeout = settings.chroma_timeout
                    self.client = chromadb.HttpClient(
                        host=u.hostname or "localhost",
                        port=u.port or (443 if u.scheme == "https" else 8000),
                        ssl=u.scheme == "https",
                        settings=chroma_settings,
                    )
                self.client.heartbeat()
                self.location = settings.chroma_url
            else:
                settings.data_dir.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(
                    path=str(settings.chroma_path), settings=chroma_settings
                )
                self.location = str(settings.chroma_path)
        except StoreError:
            raise
        except Exception as e:
            raise self._unavailable(e) from None
        self._Chroma = Chroma
        self._open()

    def _unavailable(self, e: Exception) -> StoreUnavailableError:
        timed_out = "timeout" in type(e).__name__.lower() or "timed out" in str(e).lower()
        if self.settings.chroma_url and timed_out:
            return StoreUnavailableError(
                f"the Chroma server at {self.settings.chroma_url} did not answer within "
                f"{self.settings.chroma_timeout:g} s (ASSISTANT_CHROMA_TIMEOUT). Check that it is "
                "running and not overloaded, or raise the timeout."
            )
        if self.settings.chroma_url:
            return StoreUnavailableError(
                f"cannot reach the Chroma server at {self.settings.chroma_url} ({type(e).__name__}: "
                f"{e}). Start it (`chroma run --path DIR --port N`) or unset ASSISTANT_CHROMA_URL "
                "to use the embedded store under ASSISTANT_DATA_DIR."
            )
        return StoreUnavailableError(
            f"cannot open the Chroma store in {self.settings.chroma_path} ({type(e).__name__}: {e}). "
            "Check that ASSISTANT_DATA_DIR is writable and has free space."
        )

    def _open(self) -> None:
        try:
            self.chunks = self._Chroma(
                collection_name=self.settings.collection,
                embedding_function=self.embeddings,
                client=self.client,
                # A wide search beam keeps the approximate search close to exact: with the
                # default (10), runs could differ by a passage near the cut-off.
                collection_metadata={
                    "hnsw:space": "cosine",
                    "hnsw:search_ef": 256,
                    "hnsw:construction_ef": 200,
                },
            )
            self.docs = self.client.get_or_create_collection(
                f"{self.settings.collection}-docs", embedding_function=None
            )
        except Exception as e:
            raise self._unavailable(e) from None

    # -- model guard ---------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        got = self.call(lambda: self.docs.get(ids=[META_ID], include=["metadatas"]))
        if got["ids"]:
            return dict(got["metadatas"][0] or {})
        return {}

    def check_model(self, *, for_write: bool) -> None:
        """Refuse to mix vectors of two models in one collection."""
        meta = self.meta()
        model = meta.get("embedding_model")
        if model and (
            model != self.embeddings.model_id or meta.get("dimension") != self.embeddings.dimension
        ):
            action = "ingest into" if for_write else "query"
            raise EmbeddingMismatchError(
                f"the index at {self.location} was built with {model} ({meta.get('dimension')}-d), "
                f"but ASSISTANT_EMBEDDINGS gives {self.embeddings.model_id} "
                f"({self.embeddings.dimension}-d); cannot {action} it with another model. Run "
                "`assistant ingest --rebuild` to re-embed everything with the configured model, "
                "or set ASSISTANT_EMBEDDINGS back."
            )

    def write_meta(self, **updates: Any) -> None:
        meta = self.meta()
        meta.update({k: v for k, v in updates.items() if v is not None and isinstance(v, _SCALAR)})
        meta.setdefault("embedding_model", self.embeddings.model_id)
        meta.setdefault("dimension", self.embeddings.dimension)
        self.call(
            lambda: self.docs.upsert(
                ids=[META_ID], embeddings=_zeros(1), metadatas=[meta], documents=["meta"]
            )
        )

    def generation(self) -> int:
        return int(self.meta().get("generation") or 0)

    # -- registry ------------------------------------------------------------------------------
    def registry(self) -> dict[str, DocRecord]:
        got = self.call(lambda: self.docs.get(include=["documents"]))
        out: dict[str, DocRecord] = {}
        for rid, doc in zip(got["ids"], got["documents"] or [], strict=False):
            if rid == META_ID or not doc:
                continue
            out[rid] = DocRecord(**json.loads(doc))
        return out

    def set_doc(self, rec: DocRecord) -> None:
        """Make a document version visible (one atomic upsert)."""
        self.set_docs([rec])

    def set_docs(self, recs: Sequence[DocRecord]) -> None:
        """Make several document versions visible in one upsert (each Chroma write has a fixed cost)."""
        for i in range(0, len(recs), _BATCH):
            part = recs[i : i + _BATCH]

            def upsert(part: Sequence[DocRecord] = part) -> None:
                self.docs.upsert(
                    ids=[r.doc_id for r in part],
                    embeddings=_zeros(len(part)),
                    documents=[
                        json.dumps(asdict(r), ensure_ascii=False, default=str) for r in part
                    ],
                    metadatas=[{"version": r.version, "folder": r.folder} for r in part],
                )

            self.call(upsert)

    def remove_doc(self, doc_id: str) -> None:
        self.call(lambda: self.docs.delete(ids=[doc_id]))
        self.delete_chunks(doc_id=doc_id)

    # -- chunks --------------------------------------------------------------------------------
    def add_chunks(
        self,
        chunks: Sequence[Chunk],
        vectors: Sequence[Sequence[float]],
        version: str,
        doc_meta: dict[str, Any],
    ) -> None:
        self.add_documents([(chunks, vectors, version, doc_meta)])

    def add_documents(
        self,
        docs: Sequence[tuple[Sequence[Chunk], Sequence[Sequence[float]], str, dict[str, Any]]],
    ) -> None:
        """Chunks of several documents, (chunks, vectors, version, doc metadata) each, written in
        batches of up to 1,000: a Chroma write costs ~30 ms whatever its size (benchmarks/bench_store)."""
        # Dropping to chromadb here: langchain-chroma's add_texts embeds the stored text, but we
        # embed a contextualised text (title + heading path + passage) and store the verbatim one.
        rows: list[_Row] = [
            (f"{c.chunk_id}@{version}", list(v), c.text, _chunk_metadata(c, version, doc_meta))
            for chunks, vectors, version, doc_meta in docs
            for c, v in zip(chunks, vectors, strict=True)
        ]
        col = self.chunks._collection
        for i in range(0, len(rows), _BATCH):
            part = rows[i : i + _BATCH]

            def upsert(part: list[_Row] = part) -> None:
                vectors: list[Sequence[float] | Sequence[int]] = [r[1] for r in part]
                col.upsert(
                    ids=[r[0] for r in part],
                    embeddings=vectors,
                    documents=[r[2] for r in part],
                    metadatas=[r[3] for r in part],
                )

            self.call(upsert)

    def delete_chunks(self, *, doc_id: str, except_version: str | None = None) -> None:
        where: dict[str, Any] = {"doc_id": doc_id}
        if except_version:
            where = {"$and": [{"doc_id": doc_id}, {"version": {"$ne": except_version}}]}
        self.call(lambda: self.chunks._collection.delete(where=where))

    def chunk_versions(self) -> Iterator[tuple[str, str, str]]:
        """(chunk id, doc_id, version) of every stored chunk, visible or not."""
        col = self.chunks._collection
        total = self.call(col.count)
        for off in range(0, total, 5000):
            got = self.call(partial(col.get, include=["metadatas"], limit=5000, offset=off))
            for cid, m in zip(got["ids"], got["metadatas"] or [], strict=False):
                yield cid, str((m or {}).get("doc_id")), str((m or {}).get("version"))

    def delete_ids(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), _BATCH):
            self.call(partial(self.chunks._collection.delete, ids=list(ids[i : i + _BATCH])))

    def iter_chunks(self) -> Iterator[Chunk]:
        """Every visible chunk (for the lexical index and status)."""
        reg = {d.doc_id: d.version for d in self.registry().values()}
        col = self.chunks._collection
        total = self.call(col.count)
        for off in range(0, total, 2000):
            got = self.call(
                partial(col.get, include=["metadatas", "documents"], limit=2000, offset=off)
            )
            for cid, text, m in zip(
                got["ids"], got["documents"] or [], got["metadatas"] or [], strict=False
            ):
                m = m or {}
                if reg.get(str(m.get("doc_id"))) == m.get("version"):
                    yield chunk_from_record(cid, text or "", m)

    def count(self) -> int:
        return int(self.call(self.chunks._collection.count))

    def search(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest chunks, best first."""
        col = self.chunks._collection
        n = self.count()
        if n == 0:
            return []
        res = self.call(
            lambda: col.query(
                query_embeddings=np.asarray([vector], dtype=np.float32),
                n_results=min(k, n),
                where=where or None,
                include=["distances"],
            )
        )
        return [
            (cid, 1.0 - float(d))
            for cid, d in zip(res["ids"][0], res["distances"][0], strict=False)
        ]

    def drop_all(self) -> None:
        """For --rebuild: remove both collections and recreate them empty."""
        for name in (self.settings.collection, f"{self.settings.collection}-docs"):
            try:
                self.client.delete_collection(name)
            except Exception as e:  # noqa: BLE001 - absent collection is fine
                log.debug("delete_collection %s: %s", name, e)
        self._open()

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run one Chroma operation; its failures become StoreError / StoreUnavailableError."""
        try:
            return fn()
        except StoreError:
            raise
        except Exception as e:
            msg = str(e).lower()
            if any(
                s in msg for s in ("connect", "refused", "timed out", "unavailable", "503", "502")
            ):
                raise self._unavailable(e) from None
            if "readonly" in msg or "read-only" in msg or "no space" in msg or "disk" in msg:
                raise StoreError(
                    f"the store at {self.location} cannot be written ({e}). Free disk space or "
                    "make ASSISTANT_DATA_DIR writable; the index is unchanged."
                ) from None
            raise
