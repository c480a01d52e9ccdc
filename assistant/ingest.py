"""`assistant ingest` and `assistant status`: files and URLs → chunks → vectors → Chroma.

Incremental and safe: a document whose bytes and metadata are unchanged is skipped without being
parsed; a changed one is written under a new version and switched over in one registry write;
documents gone from an ingested folder are removed; an interrupted run leaves invisible chunks that
the next run removes. One ingest at a time per data folder (a file lock).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import AssistantError, IngestLockedError, LoaderError, StoreUnavailableError

log = logging.getLogger(__name__)

# Bump when chunking or stored metadata change so that every document is re-ingested.
PIPELINE_VERSION = "chunks-3"
DEFAULT_SOURCE = "corpus"


@dataclass
class SourceItem:
    """One document to ingest: a local file (maybe fetched from a URL) and its metadata."""

    path: Path | None
    root: Path | None
    folder: str
    display: str
    extra_meta: dict[str, Any] = field(default_factory=dict)
    url: str | None = None
    error: str | None = None


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


def _is_url(s: str) -> bool:
    return s.startswith(("http://", "https://"))


def _folder_key(path: Path) -> str:
    return path.resolve().as_posix()


def collect_sources(
    paths: Sequence[str | Path], settings: Settings, warnings: list[str] | None = None
) -> tuple[list[SourceItem], list[str]]:
    """Expand folders, files, URLs and sources.yaml files into items; also the folders ingested.
    Manifest warnings (names matched ignoring case, entries that match no file) go to `warnings`."""
    from . import fetch

    items: list[SourceItem] = []
    folders: list[str] = []
    cache = settings.data_dir / "url-cache"
    for raw in paths:
        s = str(raw)
        if _is_url(s):
            items.append(_url_item(s, {}, cache))
            continue
        p = Path(s)
        if not p.exists():
            items.append(SourceItem(None, None, "", s, error=f"{s}: no such file or folder"))
            continue
        if p.is_file() and p.suffix.lower() in (".yaml", ".yml"):
            try:
                entries = fetch.load_sources_yaml(p)
            except LoaderError as e:
                items.append(SourceItem(None, None, "", s, error=str(e)))
                continue
            for entry in entries:
                meta = {k: v for k, v in entry.items() if k != "url"}
                items.append(_url_item(str(entry["url"]), meta, cache))
            continue
        if p.is_file():
            items.append(SourceItem(p, p.parent, "", str(p)))
            continue
        folders.append(_folder_key(p))
        items.extend(_folder_items(p, warnings if warnings is not None else []))
    return items, folders


def _folder_items(root: Path, warnings: list[str]) -> list[SourceItem]:
    """Every document under root, with the metadata of the manifest.yaml files above it (the
    nearest wins), and an error item for each folder that cannot be read."""
    import os

    from . import loaders

    key = _folder_key(root)
    errors: list[SourceItem] = []
    manifests: dict[Path, dict[str, dict[str, Any]]] = {}
    files: list[Path] = []

    def unreadable(e: OSError) -> None:
        where = Path(e.filename) if e.filename else root
        errors.append(
            SourceItem(
                where,
                root,
                key,
                str(where),
                error=f"{where}: cannot read the folder ({e.strerror or e}); make it readable "
                "or move it out of the ingested folder. Its documents keep their indexed version.",
            )
        )

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(("_", ".")))
        if loaders.MANIFEST_NAME in filenames:
            try:
                manifests[here] = loaders.load_manifest(here)
            except LoaderError as e:
                errors.append(
                    SourceItem(None, None, key, str(here / loaders.MANIFEST_NAME), error=str(e))
                )
        files.extend(here / name for name in filenames if not loaders.is_ignored(here / name))
    used: set[tuple[Path, str]] = set()
    items: list[SourceItem] = []
    for f in sorted(files):
        if not f.is_file():
            continue
        meta: dict[str, Any] = {}
        warning = None
        # From the root's manifest down to the file's own folder: nearer entries override.
        for folder in reversed([f.parent, *f.parent.parents]):
            if folder != root and not folder.is_relative_to(root):
                continue
            entries = manifests.get(folder)
            if not entries:
                continue
            rel = f.relative_to(folder).as_posix()
            name = rel if rel in entries else _casefold_match(rel, entries)
            if name is None:
                continue
            used.add((folder, name))
            meta.update(entries[name])
            if name != rel:
                warning = (
                    f"{folder / loaders.MANIFEST_NAME}: entry '{name}' matched the file '{rel}' "
                    "ignoring letter case; write the name exactly as the file is spelled"
                )
        item = SourceItem(f, root, key, str(f), meta)
        if warning:
            item.extra_meta["_warning"] = warning
        items.append(item)
    for folder, entries in sorted(manifests.items()):
        for name in sorted(entries):
            if (folder, name) not in used:
                warnings.append(
                    f"{folder / loaders.MANIFEST_NAME}: entry '{name}' matches no file in "
                    f"{folder} (fix the path or remove the entry; its metadata applies to nothing)"
                )
    return errors + items


def _casefold_match(rel: str, entries: dict[str, Any]) -> str | None:
    folded = [name for name in entries if name.casefold() == rel.casefold()]
    return folded[0] if len(folded) == 1 else None


def _url_item(url: str, meta: dict[str, Any], cache: Path) -> SourceItem:
    from . import fetch

    try:
        res = fetch.fetch_url(url, cache)
    except LoaderError as e:
        return SourceItem(None, None, "", url, meta, url=url, error=str(e))
    meta = dict(meta)
    meta.setdefault("url", url)
    meta.setdefault("id", _url_id(url))
    item = SourceItem(res.path, None, "", url, meta, url=url)
    if res.warning:
        item.extra_meta["_warning"] = res.warning
    return item


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


def _lock(settings: Settings, wait: float) -> Any:
    from filelock import FileLock, Timeout

    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreUnavailableError(
            f"cannot use {settings.data_dir} as the data folder ({e.strerror or e}). Point "
            "ASSISTANT_DATA_DIR at a writable folder."
        ) from None
    lock = FileLock(str(settings.data_dir / "ingest.lock"))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise IngestLockedError(
            f"another ingest is running on {settings.data_dir} (lock file "
            f"{settings.data_dir / 'ingest.lock'}). Wait for it to finish, or run with "
            "--wait SECONDS to queue behind it."
        ) from None
    except OSError as e:  # Timeout is an OSError too: it must be caught first
        raise StoreUnavailableError(
            f"cannot create the ingest lock in {settings.data_dir} ({e.strerror or e}). Make "
            "ASSISTANT_DATA_DIR writable; the index is unchanged."
        ) from None
    return lock


class _AdvisoryLock:
    """A PostgreSQL advisory lock held on one connection for the whole ingest."""

    def __init__(self, url: str, key: str, wait: float) -> None:
        from sqlalchemy import create_engine, text

        self.key = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        self.engine = create_engine(url, pool_pre_ping=True)
        self.conn = self.engine.connect()
        deadline = time.monotonic() + wait
        while not self.conn.execute(
            text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}
        ).scalar():
            if time.monotonic() >= deadline:
                self.conn.close()
                self.engine.dispose()
                raise IngestLockedError(
                    f"another ingest into {key} is running (PostgreSQL advisory lock in "
                    "ASSISTANT_DATABASE_URL); wait for it to finish, or run with --wait SECONDS."
                )
            time.sleep(0.5)

    def release(self) -> None:
        from sqlalchemy import text

        try:
            self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        finally:
            self.conn.close()
            self.engine.dispose()


def _shared_lock(settings: Settings, store: Any, wait: float) -> Any:
    """In server mode the data folder's lock file is seen by this machine only: hold a lock
    every machine sharing the Chroma server sees (PostgreSQL when configured, else a lease
    record in the store)."""
    if not settings.chroma_url:
        return None
    key = f"{settings.chroma_url}/{settings.collection}"
    if (settings.database_url or "").startswith(("postgresql", "postgres")):
        return _AdvisoryLock(settings.database_url or "", key, wait)
    return store.acquire_lease(wait=wait)


def ingest_paths(
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    rebuild: bool = False,
    dry_run: bool = False,
    progress: bool = True,
    wait: float = 0.0,
    console: Any = None,
) -> IngestReport:
    """Ingest files, folders, URLs and sources.yaml files; returns what happened."""
    from .embeddings import get_embeddings
    from .store import Store

    t0 = time.perf_counter()
    report = IngestReport(dry_run=dry_run)
    lock = None if dry_run else _lock(settings, wait)
    shared = None
    try:
        emb = get_embeddings(settings.embeddings, settings.embed_batch_size)
        store = Store(settings, emb)
        shared = None if dry_run else _shared_lock(settings, store, wait)
        # Generations only grow, even across --rebuild: a running bot compares its lexical index's
        # generation with the store's and would otherwise keep an index of the dropped chunks.
        previous_generation = store.generation()
        if rebuild and not dry_run:
            store.drop_all()
        if not rebuild:
            store.check_model(for_write=True)
        registry = {} if rebuild else store.registry()
        cache = None if dry_run else _open_cache(settings)
        if not dry_run:
            # Only an interrupted run leaves invisible chunks behind; scanning every chunk for
            # them is most of a no-op ingest at 100k chunks, so do it only after one.
            if rebuild or store.meta().get("ingest_running", True):
                _remove_orphans(store, registry)
            store.write_meta(ingest_running=True)
        items, folders = collect_sources(paths, settings, report.warnings)
        seen: dict[str, str] = {}
        bar = _progress(progress and not dry_run, console)
        task = bar.add_task("ingest", total=len(items)) if bar else None
        writer = None if dry_run else _PendingWrites(store, registry, report)
        run = _Run(store, emb, cache, registry, seen, report, dry_run, settings, writer)
        if bar:
            bar.start()
        try:
            for item in items:
                if bar and task is not None:
                    bar.update(task, description=_short(item.display))
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
                if bar and task is not None:
                    bar.advance(task)
            if writer is not None:
                writer.flush()
        finally:
            if bar:
                bar.stop()
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
            from .retrieval import LexicalIndex

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
    item: SourceItem, registry: dict[str, Any], seen: dict[str, str], report: IngestReport
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

    store: Any
    emb: Any
    cache: Any
    registry: dict[str, Any]
    seen: dict[str, str]
    report: IngestReport
    dry_run: bool
    settings: Settings
    writer: Any = None

    def ingest_one(self, item: SourceItem) -> None:
        from . import loaders
        from .chunking import chunk_document
        from .embeddings import embed_passages
        from .store import DocRecord

        store, emb, cache, registry, seen = (
            self.store,
            self.emb,
            self.cache,
            self.registry,
            self.seen,
        )
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
                from dataclasses import replace

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
        self, store: Any, registry: dict[str, Any], report: IngestReport, limit: int = 1000
    ) -> None:
        self.store, self.registry, self.report, self.limit = store, registry, report, limit
        self.items: list[tuple[Any, Any, str, dict[str, Any], Any, Any]] = []
        self.chunks = 0
        self.moved: list[Any] = []  # registry records whose source or folder changed, not content

    def add(
        self, chunks: Any, vectors: Any, version: str, doc_meta: dict[str, Any], rec: Any, old: Any
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


def _open_cache(settings: Settings) -> Any:
    from .embeddings import EmbeddingCache

    try:
        return EmbeddingCache(settings.embed_cache_path)
    except Exception as e:  # speed only: ingest works without it
        log.warning(
            "embedding cache at %s unavailable (%s); embedding everything",
            settings.embed_cache_path,
            e,
        )
        return None


def _url_id(url: str) -> str:
    from urllib.parse import urlparse

    u = urlparse(url)
    return (u.netloc + u.path).strip("/").replace("/", "_") or hashlib.sha1(
        url.encode()
    ).hexdigest()[:12]


def _remove_orphans(store: Any, registry: dict[str, Any]) -> None:
    """Chunks whose version is not the active one: left by an interrupted run or an old version."""
    active = {d: r.version for d, r in registry.items()}
    stale = [
        cid for cid, doc_id, version in store.chunk_versions() if active.get(doc_id) != version
    ]
    if stale:
        log.info("removing %d chunks left by an interrupted or replaced ingest", len(stale))
        store.delete_ids(stale)


def _short(s: str, n: int = 40) -> str:
    return s if len(s) <= n else "…" + s[-(n - 1) :]


def _progress(enabled: bool, console: Any) -> Any:
    if not enabled:
        return None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


# -- CLI ---------------------------------------------------------------------------------------
def ingest_command(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    paths = args.paths or [DEFAULT_SOURCE]
    report = ingest_paths(
        paths,
        settings,
        rebuild=args.rebuild,
        dry_run=args.dry_run,
        progress=not args.no_progress and console.is_terminal,
        wait=args.wait,
        console=console,
    )
    title = "Plan (dry run, nothing changed)" if report.dry_run else "Ingest summary"
    table = Table(title=title)
    for col in ("added", "updated", "unchanged", "removed", "failed", "chunks", "seconds"):
        table.add_column(col, justify="right")
    table.add_row(
        str(len(report.added)),
        str(len(report.updated)),
        str(len(report.unchanged)),
        str(len(report.removed)),
        str(len(report.failed)),
        str(report.chunks_written),
        f"{report.seconds:.1f}",
    )
    out = Console()
    if report.dry_run:
        for label, ids in (
            ("add", report.added),
            ("update", report.updated),
            ("remove", report.removed),
        ):
            for i in ids:
                out.print(f"would {label}: {i}")
    out.print(table)
    for w in report.warnings:
        console.print(f"[yellow]warning:[/] {w}")
    if report.default_classified:
        console.print(
            f"[yellow]no classification:[/] {len(report.default_classified)} document(s) name no "
            f"classification and are indexed as {settings.default_classification} "
            "(ASSISTANT_DEFAULT_CLASSIFICATION); add `classification:` to their metadata:"
        )
        for doc_id in report.default_classified:
            console.print(f"  {doc_id}")
    for src, err in report.failed:
        # Loader messages start with the file's name already; add the path only when they don't.
        named = err.startswith((src, Path(src).name))
        console.print(f"[red]failed:[/] {src}: {err.split(': ', 1)[-1] if named else err}")
    return 0 if report.ok else 1


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


def status_command(args: argparse.Namespace, settings: Settings) -> int:
    info = status(settings)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    c = Console()
    c.print(f"store: {info['store']} ({info['mode']}, collection {info['collection']})")
    c.print(f"embedding model: {info['embedding_model']} ({info['dimension']}-d)")
    c.print(
        f"documents: {info['documents']}   chunks: {info['chunks']}   "
        f"last ingest: {info['last_ingest'] or 'never'}"
    )
    if not info["documents"]:
        c.print("The index is empty: run `assistant ingest corpus/` (or `make run`).")
        return 0
    t = Table()
    for col in ("doc_id", "format", "lang", "class", "chunks", "ingested"):
        t.add_column(col)
    for d in info["per_document"]:
        t.add_row(
            d["doc_id"],
            d["format"],
            str(d["language"] or ""),
            str(d["classification"] or ""),
            str(d["chunks"]),
            d["ingested_at"],
        )
    c.print(t)
    return 0
