"""Faults end to end: the Chroma server going away and coming back under the Slack bot, an LLM
endpoint that accepts and never answers, and one ingest run full of malformed files.

Covered elsewhere and not repeated here: StoreUnavailableError naming the URL from Store, Pipeline
and ingest when the server is gone (test_chroma_server.py); a data folder that is a file or under a
file, and a read-only one (test_store.py); random bytes as .pdf/.docx, binary and over-limit files
in one run (test_ingest.py); a failed reload keeping the indexed version (test_ingest.py); each
loader's handling of nested HTML, invalid UTF-8 and non-mapping front matter (test_loaders.py);
suite files with errors → SuiteError naming file, line and id (test_evaluation.py); LLM servers
that are slow, trickle tokens, fail or are unreachable (test_llm.py).
"""

from __future__ import annotations

import functools
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import helpers
import pytest
from slack_fake import BOT_USER, SlackFake, mention_event, signed_event_request

from assistant.errors import StoreUnavailableError

CHROMA = Path(sys.executable).parent / "chroma"
SECRET = "faults-signing-secret"
ISF = (
    "---\ntitle: ISF regulation\nlanguage: en\n---\n# ISF\n\n## Article 12 Co-financing rates\n\n"
    "The contribution from the Union budget shall not exceed 75 % of the total eligible "
    "expenditure.\n\n## Article 13 Equipment\n\nA maximum of 35 % of the allocation may be used "
    "for the purchase of equipment.\n"
)
NCC = "NCC\n\nThe national coordination centre runs EUROSUR in Sweden and shares the situational picture.\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "isf.md").write_text(ISF, "utf-8")
    (docs / "ncc.txt").write_text(NCC, "utf-8")
    return docs


# -- a Chroma server that can be stopped and started again on the same path and port ------------
class ChromaServer:
    def __init__(self, path: Path, log: Path) -> None:
        self.path, self.log_path = path, log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    str(CHROMA),
                    "run",
                    "--path",
                    str(self.path),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(self.url + "/api/v2/heartbeat", timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("chroma run did not start:\n" + self.log_path.read_text()[-2000:])
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} is not installed")
    srv = ChromaServer(tmp_path / "chroma-server", tmp_path / "chroma.log")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


