"""The Slack bot: builds the Bolt app. Listeners stay thin: they check access, call the pipeline
and post Block Kit from `slack_blocks`.

Flow for every question: ack at once → placeholder reply in the thread → the pipeline runs on a
bounded worker pool (streamed tokens update the placeholder at most every ~1.2 s) → `chat.update`
with the answer, sources, warnings and feedback buttons → one row in the audit log.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import hmac
import io
import itertools
import json
import logging
import random
import re
import threading
import time
import uuid
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware.assistant import Assistant
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from . import privacy, slack_blocks
from .audit import AuditStore, sources_of
from .config import Settings
from .documents import Answer
from .errors import ConfigError, QuestionRejectedError

logger = logging.getLogger(__name__)

Turn = tuple[str, str]
STREAM_INTERVAL = 1.2  # seconds between chat.update calls while an answer streams in
HISTORY_TURNS = 10

SUGGESTED_PROMPTS = [
    {
        "title": "Medfinansiering i ISF",
        "message": "Hur stor andel av kostnaderna kan EU stå för i ett ISF-projekt?",
    },
    {
        "title": "BMVI och utrustning",
        "message": "Vilka regler gäller för inköp av utrustning med BMVI-medel?",
    },
    {
        "title": "EUROSUR och NCC",
        "message": "Vad ska det nationella samordningscentret (NCC) göra enligt EUROSUR?",
    },
]
GREETING = (
    "Hej! Jag svarar på frågor om EU-fonderna (ISF, BMVI, AMIF), gränsövervakning och "
    "återvändandearbete och anger vilket dokument och vilken artikel svaret bygger på. "
    "Skriv inte personuppgifter i frågorna."
)
RATE_LIMITED = "Du har ställt många frågor på kort tid. Vänta en minut och försök igen."
BUSY = "Det är många frågor just nu. Försök igen om en liten stund."
NOT_ENABLED = "Fondassistenten är inte aktiverad i den här kanalen."
UNDELIVERED_ERROR = "undelivered"
USAGE = "Skriv din fråga efter kommandot, t.ex. `{cmd} Hur hög är medfinansieringen i BMVI?` (börja med `visa` för att svaret ska synas för alla i kanalen)."


class AskPipeline(Protocol):
    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] | None = None,
        max_classification: str = "public",
        on_token: Callable[[str], None] | None = None,
    ) -> Answer: ...


# -- small building blocks ---------------------------------------------------------------------
class QueueFullError(RuntimeError):
    pass


class BoundedExecutor:
    """A thread pool whose queue holds at most `queue_size` waiting jobs; beyond that, refuse."""

    def __init__(self, workers: int, queue_size: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answer")
        self._slots = threading.BoundedSemaphore(workers + queue_size)
        self._active = 0
        self._count_lock = threading.Condition()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        if not self._slots.acquire(blocking=False):
            raise QueueFullError("answer queue is full")
        with self._count_lock:
            self._active += 1
        try:
            fut = self._pool.submit(fn, *args)
        except BaseException:
            self._done()
            raise
        fut.add_done_callback(lambda _f: self._done())
        return fut

    def _done(self) -> None:
        with self._count_lock:
            self._active -= 1
            self._count_lock.notify_all()
        self._slots.release()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is queued or running (True), or `timeout` seconds (False)."""
        with self._count_lock:
            return self._count_lock.wait_for(lambda: self._active == 0, timeout)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


