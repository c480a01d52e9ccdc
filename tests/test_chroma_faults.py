"""A Chroma server that stops answering, and ingests on two machines sharing one server (issue 13)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import silent_server
from test_audit import postgres_url  # noqa: F401  (fixture)
from test_chroma_server import chroma_server  # noqa: F401  (fixture)

from assistant.errors import StoreUnavailableError

pytestmark = pytest.mark.integration

DOC = (
    "---\ntitle: ISF regulation\nlanguage: en\nclassification: public\n---\n# ISF\n\n"
    "## Article 12\n\nThe contribution from the Union budget shall not exceed 75 % of the total "
    "eligible expenditure.\n"
)


@pytest.fixture
def frozen_server() -> Iterator[str]:
    """A loopback TCP server that accepts connections and never answers."""
    with silent_server() as url:
        yield url


def test_ask_against_a_frozen_chroma_fails_within_the_timeout(
    tmp_path: Path, frozen_server: str
) -> None:
    env = dict(
        os.environ,
        ASSISTANT_CHROMA_URL=frozen_server,
        ASSISTANT_CHROMA_TIMEOUT="1",
        ASSISTANT_EMBEDDINGS="hash",
    )
    t = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "Vad är BMVI?"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    took = time.monotonic() - t
    assert r.returncode != 0
    assert "did not answer within 1 s" in r.stderr and "ASSISTANT_CHROMA_TIMEOUT" in r.stderr
    assert "Traceback" not in r.stderr
    assert took < 30


def test_a_chroma_server_that_freezes_mid_session_gives_an_error_in_time(
    tmp_path: Path,
    settings: Callable[..., Any],
    chroma_server: tuple[str, Callable[[], None]],  # noqa: F811
) -> None:
    from assistant.ingest import ingest_paths
    from assistant.pipeline import Pipeline

    url, stop = chroma_server
    proc = stop.proc  # type: ignore[attr-defined]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "isf.md").write_text(DOC, "utf-8")
    s = settings(chroma_url=url, chroma_timeout=2)
    assert ingest_paths([docs], s, progress=False).ok
    pipe = Pipeline(s)
    pipe.warm()
    assert pipe.ask("What is the co-financing rate?").citations
    outcome: list[BaseException | None] = []

    def ask() -> None:
        try:
            pipe.ask("What does Article 12 say about the contribution?")
            outcome.append(None)
        except BaseException as e:  # noqa: BLE001 - recorded for the assertion
            outcome.append(e)

    os.kill(proc.pid, signal.SIGSTOP)
    try:
        t = time.monotonic()
        th = threading.Thread(target=ask, daemon=True)
        th.start()
        th.join(timeout=30)
        took = time.monotonic() - t
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    assert not th.is_alive(), "ask still waiting for a frozen Chroma after 30 s"
    assert isinstance(outcome[0], StoreUnavailableError)
    assert "did not answer within 2 s" in str(outcome[0])
    assert took < 10


HOLD = """
import sys
from pathlib import Path
from assistant.config import load_settings
from assistant.embeddings import get_embeddings
from assistant.locks import shared_lock
from assistant.store import Store
s = load_settings(data_dir=Path(sys.argv[1]), embeddings="hash", _env_file=None)
lock = shared_lock(s, Store(s, get_embeddings("hash")), 0)
print("held", flush=True)
sys.stdin.read()  # hold until the test closes stdin
lock.release()
print("released", flush=True)
"""


def _two_machines(
    tmp_path: Path, env: dict[str, str]
) -> tuple[subprocess.Popen[str], Callable[[], subprocess.CompletedProcess[str]]]:
    """Machine A holds the ingest lock through the shared services only (its own data folder);
    machine B runs `assistant ingest` with another data folder."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "isf.md").write_text(DOC, "utf-8")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path / "machine-a")],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    line = holder.stdout.readline()
    assert line.strip() == "held", holder.stderr.read() if holder.stderr else ""

    def ingest_b() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assistant", "ingest", str(docs), "--no-progress"],
            env=dict(env, ASSISTANT_DATA_DIR=str(tmp_path / "machine-b")),
            capture_output=True,
            text=True,
            timeout=120,
        )

    return holder, ingest_b


def _release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.close()
    assert holder.stdout.readline().strip() == "released"
    holder.wait(timeout=30)


def test_two_machines_cannot_ingest_into_one_chroma_server_at_once(
    tmp_path: Path,
    chroma_server: tuple[str, Callable[[], None]],  # noqa: F811
) -> None:
    url, _stop = chroma_server
    env = dict(os.environ, ASSISTANT_CHROMA_URL=url, ASSISTANT_EMBEDDINGS="hash")
    holder, ingest_b = _two_machines(tmp_path, env)
    try:
        r = ingest_b()
        assert r.returncode == 2, r.stderr  # an AssistantError: message, no traceback
        assert "another ingest into" in r.stderr and "running" in r.stderr
    finally:
        _release(holder)
    r = ingest_b()
    assert r.returncode == 0, r.stderr


@pytest.mark.slow
def test_postgres_advisory_lock_is_the_shared_ingest_lock(
    tmp_path: Path,
    chroma_server: tuple[str, Callable[[], None]],  # noqa: F811
    postgres_url: str,  # noqa: F811
) -> None:
    url, _stop = chroma_server
    env = dict(
        os.environ,
        ASSISTANT_CHROMA_URL=url,
        ASSISTANT_EMBEDDINGS="hash",
        ASSISTANT_DATABASE_URL=postgres_url,
    )
    holder, ingest_b = _two_machines(tmp_path, env)
    try:
        r = ingest_b()
        assert r.returncode == 2, r.stderr  # an AssistantError: message, no traceback
        assert "PostgreSQL advisory lock" in r.stderr
    finally:
        _release(holder)
    r = ingest_b()
    assert r.returncode == 0, r.stderr
