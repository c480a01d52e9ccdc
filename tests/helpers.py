"""Small helpers shared by test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# The keys `assistant ask --json` prints (DESIGN.md contract).
ASK_JSON_KEYS = {
    "question",
    "language",
    "answer",
    "abstained",
    "warnings",
    "citations",
    "retrieved",
    "timings_ms",
    "short_answer",
}


def build_hash_index(root: Path, docs: dict[str, str], embed_cache: Path | None = None) -> Path:
    """Write `docs` (file name → text) under root/docs and ingest them with the deterministic
    hash embedder into root/data, whatever ASSISTANT_* the environment holds; returns root/data."""
    from assistant.config import load_settings
    from assistant.ingest import ingest_paths

    folder = root / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (folder / name).write_text(text, "utf-8")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("ASSISTANT_"):
                mp.delenv(name)
        extra = {"embed_cache": embed_cache} if embed_cache else {}
        # The test documents that name no classification are meant as public ones.
        s = load_settings(
            embeddings="hash",
            data_dir=root / "data",
            default_classification="public",
            _env_file=None,
            **extra,
        )
        report = ingest_paths([folder], s, progress=False)
    assert report.ok, report.to_json()
    return root / "data"


@contextmanager
def silent_server(path: str = "") -> Iterator[str]:
    """A loopback server that accepts connections, reads nothing and never answers (a frozen
    Chroma, a hanging LLM endpoint); yields its URL and closes every connection at the end."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(50)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    th = threading.Thread(target=accept, daemon=True)
    th.start()
    try:
        yield f"http://127.0.0.1:{srv.getsockname()[1]}{path}"
    finally:
        stop.set()
        th.join(timeout=5)
        for c in held:
            c.close()
        srv.close()


def english_vocabulary(text: str) -> tuple[Counter[str], Counter[str], int, Counter[str]]:
    """What `build_bridge` reads of an English text taken as one chunk per line (as the lexical
    index keeps it): stem counts, stem document frequencies, the number of chunks, and the
    words as written (for cognates)."""
    from assistant import language as L

    counts: Counter[str] = Counter()
    df: Counter[str] = Counter()
    english: Counter[str] = Counter()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        toks = L.stems(ln, "en")
        counts.update(toks)
        df.update(set(toks))
        english.update(L.words(ln))
    return counts, df, len(lines), english