class RateLimiter:
    """At most `per_minute` questions per key in any 60-second window."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            hits = self._hits[key]
            while hits and now - hits[0] >= 60.0:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return False
            hits.append(now)
            return True


class Throttled:
    """Collects streamed tokens and calls `send(text_so_far)` at most once per `interval`."""

    def __init__(
        self,
        send: Callable[[str], None],
        interval: float = STREAM_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._interval = interval
        self._clock = clock
        self._parts: list[str] = []
        self._last = clock()
        self.sent = 0

    def __call__(self, token: str) -> None:
        self._parts.append(token)
        now = self._clock()
        if now - self._last >= self._interval:
            self._last = now
            self.sent += 1
            try:
                self._send("".join(self._parts))
            except Exception:  # a failed interim update must not lose the answer
                logger.warning("interim update failed", exc_info=True)


class LRUSet:
    def __init__(self, size: int = 5000) -> None:
        self._d: OrderedDict[Any, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def add(self, key: Any) -> None:
        with self._lock:
            self._d[key] = None
            self._d.move_to_end(key)
            while len(self._d) > self._size:
                self._d.popitem(last=False)

    def __contains__(self, key: Any) -> bool:
        with self._lock:
            return key in self._d


# -- delivery ------------------------------------------------------------------------------------
# Web API errors worth another try; anything else (invalid_blocks, channel_not_found, …) is final.
RETRYABLE_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                    "request_timeout"}  # fmt: skip


class DeliveryError(RuntimeError):
    """A response_url (webhook) call that did not return 2xx."""

    def __init__(self, status: int, headers: dict[str, Any] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.headers = headers or {}


def _retry_after(headers: Any) -> float | None:
    for k, v in dict(headers or {}).items():
        if str(k).lower() == "retry-after":
            value = v[0] if isinstance(v, list | tuple) else v
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None


def retry_delay(exc: BaseException, attempt: int, base: float, cap: float) -> float | None:
    """Seconds to wait before the next try of a failed Web API call, or None if it is final.

    429 → its Retry-After; 5xx, retryable Slack errors and connection problems → exponential
    backoff with jitter (base · 2^attempt, at most `cap`)."""
    backoff = min(cap, base * 2**attempt) * (0.75 + random.random() / 2)
    status: int | None = None
    headers: Any = None
    if isinstance(exc, SlackApiError):
        status, headers = exc.response.status_code, exc.response.headers
        if status == 200 and exc.response.get("error") not in RETRYABLE_ERRORS:
            return None
    elif isinstance(exc, DeliveryError):
        status, headers = exc.status, exc.headers
    elif isinstance(exc, SlackClientError | OSError | TimeoutError):
        return backoff  # the connection failed or timed out
    else:
        return None
    if status == 429:
        after = _retry_after(headers)
        return min(cap, after) if after is not None else backoff
    if status is not None and (status >= 500 or status == 200):
        return backoff
    return None


@dataclass(order=True)
class _Send:
    due: float
    seq: int
    label: str = field(compare=False)
    send: Callable[[], Any] = field(compare=False)
    on_success: Callable[[Any], None] | None = field(compare=False, default=None)
    on_failure: Callable[[BaseException], None] | None = field(compare=False, default=None)
    attempt: int = field(compare=False, default=0)


class Outbox:
    """Sends Web API calls on its own threads, off the answer workers.

    A failed call is put back with its due time (Retry-After for 429, exponential backoff for
    5xx and connection errors) instead of sleeping: other calls go on meanwhile. After
    `attempts` tries, or at once for a permanent error, `on_failure` gets the exception."""

    def __init__(
        self,
        threads: int = 4,
        attempts: int = 6,
        base_delay: float = 0.5,
        max_delay: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._clock = clock
        self._heap: list[_Send] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._pending = 0
        self._closed = False
        self._threads = [
            threading.Thread(target=self._loop, name=f"outbox-{i}", daemon=True)
            for i in range(threads)
        ]
        for t in self._threads:
            t.start()

    def put(
        self,
        label: str,
        send: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        item = _Send(self._clock(), next(self._seq), label, send, on_success, on_failure)
        with self._cond:
            self._pending += 1
            heapq.heappush(self._heap, item)
            self._cond.notify()

    @property
    def pending(self) -> int:
        with self._cond:
            return self._pending

    def drain(self, timeout: float) -> bool:
        """Wait until nothing is queued, waiting for a retry or being sent (True), or timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self, timeout: float = 10.0) -> None:
        self.drain(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _next(self) -> _Send | None:
        with self._cond:
            while True:
                if self._closed:
                    return None
                now = self._clock()
                if self._heap and self._heap[0].due <= now:
                    return heapq.heappop(self._heap)
                wait = self._heap[0].due - now if self._heap else None
                self._cond.wait(wait)

    def _loop(self) -> None:
        while (item := self._next()) is not None:
            try:
                result = item.send()
            except Exception as e:
                delay = retry_delay(e, item.attempt, self.base_delay, self.max_delay)
                if delay is not None and item.attempt + 1 < self.attempts:
                    logger.warning(
                        "%s failed (%s); try %d in %.1f s",
                        item.label, _describe(e), item.attempt + 2, delay,
                    )  # fmt: skip
                    item.attempt += 1
                    item.due = self._clock() + delay
                    with self._cond:
                        heapq.heappush(self._heap, item)
                        self._cond.notify()
                    continue
                logger.error("%s failed for good (%s)", item.label, _describe(e))
                self._finish(item.on_failure, e)
            else:
                self._finish(item.on_success, result)

    def _finish(self, callback: Callable[[Any], None] | None, value: Any) -> None:
        try:
            if callback is not None:
                callback(value)
        except Exception:
            logger.exception("delivery callback failed")
        finally:
            with self._cond:
                self._pending -= 1
                self._cond.notify_all()


def _describe(e: BaseException) -> str:
    if isinstance(e, SlackApiError):
        return f"HTTP {e.response.status_code} {e.response.get('error') or ''}".strip()
    return f"{e.__class__.__name__}: {e}"[:200]


_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def strip_mentions(text: str) -> str:
    return re.sub(r"\s+", " ", _MENTION.sub(" ", text or "")).strip()


def retry_num(req: BoltRequest) -> int:
    values = req.headers.get("x-slack-retry-num") or ["0"]
    try:
        return int(values[0])
    except (TypeError, ValueError):
        return 0


@dataclass
class Job:
    question: str
    channel: str
    user: str
    team: str | None
    level: str
    thread_ts: str | None = None  # reply here; None with `respond` (slash command)
    history: list[Turn] = field(default_factory=list)
    respond: Callable[..., Any] | None = None
    public: bool = False
    received: float = field(default_factory=time.perf_counter)
    placeholder_ts: str | None = None
    scan: privacy.PrivacyResult | None = None
    # delivery state: the placeholder is None (slash command), "pending", "posted" or "failed";
    # a reply ready before the placeholder waits in `waiting`.
    placeholder: str | None = None
    waiting: tuple[list[dict[str, Any]], str] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    qid: str = ""
    answer: Answer | None = None
    latency_ms: float = 0.0
    interim_until: float = 0.0


# -- the bot -------------------------------------------------------------------------------------
class SlackBot:
    """What the listeners call. Holds the pool, the rate limiter and the threads it answered in."""

    def __init__(
        self,
        settings: Settings,
        pipeline: AskPipeline,
        audit: AuditStore | None,
        client: WebClient,
        bot_user_id: str,
        bot_id: str | None,
    ) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.audit = audit
        self.client = client
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        queue = settings.queue_size
        self.executor = BoundedExecutor(settings.workers, queue)
        self.threads = LRUSet()  # (channel, thread_ts) the bot answered in
        self.outbox = Outbox()
        self._seen_events = LRUSet(20000)  # event ids, when there is no audit database
        self._seen_lock = threading.Lock()
        self.levels = settings.channel_levels()

    # access ------------------------------------------------------------------------------------
    def allowed(self, team: str | None, channel: str | None, is_dm: bool) -> bool:
        teams = self.settings.allowed_teams()
        if teams and team not in teams:
            return False
        channels = self.settings.allowed_channels()
        return is_dm or not channels or channel in channels

    def level(self, channel: str, is_dm: bool) -> str:
        if channel in self.levels:
            return self.levels[channel]
        return (
            self.settings.slack_dm_classification
            if is_dm
            else self.settings.slack_default_classification
        )

    def user_ref(self, user: str | None) -> str:
        h = self.audit.user_hash(user) if self.audit else None
        return (h or "-")[:12]

    # thread history ----------------------------------------------------------------------------
    def thread_history(
        self, channel: str, thread_ts: str, current_ts: str | None
    ) -> tuple[bool, list[Turn]]:
        """(bot took part, earlier turns) from conversations.replies; user turns are redacted."""
        try:
            resp = self.client.conversations_replies(channel=channel, ts=thread_ts, limit=50)
        except SlackClientError:
            logger.warning("conversations.replies failed channel=%s", channel, exc_info=True)
            return (channel, thread_ts) in self.threads, []
        took_part = False
        turns: list[Turn] = []
        for m in resp.get("messages") or []:
            if m.get("ts") == current_ts:
                continue
            mine = m.get("user") == self.bot_user_id or (
                self.bot_id and m.get("bot_id") == self.bot_id
            )
            if mine:
                took_part = True
                text = m.get("text") or ""
                if text.startswith(slack_blocks.SEARCHING):
                    continue
                turns.append(("assistant", text))
            elif not m.get("bot_id") and not m.get("subtype"):
                text = privacy.redact(strip_mentions(m.get("text") or ""))
                if text:
                    turns.append(("user", text))
        return took_part, turns[-HISTORY_TURNS:]

    # questions ---------------------------------------------------------------------------------
    def check_rate(self, team: str | None, user: str) -> bool:
        ok = self.limiter.allow(f"{team}:{user}")
        if not ok:
            logger.info("rate limited user=%s", self.user_ref(user))
        return ok

    def start(self, job: Job) -> None:
        """Placeholder now, answer later on the pool. Runs on Bolt's listener thread."""
        job.scan = privacy.scan(job.question)
        logger.info(
            "question channel=%s user=%s level=%s chars=%d personal_data=%s history=%d",
            job.channel,
            self.user_ref(job.user),
            job.level,
            len(job.question),
            ",".join(job.scan.kinds) or "none",
            len(job.history),
        )
        if job.respond is None:
            job.placeholder = "pending"
            self.outbox.put(
                f"placeholder channel={job.channel}",
                lambda: self.client.chat_postMessage(
                    channel=job.channel,
                    thread_ts=job.thread_ts,
                    text=slack_blocks.SEARCHING,
                    blocks=slack_blocks.placeholder_blocks(),
                ),
                on_success=lambda resp: self._placeholder_done(job, resp.get("ts")),
                on_failure=lambda _e: self._placeholder_done(job, None),
            )
        try:
            self.executor.submit(self.run, job)
        except QueueFullError:
            logger.warning("answer queue full; turned a question away channel=%s", job.channel)
            self.deliver(job, slack_blocks.notice_blocks(BUSY, ":hourglass:"), BUSY)

    def _placeholder_done(self, job: Job, ts: str | None) -> None:
        with job.lock:
            job.placeholder_ts = ts
            job.placeholder = "posted" if ts else "failed"
            waiting, job.waiting = job.waiting, None
        if ts:
            logger.debug(
                "placeholder posted in %.0f ms", (time.perf_counter() - job.received) * 1000
            )
        if waiting is not None:
            self._send_reply(job, *waiting)

    def run(self, job: Job) -> None:
        """Ask the pipeline and hand the result to the outbox. Never raises: the bot keeps serving."""
        try:
            self._run(job)
        except Exception:
            error_id = uuid.uuid4().hex[:10]
            logger.exception("unexpected failure while answering error_id=%s", error_id)
            self.deliver(
                job, slack_blocks.error_blocks(error_id), slack_blocks.error_text(error_id)
            )

    def _interim(self, job: Job, text: str) -> None:
        """A streamed partial answer into the placeholder: best effort, never waits."""
        if not job.placeholder_ts or time.monotonic() < job.interim_until:
            return
        try:
            self.client.chat_update(
                channel=job.channel,
                ts=job.placeholder_ts,
                text=slack_blocks.escape(text),
                blocks=slack_blocks.streaming_blocks(text),
            )
        except SlackApiError as e:
            delay = retry_delay(e, 0, 1.0, 60.0)
            job.interim_until = time.monotonic() + (delay if delay is not None else 60.0)
            raise

    def _run(self, job: Job) -> None:
        assert job.scan is not None
        t0 = time.perf_counter()
        on_token = None if job.respond is not None else Throttled(lambda t: self._interim(job, t))
        try:
            answer = self.pipeline.ask(
                job.question,
                history=job.history or None,
                max_classification=job.level,
                on_token=on_token,
            )
        except QuestionRejectedError as e:
            logger.info("question rejected channel=%s: %s", job.channel, e)
            text = slack_blocks.escape(str(e))
            self.deliver(job, slack_blocks.notice_blocks(str(e), ":warning:"), text)
            return
        except Exception:
            error_id = uuid.uuid4().hex[:10]
            logger.exception("answer failed error_id=%s channel=%s", error_id, job.channel)
            job.qid = self._audit(job, None, (time.perf_counter() - t0) * 1000, error_id)
            self.deliver(
                job, slack_blocks.error_blocks(error_id), slack_blocks.error_text(error_id)
            )
            return
        if job.scan.warning and not any(
            "personuppgift" in w.lower() or "personal data" in w.lower() for w in answer.warnings
        ):
            answer.warnings.insert(0, job.scan.warning)
        job.latency_ms = (time.perf_counter() - t0) * 1000
        job.answer = answer
        job.qid = self._audit(job, answer, job.latency_ms, None)
        self.deliver(
            job, slack_blocks.answer_blocks(answer, job.qid), slack_blocks.fallback_text(answer)
        )

    def _audit(
        self, job: Job, answer: Answer | None, latency_ms: float, error_id: str | None
    ) -> str:
        if self.audit is None:
            return ""
        assert job.scan is not None
        try:
            return self.audit.record_question(
                question_redacted=job.scan.redacted,
                answer_text=answer.text if answer else "",
                sources=sources_of(answer.citations) if answer else [],
                team=job.team,
                channel=job.channel,
                user=job.user,
                mode=answer.mode if answer else None,
                abstained=answer.abstained if answer else False,
                latency_ms=latency_ms,
                error_id=error_id,
                delivered=False,
            )
        except Exception:
            logger.exception("audit log write failed channel=%s", job.channel)
            return ""

    def deliver(self, job: Job, blocks: list[dict[str, Any]], text: str) -> None:
        """Hand the reply to the outbox, after the placeholder has been posted (or given up)."""
        with job.lock:
            if job.placeholder == "pending":
                job.waiting = (blocks, text)
                return
        self._send_reply(job, blocks, text)

    def _send_reply(self, job: Job, blocks: list[dict[str, Any]], text: str) -> None:
        def send() -> Any:
            if job.respond is not None:
                resp = job.respond(
                    text=text,
                    blocks=blocks,
                    replace_original=False,
                    response_type="in_channel" if job.public else "ephemeral",
                )
                status = getattr(resp, "status_code", 200)
                if not 200 <= status < 300:
                    raise DeliveryError(status, getattr(resp, "headers", None))
                return resp
            if job.placeholder_ts:
                return self.client.chat_update(
                    channel=job.channel, ts=job.placeholder_ts, text=text, blocks=blocks
                )
            return self.client.chat_postMessage(
                channel=job.channel, thread_ts=job.thread_ts, text=text, blocks=blocks
            )

        def failed(e: BaseException) -> None:
            permanent = retry_delay(e, 0, 1.0, 1.0) is None
            if (
                permanent
                and isinstance(e, SlackApiError)
                and job.placeholder_ts
                and not job.respond
            ):
                # The placeholder is gone or cannot be edited (a final error, not an outage):
                # the reply goes out as a new message instead.
                logger.warning("chat.update refused (%s); posting a new message", _describe(e))
                job.placeholder_ts = None
                self._send_reply(job, blocks, text)
                return
            self._delivered(job, False)

        self.outbox.put(
            f"reply channel={job.channel}",
            send,
            on_success=lambda _r: self._delivered(job, True),
            on_failure=failed,
        )

    def _delivered(self, job: Job, ok: bool) -> None:
        """The audit row says 'delivered' only once Slack has accepted the reply."""
        if self.audit is not None and job.qid:
            try:
                self.audit.mark_delivered(job.qid, ok, None if ok else UNDELIVERED_ERROR)
            except Exception:
                logger.exception("audit log update failed question_id=%s", job.qid)
        if not ok:
            logger.error(
                "reply not delivered question_id=%s channel=%s", job.qid or "-", job.channel
            )
            return
        if job.thread_ts:
            self.threads.add((job.channel, job.thread_ts))
        if job.answer is not None:
            logger.info(
                "answered question_id=%s channel=%s latency_ms=%.0f citations=%d abstained=%s",
                job.qid or "-",
                job.channel,
                job.latency_ms,
                len(job.answer.citations),
                job.answer.abstained,
            )

    def notify(
        self, channel: str, user: str, thread_ts: str | None, text: str, is_dm: bool
    ) -> None:
        """A short notice only the asker sees (in DMs a normal reply)."""
        blocks = slack_blocks.notice_blocks(text)
        try:
            if is_dm:
                self.client.chat_postMessage(
                    channel=channel, thread_ts=thread_ts, text=text, blocks=blocks
                )
            else:
                self.client.chat_postEphemeral(
                    channel=channel, user=user, thread_ts=thread_ts, text=text, blocks=blocks
                )
        except SlackClientError:
            logger.warning("could not post a notice channel=%s", channel, exc_info=True)

    def claim_event(self, event_id: str) -> bool:
        """True the first time any replica sees this Slack event id (the audit database decides)."""
        if self.audit is not None:
            try:
                return self.audit.claim_event(event_id)
            except Exception:
                logger.exception("event id check failed; answering event_id=%s", event_id)
                return True
        with self._seen_lock:
            if event_id in self._seen_events:
                return False
            self._seen_events.add(event_id)
            return True

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every accepted question has been answered and its reply sent."""
        deadline = time.monotonic() + timeout
        if not self.executor.wait_idle(timeout):
            return False
        return self.outbox.drain(max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.outbox.close()

    # listeners ---------------------------------------------------------------------------------
    def on_mention(self, event: dict[str, Any], team: str | None) -> None:
        channel = event.get("channel", "")
        if channel.startswith("D") or event.get("bot_id") or event.get("subtype"):
            return  # DMs arrive as message events; answering both would answer twice
        self._question_event(event, team, is_dm=False, follow_up_only=False)

    def on_message(self, event: dict[str, Any], team: str | None) -> None:
        if (
            event.get("subtype")
            or event.get("bot_id")
            or event.get("user") in (None, self.bot_user_id)
        ):
            return  # edits, deletions, joins, bots and our own messages
        if event.get("channel_type") == "im":
            self._question_event(event, team, is_dm=True, follow_up_only=False)
            return
        if not event.get("thread_ts") or f"<@{self.bot_user_id}" in (event.get("text") or ""):
            return  # top-level chatter, or a mention that app_mention handles
        self._question_event(event, team, is_dm=False, follow_up_only=True)

    def _question_event(
        self, event: dict[str, Any], team: str | None, *, is_dm: bool, follow_up_only: bool
    ) -> None:
        channel = event.get("channel", "")
        user = event.get("user", "")
        if not self.allowed(team, channel, is_dm):
            logger.info("ignored: not enabled team=%s channel=%s", team, channel)
            return
        parent = event.get("thread_ts")
        thread_ts = parent or event.get("ts")
        history: list[Turn] = []
        if parent:
            took_part, history = self.thread_history(channel, parent, event.get("ts"))
            took_part = took_part or (channel, parent) in self.threads
            if follow_up_only and not took_part:
                return
        question = strip_mentions(event.get("text") or "")
        if not self.check_rate(team, user):
            self.notify(channel, user, thread_ts, RATE_LIMITED, is_dm)
            return
        self.start(
            Job(
                question=question,
                channel=channel,
                user=user,
                team=team,
                level=self.level(channel, is_dm),
                thread_ts=thread_ts,
                history=history,
            )
        )

    def on_slash(
        self, ack: Callable[..., Any], command: dict[str, Any], respond: Callable[..., Any]
    ) -> None:
        text = (command.get("text") or "").strip()
        public = False
        first, _, rest = text.partition(" ")
        if first.lower() in ("visa", "public"):
            public, text = True, rest.strip()
        channel = command.get("channel_id", "")
        user = command.get("user_id", "")
        team = command.get("team_id")
        is_dm = channel.startswith("D") or command.get("channel_name") == "directmessage"
        if not self.allowed(team, channel, is_dm):
            ack(text=NOT_ENABLED)
            return
        if not text:
            ack(text=USAGE.format(cmd=self.settings.slack_slash_command))
            return
        if not self.check_rate(team, user):
            ack(text=RATE_LIMITED)
            return
        ack(text=slack_blocks.SEARCHING, blocks=slack_blocks.placeholder_blocks())
        self.start(
            Job(
                question=text,
                channel=channel,
                user=user,
                team=team,
                level=self.level(channel, is_dm),
                respond=respond,
                public=public,
            )
        )

    def on_feedback(
        self, body: dict[str, Any], action: dict[str, Any], respond: Callable[..., Any]
    ) -> None:
        vote = slack_blocks.VOTES[action["action_id"]]
        user = (body.get("user") or {}).get("id")
        team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
        channel = str((body.get("channel") or {}).get("id") or "")
        if not self.allowed(team, channel, channel.startswith("D")):
            logger.info("ignored feedback: not enabled team=%s channel=%s", team, channel)
            return
        try:
            if self.audit is None:
                raise RuntimeError("no audit store")
            self.audit.record_feedback(action.get("value", ""), vote, user)
            text = slack_blocks.thanks_text(vote)
            logger.info("feedback vote=%s question_id=%s", vote, action.get("value"))
        except Exception:
            logger.exception("could not store feedback")
            text = "Återkopplingen kunde inte sparas. Försök igen senare."
        self._ephemeral_reply(body, respond, text)

    def _ephemeral_reply(
        self, body: dict[str, Any], respond: Callable[..., Any], text: str
    ) -> None:
        try:
            if body.get("response_url"):
                respond(text=text, response_type="ephemeral", replace_original=False)
            else:
                channel = str((body.get("channel") or {}).get("id") or "")
                user = str((body.get("user") or {}).get("id") or "")
                self.client.chat_postEphemeral(channel=channel, user=user, text=text)
        except Exception:
            logger.warning("could not thank for feedback", exc_info=True)


# -- wiring --------------------------------------------------------------------------------------
def make_client(settings: Settings) -> WebClient:
    """Web API client for SLACK_API_URL. It never sleeps on a 429's Retry-After: replies go
    through the bot's Outbox, which schedules the next try and keeps the workers free."""
    base = settings.slack_api_url.rstrip("/") + "/"
    return WebClient(
        token=settings.slack_bot_token,
        base_url=base,
        timeout=15,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def check_bot_token(settings: Settings) -> None:
    token = settings.slack_bot_token
    if not token:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: install the app from slack-manifest.yaml at "
            "api.slack.com/apps → OAuth & Permissions → Bot User OAuth Token (xoxb-…), "
            "and put it in .env"
        )
    if not token.startswith("xoxb-"):
        raise ConfigError(
            "SLACK_BOT_TOKEN must be the Bot User OAuth Token (starts with xoxb-): copy it from "
            "api.slack.com/apps → OAuth & Permissions"
        )


def authenticate(client: WebClient) -> dict[str, Any]:
    """auth.test: the bot's user id and bot id, or a ConfigError that says how to fix the token."""
    try:
        return dict(client.auth_test().data)  # type: ignore[arg-type]
    except SlackApiError as e:
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({e.response.get('error')}): reinstall the app at "
            "api.slack.com/apps and copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions"
        ) from None
    except (SlackClientError, OSError) as e:
        raise ConfigError(
            f"cannot reach the Slack Web API at {client.base_url} ({e}): check SLACK_API_URL "
            "and the network"
        ) from None


