"""The Slack bot: builds the Bolt app. Listeners stay thin: they check access, call the pipeline
and post Block Kit from `slack_blocks`.

Flow for every question: ack at once → placeholder reply in the thread → the pipeline runs on a
bounded worker pool (streamed tokens update the placeholder at most every ~1.2 s) → `chat.update`
with the answer, sources, warnings and feedback buttons → one row in the audit log.
"""

from __future__ import annotations

import argparse
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any, Protocol
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware.assistant import Assistant
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

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

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        if not self._slots.acquire(blocking=False):
            raise QueueFullError("answer queue is full")
        try:
            fut = self._pool.submit(fn, *args)
        except BaseException:
            self._slots.release()
            raise
        fut.add_done_callback(lambda _f: self._slots.release())
        return fut

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
            try:
                resp = self.client.chat_postMessage(
                    channel=job.channel,
                    thread_ts=job.thread_ts,
                    text=slack_blocks.SEARCHING,
                    blocks=slack_blocks.placeholder_blocks(),
                )
                job.placeholder_ts = resp.get("ts")
                first = time.perf_counter() - job.received
                logger.debug("placeholder posted in %.0f ms", first * 1000)
            except SlackClientError:
                logger.exception("could not post the placeholder channel=%s", job.channel)
        try:
            self.executor.submit(self.run, job)
        except QueueFullError:
            logger.warning("answer queue full; turned a question away channel=%s", job.channel)
            self.deliver(job, slack_blocks.notice_blocks(BUSY, ":hourglass:"), BUSY)

    def run(self, job: Job) -> None:
        """Ask the pipeline and post the result. Never raises: the bot keeps serving."""
        try:
            self._run(job)
        except Exception:
            logger.exception("unexpected failure while delivering an answer")

    def _run(self, job: Job) -> None:
        assert job.scan is not None
        t0 = time.perf_counter()
        on_token = None
        if job.placeholder_ts:
            placeholder_ts = job.placeholder_ts

            def interim(text: str) -> None:
                self.client.chat_update(
                    channel=job.channel,
                    ts=placeholder_ts,
                    text=text,
                    blocks=slack_blocks.streaming_blocks(text),
                )

            on_token = Throttled(interim)
        try:
            answer = self.pipeline.ask(
                job.question,
                history=job.history or None,
                max_classification=job.level,
                on_token=on_token,
            )
        except QuestionRejectedError as e:
            logger.info("question rejected channel=%s: %s", job.channel, e)
            self.deliver(job, slack_blocks.notice_blocks(str(e), ":warning:"), str(e))
            return
        except Exception:
            error_id = uuid.uuid4().hex[:10]
            logger.exception("answer failed error_id=%s channel=%s", error_id, job.channel)
            self._audit(job, None, (time.perf_counter() - t0) * 1000, error_id)
            self.deliver(
                job, slack_blocks.error_blocks(error_id), slack_blocks.error_text(error_id)
            )
            return
        if job.scan.warning and not any("personuppgift" in w.lower() for w in answer.warnings):
            answer.warnings.insert(0, job.scan.warning)
        latency = (time.perf_counter() - t0) * 1000
        qid = self._audit(job, answer, latency, None)
        self.deliver(
            job, slack_blocks.answer_blocks(answer, qid), slack_blocks.fallback_text(answer)
        )
        if job.thread_ts:
            self.threads.add((job.channel, job.thread_ts))
        logger.info(
            "answered question_id=%s channel=%s latency_ms=%.0f citations=%d abstained=%s",
            qid or "-",
            job.channel,
            latency,
            len(answer.citations),
            answer.abstained,
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
            )
        except Exception:
            logger.exception("audit log write failed channel=%s", job.channel)
            return ""

    def deliver(self, job: Job, blocks: list[dict[str, Any]], text: str) -> None:
        if job.respond is not None:
            job.respond(
                text=text,
                blocks=blocks,
                replace_original=False,
                response_type="in_channel" if job.public else "ephemeral",
            )
            return
        if job.placeholder_ts:
            try:
                self.client.chat_update(
                    channel=job.channel, ts=job.placeholder_ts, text=text, blocks=blocks
                )
                return
            except SlackApiError:
                logger.warning("chat.update failed; posting a new message", exc_info=True)
        self.client.chat_postMessage(
            channel=job.channel, thread_ts=job.thread_ts, text=text, blocks=blocks
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

    def close(self) -> None:
        self.executor.shutdown(wait=True)

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
    """Web API client for SLACK_API_URL that retries connection errors and 429s."""
    base = settings.slack_api_url.rstrip("/") + "/"
    return WebClient(
        token=settings.slack_bot_token,
        base_url=base,
        timeout=30,
        retry_handlers=[
            ConnectionErrorRetryHandler(),
            RateLimitErrorRetryHandler(max_retry_count=2),
        ],
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

    @app.middleware
    def drop_retries(req: BoltRequest, resp: BoltResponse, next: Callable[[], None]) -> Any:
        # Slack re-sends an event when our ack was slow; the first delivery is being answered.
        n = retry_num(req)
        if n > 0:
            logger.info("dropped retried delivery retry_num=%d", n)
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


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops connections in a burst (1 s SYN retry)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("http %s", format % args)


def make_http_server(app: App, host: str = "127.0.0.1", port: int = 3000) -> WSGIServer:
    """A threading WSGI server answering POST /slack/events (and GET /healthz)."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    handler = SlackRequestHandler(app)

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        return handler(environ, start_response)

    return make_server(
        host, port, wsgi, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
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
