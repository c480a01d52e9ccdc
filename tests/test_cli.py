"""The command line contract of DESIGN.md: options, JSON shapes, exit codes, error messages."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import ASK_JSON_KEYS, build_hash_index

from assistant.cli import main

pytestmark = pytest.mark.usefixtures("hash_env")

CONTRACT_OPTIONS = {
    "ingest": ["--rebuild", "--dry-run", "PATH_OR_URL"],
    "status": ["--json"],
    "ask": ["--json", "QUESTION"],
    "eval": ["--docs", "--json", "--report", "SUITE.yaml"],
    "serve": ["--http", "--port"],
}


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as e:
        main([*argv, "--help"])
    assert e.value.code == 0
    return capsys.readouterr().out


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    out = _help(capsys)
    for cmd in (*CONTRACT_OPTIONS, "chat"):
        assert cmd in out
    assert "ASSISTANT_DATA_DIR" in out and "SLACK_BOT_TOKEN" in out


@pytest.mark.parametrize("command", sorted(CONTRACT_OPTIONS))
def test_subcommand_help_mentions_contract_options(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _help(capsys, command)
    for opt in CONTRACT_OPTIONS[command]:
        assert opt in out, (command, opt)


@pytest.mark.integration
def test_console_script_runs() -> None:
    exe = Path(sys.executable).parent / "assistant"
    argv = [str(exe)] if exe.exists() else [sys.executable, "-m", "assistant"]
    r = subprocess.run([*argv, "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "ingest" in r.stdout


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main([])
    assert e.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


@pytest.fixture
def tiny_index(tmp_path: Path, settings: Callable[..., Any]) -> Any:
    s = settings()
    build_hash_index(
        s.data_dir.parent,
        {
            "isf.md": "---\ntitle: ISF regulation\nlanguage: en\n"
            "url: https://eur-lex.europa.eu/eli/reg/2021/1149/oj\n---\n# ISF\n\n"
            "## Article 12 Co-financing rates\n\nThe contribution from the Union budget shall not "
            "exceed 75 % of the total eligible expenditure.\n\n## Article 13 Operating support\n\n"
            "Member States may use part of the allocation for operating support.\n",
            "ncc.md": "---\ntitle: NCC\nlanguage: en\n---\n# NCC\n\nThe national coordination "
            "centre runs EUROSUR in Sweden.\n",
        },
        s.embed_cache_path,
    )
    return s


def test_status_json(tiny_index: Any, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["status", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert {
        "store",
        "mode",
        "collection",
        "embedding_model",
        "dimension",
        "documents",
        "chunks",
        "generation",
        "last_ingest",
        "per_document",
    } <= set(info)
    assert info["mode"] == "embedded" and info["embedding_model"] == "hash-256"
    assert info["documents"] == 2 and info["chunks"] == 3 and info["generation"] == 1
    assert [d["doc_id"] for d in info["per_document"]] == ["isf", "ncc"]
    assert {
        "doc_id",
        "title",
        "format",
        "language",
        "classification",
        "chunks",
        "source",
        "ingested_at",
    } <= set(info["per_document"][0])


def test_status_on_an_empty_index_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status"]) == 0
    assert "assistant ingest" in capsys.readouterr().out


def test_ask_json_contract(tiny_index: Any, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    q = "What is the maximum co-financing rate of the Union budget contribution?"
    assert main(["ask", q, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= ASK_JSON_KEYS
    assert out["question"] == q and out["language"] == "en"
    assert out["abstained"] is False and isinstance(out["warnings"], list)
    assert out["citations"], out
    for c in out["citations"]:
        assert {"n", "doc_id", "title", "section", "page", "url", "quote"} <= set(c)
    first = out["citations"][0]
    assert (first["n"], first["doc_id"], first["section"]) == (1, "isf", "Article 12")
    assert first["title"] == "ISF regulation"
    assert first["url"] == "https://eur-lex.europa.eu/eli/reg/2021/1149/oj"
    assert "75 %" in first["quote"] and "[1]" in out["answer"]
    assert out["retrieved"]
    for p in out["retrieved"]:
        assert {"doc_id", "section", "score", "text"} <= set(p)
    scores = [p["score"] for p in out["retrieved"]]
    assert scores == sorted(scores, reverse=True)
    top = out["retrieved"][0]
    assert top["doc_id"] == "isf" and top["text"].startswith(
        "The contribution from the Union budget"
    )
    assert all(isinstance(v, int | float) for v in out["timings_ms"].values())


def test_ask_plain_text_prints_sources(tiny_index: Any, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["ask", "Which centre runs EUROSUR in Sweden?"]) == 0
    out = capsys.readouterr().out
    assert "Sources" in out or "Källor" in out
    assert "NCC" in out


@pytest.mark.parametrize("question", ["", "   ", "?!"])
def test_empty_question_exits_2_with_a_message(
    tiny_index: Any, question: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["ask", question]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() or captured.out.strip()
    assert "Traceback" not in captured.err

    assert main(["ask", question, "--json"]) == 2
    body = json.loads(capsys.readouterr().out)
    assert body["question"] == question and body["error"]


def test_invalid_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "localhost:8000")
    for argv in (["status"], ["ask", "Vad är ISF?"], ["ingest", "--dry-run"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "ASSISTANT_CHROMA_URL" in err and "localhost:8000" in err
        assert "http://" in err  # the fix
        assert "Traceback" not in err


def test_invalid_embeddings_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_EMBEDDINGS", "hash-abc")
    assert main(["status"]) == 2
    assert "ASSISTANT_EMBEDDINGS" in capsys.readouterr().err


def test_refused_question_is_not_echoed_raw_in_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json as _json

    from assistant.cli import main

    monkeypatch.setenv("ASSISTANT_MAX_QUESTION_CHARS", "20")
    question = "Gäller ISF för pnr:811218-1089 och tel:0701164567 i det här ärendet?"
    assert main(["ask", "--json", question]) == 2
    out = _json.loads(capsys.readouterr().out)
    assert out["error"]
    assert "811218" not in out["question"] and "0701164567" not in out["question"]
    assert "[personnummer]" in out["question"] and "[telefonnummer]" in out["question"]