def build_app(
    settings: Settings,
    pipeline: AskPipeline,
    audit: AuditStore | None,
    client: WebClient | None = None,
    *,
    verify_requests: bool | None = None,
) -> App:
    """The Bolt app with every listener registered. Calls auth.test once (ConfigError if refused).

    Request signatures are checked whenever SLACK_SIGNING_SECRET is set (always for --http).
    """
    check_bot_token(settings)
    client = client or make_client(settings)
    auth = authenticate(client)
    if verify_requests is None:
        verify_requests = bool(settings.slack_signing_secret)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=verify_requests,
        token_verification_enabled=False,
        logger=logging.getLogger("assistant.bot.bolt"),
    )
    bot = SlackBot(settings, pipeline, audit, client, auth["user_id"], auth.get("bot_id"))
    app.assistant_bot = bot  # type: ignore[attr-defined]  # tests and serve_command close it
    # The HTTP front checks signatures itself, before any body is parsed or logged.
    app.assistant_signing_secret = settings.slack_signing_secret if verify_requests else ""  # type: ignore[attr-defined]

    # Bolt logs the whole body of a request whose signature fails (at INFO): never let it.
    logging.getLogger("slack_bolt.RequestVerification").addFilter(_no_request_bodies)

    @app.middleware
    def drop_duplicates(req: BoltRequest, resp: BoltResponse, next: Callable[[], None]) -> Any:
        # Slack re-sends an event when an ack was slow or lost, and may deliver one twice: the
        # event id decides, so a retry whose first delivery never arrived is still answered.
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if event_id and not bot.claim_event(str(event_id)):
            logger.info(
                "dropped duplicate delivery event_id=%s retry_num=%d", event_id, retry_num(req)
            )
            return BoltResponse(status=200, body="")
        next()

    assistant = Assistant(logger=logging.getLogger("assistant.bot.bolt"))

    @assistant.thread_started
    def thread_started(say: Any, set_suggested_prompts: Any) -> None:
        say(GREETING)
        set_suggested_prompts(prompts=SUGGESTED_PROMPTS, title="Exempel på frågor")

    @assistant.user_message
    def assistant_message(payload: dict[str, Any], set_status: Any, context: Any) -> None:
        try:
            set_status(slack_blocks.SEARCHING)
        except SlackClientError:
            logger.debug("assistant.threads.setStatus failed", exc_info=True)
        bot.on_message(payload, context.team_id)

    app.use(assistant)

    @app.event("app_mention")
    def app_mention(event: dict[str, Any], context: Any) -> None:
        bot.on_mention(event, context.team_id)

    @app.event("message")
    def message(event: dict[str, Any], context: Any) -> None:
        bot.on_message(event, context.team_id)

    @app.command(settings.slack_slash_command)
    def slash(ack: Any, command: dict[str, Any], respond: Any) -> None:
        bot.on_slash(ack, command, respond)

    @app.action(re.compile(r"^feedback_(useful|wrong|wrong_source)$"))
    def feedback(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        ack()
        bot.on_feedback(body, action, respond)

    return app


BODY_LIMIT = 1024 * 1024  # bytes; Slack's payloads are a few kB
READ_TIMEOUT = 10  # seconds a connection may sit idle (e.g. stalled after its headers)


def _no_request_bodies(record: logging.LogRecord) -> bool:
    """Logging filter: drop Bolt's 'Invalid request signature … body: …' lines."""
    return "body:" not in record.getMessage()


def signature_ok(secret: str, raw: bytes, timestamp: str, signature: str) -> bool:
    """Slack's v0 request signature over the raw bytes (any bytes, UTF-8 or not), at most five
    minutes old."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    if age > 300:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def _plain(start_response: Any, status: str, text: str) -> list[bytes]:
    data = text.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


def _well_formed(body: str, content_type: str) -> bool:
    """An Events API / interactivity body Bolt can parse: a JSON object, or a form whose
    `payload` (if any) is a JSON object."""
    try:
        if "json" in content_type or body.lstrip().startswith("{"):
            return isinstance(json.loads(body), dict)
        form = parse_qs(body, keep_blank_values=True, strict_parsing=bool(body))
        if "payload" in form:
            return isinstance(json.loads(form["payload"][0]), dict)
        return True
    except ValueError:
        return False


def make_wsgi_app(app: App, *, body_limit: int = BODY_LIMIT, verify: bool = True) -> Any:
    """POST /slack/events and GET /healthz. Oversized bodies get 413, bad signatures 401 (the
    body is never logged), and bodies that are not UTF-8 or not a JSON object 400."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    handler = SlackRequestHandler(app)
    secret = getattr(app, "assistant_signing_secret", "") or ""
    check = verify and bool(secret)

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz":
            return _plain(start_response, "200 OK", "ok")
        if path != "/slack/events" or method != "POST":
            return _plain(start_response, "404 Not Found", "not found")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain(start_response, "400 Bad Request", "bad Content-Length")
        if length > body_limit:
            return _plain(start_response, "413 Payload Too Large", "body too large")
        raw: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
        if check:
            ts = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
            sig = environ.get("HTTP_X_SLACK_SIGNATURE", "")
            if not signature_ok(secret, raw, ts, sig):
                logger.info("refused a request with a bad or stale signature (%d bytes)", len(raw))
                return _plain(start_response, "401 Unauthorized", "invalid request")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _plain(start_response, "400 Bad Request", "body is not UTF-8")
        if not _well_formed(body, (environ.get("CONTENT_TYPE") or "").lower()):
            return _plain(start_response, "400 Bad Request", "malformed body")
        environ = dict(environ, **{"wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw))})
        try:
            return handler(environ, start_response)
        except Exception as e:
            logger.error("request failed: %s", e.__class__.__name__)
            return _plain(start_response, "500 Internal Server Error", "error")

    return wsgi


class HttpServer:
    """waitress serving the Bolt app: a body limit, an idle timeout per connection (so stalled
    clients cannot pile up), a bounded number of connections, and no tracebacks in replies."""

    def __init__(
        self,
        wsgi: Any,
        host: str,
        port: int,
        *,
        body_limit: int = BODY_LIMIT,
        read_timeout: int = READ_TIMEOUT,
        threads: int = 8,
        connection_limit: int = 500,
    ) -> None:
        from waitress import wasyncore
        from waitress.server import create_server

        self._wasyncore = wasyncore
        self._map: dict[int, Any] = {}
        self._server = create_server(
            wsgi,
            map=self._map,
            host=host,
            port=port,
            threads=threads,
            max_request_body_size=body_limit,
            channel_timeout=read_timeout,
            cleanup_interval=max(1, read_timeout // 2),
            connection_limit=connection_limit,
            expose_tracebacks=False,
            ident="fondassistenten",
            asyncore_loop_timeout=1,
        )
        self.server_port: int = self._server.effective_port
        self._stop = threading.Event()
        self._stopped = threading.Event()

    def serve_forever(self) -> None:
        try:
            while not self._stop.is_set():
                self._wasyncore.loop(timeout=0.2, map=self._map, use_poll=True, count=1)
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        self._stop.set()
        self._stopped.wait(5)

    def server_close(self) -> None:
        self._server.task_dispatcher.shutdown()
        self._wasyncore.close_all(self._map)


def make_http_server(
    app: App,
    host: str = "127.0.0.1",
    port: int = 3000,
    *,
    body_limit: int = BODY_LIMIT,
    read_timeout: int = READ_TIMEOUT,
) -> HttpServer:
    """A production WSGI server (waitress) answering POST /slack/events and GET /healthz."""
    return HttpServer(
        make_wsgi_app(app, body_limit=body_limit),
        host,
        port,
        body_limit=body_limit,
        read_timeout=read_timeout,
    )


def serve_command(args: argparse.Namespace, settings: Settings) -> int:
    """`assistant serve [--http --port N --host H]`."""
    http = bool(getattr(args, "http", False))
    check_bot_token(settings)
    if http and not settings.slack_signing_secret:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: copy it from api.slack.com/apps → Basic Information "
            "→ App Credentials → Signing Secret, or run without --http (Socket Mode)"
        )
    if not http:
        token = settings.slack_app_token
        if not token:
            raise ConfigError(
                "SLACK_APP_TOKEN is not set: create an app-level token with connections:write, "
                "or run with --http (api.slack.com/apps → Basic Information → App-Level Tokens)"
            )
        if not token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_APP_TOKEN must be an app-level token (starts with xapp-) with "
                "connections:write, or run with --http"
            )
    # Bolt and slack_sdk log request bodies at DEBUG; bodies hold raw questions.
    for name in ("slack_bolt", "slack_sdk", "assistant.bot.bolt"):
        lg = logging.getLogger(name)
        lg.setLevel(max(lg.getEffectiveLevel(), logging.INFO))

    client = make_client(settings)
    authenticate(client)  # fail fast, before the pipeline loads its models
    from .pipeline import Pipeline

    audit = AuditStore(settings.db_url)
    pipeline = Pipeline(settings)
    # Load the model and the indexes now: the first question should not wait for them, and a
    # store that cannot be opened should stop start-up with its message, not fail per question.
    pipeline.warm()
    app = build_app(settings, pipeline, audit, client, verify_requests=http)
    bot: SlackBot = app.assistant_bot  # type: ignore[attr-defined]
    try:
        if http:
            server = make_http_server(app, args.host, args.port)
            logger.info(
                "serving Slack events on http://%s:%d/slack/events", args.host, server.server_port
            )
            try:
                server.serve_forever()
            finally:
                server.server_close()
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(app, settings.slack_app_token)
            try:
                handler.connect()
            except SlackApiError as e:
                raise ConfigError(
                    f"Slack refused SLACK_APP_TOKEN ({e.response.get('error')}): create an "
                    "app-level token with connections:write, or run with --http"
                ) from None
            logger.info("connected to Slack in Socket Mode")
            threading.Event().wait()
    finally:
        bot.close()
        audit.close()
    return 0
