"""`make bench`: ingest, query, bot and fault benchmarks in one go; figures into benchmarks/results/.

Quick profile (default, ~10 min on an idle 2-core machine): ../shared/realdocs with the real model
(skipped when absent), synthetic 1k and 10k chunks with the hash embedder, the bot at 1/10/50
concurrent questions, and the fault runs (access probes and a frozen Chroma; personal data and a
failing Slack Web API). `--full` adds 100k chunks (hash embedder) and 1k chunks with the real model.

    python -m benchmarks.run_all [--full] [--only ingest,query,bot,faults] [--sizes ...]
"""

from __future__ import annotations

import argparse
import time

from benchmarks import (
    bench_bot,
    bench_faults_access,
    bench_faults_slack,
    bench_ingest,
    bench_query,
    common,
)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bench_query.add_args(ap)  # a superset of bench_ingest's flags
    ap.add_argument("--concurrency", type=bench_ingest._ints, default=[1, 10, 50])
    ap.add_argument("--corpus", choices=("realdocs", "synth"), default=None)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--only", default="ingest,query,bot,faults")
    a = ap.parse_args(argv)
    parts = {p.strip() for p in a.only.split(",")}
    print(f"machine: {common.machine()}", flush=True)
    t0 = time.perf_counter()
    if "ingest" in parts:
        bench_ingest.run(a)
    if "query" in parts:
        bench_query.run(a)
    if "bot" in parts:
        bench_bot.run(a)
    if "faults" in parts:
        bench_faults_access.main([])
        bench_faults_slack.main([])
    print(f"done in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
