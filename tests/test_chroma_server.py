"""A real Chroma server (`chroma run`) behind ASSISTANT_CHROMA_URL."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.embeddings import get_embeddings
from assistant.errors import StoreUnavailableError
from assistant.store import Store

CHROMA = Path(sys.executable).parent / "chroma"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _heartbeat(url: str) -> bool:
    for path in ("/api/v2/heartbeat", "/api/v1/heartbeat"):
        try:
            if httpx.get(url + path, timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
    return False


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None]]]:
    """(URL, stop) of a Chroma server on a free loopback port; always stopped afterwards."""
    if not CHROMA.exists():
        pytest.skip(f"{CHROMA} is not installed")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [
            str(CHROMA),
            "run",
            "--path",
            str(tmp_path / "chroma-server"),
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    stop.proc = proc  # type: ignore[attr-defined]  # for tests that freeze the server
    try:
        deadline = time.monotonic() + 30
        while not _heartbeat(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    "chroma run did not start:\n" + (tmp_path / "chroma.log").read_text()[-2000:]
                )
            time.sleep(0.2)
        yield url, stop
    finally:
        stop()
        log.close()


@pytest.mark.slow
@pytest.mark.integration
def test_ingest_and_ask_through_a_chroma_server(
    tmp_path: Path, settings: Callable[..., Any], chroma_server: tuple[str, Callable[[], None]]
) -> None:
    from assistant.ingest import ingest_paths, status
    from assistant.pipeline import Pipeline

    url, stop = chroma_server
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "isf.md").write_text(
        "---\ntitle: ISF regulation\nlanguage: en\n---\n# ISF\n\n## Article 12 Co-financing rates\n\n"
        "The contribution from the Union budget shall not exceed 75 % of the total eligible "
        "expenditure.\n\n## Article 13\n\nOperating support may be used by Member States.\n",
        "utf-8",
    )
    (docs / "ncc.txt").write_text(
        "NCC\n\nThe national coordination centre runs EUROSUR in Sweden.\n", "utf-8"
    )
    s = settings(chroma_url=url)
    r = ingest_paths([docs], s, progress=False)
    assert r.ok and sorted(r.added) == ["isf", "ncc"]
    info = status(s)
    assert info["mode"] == "server" and info["store"] == url and info["documents"] == 2
    assert not (s.data_dir / "chroma").exists()  # nothing went to the embedded store

    again = ingest_paths([docs], s, progress=False)
    assert sorted(again.unchanged) == ["isf", "ncc"] and again.embedded == 0

    pipe = Pipeline(s)
    ans = pipe.ask("What is the maximum co-financing rate of the Union budget?")
    assert not ans.abstained and ans.citations
    assert (ans.citations[0].doc_id, ans.citations[0].section) == ("isf", "Article 12")

    stop()
    with pytest.raises(StoreUnavailableError) as e:
        Store(s, get_embeddings("hash"))
    msg = str(e.value)
    assert url in msg and "chroma run" in msg and "ASSISTANT_CHROMA_URL" in msg

    # A pipeline (the bot's) opened while the server was up says the same when it goes away.
    with pytest.raises(StoreUnavailableError, match="chroma run") as e:
        pipe.ask("Which centre runs EUROSUR?")
    assert url in str(e.value)
    with pytest.raises(StoreUnavailableError, match="chroma run"):
        ingest_paths([docs], s, progress=False)


def test_closed_port_is_a_clear_error_at_construction(settings: Callable[..., Any]) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    s = settings(chroma_url=url)
    t = time.monotonic()
    with pytest.raises(StoreUnavailableError) as e:
        Store(s, get_embeddings("hash"))
    assert time.monotonic() - t < 20
    msg = str(e.value)
    assert url in msg and "chroma run --path DIR --port N" in msg and "ASSISTANT_CHROMA_URL" in msg
    assert not s.data_dir.exists()  # no embedded store was created instead
