"""Ingest (files and URLs → chunks → vectors → Chroma) and `status`, as a library: the CLI
(`assistant.cli.ingest`) prints what these return.

Incremental and safe: a document whose bytes and metadata are unchanged is skipped without being
parsed; a changed one is written under a new version and switched over in one registry write;
documents gone from an ingested folder are removed; an interrupted run leaves invisible chunks that
the next run removes. One ingest at a time per data folder (a file lock; `assistant.locks`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import AssistantError, LoaderError
from .lexical import LexicalIndex
from .locks import file_lock, shared_lock
from .sources import SourceItem, collect_sources

if TYPE_CHECKING:
    from .documents import Chunk
    from .embeddings import EmbeddingCache
    from .protocols import EmbeddingModel, IndexStore
    from .store import DocRecord

    # (chunks, vectors, version, document metadata, new registry record, the record it replaces)
    _Pending = tuple[
        list[Chunk], list[list[float]], str, dict[str, Any], DocRecord, DocRecord | None
    ]

__all__ = [
    "DEFAULT_SOURCE",
    "PIPELINE_VERSION",
    "IngestReport",
    "Progress",
    "SourceItem",
    "collect_sources",
    "ingest_paths",
    "status",
]

log = logging.getLogger(__name__)

# Bump when chunking or stored metadata change so that every document is re-ingested.
PIPELINE_VERSION = "chunks-4"
DEFAULT_SOURCE = "corpus"  # what `assistant ingest` ingests when given no path

# Told before each source is ingested: (its name, sources done, total); and once at the end
# (name "", total, total).
Progress = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Documents that name no classification and were indexed at ASSISTANT_DEFAULT_CLASSIFICATION.
    default_classified: list[str] = field(default_factory=list)
    chunks_written: int = 0
    embedded: int = 0  # passages the model embedded (the rest came from the embedding cache)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "failed": [{"source": s, "error": e} for s, e in self.failed],
            "warnings": self.warnings,
            "default_classified": self.default_classified,
            "chunks_written": self.chunks_written,
            "embedded": self.embedded,
            "seconds": round(self.seconds, 3),
            "embed_seconds": round(self.embed_seconds, 3),
            "dry_run": self.dry_run,
        }


def _content_hash(item: SourceItem, model_id: str, default_classification: str) -> str:
    assert item.path is not None
    h = hashlib.sha256()
    with item.path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    meta = {k: v for k, v in item.extra_meta.items() if not k.startswith("_")}
    h.update(json.dumps(meta, sort_keys=True, default=str).encode())
    # The default level is part of what a document becomes when it names none.
    h.update(f"{PIPELINE_VERSION}|{model_id}|{default_classification}".encode())
    return h.hexdigest()


def ingest_paths(
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    rebuild: bool = False,
    dry_run: bool = False,
    progress: Progress | bool | None = None,
    wait: float = 0.0,
) -> IngestReport:
    """Ingest files, folders, URLs and sources.yaml files; returns what happened.

    `progress` is told which source is being ingested (not in a dry run); False or None: nothing.
    `wait`: seconds to queue behind another ingest before IngestLockedError."""
    from .embeddings import get_embeddings, open_cache
    from .store import Store

    t0 = time.perf_counter()
    report = IngestReport(dry_run=dry_run)
    lock = None if dry_run else file_lock(settings, wait)
    shared = None
    tell = progress if callable(progress) and not dry_run else None
    try:
        emb = get_embeddings(settings.embeddings, settings.embed_batch_size)
        store = Store(settings, emb)
        shared = None if dry_run else shared_lock(settings, store, wait)
        # Generations only grow, even across --rebuild: a running bot compares its lexical index's
        # generation with the store's and would otherwise keep an index of the dropped chunks.
        previous_generation = store.generation()
        if rebuild and not dry_run:
            store.drop_all()
        if not rebuild:
            store.check_model(for_write=True)
        registry = {} if rebuild else store.registry()
        cache = None if dry_run else open_cache(settings.embed_cache_path)
        if not dry_run:
            # Only an interrupted run leaves invisible chunks behind; scanning every chunk for
            # them is most of a no-op ingest at 100k chunks, so do it only after one.
            if rebuild or store.meta().get("ingest_running", True):
                _remove_orphans(store, registry)
            store.write_meta(ingest_running=True)
        items, folders = collect_sources(paths, settings, report.warnings, registry)
        seen: dict[str, str] = {}
        writer = None if dry_run else _PendingWrites(store, registry, report)
        run = _Run(store, emb, cache, registry, seen, report, dry_run, settings, writer)
        for done, item in enumerate(items):
            if tell is not None:
                tell(item.display, done, len(items))
            try:
                run.ingest_one(item)
            except LoaderError as e:
                report.failed.append((item.display, str(e)))
                _keep_previous(item, registry, seen, report)
            except AssistantError:
                raise
            except Exception as e:  # one bad file must not stop the run
                log.exception("ingest of %s failed", item.display)
                report.failed.append((item.display, f"{type(e).__name__}: {e}"))
                _keep_previous(item, registry, seen, report)
        if writer is not None:
            writer.flush()
        if tell is not None:
            tell("", len(items), len(items))
        # Documents gone from an ingested folder; only that folder's documents are touched.
        folder_set = set(folders)
        for doc_id, rec in sorted(registry.items()):
            if rec.folder in folder_set and doc_id not in seen:
                report.removed.append(doc_id)
                if not dry_run:
                    store.remove_doc(doc_id)
        if not dry_run:
            changed = bool(report.added or report.updated or report.removed) or rebuild
            gen = max(store.generation(), previous_generation) + (1 if changed else 0)
            store.write_meta(
                generation=gen,
                last_ingest=datetime.now(UTC).isoformat(timespec="seconds"),
                embedding_model=emb.model_id,
                dimension=emb.dimension,
                ingest_running=False,
            )
            if changed:
                LexicalIndex.refresh(store, settings)
            else:  # nothing new: keep the saved index when it matches (rebuilding was most of a no-op run)
                LexicalIndex.load(store, settings)
    finally:
        if shared is not None:
            shared.release()
        if lock is not None:
            lock.release()
    report.seconds = time.perf_counter() - t0
    return report


def _keep_previous(
    item: SourceItem, registry: dict[str, DocRecord], seen: dict[str, str], report: IngestReport
) -> None:
    """A source that failed this time keeps its indexed version instead of being removed."""
    from .loaders import document_id

    guess = None
    inside: str | None = None
    if item.path is not None:
        meta = {k: v for k, v in item.extra_meta.items() if not k.startswith("_")}
        guess = document_id(item.path, item.root, meta)
        if item.path.is_dir():  # an unreadable folder: everything indexed from under it stays
            inside = item.path.resolve().as_posix().rstrip("/") + "/"
    for rec in registry.values():
        same = rec.source == item.display or (rec.doc_id == guess and rec.folder == item.folder)
        if inside is not None and rec.folder == item.folder:
            same = same or (rec.path or "").startswith(inside)
        if same and rec.doc_id not in seen:
            seen[rec.doc_id] = item.display
            report.warnings.append(
                f"{item.display}: kept the previously indexed version of {rec.doc_id} "
                "(fix the file and ingest again to update it)"
            )


@dataclass
class _Run:
    """What one ingest run shares while it goes through the items."""

    store: IndexStore
    emb: EmbeddingModel
    cache: EmbeddingCache | None
    registry: dict[str, DocRecord]
    seen: dict[str, str]
    report: IngestReport
    dry_run: bool
    settings: Settings
    writer: _PendingWrites | None = None

    def ingest_one(self, item: SourceItem) -> None:
        from . import loaders
        from .chunking import chunk_document
        from .embeddings import embed_passages
        from .store import DocRecord

        store, emb, cache = self.store, self.emb, self.cache
        registry, seen = self.registry, self.seen
        report, dry_run, writer = self.report, self.dry_run, self.writer
        if item.error:
            raise LoaderError(item.error)
        if item.extra_meta.get("_warning"):
            report.warnings.append(str(item.extra_meta["_warning"]))
        assert item.path is not None
        meta = {k: v for k, v in item.extra_meta.items() if not k.startswith("_")}
        doc_hash = _content_hash(item, emb.model_id, self.settings.default_classification)
        # Cheap path: the registry knows this exact content → nothing to parse or embed.
        known = next(
            (
                r
                for r in registry.values()
                if r.source == item.display and r.content_hash == doc_hash
            ),
            None,
        )
        if known is not None and known.doc_id not in seen:
            seen[known.doc_id] = item.display
            report.unchanged.append(known.doc_id)
            if known.metadata.get("classification_default"):
                report.default_classified.append(known.doc_id)
            return
        doc = loaders.load_file(
            item.path,
            item.root,
            meta,
            max_chars=self.settings.max_document_chars,
            default_classification=self.settings.default_classification,
        )
        report.warnings.extend(str(w) for w in doc.metadata.pop("load_warnings", None) or [])
        if doc.doc_id in seen:
            raise LoaderError(
                f"{item.display}: document id {doc.doc_id!r} is already used by {seen[doc.doc_id]}; "
                "give one of them another `id` in its front matter or manifest.yaml"
            )
        seen[doc.doc_id] = item.display
        old = registry.get(doc.doc_id)
        path = item.path.resolve().as_posix()
        if old is not None and old.path and old.path != path and Path(old.path).is_file():
            # The id contract: one id, one file. Replacing silently would swap a restricted
            # document for a public one (or back) at every ingest of either folder.
            raise LoaderError(
                f"{item.display}: document id {doc.doc_id!r} is already used by {old.source}, "
                "ingested from another folder; give one of them another `id` in its front matter "
                "or manifest.yaml, or rename one of the files"
            )
        if doc.metadata.get("classification_default"):
            report.default_classified.append(doc.doc_id)
        if old is not None and old.content_hash == doc_hash:
            report.unchanged.append(doc.doc_id)
            if (old.source, old.folder) != (item.display, item.folder) and not dry_run:
                # Same content from another place (a moved file): the document now belongs there, so
                # re-ingesting the folder it left must not remove it.
                moved = replace(old, source=item.display, folder=item.folder, path=path)
                if writer is not None:
                    writer.moved.append(moved)  # one registry write for all of them
                else:
                    store.set_doc(moved)
                registry[doc.doc_id] = moved
            return
        chunks = chunk_document(
            doc, count_tokens=emb.count_tokens, max_tokens=min(320, emb.max_tokens - 96)
        )
        if not chunks:
            raise LoaderError(f"{item.display}: no text to index (empty document)")
        if len(chunks) > self.settings.max_chunks_per_document:
            raise LoaderError(
                f"{item.display}: {len(chunks):,} passages, over the limit of "
                f"{self.settings.max_chunks_per_document:,} per document "
                "(ASSISTANT_MAX_CHUNKS_PER_DOCUMENT): split the document, or raise the limit"
            )
        (report.updated if old else report.added).append(doc.doc_id)
        if dry_run:
            return
        version = doc_hash[:12]
        t = time.perf_counter()
        vectors, computed = embed_passages(emb, [c.embedding_text() for c in chunks], cache)
        report.embed_seconds += time.perf_counter() - t
        report.embedded += computed
        rec = DocRecord(
            doc_id=doc.doc_id,
            version=version,
            content_hash=doc_hash,
            chunks=len(chunks),
            source=item.display,
            folder=item.folder,
            path=path,
            fmt=doc.fmt,
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            metadata={
                k: v
                for k, v in doc.metadata.items()
                if isinstance(v, str | int | float | bool | list) or v is None
            },
        )
        (writer or _PendingWrites(store, registry, report, limit=0)).add(
            chunks, vectors, version, doc.metadata, rec, old
        )


class _PendingWrites:
    """Embedded documents waiting to be written. A Chroma write costs ~30 ms whatever its size, so
    one call per document was most of ingest's own time (benchmarks/bench_store.py): chunks of many
    documents go in one upsert, then their registry records in one more (the switch), then old
    versions are deleted. Chunks are always written before the switch, as before."""

    def __init__(
        self,
        store: IndexStore,
        registry: dict[str, DocRecord],
        report: IngestReport,
        limit: int = 1000,
    ) -> None:
        self.store, self.registry, self.report, self.limit = store, registry, report, limit
        self.items: list[_Pending] = []
        self.chunks = 0
        # Registry records whose source or folder changed, not their content.
        self.moved: list[DocRecord] = []

    def add(
        self,
        chunks: list[Chunk],
        vectors: list[list[float]],
        version: str,
        doc_meta: dict[str, Any],
        rec: DocRecord,
        old: DocRecord | None,
    ) -> None:
        self.items.append((chunks, vectors, version, doc_meta, rec, old))
        self.chunks += len(chunks)
        if self.chunks >= self.limit:
            self.flush()

    def flush(self) -> None:
        if self.moved:
            moved, self.moved = self.moved, []
            self.store.set_docs(moved)
        if not self.items:
            return
        items, self.items, self.chunks = self.items, [], 0
        self.store.add_documents([(c, v, ver, meta) for c, v, ver, meta, _r, _o in items])
        self.store.set_docs(
            [rec for *_x, rec, _o in items]
        )  # from here on the new versions are visible
        for chunks, _v, version, _m, rec, old in items:
            self.registry[rec.doc_id] = rec
            if old is not None:
                self.store.delete_chunks(doc_id=rec.doc_id, except_version=version)
            self.report.chunks_written += len(chunks)


def _remove_orphans(store: IndexStore, registry: dict[str, DocRecord]) -> None:
    """Chunks whose version is not the active one: left by an interrupted run or an old version."""
    active = {d: r.version for d, r in registry.items()}
    stale = [
        cid for cid, doc_id, version in store.chunk_versions() if active.get(doc_id) != version
    ]
    if stale:
        log.info("removing %d chunks left by an interrupted or replaced ingest", len(stale))
        store.delete_ids(stale)


def status(settings: Settings) -> dict[str, Any]:
    from .embeddings import get_embeddings
    from .store import Store

    emb = get_embeddings(settings.embeddings, settings.embed_batch_size)
    store = Store(settings, emb)
    meta = store.meta()
    reg = store.registry()
    return {
        "store": store.location,
        "mode": "server" if settings.chroma_url else "embedded",
        "collection": settings.collection,
        "embedding_model": meta.get("embedding_model") or emb.model_id,
        "dimension": meta.get("dimension") or emb.dimension,
        "configured_model": emb.model_id,
        "documents": len(reg),
        "chunks": sum(r.chunks for r in reg.values()),
        "generation": int(meta.get("generation") or 0),
        "last_ingest": meta.get("last_ingest"),
        "per_document": [
            {
                "doc_id": r.doc_id,
                "title": r.metadata.get("title"),
                "format": r.fmt,
                "language": r.metadata.get("language"),
                "classification": r.metadata.get("classification"),
                "chunks": r.chunks,
                "source": r.source,
                "ingested_at": r.ingested_at,
                "superseded_by": r.metadata.get("superseded_by"),
            }
            for r in sorted(reg.values(), key=lambda r: r.doc_id)
        ],
    }
