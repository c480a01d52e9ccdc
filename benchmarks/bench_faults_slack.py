"""The Slack bot under faults, over loopback HTTP against the recording fake Web API
(`tests/slack_fake.py`), with signed Events API requests as Slack sends them:

1. personal data: generated personnummer, samordningsnummer, phone numbers and e-mail
   addresses, in the separators and wrappers people and Slack use, asked as mentions; every
   answer is voted "wrong" and the feedback exported. Counts forms whose digits or address
   survive anywhere in the audit database, the feedback table, the export or the log.
2. delivery: 50 concurrent mentions while the Web API answers chat.postMessage twice with 500
   and chat.update once with 429 Retry-After; every event is also re-sent as a retry. Counts
   questions answered exactly once, twice, or never, and audit rows marked delivered.

The pipeline is the fake one (keyword retrieval, 20 ms per answer): what is measured is the bot.

    python -m benchmarks.bench_faults_slack [--forms 240] [--concurrency 50] [--seed 13]
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import random
import re
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks import common

SECRET = "bench-signing-secret"


def _post(url: str, body: str, headers: dict[str, str]) -> int:
    req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


class Bot:
    """The real bot app behind the real HTTP server, a fake Web API and a fake pipeline."""

    def __init__(self, data_dir: Path) -> None:
        sys.path.insert(0, str(common.ROOT / "tests"))
        from slack_fake import FakePipeline, SlackFake

        from assistant.audit import AuditStore
        from assistant.bot import build_app
        from assistant.config import Settings
        from assistant.slack.http import make_http_server

        self.fake = SlackFake()
        self.settings = Settings(
            _env_file=None,
            ASSISTANT_DATA_DIR=str(data_dir),
            SLACK_BOT_TOKEN="xoxb-bench",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=self.fake.api_url,
            ASSISTANT_RATE_LIMIT_PER_MINUTE=100000,
            ASSISTANT_QUEUE_SIZE=1000,
        )
        self.pipeline = FakePipeline(delay=0.02)
        self.audit = AuditStore(self.settings.db_url)
        self.app = build_app(self.settings, self.pipeline, self.audit)
        self.bot = self.app.assistant_bot  # type: ignore[attr-defined]
        self.bot.outbox.base_delay = 0.2
        self.server = make_http_server(self.app, "127.0.0.1", 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/slack/events"

    def mention(self, ts: str, text: str, event_id: str, retry: str | None = None,
                channel: str = "C1") -> int:
        from slack_fake import event_envelope, mention_event, signed_headers

        body = json.dumps(event_envelope(mention_event(ts, text, channel=channel), event_id=event_id))
        headers = signed_headers(SECRET, body)
        if retry is not None:
            headers["X-Slack-Retry-Num"] = retry
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return _post(self.url, body, headers)

    def vote(self, qid: str) -> int:
        from slack_fake import TEAM, signed_headers

        payload = {
            "type": "block_actions", "team": {"id": TEAM}, "user": {"id": "U7", "team_id": TEAM},
            "api_app_id": "A0FOND", "token": "x", "trigger_id": "1.2.3",
            "container": {"type": "message", "message_ts": "1.2", "channel_id": "C1"},
            "channel": {"id": "C1"}, "message": {"ts": "1.2", "text": "x"},
            "response_url": f"{self.fake.url}/response/fb",
            "actions": [{"action_id": "feedback_wrong", "block_id": "feedback", "value": qid,
                         "type": "button", "action_ts": "1.3"}],
        }  # fmt: skip
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return _post(self.url, body, signed_headers(SECRET, body, content_type="application/x-www-form-urlencoded"))

    def shown(self) -> dict[str, list[str]]:
        """What the channel shows per question thread: the final text of each bot message (the
        fake applies only the Web API calls that succeeded)."""
        out: dict[str, list[str]] = {}
        for (_ch, thread), msgs in self.fake.threads.items():
            out[thread] = [m.get("text", "") for m in msgs if m.get("bot_id")]
        return out

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.bot.close()
        self.fake.close()
        self.audit.close()


def personal_data_run(n: int, seed: int) -> dict[str, Any]:
    sys.path.insert(0, str(common.ROOT / "tests"))
    from pii_forms import personal_question

    rng = random.Random(seed)
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("assistant").setLevel(logging.DEBUG)
    forms = [personal_question(rng.choice) for _ in range(n)]
    kinds: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        bot = Bot(Path(tmp))
        try:
            for i, (question, kind, _secret) in enumerate(forms):
                kinds[kind] = kinds.get(kind, 0) + 1
                assert bot.mention(bot.fake.next_ts(), question, f"EvPii{i}") == 200
            if not bot.bot.drain(120):
                raise RuntimeError("the bot did not finish the questions")
            rows = bot.audit.questions()
            for row in rows:
                bot.vote(str(row["id"]))
            bot.fake.wait_for("response_url", len(rows), timeout=60)
            feedback = bot.audit.feedback()
            export = bot.audit.export_suite_entries()
        finally:
            bot.close()
            root.removeHandler(handler)
    stored = [r["question_redacted"] + " " + (r["answer_text"] or "") for r in rows]
    stored += [f["question_redacted"] or "" for f in feedback]
    stored += [e["question"] for e in export]
    blob = "\n".join(stored)
    logged = log.getvalue()
    leaked_stored = sum(1 for _q, _k, s in forms if s in blob or s[-7:] in re.sub(r"\D", "", blob))
    leaked_logged = sum(1 for _q, _k, s in forms if s in logged)
    digits_in_rows = sum(1 for r in rows if re.search(r"\d", r["question_redacted"]))
    return {
        "forms": n,
        "by_kind": kinds,
        "audit_rows": len(rows),
        "feedback_rows": len(feedback),
        "exported": len(export),
        "raw_stored": leaked_stored,
        "raw_logged": leaked_logged,
        "stored_questions_with_digits": digits_in_rows,
    }


def delivery_run(concurrency: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        bot = Bot(Path(tmp))
        try:
            fake = bot.fake
            fake.script("chat.postMessage", status=500, body={"ok": False, "error": "internal_error"}, times=2)
            fake.script("chat.update", status=429, body={"ok": False, "error": "ratelimited"},
                        headers={"Retry-After": "2"})
            threads = [fake.next_ts() for _ in range(concurrency)]
            t0 = time.perf_counter()

            def send(i: int) -> int:
                return bot.mention(threads[i], "Hur stor är EU:s medfinansiering i ISF?",
                                   f"EvLoad{i}", channel=f"C{i % 10}")

            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                statuses = list(pool.map(send, range(concurrency)))
            with ThreadPoolExecutor(max_workers=concurrency) as pool:  # Slack's retries
                retry_statuses = list(pool.map(
                    lambda i: bot.mention(threads[i], "Hur stor är EU:s medfinansiering i ISF?",
                                          f"EvLoad{i}", retry="1", channel=f"C{i % 10}"),
                    range(concurrency)))  # fmt: skip
            drained = bot.bot.drain(120)
            wall = time.perf_counter() - t0
            shown = bot.shown()
            counts = [sum(t.startswith("Enligt") for t in shown.get(ts, [])) for ts in threads]
            stuck = sum(any("Söker i dokumenten" in t for t in shown.get(ts, [])) for ts in threads)
            answered = [ts for ts, c in zip(threads, counts, strict=True) if c == 1]
            rows = bot.audit.questions()
            out = {
                "concurrency": concurrency,
                "faults": "chat.postMessage 500 ×2, chat.update 429 Retry-After 2 s ×1, every event re-sent as a retry",
                "acks_200": sum(s == 200 for s in statuses + retry_statuses),
                "requests": len(statuses) + len(retry_statuses),
                "drained": drained,
                "answered_exactly_once": len(answered),
                "answered_twice_or_more": sum(c > 1 for c in counts),
                "never_answered": sum(c == 0 for c in counts),
                "placeholders_left": stuck,
                "pipeline_calls": len(bot.pipeline.calls),
                "audit_rows": len(rows),
                "audit_delivered": sum(1 for r in rows if r["delivered"]),
                "web_api_calls": {m: len(fake.of(m)) for m in ("chat.postMessage", "chat.update")},
                "wall_s": round(wall, 2),
            }
        finally:
            bot.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--forms", type=int, default=240)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = p.parse_args(argv)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" in bursts
    pii = personal_data_run(args.forms, args.seed)
    print(
        f"personal data: raw personal data stored {pii['raw_stored']} over {pii['forms']} "
        f"generated forms ({', '.join(f'{k} {v}' for k, v in sorted(pii['by_kind'].items()))}); "
        f"in the log {pii['raw_logged']}; audit rows {pii['audit_rows']}, feedback rows "
        f"{pii['feedback_rows']}, exported {pii['exported']}"
    )
    d = delivery_run(args.concurrency)
    print(
        f"delivery: {d['concurrency']} concurrent mentions with {d['faults']}: answered exactly "
        f"once {d['answered_exactly_once']}/{d['concurrency']}, twice or more "
        f"{d['answered_twice_or_more']}, never {d['never_answered']}; placeholders left 'Söker…' {d['placeholders_left']}; pipeline calls "
        f"{d['pipeline_calls']}; audit delivered {d['audit_delivered']}/{d['audit_rows']}; "
        f"acks 200 {d['acks_200']}/{d['requests']}; Web API calls {d['web_api_calls']}; "
        f"{d['wall_s']} s"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"personal_data": pii, "delivery": d}, indent=2, ensure_ascii=False) + "\n", "utf-8")
    ok = (
        pii["raw_stored"] == 0
        and pii["raw_logged"] == 0
        and d["answered_exactly_once"] == d["concurrency"]
        and d["placeholders_left"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
