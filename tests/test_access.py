"""Access fails closed: metadata that cannot be read, manifests, default classification, id
collisions, and statistics computed only over what the asker may see (issue 13)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import main
from assistant.embeddings import get_embeddings
from assistant.ingest import ingest_paths
from assistant.lexical import LexicalIndex
from assistant.pipeline import Pipeline
from assistant.store import Store

pytestmark = pytest.mark.usefixtures("hash_env")

SECRET = "Hemlig plan: spaningsflyget över Gotland sker varje tisdag med drönare modell Korp."


def md(path: Path, meta: dict[str, str], body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    front = "".join(f"{k}: {v}\n" for k, v in meta.items())
    path.write_text(f"---\n{front}---\n{body}\n", "utf-8")
    return path


def public_doc(folder: Path) -> Path:
    return md(
        folder / "oversikt.md",
        {"id": "oversikt", "title": "Översikt BMVI", "language": "sv", "classification": "public"},
        "# Översikt\n\n## Artikel 1\n\nBMVI stöder gränsförvaltning och viseringspolitik med "
        "medfinansiering av projekt.\n",
    )


def levels(s: Any) -> dict[str, str]:
    store = Store(s, get_embeddings(s.embeddings, s.embed_batch_size))
    return {c.doc_id: str(c.metadata["classification"]) for c in store.iter_chunks()}


def ingest(paths: list[Path], s: Any) -> Any:
    return ingest_paths([str(p) for p in paths], s, progress=False)


# -- metadata that cannot be read ------------------------------------------------------------
def test_front_matter_without_closing_line_is_not_indexed_and_keeps_the_old_version(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    s = settings(default_classification="public")
    docs = tmp_path / "docs"
    public_doc(docs)
    secret = md(docs / "plan.md", {"title": "Plan", "classification": "restricted"}, SECRET)
    assert ingest([docs], s).ok
    assert levels(s)["plan"] == "restricted"
    # The closing '---' is lost in an edit: read as body text, the file would become public.
    secret.write_text(f"---\ntitle: Plan\nclassification: restricted\n{SECRET}\n", "utf-8")
    report = ingest([docs], s)
    assert not report.ok
    [(source, error)] = report.failed
    assert source.endswith("plan.md") and "never closed" in error and "'---'" in error
    assert levels(s)["plan"] == "restricted"  # the indexed version stays, still restricted
    # A new file in that state is never indexed, at any level.
    md(docs / "ny.md", {}, "").write_text(f"---\nclassification: restricted\n{SECRET}\n", "utf-8")
    report = ingest([docs], s)
    assert "ny" not in levels(s) and any(src.endswith("ny.md") for src, _e in report.failed)


def test_cli_exits_1_and_names_the_file_with_unreadable_metadata(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = tmp_path / "docs"
    public_doc(docs)
    (docs / "plan.md").write_text(f"---\nclassification: restricted\n{SECRET}\n", "utf-8")
    assert main(["ingest", str(docs), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "plan.md" in err and "never closed" in err


def test_invalid_date_in_front_matter_or_manifest_is_a_clear_error(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    s = settings()
    docs = tmp_path / "docs"
    md(docs / "a.md", {"title": "A", "valid_to": "2020-13-45"}, "# A\n\nText om BMVI.")
    (docs / "b.docx").write_bytes(b"")  # named by the manifest below; its error is the manifest's
    (docs / "manifest.yaml").write_text(
        "documents:\n  - path: b.docx\n    valid_from: 2021-02-30\n", "utf-8"
    )
    report = ingest([docs], s)
    errors = dict(report.failed)
    a_error = next(e for src, e in errors.items() if src.endswith("a.md"))
    assert "not a valid date" in a_error and "YYYY-MM-DD" in a_error
    m_error = next(e for src, e in errors.items() if src.endswith("manifest.yaml"))
    assert "not a valid date" in m_error


# -- manifests -------------------------------------------------------------------------------
def test_manifest_name_in_other_letter_case_applies_with_a_warning(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    s = settings(default_classification="public")
    docs = tmp_path / "docs"
    (docs).mkdir()
    (docs / "Rutin.txt").write_text(SECRET, "utf-8")
    (docs / "manifest.yaml").write_text(
        "documents:\n  - path: rutin.txt\n    classification: restricted\n", "utf-8"
    )
    report = ingest([docs], s)
    assert report.ok
    assert levels(s) == {"Rutin": "restricted"}
    assert any("ignoring letter case" in w and "rutin.txt" in w for w in report.warnings)


def test_subfolder_manifest_applies_to_its_folder(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    s = settings(default_classification="public")
    docs = tmp_path / "docs"
    public_doc(docs)
    (docs / "manifest.yaml").write_text("documents:\n  - path: oversikt.md\n", "utf-8")
    sub = docs / "intern"
    sub.mkdir()
    (sub / "plan.txt").write_text(SECRET, "utf-8")
    (sub / "manifest.yaml").write_text(
        "documents:\n  - path: plan.txt\n    classification: restricted\n", "utf-8"
    )
    assert ingest([docs], s).ok
    assert levels(s) == {"oversikt": "public", "intern/plan": "restricted"}


def test_manifest_entry_matching_no_file_is_warned_about(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    docs = tmp_path / "docs"
    public_doc(docs)
    (docs / "manifest.yaml").write_text(
        "documents:\n  - path: plan-2025.txt\n    classification: restricted\n", "utf-8"
    )
    report = ingest([docs], settings())
    assert any("plan-2025.txt" in w and "matches no file" in w for w in report.warnings)


# -- default classification --------------------------------------------------------------------
def test_missing_classification_defaults_to_internal_and_is_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ASSISTANT_DEFAULT_CLASSIFICATION")  # the shipped default
    docs = tmp_path / "docs"
    public_doc(docs)
    (docs / "anteckning.txt").write_text(SECRET, "utf-8")
    assert main(["ingest", str(docs), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "no classification" in err and "anteckning" in err and "internal" in err
    from assistant.config import load_settings

    s = load_settings()
    assert levels(s) == {"oversikt": "public", "anteckning": "internal"}
    # Unchanged on the next run, and still listed.
    report = ingest([docs], s)
    assert report.unchanged and report.default_classified == ["anteckning"]
    pipe = Pipeline(s)
    public = pipe.ask("Hur ofta sker spaningsflyget över Gotland?", max_classification="public")
    assert "Gotland" not in public.text and all(c.doc_id != "anteckning" for c in public.citations)


def test_default_classification_setting_is_used_and_changes_reindex(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    docs = tmp_path / "docs"
    (docs).mkdir()
    (docs / "anteckning.txt").write_text(SECRET, "utf-8")
    assert ingest([docs], settings(default_classification="restricted")).ok
    assert levels(settings())["anteckning"] == "restricted"
    report = ingest([docs], settings(default_classification="public"))
    assert report.updated == ["anteckning"]
    assert levels(settings())["anteckning"] == "public"


def test_unknown_default_classification_is_a_config_error() -> None:
    from assistant.config import load_settings
    from assistant.errors import ConfigError

    with pytest.raises(ConfigError, match="ASSISTANT_DEFAULT_CLASSIFICATION"):
        load_settings(default_classification="secret")


# -- ids unique across ingested folders --------------------------------------------------------
def test_same_relative_name_in_two_folders_is_an_error_naming_both(
    tmp_path: Path, settings: Callable[..., Any]
) -> None:
    s = settings()
    pub, sec = tmp_path / "publikt", tmp_path / "hemligt"
    md(pub / "rutin.md", {"title": "Rutin", "classification": "public"}, "# Rutin\n\nÖppen text.")
    md(sec / "rutin.md", {"title": "Rutin", "classification": "restricted"}, SECRET)
    assert ingest([sec], s).ok
    report = ingest([pub], s)
    [(source, error)] = report.failed
    assert source == str(pub / "rutin.md") and str(sec / "rutin.md") in error
    assert "already used" in error
    assert levels(s) == {"rutin": "restricted"}  # not silently swapped for the public one
    assert ingest([sec], s).ok  # the owner re-ingests unchanged


# -- what an asker sees and what shapes the answer ---------------------------------------------
PUBLIC_DOCS = {
    "isf.md": {
        "meta": {
            "id": "isf-2014",
            "title": "ISF Gränser 2014-2020",
            "language": "sv",
            "classification": "public",
            "superseded_by": "hemlig-ersattare",
        },
        "body": "# ISF\n\n## Artikel 10\n\nOperativt stöd får uppgå till högst 33 procent av "
        "programmets belopp för gränsövervakning.\n",
    },
    "bmvi.md": {
        "meta": {"id": "bmvi", "title": "BMVI", "language": "sv", "classification": "public"},
        "body": "# BMVI\n\n## Artikel 12\n\nMedfinansieringen av projekt får uppgå till 75 "
        "procent av de stödberättigande kostnaderna för gränsövervakning.\n",
    },
}
HIDDEN_TITLE = "Hemlig ersättare med kodnamn Nordstjärna"


def build(root: Path, with_hidden: bool, s: Any) -> Pipeline:
    docs = root / "docs"
    for name, d in PUBLIC_DOCS.items():
        md(docs / name, d["meta"], d["body"])  # type: ignore[arg-type]
    if with_hidden:
        md(
            docs / "hemlig.md",
            {"id": "hemlig-ersattare", "title": HIDDEN_TITLE, "classification": "restricted"},
            "# Hemlig\n\n## Avsnitt 1\n\nSpaningsflyget med drönare modell Korp över Gotland "
            "får medfinansieras till 90 procent av programmets belopp.\n",
        )
    assert ingest([docs], s).ok
    return Pipeline(s)


@pytest.fixture
def twins(tmp_path: Path, settings: Callable[..., Any]) -> tuple[Pipeline, Pipeline]:
    a = build(tmp_path / "a", False, settings(data_dir=tmp_path / "a" / "data"))
    b = build(tmp_path / "b", True, settings(data_dir=tmp_path / "b" / "data"))
    return a, b


def test_superseded_warning_does_not_name_a_hidden_title(
    twins: tuple[Pipeline, Pipeline],
) -> None:
    _, with_hidden = twins
    q = "Hur mycket operativt stöd får ISF ge?"
    public = with_hidden.ask(q, max_classification="public")
    assert public.citations and public.citations[0].doc_id == "isf-2014"
    assert not any(HIDDEN_TITLE in w for w in public.warnings)
    assert any("hemlig-ersattare" in w for w in public.warnings)  # the public doc's own metadata
    restricted = with_hidden.ask(q, max_classification="restricted")
    assert any(HIDDEN_TITLE in w for w in restricted.warnings)


QUESTIONS = [
    "Hur ofta sker spaningsflyget med drönare över Gotland?",
    "Hur hög är medfinansieringen för gränsövervakning?",
    "Får drönare modell Korp medfinansieras?",
    "Vad säger artikel 10 om operativt stöd?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_hidden_documents_do_not_change_public_answers(
    twins: tuple[Pipeline, Pipeline], question: str
) -> None:
    without, with_hidden = twins
    a = without.ask(question, max_classification="public")
    b = with_hidden.ask(question, max_classification="public")
    assert (a.abstained, a.text, a.warnings) == (b.abstained, b.text, b.warnings)
    assert [(p.chunk.chunk_id, p.score, p.lexical_score) for p in a.retrieved] == [
        (p.chunk.chunk_id, p.score, p.lexical_score) for p in b.retrieved
    ]
    lex_a, lex_b = without.retriever.lexical, with_hidden.retriever.lexical
    assert lex_a.unknown_share(question) == lex_b.unknown_share(question)
    ids = [p.chunk.chunk_id for p in a.retrieved[:3]]
    assert lex_a.coverage(question, ids) == lex_b.coverage(question, ids)


def test_abstention_statistics_follow_the_askers_level(
    twins: tuple[Pipeline, Pipeline],
) -> None:
    _, with_hidden = twins
    lex: LexicalIndex = with_hidden.retriever.lexical
    q = "drönare Korp Gotland"
    assert lex.view("public").unknown_share(q) == 1.0  # no public text has these words
    assert lex.view("restricted").unknown_share(q) == 0.0
    assert lex.view("internal") is lex.view("public")  # nothing internal: one shared view
