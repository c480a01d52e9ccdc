"""The Slack bot failing closed (issue 13): the HTTP front (body limit, idle timeout, malformed
bodies, signature logging), event-id deduplication across replicas, delivery through Web API
500s and 429s, the allow-list for votes, Slack markup in documents and replies, and personal
data through the whole bot. Everything goes over loopback HTTP: signed events into the real
server, a recording fake Web API out. Negative checks wait for the bot to drain, never sleep."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from pii_forms import ISSUE_FORMS
from slack_fake import TEAM, FakePipeline, event_envelope, mention_event, signed_headers
from test_bot import SECRET, Harness, text_of

from assistant.audit import AuditStore
from assistant.bot import build_app
from assistant.documents import Answer, Citation
from assistant.slack.http import make_http_server

pytestmark = pytest.mark.integration


@pytest.fixture
def h(tmp_path):
    harness = Harness(tmp_path)
    harness.bot.outbox.base_delay = 0.05  # backoff in tests: 50 ms, 100 ms, …
    yield harness
    harness.close()


def raw_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def answers_in(h: Harness, thread_ts: str) -> list[dict[str, Any]]:
    """Final replies (answer or error) the bot sent for one thread: updates of its placeholder
    and any new message that is not a placeholder."""
    mine = h._placeholder_ts(thread_ts)
    out = [c.body for c in h.fake.of("chat.update")
           if c.body.get("ts") in mine and "Skriver svaret" not in text_of(c.body.get("blocks"))]
    out += [c.body for c in h.fake.of("chat.postMessage")
            if c.body.get("thread_ts") == thread_ts and "Söker i dokumenten" not in c.body.get("text", "")]
    return out


# -- the HTTP front --------------------------------------------------------------------------------
def _status_line(port: int, head: bytes, body: bytes = b"") -> bytes:
    """Send a request (headers, then as much body as the server takes); the status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(head)
        with contextlib.suppress(OSError):  # the server hung up after refusing: the point
            s.sendall(body)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.split(b"\r\n")[0]


