"""Query latency (retrieval only and full extractive answer), p50/p95/p99, and the serving process's
memory, over the indexes `bench_ingest` built: Chroma embedded and a real `chroma run` server.

Indexes are reused from the work folder when `bench_ingest` left them there, else built first.

    python -m benchmarks.bench_query [--full] [--sizes 1000,10000] [--queries 100] [--server-max 10000]
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks import bench_ingest, common


def _questions(kind: str) -> list[str]:
    if kind == "realdocs" and common.REALDOCS_QUESTIONS.exists():
        import yaml

        data = yaml.safe_load(common.REALDOCS_QUESTIONS.read_text("utf-8"))
        return [q["question"] for q in data["questions"]]
    return list(common.QUESTIONS)


def child_query(
    data_dir: str,
    embeddings: str,
    kind: str,
    queries: int,
    chroma_url: str | None = None,
    server_pid: int | None = None,
) -> dict[str, Any]:
    from assistant.config import load_settings
    from assistant.pipeline import Pipeline

    rss_start = common.rss_mb()
    extra = {"chroma_url": chroma_url} if chroma_url else {}
    s = load_settings(_env_file=None, data_dir=Path(data_dir), embeddings=embeddings, **extra)
    p = Pipeline(s)
    t = time.perf_counter()
    p.warm()
    warm_s = time.perf_counter() - t
    rss_warm = common.rss_mb()
    qs = _questions(kind)
    for q in qs[:3]:  # first calls fill caches (glossary, stemmer, BM25 arrays)
        p.ask(q)
    retr: list[float] = []
    full: list[float] = []
    answered = 0
    for i in range(queries):
        q = qs[i % len(qs)]
        t = time.perf_counter()
        p.retrieve(q, k=10)
        retr.append(time.perf_counter() - t)
    for i in range(queries):
        q = qs[i % len(qs)]
        t = time.perf_counter()
        a = p.ask(q)
        full.append(time.perf_counter() - t)
        answered += 0 if a.abstained else 1
    out = {
        "chunks": p.retriever.store.count(),
        "warm_s": round(warm_s, 2),
        "retrieval": common.summary_ms(retr),
        "answer": common.summary_ms(full),
        "answered": answered,
        "abstained": queries - answered,
        "rss_mb": {"start": rss_start, "after_warm": rss_warm, "after_queries": common.rss_mb()},
    }
    out["dense_search_ms"] = _where_cost(p.retriever.store)
    if server_pid:
        out["chroma_server_rss_mb"] = common.rss_mb(server_pid)
    return out


def _where_cost(store: Any, n: int = 20) -> dict[str, float]:
    """Mean time of one Chroma nearest-neighbour query (k=50), with the classification filter the
    retriever passes and without it: the filter turns the search into a scan of all metadata."""
    vec = store.embeddings.embed_query("medfinansiering utrustning BMVI")
    out = {}
    for label, where in (
        ("no_filter", None),
        ("classification_filter", {"classification": {"$in": ["public"]}}),
    ):
        store.search(vec, 50, where)
        t = time.perf_counter()
        for _ in range(n):
            store.search(vec, 50, where)
        out[label] = round((time.perf_counter() - t) / n * 1000, 2)
    return out


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real `chroma run` on loopback; yields (url, process)."""
    exe = Path(sys.executable).parent / "chroma"
    port = common.free_port()
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"chroma run did not start on {url}") from None
                time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def ensure_index(work: Path, kind: str, size: int, embeddings: str) -> tuple[Path, Path]:
    name = bench_ingest.label(kind, size, embeddings)
    index = work / f"index-{name}"
    marker = index / ".complete"
    if marker.exists():
        return index, Path(marker.read_text())
    corpus, _ = bench_ingest.prepare_corpus(work, kind, size)
    shutil.rmtree(index, ignore_errors=True)
    common.run_child(
        "benchmarks.bench_ingest:child_ours",
        {
            "corpus": str(corpus),
            "data_dir": str(index),
            "embeddings": embeddings,
            "reingest": False,
        },
    )
    marker.write_text(str(corpus))
    return index, corpus


def run_one(
    work: Path, kind: str, size: int, embeddings: str, queries: int, server: bool
) -> dict[str, Any]:
    name = bench_ingest.label(kind, size, embeddings)
    index, corpus = ensure_index(work, kind, size, embeddings)
    res: dict[str, Any] = {"corpus": kind, "target_chunks": size or None, "embeddings": embeddings}
    res["embedded"] = common.run_child(
        "benchmarks.bench_query:child_query",
        {"data_dir": str(index), "embeddings": embeddings, "kind": kind, "queries": queries},
    )
    _print(name, "embedded", res["embedded"])
    if server:
        srv_path = work / f"chroma-server-{name}"
        srv_data = work / f"srvdata-{name}"
        for d in (srv_path, srv_data):
            shutil.rmtree(d, ignore_errors=True)
        with chroma_server(srv_path) as (url, proc):
            # The embedding cache of the embedded index: the server ingest costs no model time.
            ing = common.run_child(
                "benchmarks.bench_ingest:child_ours",
                {
                    "corpus": str(corpus),
                    "data_dir": str(srv_data),
                    "embeddings": embeddings,
                    "reingest": False,
                    "chroma_url": url,
                    "cache": str(index / "embed-cache.sqlite3"),
                },
            )
            res["server_ingest"] = {
                "seconds": ing["seconds"],
                "chunks": ing["chunks"],
                "embedded": ing["embedded"],
            }
            res["server"] = common.run_child(
                "benchmarks.bench_query:child_query",
                {
                    "data_dir": str(srv_data),
                    "embeddings": embeddings,
                    "kind": kind,
                    "queries": queries,
                    "chroma_url": url,
                    "server_pid": proc.pid,
                },
            )
        _print(name, "server", res["server"])
        shutil.rmtree(srv_path, ignore_errors=True)
    return res


def _print(name: str, mode: str, r: dict[str, Any]) -> None:
    a, b = r["retrieval"], r["answer"]
    print(
        f"[query] {name} {mode:8s} {r['chunks']} chunks  retrieval p50/p95/p99 "
        f"{a['p50_ms']}/{a['p95_ms']}/{a['p99_ms']} ms  answer {b['p50_ms']}/{b['p95_ms']}/{b['p99_ms']} ms"
        f"  RSS {r['rss_mb']['after_queries']} MB  dense search without/with filter "
        f"{r['dense_search_ms']['no_filter']}/{r['dense_search_ms']['classification_filter']} ms",
        flush=True,
    )


def add_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--sizes", type=bench_ingest._ints, default=None)
    ap.add_argument("--real-sizes", type=bench_ingest._ints, default=None)
    ap.add_argument("--no-realdocs", action="store_true")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument(
        "--server-max",
        type=int,
        default=10000,
        help="largest size also measured against a chroma server",
    )
    ap.add_argument("--work", type=Path, default=common.ROOT / "benchmarks" / ".work")


def run(a: argparse.Namespace, work: Path | None = None) -> dict[str, Any]:
    work = work or a.work
    work.mkdir(parents=True, exist_ok=True)
    runs = bench_ingest.plan(a.full, a.sizes, a.real_sizes, not a.no_realdocs)
    data = {
        "machine": common.machine(),
        "profile": "full" if a.full else "quick",
        "queries": a.queries,
        "runs": [run_one(work, k, n, e, a.queries, n <= a.server_max) for k, n, e in runs],
    }
    common.write_result("query" + ("-full" if a.full else ""), data)
    return data


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description="query benchmark")
    add_args(ap)
    return run(ap.parse_args(argv))


if __name__ == "__main__":
    main()
