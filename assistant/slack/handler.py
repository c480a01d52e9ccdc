"""What the Bolt listeners call: Slack events, slash commands and votes in, answers out.

Flow for every question: ack at once → placeholder reply in the thread → the pipeline runs on a
bounded worker pool (streamed tokens update the placeholder at most every ~1.2 s) → `chat.update`
with the answer, sources, warnings and feedback buttons → one row in the audit log.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from .. import privacy
from ..audit import AuditStore, sources_of
from ..config import Settings
from ..documents import Answer
from ..errors import QuestionRejectedError
from ..language import detect_language
from ..texts import kind_of
from ..texts import t as _t
from . import blocks as slack_blocks
from .delivery import Delivery
from .feedback import record_vote
from .job import AskPipeline, Job, Turn
from .limits import BoundedExecutor, ListenerPool, LRUSet, QueueFullError, RateLimiter, Throttled
from .outbox import Outbox

logger = logging.getLogger(__name__)

HISTORY_TURNS = 10

RATE_LIMITED = _t("sv", "slack_rate_limited")
BUSY = _t("sv", "slack_busy")
NOT_ENABLED = _t("sv", "slack_not_enabled")

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def strip_mentions(text: str) -> str:
    return re.sub(r"\s+", " ", _MENTION.sub(" ", text or "")).strip()


class SlackBot:
    """What the listeners call. Holds the pools, the rate limiter and the threads it answered in."""

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
        self.listeners = ListenerPool()  # Bolt runs the listeners here (see build_app)
        self.executor = BoundedExecutor(settings.workers, queue)
        self.threads = LRUSet()  # (channel, thread_ts) the bot answered in
        self.outbox = Outbox()
        self.replies = Delivery(client, audit, self.outbox, self.threads)
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
        job.scan = privacy.scan(job.question, detect_language(job.question))
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
            self.replies.post_placeholder(job)
        try:
            self.executor.submit(self.run, job)
        except QueueFullError:
            logger.warning("answer queue full; turned a question away channel=%s", job.channel)
            self.replies.deliver(job, slack_blocks.notice_blocks(BUSY, ":hourglass:"), BUSY)

    def run(self, job: Job) -> None:
        """Ask the pipeline and hand the result to the outbox. Never raises: the bot keeps serving."""
        try:
            self._run(job)
        except Exception:
            error_id = uuid.uuid4().hex[:10]
            logger.exception("unexpected failure while answering error_id=%s", error_id)
            self.replies.deliver(
                job, slack_blocks.error_blocks(error_id), slack_blocks.error_text(error_id)
            )

    def _run(self, job: Job) -> None:
        assert job.scan is not None
        t0 = time.perf_counter()
        on_token = (
            None if job.respond is not None else Throttled(lambda t: self.replies.interim(job, t))
        )
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
            self.replies.deliver(job, slack_blocks.notice_blocks(str(e), ":warning:"), text)
            return
        except Exception:
            error_id = uuid.uuid4().hex[:10]
            logger.exception("answer failed error_id=%s channel=%s", error_id, job.channel)
            job.qid = self._audit(job, None, (time.perf_counter() - t0) * 1000, error_id)
            self.replies.deliver(
                job, slack_blocks.error_blocks(error_id), slack_blocks.error_text(error_id)
            )
            return
        if job.scan.warning and not any(kind_of(w) == "personal_data" for w in answer.warnings):
            answer.warnings.insert(0, job.scan.warning)
        job.latency_ms = (time.perf_counter() - t0) * 1000
        job.answer = answer
        job.qid = self._audit(job, answer, job.latency_ms, None)
        self.replies.deliver(
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
        """Wait until every event handed to the listeners has been handled, every accepted
        question answered and every reply sent (or given up): True, or False after `timeout`."""
        deadline = time.monotonic() + timeout
        if not self.listeners.wait_idle(timeout):
            return False
        if not self.executor.wait_idle(max(0.0, deadline - time.monotonic())):
            return False
        return self.outbox.drain(max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        self.listeners.shutdown(wait=True)  # a late listener may still hand over a question
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
            self.replies.notify(channel, user, thread_ts, RATE_LIMITED, is_dm)
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
            ack(text=_t("sv", "slack_usage", cmd=self.settings.slack_slash_command))
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
        record_vote(self.audit, self.client, self.allowed, body, action, respond)
