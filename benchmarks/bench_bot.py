"""The Slack bot in HTTP mode under 1, 10 and 50 concurrent questions: ack latency and time to the
answer, with the real pipeline on a small index, against the recording fake Slack Web API
(`tests/slack_fake.py`), all on loopback. Signed Events API requests, as Slack sends them.

    python -m benchmarks.bench_bot [--concurrency 1,10,50] [--corpus realdocs|synth]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks import bench_ingest, bench_query, common

SECRET = "bench-signing-secret"


def child_bot(
    data_dir: str, embeddings: str, kind: str, concurrency: list[int], timeout: float
) -> dict[str, Any]:
    sys.path.insert(0, str(common.ROOT / "tests"))
    from slack_fake import BOT_USER, SlackFake, mention_event, signed_event_request

    from assistant.bot import build_app
    from assistant.config import Settings
    from assistant.pipeline import Pipeline
    from assistant.slack.http import make_http_server

    fake = SlackFake()
    settings = Settings(
        _env_file=None,
        ASSISTANT_DATA_DIR=data_dir,
        ASSISTANT_EMBEDDINGS=embeddings,
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        ASSISTANT_RATE_LIMIT_PER_MINUTE=10000,
    )
    pipeline = Pipeline(settings)
    pipeline.warm()
    app = build_app(settings, pipeline, None)
    server = make_http_server(app, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/slack/events"
    qs = bench_query._questions(kind)
    out: dict[str, Any] = {
        "workers": settings.workers,
        "queue_size": settings.queue_size,
        "levels": [],
    }
    n_sent = 0

    def send(i: int) -> tuple[str, float, float, int]:
        ts = fake.next_ts()
        ev = mention_event(ts, qs[i % len(qs)], user=f"U{i}", channel="CBENCH")
        req = signed_event_request(url, SECRET, ev)
        t0 = time.perf_counter()
        with urllib.request.urlopen(req, timeout=30) as r:
            status = r.status
            r.read()
        return ts, t0, time.perf_counter() - t0, status

    try:
        for c in concurrency:
            fake.clear()
            with ThreadPoolExecutor(c) as pool:
                sent = list(pool.map(send, range(n_sent, n_sent + c)))
            n_sent += c
            finals: dict[str, tuple[float, str]] = {}
            deadline = time.monotonic() + timeout
            while len(finals) < c and time.monotonic() < deadline:
                time.sleep(0.05)
                finals = _finals(fake, [s[0] for s in sent], BOT_USER)
            acks = [s[2] for s in sent]
            answer_times = [finals[ts][0] - t0 for ts, t0, _a, _s in sent if ts in finals]
            texts = [finals[ts][1] for ts, *_ in sent if ts in finals]
            errors = sum(1 for t in texts if "Något gick fel" in t or "många frågor just nu" in t)
            level = {
                "concurrency": c,
                "acks_200": sum(1 for s in sent if s[3] == 200),
                "ack": common.summary_ms(acks),
                "time_to_answer": common.summary_ms(answer_times),
                "answered": len(texts) - errors,
                "errors_or_busy": errors,
                "unanswered_within_timeout": c - len(texts),
            }
            out["levels"].append(level)
            print(
                f"[bot] {c:3d} concurrent: ack p50/p95/p99 {level['ack']['p50_ms']}/"
                f"{level['ack']['p95_ms']}/{level['ack']['p99_ms']} ms, answer p50/p95/p99 "
                f"{level['time_to_answer']['p50_ms']}/{level['time_to_answer']['p95_ms']}/"
                f"{level['time_to_answer']['p99_ms']} ms, answered {level['answered']}/{c}",
                file=sys.stderr,
                flush=True,
            )
        out["rss_mb"] = common.rss_mb()
        out["chunks"] = pipeline.retriever.store.count()
    finally:
        server.shutdown()
        server.server_close()
        app.assistant_bot.close()
        fake.close()
    return out


def _finals(fake: Any, thread_ts: list[str], bot_user: str) -> dict[str, tuple[float, str]]:
    """thread ts → (time of the final chat.update of the bot's placeholder, its text)."""
    wanted = set(thread_ts)
    placeholder_of: dict[str, str] = {}
    for (_ch, th), msgs in list(fake.threads.items()):
        if th in wanted:
            for m in msgs:
                if m.get("user") == bot_user:
                    placeholder_of[m["ts"]] = th
    out: dict[str, tuple[float, str]] = {}
    for call in fake.of("chat.update"):
        th = placeholder_of.get(call.body.get("ts"))
        if th and "Skriver svaret" not in json.dumps(call.body.get("blocks"), ensure_ascii=False):
            out[th] = (call.t, str(call.body.get("text") or ""))
    return out


def add_args(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--concurrency", type=bench_ingest._ints, default=[1, 10, 50])
    ap.add_argument(
        "--corpus",
        choices=("realdocs", "synth"),
        default=None,
        help="index behind the bot (default: realdocs with the real model when present)",
    )
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--work", type=Path, default=common.ROOT / "benchmarks" / ".work")


def run(a: argparse.Namespace, work: Path | None = None) -> dict[str, Any]:
    work = work or a.work
    work.mkdir(parents=True, exist_ok=True)
    kind = a.corpus or ("realdocs" if common.REALDOCS.is_dir() else "synth")
    if kind == "realdocs":
        index, _ = bench_query.ensure_index(work, "realdocs", 0, bench_ingest.REAL)
        emb = bench_ingest.REAL
    else:
        index, _ = bench_query.ensure_index(work, "synth", 1000, bench_ingest.FAST)
        emb = bench_ingest.FAST
    res = common.run_child(
        "benchmarks.bench_bot:child_bot",
        {
            "data_dir": str(index),
            "embeddings": emb,
            "kind": kind,
            "concurrency": a.concurrency,
            "timeout": a.timeout,
        },
    )
    for lv in res["levels"]:
        print(
            f"[bot] {lv['concurrency']:3d} concurrent: ack p50/p95/p99 {lv['ack']['p50_ms']}/"
            f"{lv['ack']['p95_ms']}/{lv['ack']['p99_ms']} ms, answer p50/p95/p99 "
            f"{lv['time_to_answer']['p50_ms']}/{lv['time_to_answer']['p95_ms']}/"
            f"{lv['time_to_answer']['p99_ms']} ms, answered {lv['answered']}/{lv['concurrency']}"
        )
    data = {"machine": common.machine(), "corpus": kind, "embeddings": emb, **res}
    common.write_result("bot", data)
    return data


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description="bot benchmark")
    add_args(ap)
    return run(ap.parse_args(argv))


if __name__ == "__main__":
    main()
