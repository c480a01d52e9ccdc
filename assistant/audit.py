"""Audit log of answered questions and staff feedback votes (SQLAlchemy Core: SQLite or PostgreSQL).

Only redacted questions are stored; callers pass the output of `privacy.scan(...).redacted`.
User ids are stored as salted SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .errors import AssistantError
from .language.detect import question_language
from .privacy import redact

VOTES = ("useful", "wrong", "wrong_source")

metadata = MetaData()

questions = Table(
    "questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("team", String(64)),
    Column("channel", String(64)),
    Column("user_hash", String(64)),
    Column("question_redacted", Text, nullable=False),
    Column("answer_text", Text),
    Column("sources", JSON),
    Column("mode", String(32)),
    Column("abstained", Boolean),
    Column("latency_ms", Integer),
    Column("error_id", String(32)),
    # Whether the reply (answer or error message) reached Slack; None outside the bot.
    Column("delivered", Boolean),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question_id", Integer, ForeignKey("questions.id"), nullable=False, index=True),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("user_hash", String(64)),
    Column("vote", String(16), nullable=False),
    Column("question_redacted", Text),
    Column("answer_text", Text),
    Column("sources", JSON),
)

# Slack event ids already taken by a bot replica: a retried or duplicated delivery of the same
# event is answered once, however many replicas share the database.
slack_events = Table(
    "slack_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("ts", DateTime(timezone=True), nullable=False, index=True),
)

EVENT_TTL = timedelta(days=1)  # Slack retries within minutes; older ids are pruned

meta = Table(
    "audit_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


class AuditError(AssistantError):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


def sources_of(citations: Iterable[Any]) -> list[dict[str, Any]]:
    """The citation fields worth keeping in the log (no quotes: they can be long)."""
    out = []
    for c in citations:
        out.append(
            {k: getattr(c, k, None) for k in ("n", "doc_id", "title", "section", "page", "url")}
        )
    return out


class AuditStore:
    """Questions and feedback votes in one database given by URL."""

    def __init__(self, url: str, *, salt: str | None = None) -> None:
        try:
            u = make_url(url)
            if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:"):
                Path(u.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(url, pool_pre_ping=True)
            metadata.create_all(self.engine)
            self._migrate()
        except (SQLAlchemyError, ValueError) as e:
            raise AuditError(
                f"cannot open the audit database {_safe(url)}: {e.__class__.__name__}: {e}. "
                "Check ASSISTANT_DATABASE_URL (e.g. postgresql+psycopg://user:pw@host/db) "
                "or leave it unset for SQLite under ASSISTANT_DATA_DIR."
            ) from e
        self._salt = salt or self._stored_salt()
        self._lock = threading.Lock()  # SQLite allows one writer at a time
        self._claims = 0

    def _migrate(self) -> None:
        """Columns added after a database was created (create_all adds only missing tables)."""
        have = {c["name"] for c in inspect(self.engine).get_columns("questions")}
        if "delivered" not in have:
            with self.engine.begin() as conn:
                conn.execute(text("ALTER TABLE questions ADD COLUMN delivered BOOLEAN"))

    def _stored_salt(self) -> str:
        # A per-database salt: hashes stay stable across restarts without another setting.
        with self.engine.begin() as conn:
            row = conn.execute(select(meta.c.value).where(meta.c.key == "user_salt")).first()
            if row:
                return str(row[0])
        value = secrets.token_hex(16)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(meta).values(key="user_salt", value=value))
        except IntegrityError:
            pass  # another process won the race; use its salt
        with self.engine.begin() as conn:
            return str(
                conn.execute(select(meta.c.value).where(meta.c.key == "user_salt")).scalar_one()
            )

    def user_hash(self, user: str | None) -> str | None:
        if not user:
            return None
        return hashlib.sha256(f"{self._salt}:{user}".encode()).hexdigest()

    def record_question(
        self,
        *,
        question_redacted: str,
        answer_text: str = "",
        sources: Sequence[dict[str, Any]] = (),
        team: str | None = None,
        channel: str | None = None,
        user: str | None = None,
        mode: str | None = None,
        abstained: bool = False,
        latency_ms: float | None = None,
        error_id: str | None = None,
        delivered: bool | None = None,
    ) -> str:
        """Store one answered (or failed) question; returns its id as a string.

        The bot stores `delivered=False` before it sends the reply and calls `mark_delivered`
        once Slack has accepted it."""
        # Belt and braces: a caller that forgot to redact still never stores personal data.
        row = {
            "ts": _now(),
            "team": team,
            "channel": channel,
            "user_hash": self.user_hash(user),
            "question_redacted": redact(question_redacted),
            "answer_text": redact(answer_text or ""),
            "sources": list(sources),
            "mode": mode,
            "abstained": bool(abstained),
            "latency_ms": int(latency_ms) if latency_ms is not None else None,
            "error_id": error_id,
            "delivered": delivered,
        }
        with self._lock, self.engine.begin() as conn:
            result = conn.execute(insert(questions).values(**row))
            pk = result.inserted_primary_key
        assert pk is not None
        return str(pk[0])

    def mark_delivered(
        self, question_id: str | int, delivered: bool, error_id: str | None = None
    ) -> None:
        """Record whether the reply to a stored question reached Slack."""
        values: dict[str, Any] = {"delivered": delivered}
        if error_id:
            values["error_id"] = error_id
        with self._lock, self.engine.begin() as conn:
            conn.execute(
                update(questions).where(questions.c.id == int(question_id)).values(**values)
            )

    def claim_event(self, event_id: str) -> bool:
        """True for the first claim of a Slack event id, False for every later one (any replica)."""
        now = _now()
        try:
            with self._lock, self.engine.begin() as conn:
                conn.execute(insert(slack_events).values(event_id=event_id[:64], ts=now))
        except IntegrityError:
            return False
        self._claims += 1
        if self._claims % 500 == 1:
            with self._lock, self.engine.begin() as conn:
                conn.execute(delete(slack_events).where(slack_events.c.ts < now - EVENT_TTL))
        return True

    def record_feedback(self, question_id: str | int, vote: str, user: str | None) -> str:
        """Store a vote on an answer; returns the feedback id."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}, got {vote!r}")
        try:
            qid = int(question_id)
        except (TypeError, ValueError):
            raise AuditError(f"unknown question id {question_id!r}") from None
        with self._lock, self.engine.begin() as conn:
            q = conn.execute(select(questions).where(questions.c.id == qid)).mappings().first()
            if q is None:
                raise AuditError(f"unknown question id {question_id!r}")
            result = conn.execute(
                insert(feedback).values(
                    question_id=qid,
                    ts=_now(),
                    user_hash=self.user_hash(user),
                    vote=vote,
                    question_redacted=q["question_redacted"],
                    answer_text=q["answer_text"],
                    sources=q["sources"],
                )
            )
            pk = result.inserted_primary_key
        assert pk is not None
        return str(pk[0])

    def question(self, question_id: str | int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(questions).where(questions.c.id == int(question_id)))
            m = row.mappings().first()
        return dict(m) if m else None

    def questions(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(questions).order_by(questions.c.id)).mappings().all()
        return [dict(r) for r in rows]

    def feedback(self, votes: Sequence[str] = ("wrong", "wrong_source")) -> list[dict[str, Any]]:
        """Votes of the given kinds, oldest first."""
        stmt = select(feedback).where(feedback.c.vote.in_(list(votes))).order_by(feedback.c.id)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings().all()]

    def export_suite_entries(self, include_useful: bool = False) -> list[dict[str, Any]]:
        """Eval-suite entries (realdocs-questions.yaml format) for reviewers to complete.

        One entry per question and vote kind; `expected` and `answer_terms` are left empty.
        """
        votes = VOTES if include_useful else ("wrong", "wrong_source")
        entries: list[dict[str, Any]] = []
        seen: set[tuple[int, str]] = set()
        for fb in self.feedback(votes):
            key = (fb["question_id"], fb["vote"])
            if key in seen:
                continue
            seen.add(key)
            shown = "; ".join(_source_label(s) for s in (fb["sources"] or [])) or "inga"
            entries.append(
                {
                    "id": f"feedback-{fb['id']}",
                    "question": redact(fb["question_redacted"] or ""),
                    "lang": question_language(fb["question_redacted"] or ""),
                    "expected": [],
                    "answer_terms": [],
                    "abstain": False,
                    "evidence": "",
                    "note": f"vote: {fb['vote']}; question {fb['question_id']}; "
                    f"sources shown: {shown}",
                }
            )
        return entries

    def close(self) -> None:
        self.engine.dispose()


def _source_label(s: dict[str, Any]) -> str:
    label = str(s.get("doc_id") or s.get("title") or "?")
    if s.get("section"):
        label += f" {s['section']}"
    return label


def _safe(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<invalid URL>"