def test_oversized_bodies_are_refused_before_they_are_read_or_logged(h, caplog):
    caplog.set_level(logging.DEBUG)
    big = b'{"type": "event_callback", "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    sig = signed_headers(SECRET, big.decode())
    for extra in (sig, {}):  # signed and unsigned
        head = (f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(big)}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in extra.items() if k != "Content-Type")
                + "\r\n").encode()
        assert b" 413 " in _status_line(h.server.server_port, head, big)
    assert len(caplog.text) < 20_000
    ts, status, _ = h.mention("ISF medfinansiering?")  # still serving
    assert status == 200 and h.final_update(ts)


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"{not json", "application/json"),
        (b"null", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"type": "event_callback", "x": "\xff\xfe"}', "application/json"),
        (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        (b"payload=null", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_signed_bodies_get_400_without_traceback(h, caplog, body, content_type):
    caplog.set_level(logging.DEBUG)
    # signed over the exact bytes, as Slack would (slack_sdk's helper only signs text)
    import hashlib
    import hmac

    ts = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + digest,
               "Content-Type": content_type}
    status, text = raw_post(h.url, body, headers)
    assert status == 400, text
    assert "Traceback" not in caplog.text and "Traceback" not in text


def test_stalled_connections_are_closed_and_hold_no_worker(tmp_path):
    h = Harness(tmp_path)
    h.server.shutdown()
    h.server.server_close()
    h.server = make_http_server(h.app, "127.0.0.1", 0, read_timeout=1)
    import threading

    threading.Thread(target=h.server.serve_forever, daemon=True).start()
    h.url = f"http://127.0.0.1:{h.server.server_port}/slack/events"
    socks = []
    try:
        for _ in range(60):  # more stalled clients than the server has threads
            s = socket.create_connection(("127.0.0.1", h.server.server_port), timeout=10)
            s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 500\r\n\r\n{\"type\":")
            socks.append(s)
        t0 = time.monotonic()
        ts, status, _ = h.mention("ISF medfinansiering?")  # served while they stall
        assert status == 200 and time.monotonic() - t0 < 5
        h.final_update(ts)
        deadline = time.monotonic() + 10
        for s in socks:  # the server hangs up on each after the idle timeout (1 s)
            s.settimeout(max(0.1, deadline - time.monotonic()))
            while s.recv(4096):
                pass
    finally:
        for s in socks:
            s.close()
        h.close()


def test_bad_signature_never_writes_the_body_to_the_log(h, caplog):
    caplog.set_level(logging.DEBUG)
    secret_text = "Anna Svensson 811218-9876 anna.svensson@polisen.se"
    ts, status, _ = h.mention(secret_text, secret="wrong-secret")
    assert status == 401
    # Bolt's own verification (used in front of any adapter) logs nothing of the body either.
    from slack_bolt import BoltRequest

    body = json.dumps(event_envelope(mention_event("1.1", secret_text)))
    headers = signed_headers("wrong-secret", body)
    resp = h.app.dispatch(BoltRequest(body=body, headers={k.lower(): v for k, v in headers.items()}))
    assert resp.status == 401
    assert "811218" not in caplog.text and "anna.svensson" not in caplog.text
    assert h.bot.drain(10) and h.pipeline.calls == []


# -- retries and duplicates ----------------------------------------------------------------------
def test_a_mention_that_arrives_only_as_a_retry_is_answered_once(h):
    ts = h.fake.next_ts()
    ev = mention_event(ts, "ISF medfinansiering?")
    assert h.send_event(ev, retry="1", event_id="EvOnlyRetry")[0] == 200  # first delivery lost
    assert "Article 12" in text_of(h.final_update(ts)["blocks"])
    assert h.send_event(ev, retry="2", event_id="EvOnlyRetry")[0] == 200
    assert h.bot.drain(10)
    assert len(h.pipeline.calls) == 1 and len(answers_in(h, ts)) == 1


def test_the_same_event_twice_without_retry_header_is_answered_once(h):
    ts = h.fake.next_ts()
    ev = mention_event(ts, "ISF medfinansiering?")
    assert h.send_event(ev, event_id="EvTwice")[0] == 200
    assert h.send_event(ev, event_id="EvTwice")[0] == 200
    assert h.bot.drain(10)
    assert len(h.pipeline.calls) == 1
    assert len(h.fake.of("chat.postMessage")) == 1 and len(answers_in(h, ts)) == 1


def test_two_replicas_sharing_the_audit_database_answer_once(tmp_path):
    a = Harness(tmp_path / "a")
    b_audit = AuditStore(a.settings.db_url)  # the second replica: same database, own server
    b_app = build_app(a.settings, FakePipeline(), b_audit)
    b_server = make_http_server(b_app, "127.0.0.1", 0)
    import threading

    threading.Thread(target=b_server.serve_forever, daemon=True).start()
    b_url = f"http://127.0.0.1:{b_server.server_port}/slack/events"
    try:
        ts = a.fake.next_ts()
        body = json.dumps(event_envelope(mention_event(ts, "ISF medfinansiering?"), event_id="EvRep"))
        assert raw_post(a.url, body.encode(), signed_headers(SECRET, body))[0] == 200
        assert raw_post(b_url, body.encode(), signed_headers(SECRET, body))[0] == 200
        assert a.bot.drain(10) and b_app.assistant_bot.drain(10)
        assert len(a.pipeline.calls) + len(b_app.assistant_bot.pipeline.calls) == 1
        assert len(a.audit.questions()) == 1
    finally:
        b_server.shutdown()
        b_server.server_close()
        b_app.assistant_bot.close()
        b_audit.close()
        a.close()


# -- delivery through Web API failures -------------------------------------------------------------
def test_two_500s_on_post_message_still_deliver_and_audit_after_delivery(h):
    h.fake.script("chat.postMessage", status=500, body={"ok": False, "error": "internal_error"}, times=2)
    ts, _, _ = h.mention("ISF medfinansiering?")
    final = h.final_update(ts)
    assert "Article 12" in text_of(final["blocks"])
    assert h.bot.drain(10)
    assert len(answers_in(h, ts)) == 1
    assert len(h.fake.of("chat.postMessage")) == 3  # two 500s, then the placeholder
    row = h.audit.questions()[0]
    assert row["delivered"] is True and row["error_id"] is None


def test_undeliverable_reply_is_not_audited_as_delivered(h):
    h.bot.outbox.attempts = 3
    ts, _, _ = h.mention("ISF medfinansiering?")
    h.fake.wait_for("chat.postMessage")
    h.fake.script("chat.update", status=500, body={"ok": False}, times=3)
    assert h.bot.drain(10)
    row = h.audit.questions()[0]
    assert row["delivered"] is False and row["error_id"] == "undelivered"


def test_chat_update_500_and_429_still_replace_the_placeholder(h):
    h.fake.script("chat.update", status=500, body={"ok": False, "error": "internal_error"})
    h.fake.script("chat.update", status=429, body={"ok": False, "error": "ratelimited"},
                  headers={"Retry-After": "1"}, times=2)
    ts, _, _ = h.mention("ISF medfinansiering?")
    assert h.bot.drain(15)
    placeholder_ts = h._placeholder_ts(ts)
    updates = h.fake.of("chat.update")
    assert len(updates) == 4 and {u.body["ts"] for u in updates} <= placeholder_ts
    assert "Article 12" in text_of(updates[-1].body["blocks"])
    assert len(h.fake.of("chat.postMessage")) == 1  # no second message beside "Söker…"
    assert h.audit.questions()[0]["delivered"] is True


def test_retry_after_does_not_hold_questions_in_other_channels(h):
    h.fake.script("chat.update", status=429, body={"ok": False, "error": "ratelimited"},
                  headers={"Retry-After": "4"})
    ts1, _, t_first = h.mention("ISF medfinansiering?", channel="C1")
    h.fake.wait_for("chat.update", 1)  # C1's answer got the 429
    t0 = time.perf_counter()
    ts2, _, _ = h.mention("BMVI utrustning?", channel="C2")
    h.final_update(ts2, timeout=3)
    assert time.perf_counter() - t0 < 3
    h.fake.wait_for("chat.update", 3, timeout=10)  # C1's 429, C2's answer, C1's answer
    retried = [c for c in h.fake.of("chat.update") if c.body["ts"] in h._placeholder_ts(ts1)]
    assert len(retried) == 2 and retried[1].t - retried[0].t >= 3.9


def test_busy_and_error_replies_replace_the_placeholder_too(h):
    ts, _, _ = h.mention("Kan du krascha nu?")
    assert h.bot.drain(10)
    [reply] = answers_in(h, ts)
    assert "Något gick fel" in reply["text"] and reply["ts"] in h._placeholder_ts(ts)


# -- votes ---------------------------------------------------------------------------------------
def test_vote_from_a_team_outside_the_allow_list_is_not_stored(tmp_path):
    h = Harness(tmp_path, SLACK_ALLOWED_TEAMS=TEAM)
    try:
        ts, _, _ = h.mention("ISF medfinansiering?")
        final = h.final_update(ts)
        qid = [b for b in final["blocks"] if b["type"] == "actions"][0]["elements"][1]["value"]

        def vote(team: str) -> None:
            payload = {
                "type": "block_actions", "team": {"id": team, "domain": "x"},
                "user": {"id": "U7", "team_id": team}, "api_app_id": "A0FOND", "token": "x",
                "container": {"type": "message", "message_ts": "1.2", "channel_id": "C1"},
                "trigger_id": "1.2.3", "channel": {"id": "C1", "name": "x"},
                "message": {"ts": "1.2", "text": "x"}, "response_url": f"{h.fake.url}/response/fb",
                "actions": [{"action_id": "feedback_wrong", "block_id": "feedback", "value": qid,
                             "type": "button", "action_ts": "1.3"}],
            }
            assert h.form({"payload": json.dumps(payload)})[0] == 200

        vote("TEVIL")
        assert h.bot.drain(10)
        assert h.audit.feedback() == []
        vote(TEAM)
        h.fake.wait_for("response_url")
        assert [v["vote"] for v in h.audit.feedback()] == ["wrong"]
    finally:
        h.close()


# -- Slack markup from documents and model replies -------------------------------------------------
class HostilePipeline(FakePipeline):
    def ask(self, question: str, **kw: Any) -> Any:
        super().ask(question, **kw)
        cites = [
            Citation(1, "evil", "Rutin <!channel> <@U0BOSS>", "Art. 1 <!here>", None,
                     "https://ok.example/a>|<!channel>", "quote", chunk_id="evil#0"),
            Citation(2, "good", "Förordning & bilaga", "Art. 2", None,
                     "https://eur-lex.example/x?a=1&b=2", "quote", chunk_id="good#0"),
            Citation(3, "js", "Länk", "Art. 3", None, "javascript:alert(1)", "q", chunk_id="js#0"),
        ]
        return Answer(question=question, language="sv",
                      text="Svar <!channel> <@U0BOSS> <https://evil.example|https://polisen.se> "
                           "[klicka](https://evil.example|https://polisen.se) [1]",
                      citations=cites, abstained=False, warnings=["Ersatt av <!everyone>"],
                      redacted_question=question)


def test_markup_from_documents_and_replies_is_escaped_in_every_text_field(tmp_path):
    h = Harness(tmp_path)
    h.app.assistant_bot.pipeline = HostilePipeline()
    try:
        ts, _, _ = h.mention("ISF?")
        final = h.final_update(ts)
        assert h.bot.drain(10)
        sent = json.dumps([c.body for c in h.fake.calls], ensure_ascii=False)
        for bad in ("<!channel", "<!here", "<!everyone", "<@U0BOSS", "<https://evil.example",
                    "|https://polisen.se>", "javascript:", "<https://ok.example"):
            assert bad not in sent, bad
        assert "&lt;!channel&gt;" in final["text"]
        assert "<https://eur-lex.example/x?a=1&amp;b=2|" in text_of(final["blocks"])
    finally:
        h.close()


# -- personal data through the bot ---------------------------------------------------------------
def test_issue_forms_never_reach_the_audit_feedback_export_or_thread_history(h, caplog):
    # slack_sdk logs Web API bodies at DEBUG; `assistant serve` keeps it at INFO, like here.
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="assistant")
    qids = []
    for form in ISSUE_FORMS:
        ts, _, _ = h.mention(f"Gäller ISF medfinansiering för {form}?")
        final = h.final_update(ts)
        qids.append([b for b in final["blocks"] if b["type"] == "actions"][0]["elements"][1]["value"])
    for qid in qids:
        h.audit.record_feedback(qid, "wrong", "U1")
    # a follow-up in a thread whose earlier user turn holds personal data
    ts, _, _ = h.mention("ISF medfinansiering?")
    h.final_update(ts)
    h.fake.add_message("C1", ts, "U1", f"Och för {ISSUE_FORMS[0]} och {ISSUE_FORMS[6]}?")
    follow = h.fake.add_message("C1", ts, "U1", "Och BMVI?")
    h.send_event({"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1",
                  "text": "Och BMVI?", "ts": follow, "thread_ts": ts, "event_ts": follow})
    assert h.bot.drain(10)
    history = json.dumps([c["history"] for c in h.pipeline.calls], ensure_ascii=False)
    stored = json.dumps(h.audit.questions() + h.audit.feedback() + h.audit.export_suite_entries(),
                        default=str, ensure_ascii=False)
    for blob in (history, stored, caplog.text):
        for secret in ("811218", "0701164567", "117.45.67", "118 45 67", "anna.svensson"):
            assert secret not in blob, secret
    questions = [r["question_redacted"] for r in h.audit.questions()]
    assert all(not re.search(r"\d", q) for q in questions[: len(ISSUE_FORMS)])
