"""Web API calls sent off the answer workers, each retried on its own schedule: Retry-After for
a 429, exponential backoff with jitter for 5xx and connection errors, at once final otherwise."""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError

logger = logging.getLogger(__name__)

# Web API errors worth another try; anything else (invalid_blocks, channel_not_found, …) is final.
RETRYABLE_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable",
                    "request_timeout"}  # fmt: skip


class DeliveryError(RuntimeError):
    """A response_url (webhook) call that did not return 2xx."""

    def __init__(self, status: int, headers: dict[str, Any] | None = None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.headers = headers or {}


def retry_after(headers: Any) -> float | None:
    """The Retry-After header in seconds (never negative), or None if absent or unreadable."""
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
    backoff: float = min(cap, base * 2**attempt) * (0.75 + random.random() / 2)
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
        after = retry_after(headers)
        return min(cap, after) if after is not None else backoff
    if status is not None and (status >= 500 or status == 200):
        return backoff
    return None


def describe(e: BaseException) -> str:
    """A short description of a failed call for the log (no request or reply bodies)."""
    if isinstance(e, SlackApiError):
        return f"HTTP {e.response.status_code} {e.response.get('error') or ''}".strip()
    return f"{e.__class__.__name__}: {e}"[:200]


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
                        item.label, describe(e), item.attempt + 2, delay,
                    )  # fmt: skip
                    item.attempt += 1
                    item.due = self._clock() + delay
                    with self._cond:
                        heapq.heappush(self._heap, item)
                        self._cond.notify()
                    continue
                logger.error("%s failed for good (%s)", item.label, describe(e))
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
