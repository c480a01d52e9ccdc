"""A recording fake of the Slack Web API (and response_url endpoints) on 127.0.0.1.

Every call is kept as a `Call(method, headers, body, t)`; tests poll with `wait_for`.
Replies can be scripted per method (e.g. one 429 with Retry-After: 1).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

TEAM = "T0POLIS"
BOT_USER = "UBOT"
BOT_ID = "BBOT"


@dataclass
class Call:
    method: str
    headers: dict[str, str]
    body: dict[str, Any]
    t: float


@dataclass
class Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class SlackFake:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.scripts: dict[str, list[Scripted]] = {}
        self.threads: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.ws_url = "ws://127.0.0.1:1/link"
        self.bad_tokens: set[str] = set()
        self._ts = itertools.count(1)
        self._cond = threading.Condition()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n).decode("utf-8") if n else ""
                status, body, headers = fake._handle(self.path, dict(self.headers), raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.api_url = self.url + "/api/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    # -- scripting ----------------------------------------------------------------------------
    def script(self, method: str, status: int = 200, body: dict[str, Any] | None = None,
               headers: dict[str, str] | None = None, times: int = 1) -> None:
        for _ in range(times):
            self.scripts.setdefault(method, []).append(
                Scripted(status, body if body is not None else {"ok": True}, headers or {})
            )

    def add_message(self, channel: str, thread_ts: str, user: str, text: str,
                    ts: str | None = None, **extra: Any) -> str:
        ts = ts or self.next_ts()
        msg = {"type": "message", "user": user, "text": text, "ts": ts, "thread_ts": thread_ts, **extra}
        self.threads.setdefault((channel, thread_ts), []).append(msg)
        return ts

    def next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    # -- inspection ---------------------------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, n: int = 1, timeout: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= n:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {n} {method} call(s) within {timeout}s, got {len(found)}; "
                        f"calls: {[c.method for c in self.calls]}"
                    )
                self._cond.wait(left)

    def clear(self) -> None:
        with self._cond:
            self.calls.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- the API ------------------------------------------------------------------------------
    def _handle(self, path: str, headers: dict[str, str], raw: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        if path.startswith("/api/"):
            method = path[len("/api/"):].split("?")[0]
        elif path.startswith("/response/"):
            method = "response_url"
        else:
            method = path
        body = _parse(headers, raw)
        with self._cond:
            self.calls.append(Call(method, {k.lower(): v for k, v in headers.items()}, body, time.perf_counter()))
            self._cond.notify_all()
            queue = self.scripts.get(method)
            scripted = queue.pop(0) if queue else None
        if scripted:
            return scripted.status, scripted.body, scripted.headers
        token = (headers.get("Authorization") or headers.get("authorization") or "").removeprefix("Bearer ")
        if token in self.bad_tokens:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        return 200, self._answer(method, body), {}

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "url": "https://polisen.slack.com/", "team": "Polisen", "user": "fondassistenten",
                    "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "chat.postMessage":
            ts = self.next_ts()
            channel = body.get("channel", "")
            if body.get("thread_ts"):
                self.add_message(channel, body["thread_ts"], BOT_USER, body.get("text", ""), ts=ts, bot_id=BOT_ID)
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": body.get("text"), "ts": ts}}
        if method == "chat.update":
            for msgs in self.threads.values():
                for m in msgs:
                    if m["ts"] == body.get("ts"):
                        m["text"] = body.get("text", "")
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts"), "text": body.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method == "conversations.replies":
            key = (body.get("channel", ""), body.get("ts", ""))
            parent = {"type": "message", "user": "UPARENT", "text": "(parent)", "ts": key[1], "thread_ts": key[1]}
            return {"ok": True, "messages": [parent, *self.threads.get(key, [])], "has_more": False}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.ws_url}
        return {"ok": True}


def _parse(headers: dict[str, str], raw: str) -> dict[str, Any]:
    ctype = (headers.get("Content-Type") or headers.get("content-type") or "").lower()
    if not raw:
        return {}
    body = json.loads(raw) if "json" in ctype else {k: v[0] for k, v in parse_qs(raw).items()}
    for key in ("blocks", "prompts", "attachments"):
        if isinstance(body.get(key), str):
            with contextlib.suppress(json.JSONDecodeError):
                body[key] = json.loads(body[key])
    return body


# -- helpers to play Slack's side of the Events API -----------------------------------------------
def signed_headers(secret: str, body: str, timestamp: int | None = None,
                   content_type: str = "application/json") -> dict[str, str]:
    from slack_sdk.signature import SignatureVerifier

    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig, "Content-Type": content_type}


def event_envelope(event: dict[str, Any], event_id: str | None = None, team: str = TEAM) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": team,
        "api_app_id": "A0FOND",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{time.perf_counter_ns()}",
        "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": team, "user_id": BOT_USER,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    }


# -- a fake pipeline with the real `ask` signature ------------------------------------------------
class FakePipeline:
    """Keyword retrieval over a few passages; honours max_classification; records every call."""

    PASSAGES = [
        ("32021R1149_ISF", "Förordning (EU) 2021/1149 om Fonden för inre säkerhet", "Article 12",
         "https://eur-lex.europa.eu/eli/reg/2021/1149/oj", "public",
         "The contribution from the Union budget shall not exceed 75 % of the total eligible "
         "expenditure for a project.", {"isf", "medfinansiering", "75", "kostnader", "eu"}),
        ("32021R1148_BMVI", "Förordning (EU) 2021/1148 om BMVI", "Article 13", None, "public",
         "A maximum of 35 % of the allocation may be used for the purchase of equipment.",
         {"bmvi", "utrustning", "fordon"}),
        ("ncc-intern-rutin", "NCC intern rutin för lägesbild", "3 §", None, "restricted",
         "Lägesbilden från NCC delas med sekretess enligt rutinen.", {"ncc", "lägesbild", "lägesbilden"}),
    ]

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: list[dict[str, Any]] = []
        self.delay = delay
        self.fail_on: str | None = "krascha"
        self.stream: list[str] | None = None
        self.stream_pause = 0.0
        self._lock = threading.Lock()

    def ask(self, question: str, *, history: Any = None, max_classification: str = "public",
            funds: Any = None, period: Any = None, on_token: Any = None, use_llm: Any = None,
            method: str = "hybrid", k: int | None = None) -> Any:
        from assistant import privacy
        from assistant.documents import Answer, Citation, classification_rank
        from assistant.errors import QuestionRejectedError

        with self._lock:
            self.calls.append({"question": question, "history": list(history or []),
                               "max_classification": max_classification})
        if not question.strip():
            raise QuestionRejectedError("Frågan är tom. Skriv en fråga om EU-fonderna.")
        if self.fail_on and self.fail_on in question:
            raise RuntimeError("index unavailable")
        if self.delay:
            time.sleep(self.delay)
        scan = privacy.scan(question)
        words = set(scan.redacted.lower().replace("?", " ").split())
        allowed = [p for p in self.PASSAGES if classification_rank(p[4]) <= classification_rank(max_classification)]
        hits = [p for p in allowed if p[6] & words]
        cites = [Citation(i, p[0], p[1], p[2], None, p[3], p[5], chunk_id=f"{p[0]}#0")
                 for i, p in enumerate(hits, 1)]
        if self.stream and on_token:
            for tok in self.stream:
                on_token(tok)
                time.sleep(self.stream_pause)
        if cites:
            text = "Enligt **" + cites[0].title + "**: \"" + cites[0].quote + "\" [1]"
        else:
            text = "Jag hittar inget säkert stöd för ett svar i dokumenten."
        return Answer(question=question, language="sv", text=text, citations=cites,
                      abstained=not cites, warnings=[scan.warning] if scan.warning else [],
                      related=[] if cites else [Citation(1, "32021R1149_ISF", "ISF-förordningen", "Article 1", None, None, "")],
                      redacted_question=scan.redacted)


def mention_event(ts: str, text: str, *, user: str = "U1", channel: str = "C1",
                  thread_ts: str | None = None) -> dict[str, Any]:
    """An `app_mention` event as Slack sends it: the bot's mention, then the question."""
    ev = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts,
          "channel": channel, "event_ts": ts}
    if thread_ts:
        ev["thread_ts"] = thread_ts
    return ev


def signed_event_request(url: str, secret: str, event: dict[str, Any]) -> urllib.request.Request:
    """A signed Events API POST carrying one event."""
    body = json.dumps(event_envelope(event))
    return urllib.request.Request(url, data=body.encode(), headers=signed_headers(secret, body),
                                  method="POST")
