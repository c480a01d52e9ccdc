"""Report files: JSON, Markdown with the headline table, self-contained HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.documents import Answer, Chunk, Citation, Passage
from assistant.evaluation import (
    EvalResult,
    Suite,
    breakdown_table,
    failed_questions,
    format_regressions,
    headline_table,
    load_suite,
    render_markdown,
    run_eval,
    write_json,
    write_report,
)

SUITE_YAML = """\
name: tiny
questions:
  - {id: q1, question: "Medfinansiering?", lang: sv, answer_terms: ["75 %"], abstain: false,
     expected: [{doc: A.en, section: "Article 12"}]}
  - {id: q2, question: "Who decides?", lang: en, abstain: false,
     expected: [{doc: C.sv, section: "5 §"}]}
  - {id: q3, question: "Semesterdagar?", lang: sv, expected: [], abstain: true}
  - {id: q4, question: "Exchange rate?", lang: en, expected: [], abstain: true}
"""


def _passage(doc: str, section: str, text: str) -> Passage:
    chunk = Chunk(f"{doc}#{section}", doc, text, section, section, 0, len(text))
    return Passage(chunk=chunk, score=0.5)


A12 = _passage("A.en", "Article 12", "shall not exceed 75 % of the total")
B1 = _passage("B.en", "Article 1", "Subject <matter>")
C4 = _passage("C.sv", "4 §", "Ekobrottsmyndigheten")


class ScriptedPipeline:
    """The `ask` signature of Pipeline, answering from a script."""

    script = {
        "Medfinansiering?": (
            "75 % av kostnaderna",
            [B1, A12],
            [Citation(1, "A.en", "A", "Article 12", None, None, "75 %", "A.en#Article 12")],
            False,
        ),
        "Who decides?": ("", [C4], [], True),
        "Semesterdagar?": ("", [B1], [], True),
        "Exchange rate?": ("It is 11.", [B1], [], False),
    }

    def ask(
        self,
        question: str,
        *,
        max_classification: str = "public",
        method: str = "hybrid",
        k: int | None = None,
    ) -> Answer:
        text, retrieved, citations, abstained = self.script[question]
        return Answer(question, "sv", text, list(citations), abstained, retrieved=list(retrieved))


@pytest.fixture
def result(tmp_path: Path) -> EvalResult:
    p = tmp_path / "tiny.yaml"
    p.write_text(SUITE_YAML, encoding="utf-8")
    suite: Suite = load_suite(p)
    return run_eval([suite], ScriptedPipeline(), configs=("full", "lexical"))


def test_report_files_written(result: EvalResult, tmp_path: Path) -> None:
    md, page = write_report(result, tmp_path / "out" / "report")
    assert md.name == "report.md" and md.exists()
    assert page.name == "report.html" and page.exists()


def test_html_is_self_contained(result: EvalResult, tmp_path: Path) -> None:
    _, page = write_report(result, tmp_path)
    html = page.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 2
    srcs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", html)
    assert srcs and all(s.startswith("data:") for s in srcs)
    assert "<link" not in html and "<script" not in html
    assert "Subject &lt;matter&gt;" not in html  # passage text is not in the report
    assert "q2" in html and "C.sv 4 §" in html  # failed question and what came instead


def test_markdown_has_headline_table(result: EvalResult) -> None:
    md = render_markdown(result)
    assert "| metric | full | lexical |" in md
    assert re.search(r"\| hit@5 \| 0\.500 \| 0\.500 \|", md)
    assert "| wrongly abstained |" in md
    assert "## By language, cross-lingual and suite" in md
    assert "| full | lang sv |" in md and "| full | cross-lingual |" in md
    assert "| full | cross-lingual |" in md
    # q2 (miss + wrong abstention) and q4 (answered, should abstain) per config
    assert "## Failed questions (4)" in md
    assert "answered, should abstain" in md


def test_failed_questions(result: EvalResult) -> None:
    ids = [(r.config, r.question.id) for r in failed_questions(result)]
    assert ids == [("full", "q2"), ("full", "q4"), ("lexical", "q2"), ("lexical", "q4")]


def test_json_round_trip(result: EvalResult, tmp_path: Path) -> None:
    path = write_json(result, tmp_path / "sub" / "run.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["configs"] == ["full", "lexical"]
    assert data["summary"]["full"]["overall"]["section.hit@5"] == 0.5


def test_terminal_tables(result: EvalResult) -> None:
    from rich.console import Console

    console = Console(record=True, width=160)
    console.print(headline_table(result))
    console.print(breakdown_table(result))
    text = console.export_text()
    assert "nDCG@10" in text and "lexical (n=4)" in text and "cross-lingual" in text


def test_format_regressions() -> None:
    assert format_regressions([], "old.json") == "No question got worse compared with old.json."
