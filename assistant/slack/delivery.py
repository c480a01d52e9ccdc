"""Getting a reply to the asker: the "Söker…" placeholder first, streamed partial answers into
it, then the reply (an edit of the placeholder, a new message, or a response_url post) through
the outbox. The audit row says 'delivered' only once Slack has accepted the reply."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from ..audit import AuditStore
from . import blocks as slack_blocks
from .job import Job
from .limits import LRUSet
from .outbox import DeliveryError, Outbox, describe, retry_delay

logger = logging.getLogger(__name__)

UNDELIVERED_ERROR = "undelivered"


class Delivery:
    """Sends what the bot says to Slack; remembers the threads it answered in."""

    def __init__(
        self, client: WebClient, audit: AuditStore | None, outbox: Outbox, threads: LRUSet
    ) -> None:
        self.client = client
        self.audit = audit
        self.outbox = outbox
        self.threads = threads  # (channel, thread_ts) the bot answered in

    def post_placeholder(self, job: Job) -> None:
        """Queue the placeholder; a reply ready before it has been posted waits for it."""
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

    def interim(self, job: Job, text: str) -> None:
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
                logger.warning("chat.update refused (%s); posting a new message", describe(e))
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
