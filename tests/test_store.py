"""The Chroma store: versioned registry, visibility, deletes, and unwritable data folders."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.documents import Chunk
from assistant.embeddings import get_embeddings
from assistant.errors import StoreError, StoreUnavailableError
from assistant.store import META_ID, DocRecord, Store


def _store(s: Any) -> Store:
    return Store(s, get_embeddings(s.embeddings))


def _chunks(doc_id: str, texts: list[str]) -> list[Chunk]:
    return [
        Chunk(
            f"{doc_id}::{i:05d}",
            doc_id,
            t,
            f"Article {i + 1}",
            f"Article {i + 1}",
            0,
            len(t),
            metadata={"title": doc_id},
        )
        for i, t in enumerate(texts)
    ]


def _put(
    store: Store, doc_id: str, version: str, texts: list[str], *, register: bool = True
) -> None:
    chunks = _chunks(doc_id, texts)
    store.add_chunks(
        chunks,
        store.embeddings.embed_documents(texts),
        version,
        {"title": doc_id.upper(), "language": "en", "fund": ["ISF"]},
    )
    if register:
        store.set_doc(
            DocRecord(
                doc_id,
                version,
                version * 4,
                len(chunks),
                f"{doc_id}.md",
                "",
                "md",
                "2026-01-01T00:00:00+00:00",
                {"title": doc_id.upper()},
            )
        )


def _visible(store: Store) -> list[tuple[str, str]]:
    return sorted((c.doc_id, c.text) for c in store.iter_chunks())


def test_only_the_registered_version_is_visible(settings: Callable[..., Any]) -> None:
    store = _store(settings())
    _put(store, "isf", "v1", ["old one", "old two"])
    _put(store, "isf", "v2", ["new one"], register=False)  # written, not switched yet
    assert _visible(store) == [("isf", "old one"), ("isf", "old two")]
    assert store.count() == 3

    store.set_doc(DocRecord("isf", "v2", "v2" * 4, 1, "isf.md", "", "md", "", {}))  # the switch
    assert _visible(store) == [("isf", "new one")]
    # Chunks of a document missing from the registry are never visible.
    _put(store, "ghost", "g1", ["boo"], register=False)
    assert ("ghost", "boo") not in _visible(store)

    versions = {(d, v) for _cid, d, v in store.chunk_versions()}
    assert versions == {("isf", "v1"), ("isf", "v2"), ("ghost", "g1")}


def test_chunk_metadata_round_trips(settings: Callable[..., Any]) -> None:
    store = _store(settings())
    _put(store, "isf", "v1", ["The Fund shall contribute."])
    (c,) = list(store.iter_chunks())
    assert c.chunk_id == "isf::00000@v1"
    assert (c.doc_id, c.section, c.heading_path, c.page) == ("isf", "Article 1", "Article 1", None)
    assert c.metadata["title"] == "ISF" and c.metadata["fund"] == "ISF"
    assert c.metadata["version"] == "v1"
    hits = store.search(store.embeddings.embed_query("The Fund shall contribute."), k=3)
    assert hits[0][0] == "isf::00000@v1" and hits[0][1] == pytest.approx(1.0, abs=1e-4)


def test_delete_chunks_except_version(settings: Callable[..., Any]) -> None:
    store = _store(settings())
    _put(store, "isf", "v1", ["a", "b"])
    _put(store, "isf", "v2", ["c"])
    _put(store, "bmvi", "v1", ["d"])
    store.delete_chunks(doc_id="isf", except_version="v2")
    assert sorted((d, v) for _c, d, v in store.chunk_versions()) == [("bmvi", "v1"), ("isf", "v2")]
    store.delete_chunks(doc_id="isf")
    assert sorted((d, v) for _c, d, v in store.chunk_versions()) == [("bmvi", "v1")]


def test_remove_doc_and_drop_all(settings: Callable[..., Any]) -> None:
    store = _store(settings())
    _put(store, "isf", "v1", ["a", "b"])
    _put(store, "bmvi", "v1", ["c"])
    store.write_meta(generation=3)
    store.remove_doc("isf")
    assert sorted(store.registry()) == ["bmvi"]
    assert _visible(store) == [("bmvi", "c")]
    assert store.generation() == 3  # the meta record is not a document

    store.drop_all()
    assert store.registry() == {} and store.count() == 0 and store.meta() == {}
    assert list(store.iter_chunks()) == [] and store.search([0.1] * 256, k=5) == []
    _put(store, "isf", "v9", ["again"])  # usable after the drop
    assert _visible(store) == [("isf", "again")]


def test_meta_records_the_model_and_guards_it(settings: Callable[..., Any]) -> None:
    s = settings(embeddings="hash-256")
    store = _store(s)
    store.write_meta(generation=1)
    meta = store.meta()
    assert meta["embedding_model"] == "hash-256" and meta["dimension"] == 256
    assert META_ID not in store.registry()
    store.check_model(for_write=True)  # same model: fine
    other = _store(settings(embeddings="hash-64"))
    with pytest.raises(StoreError, match="hash-256.*hash-64.*assistant ingest --rebuild"):
        other.check_model(for_write=False)


# -- unwritable data folders ---------------------------------------------------------------------
def test_data_dir_that_is_a_file_gives_a_clear_error(
    tmp_path: Path,
    settings: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bogus = tmp_path / "not-a-folder"
    bogus.write_text("precious", "utf-8")
    for data_dir in (bogus, bogus / "data"):
        s = settings(data_dir=data_dir)
        with pytest.raises(StoreUnavailableError, match="ASSISTANT_DATA_DIR") as e:
            _store(s)
        assert str(data_dir) in str(e.value)

        from assistant.ingest import ingest_paths

        docs = tmp_path / "docs"
        docs.mkdir(exist_ok=True)
        (docs / "a.md").write_text("# A\n\nText.\n", "utf-8")
        with pytest.raises(StoreUnavailableError, match="ASSISTANT_DATA_DIR"):
            ingest_paths([docs], s, progress=False)

        monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_dir))
        monkeypatch.setenv("ASSISTANT_EMBEDDINGS", "hash")
        from assistant.cli import main
        from assistant.config import get_settings

        get_settings.cache_clear()
        capsys.readouterr()
        assert main(["ingest", str(docs), "--no-progress"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error:") and "ASSISTANT_DATA_DIR" in err and "Traceback" not in err
    # Nothing half-written: the file is untouched and nothing appeared beside it.
    assert bogus.read_text("utf-8") == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "not-a-folder"]


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root ignores permissions (the file-path case above covers root)",
)
def test_read_only_data_dir_is_refused_and_left_intact(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    from assistant.ingest import ingest_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\n## Article 1\n\nAlpha.\n", "utf-8")
    original = settings(data_dir=tmp_path / "original")
    ingest_paths([docs], original, progress=False)

    copy = tmp_path / "copy"
    shutil.copytree(original.data_dir, copy)
    files = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    for p in sorted(copy.rglob("*"), reverse=True):
        p.chmod(0o500 if p.is_dir() else 0o400)
    copy.chmod(0o500)
    (docs / "a.md").write_text("# A\n\n## Article 1\n\nChanged.\n", "utf-8")
    try:
        with pytest.raises(StoreError) as e:
            ingest_paths([docs], settings(data_dir=copy), progress=False)
        assert "ASSISTANT_DATA_DIR" in str(e.value) and "writable" in str(e.value)
    finally:
        for p in [copy, *copy.rglob("*")]:
            p.chmod(p.stat().st_mode | stat.S_IWUSR)
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == files