# -- the bot over signed HTTP against the recording fake Slack ----------------------------------
class Bot:
    def __init__(self, settings: Any, pipeline: Any) -> None:
        from assistant.bot import build_app, make_http_server

        self.fake = SlackFake()
        self.settings = settings.model_copy(
            update={
                "slack_bot_token": "xoxb-test",
                "slack_signing_secret": SECRET,
                "slack_api_url": self.fake.api_url,
                "rate_limit_per_minute": 1000,
            }
        )
        self.app = build_app(self.settings, pipeline, None)
        self.server = make_http_server(self.app, "127.0.0.1", 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/slack/events"

    def ask(self, text: str, timeout: float = 20) -> str:
        """Mention the bot; returns the text of the final reply in the thread."""
        ts = self.fake.next_ts()
        req = signed_event_request(self.url, SECRET, mention_event(ts, text))
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            mine = {
                m["ts"]
                for (_c, th), msgs in self.fake.threads.items()
                if th == ts
                for m in msgs
                if m.get("user") == BOT_USER
            }
            done = [c.body for c in self.fake.of("chat.update") if c.body.get("ts") in mine]
            if done:
                return str(done[-1].get("text") or "")
            time.sleep(0.05)
        raise AssertionError(f"no reply in thread {ts}: {[c.method for c in self.fake.calls]}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.app.assistant_bot.close()
        self.fake.close()


@pytest.mark.slow
@pytest.mark.integration
def test_chroma_server_stopped_mid_run_bot_apologises_then_recovers(
    tmp_path: Path,
    settings: Callable[..., Any],
    chroma: ChromaServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from assistant.ingest import ingest_paths
    from assistant.pipeline import Pipeline

    s = settings(chroma_url=chroma.url)
    assert ingest_paths([_docs(tmp_path)], s, progress=False).ok
    pipe = Pipeline(s)
    bot = Bot(s, pipe)
    try:
        assert "75 %" in bot.ask("What is the maximum co-financing rate of the Union budget?")

        chroma.stop()  # mid-run: the bot and its pipeline stay up
        with pytest.raises(StoreUnavailableError) as e:
            pipe.retriever.store.count()
        assert chroma.url in str(e.value) and "chroma run" in str(e.value)
        caplog.clear()
        apology = bot.ask("How much of the allocation may go to equipment?")
        assert "Något gick fel" in apology and "felkod" in apology
        error_id = apology.rstrip(".").split()[-1]
        logged = [r for r in caplog.records if "answer failed" in r.getMessage()]
        assert (
            logged and error_id in logged[0].getMessage()
        )  # the id in the thread finds the log line
        assert logged[0].exc_info and logged[0].exc_info[0] is StoreUnavailableError

        chroma.start()  # same path, same port: the index is back
        reply = bot.ask("How much of the allocation may go to equipment?")
        assert "35 %" in reply and "Något gick fel" not in reply
    finally:
        bot.close()


# -- an LLM endpoint that accepts connections and never answers ---------------------------------
@pytest.fixture
def silent_server() -> Iterator[str]:
    """A loopback port that accepts connections, reads nothing and never replies."""
    with helpers.silent_server("/v1") as url:
        yield url


@pytest.mark.integration
def test_hanging_llm_falls_back_to_extractive_within_the_timeout(
    tmp_path: Path, settings: Callable[..., Any], silent_server: str
) -> None:
    from assistant.answer import TEXTS
    from assistant.ingest import ingest_paths
    from assistant.pipeline import Pipeline

    timeout = 1.5
    s = settings(llm="openai:never-answers", llm_base_url=silent_server, llm_timeout=timeout)
    assert ingest_paths([_docs(tmp_path)], s, progress=False).ok
    pipe = Pipeline(s)
    pipe.warm()
    assert pipe.llm is not None  # built (langchain_openai imported) before the clock starts
    t0 = time.perf_counter()
    ans = pipe.ask("What is the maximum co-financing rate of the Union budget?")
    elapsed = time.perf_counter() - t0
    assert elapsed < timeout + 2.0
    assert ans.mode == "extractive" and ans.citations and "75 %" in ans.text
    assert TEXTS["en"]["llm_fallback"] in ans.warnings
    # A second question is not slowed down by the first one's abandoned request.
    t0 = time.perf_counter()
    pipe.ask("Who runs EUROSUR?")
    assert time.perf_counter() - t0 < timeout + 2.0


# -- one ingest run full of malformed files -----------------------------------------------------
def _nested_html(depth: int) -> str:
    return (
        "<html><body><main><h1>Nested</h1>" + "<div>" * depth + "<p>Deep text about the fund "
        "and border surveillance.</p>" + "</div>" * depth + "</main></body></html>"
    )


def test_malformed_files_in_one_run_fail_one_by_one_and_lose_nothing(
    tmp_path: Path, settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant import loaders
    from assistant.ingest import ingest_paths
    from assistant.pipeline import Pipeline

    s = settings()
    docs = _docs(tmp_path)
    first = ingest_paths([docs], s, progress=False)
    assert sorted(first.added) == ["isf", "ncc"]

    rnd = random.Random(7)
    (docs / "random.pdf").write_bytes(rnd.randbytes(8192))
    (docs / "random.docx").write_bytes(rnd.randbytes(8192))
    (docs / "nested.html").write_text(_nested_html(5000), "utf-8")
    (docs / "latin1.txt").write_bytes(
        "Återvändande\n\nSambandsmän för återvändande (ARLO) i tredjeländer.\n".encode("cp1252")
    )
    (docs / "broken-utf8.txt").write_bytes(b"Title\n\nabc \x81\x8d\x90 def \xff\n")
    (docs / "list-front-matter.md").write_text("---\n- a\n- b\n---\n# Title\n\nBody.\n", "utf-8")
    # The loader's size limit, lowered so that the test stays small: one file over, one under.
    monkeypatch.setattr(
        loaders, "load_file", functools.partial(loaders.load_file, max_bytes=400_000)
    )
    sentence = "The managing authority shall keep records of every payment to beneficiaries. "
    (docs / "big-over.txt").write_text("Big\n\n" + sentence * 6000, "utf-8")  # ~480 kB
    (docs / "big-under.txt").write_text("Big\n\n" + (sentence + "\n\n") * 2000, "utf-8")  # ~160 kB

    r = ingest_paths([docs], s, progress=False)
    failed = {Path(src).name: err for src, err in r.failed}
    assert set(failed) == {
        "random.pdf",
        "random.docx",
        "list-front-matter.md",
        "big-over.txt",
        "broken-utf8.txt",
    }
    assert "not a valid PDF" in failed["random.pdf"]
    assert "not a valid Word document" in failed["random.docx"]
    assert "front matter" in failed["list-front-matter.md"]
    assert "limit" in failed["big-over.txt"]
    assert "save it as UTF-8" in failed["broken-utf8.txt"]
    for name, err in failed.items():
        assert name in err  # each message names its file
    # Deep nesting and bad bytes are read, not fatal; the under-limit big file ingests.
    assert sorted(r.added) == ["big-under", "latin1", "nested"]
    assert sorted(r.unchanged) == ["isf", "ncc"] and r.removed == []
    assert any("latin1.txt" in w and "Windows-1252" in w for w in r.warnings)
    assert any("nested.html" in w for w in r.warnings)

    pipe = Pipeline(s)
    ans = pipe.ask("What is the maximum co-financing rate of the Union budget?")
    assert ans.citations and ans.citations[0].doc_id == "isf"
    hits = pipe.retrieve("Sambandsmän för återvändande ARLO", k=3)
    assert (
        hits
        and hits[0].chunk.doc_id == "latin1"
        and "Sambandsmän för återvändande" in hits[0].chunk.text
    )
