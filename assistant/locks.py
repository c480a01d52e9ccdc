"""One ingest at a time: the ways one ingest keeps another out of the same index.

- the data folder's lock file (always; seen by this machine only),
- in server mode, a lock every machine sharing the Chroma server sees: a PostgreSQL advisory lock
  when ASSISTANT_DATABASE_URL is PostgreSQL, else a lease record in the store itself.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, Protocol

from .config import Settings
from .errors import IngestLockedError, StoreUnavailableError

if TYPE_CHECKING:
    from filelock import BaseFileLock

    from .store import Store

log = logging.getLogger(__name__)

LOCK_ID = "ingest"  # the lease record's id in the `<collection>-lock` collection


class Held(Protocol):
    """A lock being held; `release` gives it up."""

    def release(self) -> None: ...


def file_lock(settings: Settings, wait: float) -> BaseFileLock:
    """The data folder's `ingest.lock`, held; IngestLockedError after `wait` seconds."""
    from filelock import FileLock, Timeout

    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreUnavailableError(
            f"cannot use {settings.data_dir} as the data folder ({e.strerror or e}). Point "
            "ASSISTANT_DATA_DIR at a writable folder."
        ) from None
    lock = FileLock(str(settings.data_dir / "ingest.lock"))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise IngestLockedError(
            f"another ingest is running on {settings.data_dir} (lock file "
            f"{settings.data_dir / 'ingest.lock'}). Wait for it to finish, or run with "
            "--wait SECONDS to queue behind it."
        ) from None
    except OSError as e:  # Timeout is an OSError too: it must be caught first
        raise StoreUnavailableError(
            f"cannot create the ingest lock in {settings.data_dir} ({e.strerror or e}). Make "
            "ASSISTANT_DATA_DIR writable; the index is unchanged."
        ) from None
    return lock


class AdvisoryLock:
    """A PostgreSQL advisory lock held on one connection for the whole ingest."""

    def __init__(self, url: str, key: str, wait: float) -> None:
        from sqlalchemy import create_engine, text

        self.key = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        self.engine = create_engine(url, pool_pre_ping=True)
        self.conn = self.engine.connect()
        deadline = time.monotonic() + wait
        while not self.conn.execute(
            text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}
        ).scalar():
            if time.monotonic() >= deadline:
                self.conn.close()
                self.engine.dispose()
                raise IngestLockedError(
                    f"another ingest into {key} is running (PostgreSQL advisory lock in "
                    "ASSISTANT_DATABASE_URL); wait for it to finish, or run with --wait SECONDS."
                )
            time.sleep(0.5)

    def release(self) -> None:
        from sqlalchemy import text

        try:
            self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        finally:
            self.conn.close()
            self.engine.dispose()


def shared_lock(settings: Settings, store: Store, wait: float) -> Held | None:
    """In server mode the data folder's lock file is seen by this machine only: hold a lock
    every machine sharing the Chroma server sees (PostgreSQL when configured, else a lease
    record in the store). None in embedded mode."""
    if not settings.chroma_url:
        return None
    key = f"{settings.chroma_url}/{settings.collection}"
    if (settings.database_url or "").startswith(("postgresql", "postgres")):
        return AdvisoryLock(settings.database_url or "", key, wait)
    return StoreLease.acquire(store, wait=wait)


class StoreLease:
    """The ingest lease held in the store itself: renewed in the background until released."""

    def __init__(self, store: Store, col: Any, owner: str, ttl: float) -> None:
        self.store, self.col, self.owner, self.ttl = store, col, owner, ttl
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, daemon=True, name="ingest-lease")
        self._thread.start()

    @classmethod
    def acquire(cls, store: Store, ttl: float = 60.0, wait: float = 0.0) -> StoreLease:
        """Hold the ingest lease in the store, so ingests on different machines that share one
        Chroma server exclude each other. Chroma has no compare-and-set, so a claim is written,
        then read back after a pause: of two claims made at once, only the one that was written
        last reads back as its own."""
        col = store.call(
            lambda: store.client.get_or_create_collection(
                f"{store.settings.collection}-lock", embedding_function=None
            )
        )
        me = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        deadline = time.monotonic() + wait
        while True:
            holder = _lease_holder(store, col)
            if holder is None or holder[0] == me:
                _write_lease(store, col, me, ttl)
                time.sleep(0.3)
                holder = _lease_holder(store, col)
                if holder is not None and holder[0] == me:
                    return cls(store, col, me, ttl)
            if time.monotonic() >= deadline:
                who = holder[0].rsplit(":", 1)[0] if holder else "another process"
                raise IngestLockedError(
                    f"another ingest into {store.location} is running (held by {who}, "
                    f"collection {store.settings.collection}); wait for it to finish, or run "
                    "with --wait SECONDS to queue behind it. A crashed ingest's lease ends "
                    f"by itself within {ttl:.0f} s."
                )
            time.sleep(min(1.0, max(0.05, deadline - time.monotonic())))

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                _write_lease(self.store, self.col, self.owner, self.ttl)
            except Exception as e:  # the next renewal tries again; the lease outlives one miss
                log.warning("could not renew the ingest lease: %s", e)

    def release(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            holder = _lease_holder(self.store, self.col)
            if holder is not None and holder[0] == self.owner:
                self.store.call(lambda: self.col.delete(ids=[LOCK_ID]))
        except Exception as e:  # it runs out by itself
            log.warning("could not release the ingest lease: %s", e)


def _lease_holder(store: Store, col: Any) -> tuple[str, float] | None:
    got = store.call(lambda: col.get(ids=[LOCK_ID], include=["metadatas"]))
    if not got["ids"]:
        return None
    m = got["metadatas"][0] or {}
    expires = float(m.get("expires") or 0)
    if expires < time.time():
        return None  # a crashed ingest's lease has run out
    return str(m.get("owner") or ""), expires


def _write_lease(store: Store, col: Any, owner: str, ttl: float) -> None:
    import numpy as np

    meta = {"owner": owner, "expires": time.time() + ttl}
    store.call(
        lambda: col.upsert(
            ids=[LOCK_ID],
            embeddings=np.zeros((1, 1), dtype=np.float32),
            metadatas=[meta],
            documents=["lease"],
        )
    )
