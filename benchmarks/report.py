"""Markdown tables from benchmarks/results/*.json (for docs/PERFORMANCE.md).

python -m benchmarks.report
"""

from __future__ import annotations

import json
from typing import Any

from benchmarks.common import RESULTS


def _load(name: str) -> dict[str, Any] | None:
    p = RESULTS / f"{name}.json"
    return json.loads(p.read_text("utf-8")) if p.exists() else None


def _per_chunk(o: dict[str, Any], b: dict[str, Any]) -> str:
    if not b["seconds"] or not b["chunks"] or not o["chunks"]:
        return "-"
    return f"{(o['seconds'] / o['chunks']) / (b['seconds'] / b['chunks']):.2f}"


def ingest_table(runs: list[dict[str, Any]]) -> list[str]:
    out = [
        "| corpus | embedder | docs | chunks (ours / recipe) | ours s | docs/s | chunks/s | recipe s | "
        "bare model s | ours ÷ bare (per chunk) | ours ÷ recipe | own overhead ms/chunk | peak RSS MB | "
        "re-ingest unchanged s | re-ingest 1 % changed s |",
        "|" + "---|" * 15,
    ]
    for r in runs:
        o, rc, b = r["ours"], r["recipe"], r["bare_model"]
        name = (
            "realdocs" if r["corpus"] == "realdocs" else f"synthetic {r['target_chunks'] // 1000}k"
        )
        out.append(
            f"| {name} | {r['embeddings']} | {o['documents']} | {o['chunks']} / {rc['chunks']} | "
            f"{o['seconds']:.1f} | {r['ours_docs_per_s']} | {r['ours_chunks_per_s']} | {rc['seconds']:.1f} | "
            f"{b['seconds']:.1f} | {r['ours_over_bare']} ({_per_chunk(o, b)}) | {r['ours_over_recipe']} | "
            f"{r['overhead_ms_per_chunk']} | {o['peak_rss_mb']} | {o['reingest_unchanged']['seconds']:.1f} | "
            f"{o['reingest_1pct']['seconds']:.1f} ({o['reingest_1pct']['changed_files']} docs, "
            f"{o['reingest_1pct']['embedded']} passages embedded) |"
        )
    return out


def query_table(runs: list[dict[str, Any]]) -> list[str]:
    out = [
        "| corpus | embedder | store | chunks | retrieval p50 / p95 / p99 ms | full answer p50 / p95 / p99 ms | "
        "serving RSS MB (after warm → after queries) | Chroma server RSS MB |",
        "|" + "---|" * 8,
    ]
    for r in runs:
        name = (
            "realdocs" if r["corpus"] == "realdocs" else f"synthetic {r['target_chunks'] // 1000}k"
        )
        for mode in ("embedded", "server"):
            q = r.get(mode)
            if not q:
                continue
            a, b = q["retrieval"], q["answer"]
            out.append(
                f"| {name} | {r['embeddings']} | {mode} | {q['chunks']} | {a['p50_ms']} / {a['p95_ms']} / "
                f"{a['p99_ms']} | {b['p50_ms']} / {b['p95_ms']} / {b['p99_ms']} | "
                f"{q['rss_mb']['after_warm']} → {q['rss_mb']['after_queries']} | "
                f"{q.get('chroma_server_rss_mb', '')} |"
            )
    return out


def bot_table(b: dict[str, Any]) -> list[str]:
    out = [
        "| concurrent questions | ack p50 / p95 / p99 ms | time to answer p50 / p95 / p99 ms | answered |",
        "|---|---|---|---|",
    ]
    for lv in b["levels"]:
        a, t = lv["ack"], lv["time_to_answer"]
        out.append(
            f"| {lv['concurrency']} | {a['p50_ms']} / {a['p95_ms']} / {a['p99_ms']} | "
            f"{t['p50_ms']} / {t['p95_ms']} / {t['p99_ms']} | {lv['answered']} / {lv['concurrency']} |"
        )
    return out


def main() -> None:
    for name in ("ingest", "ingest-full"):
        d = _load(name)
        if d:
            print(f"\n### {name}\n"), print("\n".join(ingest_table(d["runs"])))
    for name in ("query", "query-full"):
        d = _load(name)
        if d:
            print(f"\n### {name}\n"), print("\n".join(query_table(d["runs"])))
    b = _load("bot")
    if b:
        print(
            f"\n### bot ({b['corpus']}, {b['embeddings']}, {b['chunks']} chunks, {b['workers']} workers)\n"
        )
        print("\n".join(bot_table(b)))
    s = _load("store")
    if s:
        print("\n### store writes\n")
        for mode in ("embedded", "server"):
            r = s[mode]
            print(
                f"- {mode}: {r['docs']}×{r['chunks_per_doc']} chunks, one call per document "
                f"{r['per_document']['seconds']} s, batched {r['batched']['seconds']} s ({r['speedup']}×)"
            )


if __name__ == "__main__":
    main()
