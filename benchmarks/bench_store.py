"""Chroma write cost per call: the same chunks written one document per call (as ingest does) or
batched across documents, embedded and against a `chroma run` server. Explains ingest overhead.

    python -m benchmarks.bench_store [--docs 100] [--chunks-per-doc 18]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import common


def child_store(
    data_dir: str, docs: int, per_doc: int, chroma_url: str | None = None
) -> dict[str, Any]:
    from assistant.config import load_settings
    from assistant.documents import Chunk
    from assistant.embeddings import get_embeddings
    from assistant.store import DocRecord, Store

    emb = get_embeddings("hash", 32)
    extra = {"chroma_url": chroma_url} if chroma_url else {}
    out: dict[str, Any] = {"docs": docs, "chunks_per_doc": per_doc}
    for mode in ("per_document", "batched"):
        s = load_settings(
            _env_file=None,
            data_dir=Path(data_dir) / mode,
            embeddings="hash",
            collection=f"bench-{mode}",
            **extra,
        )
        store = Store(s, emb)
        all_chunks: list[tuple[list[Chunk], list[list[float]], DocRecord]] = []
        for d in range(docs):
            chunks = [
                Chunk(
                    chunk_id=f"d{d}::{i:05d}",
                    doc_id=f"d{d}",
                    text=f"Article {i} text of doc {d}. " * 40,
                    section=f"Article {i}",
                    heading_path=f"Doc {d} > Article {i}",
                    start=i,
                    end=i + 1,
                )
                for i in range(per_doc)
            ]
            vecs = emb.embed_documents([c.text for c in chunks])
            rec = DocRecord(
                doc_id=f"d{d}",
                version="v1",
                content_hash="h",
                chunks=per_doc,
                source=f"d{d}",
                folder="",
                fmt="md",
                ingested_at="now",
            )
            all_chunks.append((chunks, vecs, rec))
        t = time.perf_counter()
        if mode == "per_document":
            for chunks, vecs, rec in all_chunks:
                store.add_chunks(chunks, vecs, "v1", {})
                store.set_doc(rec)
        else:
            flat = [c for chunks, _v, _r in all_chunks for c in chunks]
            flat_v = [v for _c, vecs, _r in all_chunks for v in vecs]
            store.add_chunks(flat, flat_v, "v1", {})
            import json
            from dataclasses import asdict

            recs = [r for *_x, r in all_chunks]
            store.docs.upsert(
                ids=[r.doc_id for r in recs],
                embeddings=[[0.0]] * len(recs),
                documents=[json.dumps(asdict(r)) for r in recs],
                metadatas=[{"version": r.version, "folder": r.folder} for r in recs],
            )
        secs = time.perf_counter() - t
        out[mode] = {
            "seconds": round(secs, 3),
            "ms_per_chunk": round(secs / (docs * per_doc) * 1000, 3),
        }
    out["speedup"] = round(out["per_document"]["seconds"] / out["batched"]["seconds"], 1)
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description="Chroma write batching")
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--chunks-per-doc", type=int, default=18)
    a = ap.parse_args(argv)
    from benchmarks.bench_query import chroma_server

    tmp = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        res = {"machine": common.machine()}
        res["embedded"] = common.run_child(
            "benchmarks.bench_store:child_store",
            {"data_dir": str(tmp / "e"), "docs": a.docs, "per_doc": a.chunks_per_doc},
        )
        with chroma_server(tmp / "srv") as (url, _p):
            res["server"] = common.run_child(
                "benchmarks.bench_store:child_store",
                {
                    "data_dir": str(tmp / "s"),
                    "docs": a.docs,
                    "per_doc": a.chunks_per_doc,
                    "chroma_url": url,
                },
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for mode in ("embedded", "server"):
        r = res[mode]
        print(
            f"[store] {mode:8s} {a.docs}×{a.chunks_per_doc} chunks: one call per document "
            f"{r['per_document']['seconds']} s ({r['per_document']['ms_per_chunk']} ms/chunk), batched "
            f"{r['batched']['seconds']} s ({r['batched']['ms_per_chunk']} ms/chunk) → {r['speedup']}×"
        )
    common.write_result("store", res)
    return res


if __name__ == "__main__":
    main()
