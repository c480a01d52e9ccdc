"""One question on its way through the bot, and the pipeline that answers it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import privacy
from ..documents import Answer
from ..protocols import AskPipeline as AskPipeline  # the one protocol, re-exported
from ..protocols import Turn as Turn


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
