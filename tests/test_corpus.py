"""The starter corpus: every document sourced and ingestible; every suite evidence where cited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.chunking import chunk_document
from assistant.evaluation import load_suite, normalize_section
from assistant.ingest import collect_sources, ingest_paths
from assistant.loaders import load_file, load_manifest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SUITE = ROOT / "evals" / "suites" / "corpus.yaml"


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


@pytest.fixture(scope="module")
def documents() -> dict[str, object]:
    manifest = load_manifest(CORPUS)
    docs = {}
    for item in collect_sources([CORPUS], settings=_settings())[0]:
        assert item.path is not None, item.error
        rel = item.path.relative_to(CORPUS).as_posix()
        doc = load_file(item.path, CORPUS, manifest.get(rel, {}))
        docs[doc.doc_id] = doc
    return docs


def _settings():  # type: ignore[no-untyped-def]
    from assistant.config import load_settings

    return load_settings(embeddings="hash")


def test_every_document_names_its_official_sources(documents: dict) -> None:
    assert len(documents) >= 10
    for doc_id, doc in documents.items():
        sources = doc.metadata.get("sources") or []
        assert sources, f"{doc_id} has no sources"
        for s in sources:
            assert isinstance(s, dict) and s.get("title"), f"{doc_id}: source without title: {s}"


def test_corpus_covers_formats_languages_and_access_levels(documents: dict) -> None:
    fmts = {d.fmt for d in documents.values()}
    assert {"md", "docx", "pdf", "html"} <= fmts
    langs = {d.metadata.get("language") for d in documents.values()}
    assert {"sv", "en"} <= langs
    levels = {d.metadata.get("classification") for d in documents.values()}
    assert {"public", "internal", "restricted"} <= levels


def test_superseded_documents_point_at_existing_ones(documents: dict) -> None:
    superseded = {i: d.metadata["superseded_by"] for i, d in documents.items()
                  if d.metadata.get("superseded_by")}
    assert superseded, "the corpus should hold at least one superseded document"
    for doc_id, by in superseded.items():
        assert by in documents, f"{doc_id} is superseded by unknown {by}"
        assert documents[doc_id].metadata.get("valid_to"), f"{doc_id} lacks valid_to"


def test_every_evidence_occurs_in_the_cited_document_and_section(documents: dict) -> None:
    sections: dict[tuple[str, str], str] = {}
    for doc_id, doc in documents.items():
        for c in chunk_document(doc):
            key = (doc_id, normalize_section(c.section))
            sections[key] = sections.get(key, "") + " " + c.text
    suite = load_suite(SUITE)
    problems = []
    for q in suite.questions:
        if q.abstain:
            continue
        ok = any(
            e.doc in documents
            and (e.section is None or (e.doc, normalize_section(e.section)) in sections)
            and _ws(q.evidence) in _ws(sections.get((e.doc, normalize_section(e.section or "")), ""))
            for e in q.expected
        )
        if not ok:
            problems.append(f"{q.id}: evidence not found under {[(e.doc, e.section) for e in q.expected]}")
    assert not problems, "\n".join(problems)


def test_suite_shape() -> None:
    suite = load_suite(SUITE)
    qs = suite.questions
    assert len(qs) >= 60
    assert sum(q.lang == "sv" for q in qs) >= 40
    assert sum(q.lang == "en" for q in qs) >= 15
    assert sum(q.abstain for q in qs) >= 8


def test_corpus_ingests_offline_with_no_failures(tmp_path: Path) -> None:
    from assistant.config import load_settings

    s = load_settings(data_dir=tmp_path / "data", embeddings="hash")
    report = ingest_paths([CORPUS], s, progress=False)
    assert report.failed == []
    assert len(report.added) >= 10
