"""Bounds on the bot's work: worker pools that can say when they are idle, a per-user rate limit,
a throttle for streamed tokens and a bounded set of recently seen keys."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

logger = logging.getLogger(__name__)

STREAM_INTERVAL = 1.2  # seconds between chat.update calls while an answer streams in

P = ParamSpec("P")
T = TypeVar("T")


class QueueFullError(RuntimeError):
    pass


class InFlight:
    """Counts jobs that were handed over and have not finished; waits for the count to be 0."""

    def __init__(self) -> None:
        self._active = 0
        self._cond = threading.Condition()

    def enter(self) -> None:
        with self._cond:
            self._active += 1

    def leave(self) -> None:
        with self._cond:
            self._active -= 1
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is in flight (True), or `timeout` seconds (False)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._active == 0, timeout)


class BoundedExecutor:
    """A thread pool whose queue holds at most `queue_size` waiting jobs; beyond that, refuse."""

    def __init__(self, workers: int, queue_size: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answer")
        self._slots = threading.BoundedSemaphore(workers + queue_size)
        self._in_flight = InFlight()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        if not self._slots.acquire(blocking=False):
            raise QueueFullError("answer queue is full")
        self._in_flight.enter()
        try:
            fut = self._pool.submit(fn, *args)
        except BaseException:
            self._done()
            raise
        fut.add_done_callback(lambda _f: self._done())
        return fut

    def _done(self) -> None:
        # The slot is free before the job counts as done: once idle, every slot can be taken.
        self._slots.release()
        self._in_flight.leave()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is queued or running (True), or `timeout` seconds (False)."""
        return self._in_flight.wait_idle(timeout)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


class ListenerPool(ThreadPoolExecutor):
    """The executor Bolt runs its listeners on (five threads, like Bolt's own), which can also
    wait until every listener it was given has returned."""

    def __init__(self, workers: int = 5) -> None:
        super().__init__(max_workers=workers)
        self._in_flight = InFlight()

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        self._in_flight.enter()
        try:
            fut = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._in_flight.leave()
            raise
        fut.add_done_callback(lambda _f: self._in_flight.leave())
        return fut

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no listener is queued or running (True), or `timeout` seconds (False)."""
        return self._in_flight.wait_idle(timeout)


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
        self._d: OrderedDict[Hashable, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def add(self, key: Hashable) -> None:
        with self._lock:
            self._d[key] = None
            self._d.move_to_end(key)
            while len(self._d) > self._size:
                self._d.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._d
