"""Suite loading, section labels, metrics, the runner over a scripted pipeline, compare, gate."""

from __future__ import annotations

import argparse
import json
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.cli.eval import run_eval as eval_command
from assistant.cli.eval import run_feedback as feedback_command
from assistant.documents import Answer, Chunk, Citation, Passage
from assistant.errors import SuiteError
from assistant.evaluation import (
    EvalResult,
    Expected,
    Question,
    Suite,
    abstention_metrics,
    answer_term_coverage,
    check_thresholds,
    citation_correct,
    citation_valid,
    compare_results,
    doc_language,
    gains,
    hit_at_k,
    is_cross_lingual,
    load_suite,
    load_suites,
    load_thresholds,
    ndcg_at_k,
    normalize_section,
    passage_matches,
    percentile,
    recall_at_k,
    reciprocal_rank,
    render_feedback_suite,
    retrieval_metrics,
    run_eval,
    target_ranks,
    targets,
)

REPO = Path(__file__).resolve().parents[1]
REAL_SUITE = REPO.parent / "shared" / "realdocs-questions.yaml"


# -- fakes ---------------------------------------------------------------------------------------


def passage(
    doc: str,
    section: str,
    text: str = "",
    score: float = 1.0,
    *,
    chunk_id: str = "",
    language: str | None = None,
) -> Passage:
    meta = {"language": language} if language else {}
    chunk = Chunk(
        chunk_id=chunk_id or f"{doc}#{section}",
        doc_id=doc,
        text=text,
        section=section,
        heading_path=section,
        start=0,
        end=len(text),
        metadata=meta,
    )
    return Passage(chunk=chunk, score=score)


def cite(p: Passage, quote: str, n: int = 1) -> Citation:
    return Citation(
        n=n,
        doc_id=p.chunk.doc_id,
        title=p.chunk.doc_id,
        section=p.chunk.section,
        page=None,
        url=None,
        quote=quote,
        chunk_id=p.chunk.chunk_id,
    )


class FakePipeline:
    """Scripted answers by question text (and optionally method); records every call."""

    def __init__(self, script: dict[str, Answer | dict[str, Answer]]) -> None:
        self.script = script
        self.calls: list[dict[str, Any]] = []

    def ask(
        self,
        question: str,
        *,
        max_classification: str = "public",
        method: Any = "hybrid",
        k: int | None = None,
    ) -> Answer:
        self.calls.append(
            {
                "question": question,
                "method": method,
                "k": k,
                "max_classification": max_classification,
            }
        )
        a = self.script[question]
        return a[method] if isinstance(a, dict) else a


def answer(
    question: str,
    text: str,
    retrieved: Sequence[Passage],
    citations: Sequence[Citation] = (),
    abstained: bool = False,
) -> Answer:
    return Answer(
        question=question,
        language="sv",
        text=text,
        citations=list(citations),
        abstained=abstained,
        retrieved=list(retrieved),
    )


SUITE_YAML = """\
name: tiny
questions:
  - id: q1
    question: "Hur stor medfinansiering?"
    lang: sv
    expected:
      - doc: A.en
        section: "Article 12"
    answer_terms: ["75 %", "projekt"]
    abstain: false
    evidence: "shall not exceed 75 %"
  - id: q2
    question: "Who decides?"
    lang: en
    expected:
      - doc: C.sv
        section: "5 §"
    answer_terms: ["Statskontoret"]
    abstain: false
  - id: q3
    question: "Semesterdagar?"
    lang: sv
    expected: []
    abstain: true
  - id: q4
    question: "Exchange rate?"
    lang: en
    expected: []
    abstain: true
"""

P_A12 = passage(
    "A.en", "Article 12(3)", "The contribution shall not exceed 75 % of the total.", chunk_id="a12"
)
P_B1 = passage("B.en", "Article 1", "Subject matter.", chunk_id="b1")
P_C4 = passage("C.sv", "4 §", "Ekobrottsmyndigheten ska underrättas.", chunk_id="c4")


def tiny_script() -> dict[str, Answer | dict[str, Answer]]:
    return {
        "Hur stor medfinansiering?": answer(
            "Hur stor medfinansiering?",
            "Enligt artikel 12: 75\u00a0% av kostnaderna.",
            [P_B1, P_A12],
            [cite(P_A12, "shall not exceed 75 %"), cite(P_B1, "not in the text", 2)],
        ),
        "Who decides?": answer("Who decides?", "", [P_C4], abstained=True),
        "Semesterdagar?": answer("Semesterdagar?", "", [P_B1], abstained=True),
        "Exchange rate?": answer("Exchange rate?", "It is 11.", [P_B1], [cite(P_B1, "Subject")]),
    }


@pytest.fixture
def tiny_suite(tmp_path: Path) -> Suite:
    p = tmp_path / "tiny.yaml"
    p.write_text(SUITE_YAML, encoding="utf-8")
    return load_suite(p)


# -- suites --------------------------------------------------------------------------------------


def test_load_suite_fields(tiny_suite: Suite) -> None:
    assert tiny_suite.name == "tiny"
    q1 = tiny_suite.questions[0]
    assert q1 == Question(
        id="q1",
        question="Hur stor medfinansiering?",
        lang="sv",
        expected=[Expected("A.en", "Article 12")],
        answer_terms=["75 %", "projekt"],
        abstain=False,
        evidence="shall not exceed 75 %",
        suite="tiny",
    )
    assert tiny_suite.questions[2].answer_terms == [] and tiny_suite.questions[2].evidence == ""


def test_suite_errors_name_file_line_and_id(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        """\
name: bad
questions:
  - id: a1
    question: "ok?"
    lang: sv
    expected:
      - doc: X.en
    abstain: false
  - id: a1
    question: "duplicate"
    lang: sv
    expected: [{doc: X.en}]
    abstain: false
  - id: a2
    question: 42
    lang: sv
    expected:
      - doc: X.en
    abstain: true
  - id: a3
    question: "no expected"
    lang: en
    abstain: false
  - question: "no id"
    lang: en
    expected: [{doc: X.en, section: 5}]
    abstain: "no"
    expect: []
""",
        encoding="utf-8",
    )
    with pytest.raises(SuiteError) as exc:
        load_suite(bad)
    msg = str(exc.value)
    assert str(bad) in msg
    assert "line 9 (id a1): duplicate id (first used at line 3)" in msg
    assert "line 14 (id a2): `question` (line 15) must be a non-empty string, got 42" in msg
    assert "line 14 (id a2): abstain: true but `expected` (line 17) lists 1 source(s)" in msg
    assert "line 20 (id a3): abstain: false but no `expected` sources" in msg
    assert "line 24: missing field `id`" in msg
    assert "line 24: `abstain` (line 27) must be true or false, got 'no'" in msg
    assert "line 24: unknown field `expect` (line 28)" in msg
    assert "section must be a quoted label" in msg
    assert "8 problem(s)" in msg


def test_suite_error_not_yaml_and_missing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nquestions:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(SuiteError, match=r"broken.yaml:\d+: not valid YAML"):
        load_suite(broken)
    with pytest.raises(SuiteError, match="not found"):
        load_suite(tmp_path / "nope.yaml")
    no_questions = tmp_path / "empty.yaml"
    no_questions.write_text("name: x\n", encoding="utf-8")
    with pytest.raises(SuiteError, match="`questions` must be a list"):
        load_suite(no_questions)


def _suite_error(tmp_path: Path, text: str, name: str = "s.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SuiteError) as exc:
        load_suite(path)
    msg = str(exc.value)
    assert msg.startswith(f"{path}: ")  # every load error names the file
    return msg


def test_unknown_question_key_names_file_and_line(tmp_path: Path) -> None:
    msg = _suite_error(
        tmp_path,
        """\
name: s
questions:
  - id: ok
    question: "Fine?"
    lang: en
    expected: [{doc: A.en}]
    abstain: false
  - id: typo
    question: "Which key?"
    lang: en
    expected: [{doc: A.en}]
    answer_term: ["x"]
    abstain: false
""",
    )
    assert "1 problem(s) in suite 's'" in msg
    assert "line 8 (id typo): unknown field `answer_term` (line 12); known fields: id," in msg


def test_wrong_types_name_file_and_line(tmp_path: Path) -> None:
    msg = _suite_error(
        tmp_path,
        """\
name: s
questions:
  - id: q1
    question: "Typed?"
    lang: [en]
    expected:
      - {doc: A.en, section: 12}
      - {doc: 7}
      - {doc: B.en, page: 3}
    answer_terms: "75 %"
    abstain: "yes"
    evidence: 5
""",
    )
    where = "line 3 (id q1): "
    assert f"{where}`lang` (line 5) must be a non-empty string, got ['en']" in msg
    assert f"{where}`abstain` (line 11) must be true or false, got 'yes'" in msg
    assert f"{where}`answer_terms` (line 10) must be a list of non-empty strings" in msg
    assert f"{where}`evidence` (line 12) must be a string" in msg
    assert f"{where}`expected` (line 6) entry 1: section must be a quoted label" in msg
    assert f"{where}`expected` (line 6) entry 2 needs `doc: <document id>`" in msg
    assert f"{where}`expected` (line 6) entry 3 has unknown keys ['page']" in msg
    assert "7 problem(s)" in msg


def test_schema_does_not_coerce() -> None:
    """Strict types: "no" is not false, 1 is not true, a number is not an id."""
    from pydantic import ValidationError

    from assistant.evaluation.suite import QuestionEntry

    base = {"id": "a", "question": "q?", "lang": "sv", "abstain": True}
    assert QuestionEntry.model_validate(base).abstain is True
    for key, value in (("abstain", "no"), ("abstain", 1), ("id", 5), ("lang", " ")):
        with pytest.raises(ValidationError):
            QuestionEntry.model_validate({**base, key: value})
    with pytest.raises(ValidationError, match="expect"):
        QuestionEntry.model_validate({**base, "expect": []})


def test_suite_top_level_keys(tmp_path: Path) -> None:
    described = tmp_path / "described.yaml"
    described.write_text(
        "name: d\ndescription: what the suite covers\nquestions:\n"
        "  - {id: a, question: q, lang: sv, abstain: true}\n",
        encoding="utf-8",
    )
    assert load_suite(described).name == "d"
    unnamed = tmp_path / "unnamed.yaml"
    unnamed.write_text("questions: []\n", encoding="utf-8")
    assert load_suite(unnamed).name == "unnamed"  # the file name stands in
    msg = _suite_error(
        tmp_path,
        "name: ''\nversion: 2\ndescription: [x]\nquestions:\n"
        "  - {id: a, question: q, lang: sv, abstain: true}\n",
    )
    assert "3 problem(s) in suite 's'" in msg
    assert "line 1: `name` must be a non-empty string" in msg
    assert "line 2: unknown top-level field `version`; known fields: name, description," in msg
    assert "line 3: `description` must be text" in msg


def test_evaluation_package_neither_prints_nor_parses_arguments() -> None:
    """The command line lives in assistant/cli/eval.py; the package only computes and renders."""
    import ast

    for path in sorted((REPO / "assistant" / "evaluation").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            else:
                names = []
            for name in names:
                assert name not in ("argparse", "rich.console", "..cli"), (path.name, name)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "print", (path.name, node.lineno)


def test_load_suites_reports_all_files(tmp_path: Path, tiny_suite: Suite) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(SUITE_YAML, encoding="utf-8")  # same name "tiny"
    with pytest.raises(SuiteError, match="suite names used twice: tiny"):
        load_suites([tiny_suite.path, other])


@pytest.mark.skipif(not REAL_SUITE.exists(), reason="shared realdocs suite not present")
def test_real_suite_loads_cleanly() -> None:
    suite = load_suite(REAL_SUITE)
    assert suite.name == "realdocs-dev"
    assert len(suite.questions) > 10
    assert any(q.abstain for q in suite.questions)
    assert all(q.expected for q in suite.questions if not q.abstain)


def test_repo_suites_load_cleanly() -> None:
    for path in sorted((REPO / "evals" / "suites").glob("*.yaml")):
        assert load_suite(path).questions, path


# -- section labels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "norm"),
    [
        ("Article 12", "art 12"),
        ("Artikel 12", "art 12"),
        ("Art. 12", "art 12"),
        ("art 12", "art 12"),
        ("Article 12(3)", "art 12"),
        ("Article\u00a012", "art 12"),
        ("5 §", "§ 5"),
        ("5§", "§ 5"),
        ("§ 5", "§ 5"),
        ("3 a §", "§ 3a"),
        ("2 kap. 3 §", "kap 2 § 3"),
        ("2 kap 3§", "kap 2 § 3"),
        ("Annex III", "annex iii"),
        ("Bilaga III", "annex iii"),
        ("ANNEX III", "annex iii"),
        ("Annex I — Allocation", "annex i"),
        ("Bilaga", "annex"),
        ("(12)", "recital 12"),
        ("Recital 12", "recital 12"),
        ("skäl 12", "recital 12"),
        ("CHAPTER  II", "chapter ii"),
        ("  Bakgrund och syfte. ", "bakgrund och syfte"),
    ],
)
def test_normalize_section(label: str, norm: str) -> None:
    assert normalize_section(label) == norm


def test_passage_matches() -> None:
    assert passage_matches("A.en", "Article 12(3)", Expected("A.en", "Artikel 12"))
    assert passage_matches("A.en", "Article 1", Expected("A.en"))
    assert not passage_matches("A.en", "Article 13", Expected("A.en", "Article 12"))
    assert not passage_matches("B.en", "Article 12", Expected("A.en", "Article 12"))


# -- retrieval metrics ---------------------------------------------------------------------------


def test_rank_metrics_hand_computed() -> None:
    g = [0, 1, 0, 1]
    assert hit_at_k(g, 1) == 0.0
    assert hit_at_k(g, 3) == 1.0
    assert reciprocal_rank(g) == 0.5
    assert reciprocal_rank([0, 0, 1]) == pytest.approx(1 / 3, abs=1e-12)
    assert reciprocal_rank([0] * 10 + [1], 10) == 0.0
    # (1/log2 3 + 1/log2 5) / (1 + 1/log2 3)
    assert ndcg_at_k(g, 2) == pytest.approx(0.6509209298071326, abs=1e-9)
    # one relevant at rank 3 of one expected: 1/log2(4)
    assert ndcg_at_k([0, 0, 1], 1) == pytest.approx(0.5, abs=1e-9)
    # two expected, only one found at rank 1: 1 / (1 + 1/log2 3)
    assert ndcg_at_k([1, 0, 0], 2) == pytest.approx(0.6131471927654584, abs=1e-9)
    assert ndcg_at_k([1, 1], 2) == pytest.approx(1.0, abs=1e-12)
    assert ndcg_at_k([0, 0], 0) == 0.0
    # ideal DCG capped at 10 relevant
    assert ndcg_at_k([1] * 10, 12) == pytest.approx(1.0, abs=1e-12)
    assert recall_at_k([2, None, 6], 5) == pytest.approx(1 / 3, abs=1e-12)
    assert recall_at_k([1, 5], 5) == 1.0


def test_split_sections_count_once() -> None:
    ranked = [("A.en", "Article 12"), ("A.en", "Article 12"), ("B.en", "Annex I")]
    goal = targets([Expected("A.en", "Art. 12"), Expected("B.en", "ANNEX I")], "section")
    assert gains(ranked, goal) == [1, 0, 1]
    assert target_ranks(ranked, goal) == [1, 3]
    m = retrieval_metrics(
        ranked, [Expected("A.en", "Art. 12"), Expected("B.en", "ANNEX I")], "section"
    )
    assert m["ndcg@10"] <= 1.0
    assert m["rank"] == 1


def test_doc_and_section_levels_differ() -> None:
    ranked = [("X.en", "Article 1"), ("A.en", "Article 3"), ("A.en", "Article 12")]
    exp = [Expected("A.en", "Article 12")]
    doc = retrieval_metrics(ranked, exp, "doc")
    sec = retrieval_metrics(ranked, exp, "section")
    assert (doc["hit@1"], doc["hit@3"], doc["mrr@10"], doc["rank"]) == (0.0, 1.0, 0.5, 2)
    assert (sec["hit@1"], sec["hit@3"], sec["rank"]) == (0.0, 1.0, 3)
    assert sec["mrr@10"] == pytest.approx(1 / 3, abs=1e-12)
    assert sec["ndcg@10"] == pytest.approx(0.5, abs=1e-9)
    # two expected entries in one doc: one doc-level target
    assert len(targets([Expected("A.en", "Article 1"), Expected("A.en", "Article 2")], "doc")) == 1


# -- answer metrics ------------------------------------------------------------------------------


def test_answer_term_coverage() -> None:
    text = "Högst 75\u00a0% av  kostnaderna, enligt\nStatskontoret."
    assert answer_term_coverage(text, ["75 %", "statskontoret"]) == 1.0
    assert answer_term_coverage(text, ["75 %", "Tullverket"]) == 0.5
    assert answer_term_coverage(text, ["av kostnaderna, enligt statskontoret"]) == 1.0
    assert answer_term_coverage(text, []) is None


def test_citation_validity_and_correctness() -> None:
    p = passage("A.en", "Article 12", "It shall not\nexceed 75 % of the total.", chunk_id="a12")
    assert citation_valid(cite(p, "shall not exceed 75 %"), [p])
    assert citation_valid(cite(p, "It shall … 75 % of the total."), [p])
    assert not citation_valid(cite(p, "shall not exceed 80 %"), [p])
    assert not citation_valid(cite(p, "shall not exceed 75 %"), [])  # passage not retrieved
    # no chunk id: found by doc id and section
    c = cite(p, "exceed 75 %")
    c.chunk_id = ""
    c.section = "Artikel 12"
    assert citation_valid(c, [p])
    assert citation_correct(cite(p, "x"), [Expected("A.en", "Art. 12")])
    assert not citation_correct(cite(p, "x"), [Expected("A.en", "Article 13")])


def test_abstention_counts() -> None:
    should = [True, True, False, False, False]
    did = [True, False, True, False, False]
    m = abstention_metrics(should, did)
    assert m["abstention_precision"] == 0.5  # 1 of 2 abstentions were right
    assert m["abstention_recall"] == 0.5  # 1 of 2 must-abstain caught
    assert m["wrongly_abstained"] == pytest.approx(1 / 3)
    none = abstention_metrics([False], [False])
    assert none["abstention_precision"] is None and none["abstention_recall"] is None


def test_percentile() -> None:
    assert percentile([10.0, 20.0, 30.0, 40.0], 50) == 25.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)
    assert percentile([], 50) is None


def test_cross_lingual_split() -> None:
    assert doc_language("A.en") == "en"
    assert doc_language("strategi") is None
    assert doc_language("strategi", {"strategi": "sv"}) == "sv"
    assert is_cross_lingual("sv", [Expected("A.en")]) is True
    assert is_cross_lingual("en", [Expected("A.en")]) is False
    assert is_cross_lingual("sv", [Expected("A.en"), Expected("B.sv")]) is False
    assert is_cross_lingual("sv", [Expected("strategi")]) is None
    assert is_cross_lingual("en", [Expected("strategi")], {"strategi": "sv"}) is True


# -- the runner ----------------------------------------------------------------------------------


def test_an_evaluator_sees_why_an_answerable_question_was_declined(tiny_suite: Suite) -> None:
    """ "Who decides?" is answerable in the tiny suite; declined for want of an actor, its
    result carries the reason, in the JSON and in the report's list of failures."""
    from assistant.declining import Decline
    from assistant.evaluation.report import _why

    script = tiny_script()
    declined = script["Who decides?"]
    assert isinstance(declined, Answer)
    declined.declined_by = Decline("missing_fact", "actor")
    result = run_eval([tiny_suite], FakePipeline(script), k=5)
    data = json.loads(json.dumps(result.to_json()))
    by_id = {q["question"]: q for q in data["questions"]}
    assert by_id["Who decides?"]["declined_by"] == "missing_fact: actor"
    assert by_id["Hur stor medfinansiering?"]["declined_by"] is None
    r = next(r for r in result.results if r.question.question == "Who decides?")
    assert "abstained, answerable (missing_fact: actor)" in _why(r)


def test_run_eval_over_fake_pipeline(tiny_suite: Suite) -> None:
    fake = FakePipeline(tiny_script())
    result = run_eval([tiny_suite], fake, k=7, max_classification="internal")
    assert [c["method"] for c in fake.calls] == ["hybrid"] * 4
    assert {c["k"] for c in fake.calls} == {7}
    assert {c["max_classification"] for c in fake.calls} == {"internal"}

    data = json.loads(json.dumps(result.to_json()))
    q1 = data["questions"][0]
    assert {
        "id",
        "suite",
        "question",
        "lang",
        "config",
        "retrieved",
        "answer",
        "abstained",
        "citations",
        "metrics",
        "latency_ms",
    } <= set(q1)
    assert (q1["id"], q1["suite"], q1["config"], q1["cross_lingual"]) == (
        "q1",
        "tiny",
        "full",
        True,
    )
    assert q1["retrieved"] == [
        {"doc_id": "B.en", "section": "Article 1", "score": 1.0},
        {"doc_id": "A.en", "section": "Article 12(3)", "score": 1.0},
    ]
    assert q1["metrics"]["section"]["rank"] == 2
    assert q1["metrics"]["section"]["mrr@10"] == 0.5
    assert q1["metrics"]["answer_term_coverage"] == 0.5  # "75 %" (nbsp) yes, "projekt" no
    assert [c["valid"] for c in q1["citations"]] == [True, False]
    assert [c["correct"] for c in q1["citations"]] == [True, False]

    s = result.summary["full"]["overall"]
    assert (s["questions"], s["answerable"], s["must_abstain"]) == (4, 2, 2)
    assert s["section.hit@5"] == 0.5  # q1 hit, q2 miss
    assert s["section.mrr@10"] == 0.25
    assert s["doc.hit@1"] == 0.5  # q2 retrieved the right statute, wrong paragraph
    assert s["doc.hit@5"] == 1.0
    assert s["answer_term_coverage"] == 0.5  # q2 abstained: not counted
    for key in ("first_term_coverage", "answer_terms_if_retrieved", "first_terms_if_retrieved",
                "quotes_per_answer", "asker_language_first", "terms_retrieved"):
        assert key in s
    assert q1["metrics"]["first_term_coverage"] is not None
    assert s["citation_validity"] == pytest.approx(2 / 3)  # q1: 1 of 2, q4: 1 of 1
    assert s["citation_correctness"] == 0.5
    assert s["abstention_precision"] == 0.5  # q2 wrong, q3 right
    assert s["abstention_recall"] == 0.5  # q3 yes, q4 no
    assert s["wrongly_abstained"] == 0.5
    assert s["latency_p50_ms"] is not None and s["latency_p95_ms"] >= s["latency_p50_ms"]

    by = result.summary["full"]
    assert set(by["by_lang"]) == {"en", "sv"}
    assert by["by_lang"]["sv"]["section.hit@5"] == 1.0
    assert by["by_crosslingual"]["cross-lingual"]["answerable"] == 2  # sv→en and en→sv
    assert set(by["by_suite"]) == {"tiny"}


def test_run_eval_baselines_use_methods(tiny_suite: Suite) -> None:
    fake = FakePipeline(tiny_script())
    result = run_eval([tiny_suite], fake, configs=("full", "dense", "lexical"))
    assert [c["method"] for c in fake.calls] == ["hybrid"] * 4 + ["dense"] * 4 + ["lexical"] * 4
    assert set(result.summary) == {"full", "dense", "lexical"}
    assert {r.config for r in result.results} == {"full", "dense", "lexical"}


def test_language_from_chunk_metadata(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(
        "name: m\nquestions:\n  - {id: a, question: q, lang: en, expected: [{doc: strat}],"
        " abstain: false}\n",
        encoding="utf-8",
    )
    suite = load_suite(p)
    fake = FakePipeline(
        {"q": answer("q", "x", [passage("strat", "Inledning", "x", language="sv")])}
    )
    result = run_eval([suite], fake)
    assert result.results[0].cross_lingual is True
    assert result.doc_languages == {"strat": "sv"}


def test_rejected_question_is_a_recorded_miss(tiny_suite: Suite) -> None:
    from assistant.errors import QuestionRejectedError

    class Rejecting(FakePipeline):
        def ask(self, question: str, **kw: Any) -> Answer:
            raise QuestionRejectedError("too long")

    result = run_eval([tiny_suite], Rejecting({}))
    assert result.results[0].error == "too long"
    assert result.summary["full"]["overall"]["errors"] == 4
    assert result.summary["full"]["overall"]["section.hit@5"] == 0.0


# -- compare -------------------------------------------------------------------------------------


def test_compare_detects_regressions(tiny_suite: Suite) -> None:
    before = run_eval([tiny_suite], FakePipeline(tiny_script())).to_json()
    worse = tiny_script()
    worse["Hur stor medfinansiering?"] = answer(
        "Hur stor medfinansiering?", "Inget.", [P_B1, P_C4, P_B1, P_A12]
    )
    worse["Semesterdagar?"] = answer("Semesterdagar?", "Ja.", [P_B1])
    after = run_eval([tiny_suite], FakePipeline(worse)).to_json()
    regs = compare_results(before, after)
    kinds = {(r.id, r.kind) for r in regs}
    assert ("q1", "rank") in kinds  # rank 2 -> 4
    assert ("q1", "answer-terms") in kinds
    assert ("q3", "abstention-lost") in kinds
    assert any("rank dropped from 2 to 4" in str(r) for r in regs)

    gone = tiny_script()
    gone["Hur stor medfinansiering?"] = answer("Hur stor medfinansiering?", "75 % projekt", [P_B1])
    regs = compare_results(before, run_eval([tiny_suite], FakePipeline(gone)).to_json())
    assert [(r.id, r.kind) for r in regs] == [("q1", "miss"), ("q1", "miss")]  # doc and section
    assert compare_results(before, before) == []


# -- the gate ------------------------------------------------------------------------------------


def _result(tiny_suite: Suite) -> EvalResult:
    return run_eval([tiny_suite], FakePipeline(tiny_script()))


def test_check_thresholds(tiny_suite: Suite) -> None:
    result = _result(tiny_suite)
    ok = {"tiny": {"full": {"min": {"section.hit@5": 0.5}, "max": {"wrongly_abstained": 0.5}}}}
    assert check_thresholds(result, ok) == []
    bad = {
        "tiny": {
            "full": {
                "min": {"section.hit@5": 0.9, "sektion.hit@5": 0.1},
                "max": {"wrongly_abstained": 0.1},
            }
        },
        "other-suite": {"full": {"min": {"section.hit@5": 1.0}}},  # not run: skipped
    }
    failures = check_thresholds(result, bad)
    assert len(failures) == 3
    assert "tiny/full section.hit@5 = 0.500, below the minimum 0.9" in failures
    assert "tiny/full wrongly_abstained = 0.500, above the maximum 0.1" in failures
    assert any("sektion.hit@5: unknown metric" in f for f in failures)


def test_thresholds_file_is_valid_and_placeholder_passes(tiny_suite: Suite) -> None:
    data = load_thresholds(REPO / "evals" / "thresholds.yaml")
    assert data, "evals/thresholds.yaml is empty"
    result = _result(tiny_suite)
    known = set(result.summary["full"]["overall"])
    for per_config in data.values():
        for bounds in per_config.values():
            for kind, metrics in bounds.items():
                assert kind in ("min", "max")
                assert set(metrics) <= known


# -- commands ------------------------------------------------------------------------------------


def _eval_args(suites: list[str], **kw: Any) -> argparse.Namespace:
    base: dict[str, Any] = {
        "suites": suites,
        "docs": None,
        "json_out": None,
        "report": None,
        "k": 10,
        "baselines": False,
        "compare": None,
        "level": "restricted",
    }
    base.update(kw)
    return argparse.Namespace(**base)


def test_eval_command_writes_json_and_compares(
    tiny_suite: Suite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.config import load_settings

    settings = load_settings(ASSISTANT_DATA_DIR=str(tmp_path / "data"))
    out = tmp_path / "run.json"
    args = _eval_args([str(tiny_suite.path)], json_out=str(out), baselines=True)
    assert eval_command(args, settings, pipeline=FakePipeline(tiny_script())) == 0
    printed = capsys.readouterr().out
    assert "hit@5" in printed and "lexical" in printed and "MRR@10" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["questions"]) == 12 and set(data["summary"]) == {"full", "dense", "lexical"}

    worse = tiny_script()
    worse["Semesterdagar?"] = answer("Semesterdagar?", "Ja.", [P_B1])
    args = _eval_args([str(tiny_suite.path)], compare=str(out))
    assert eval_command(args, settings, pipeline=FakePipeline(worse)) == 0
    assert "abstained correctly before, now answers" in capsys.readouterr().out


def test_eval_without_hand_list_translates_with_the_dictionary_only(
    tiny_suite: Suite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.language import pseudo_translate

    seen: list[str] = []

    class Recording(FakePipeline):
        def ask(self, question: str, **kw: Any) -> Answer:
            seen.append(pseudo_translate("Vem ska stå för kostnaden?", with_glossary=False))
            return super().ask(question, **kw)

    from assistant.config import load_settings

    settings = load_settings().model_copy(update={"data_dir": tmp_path})
    with_list = pseudo_translate("Vem ska stå för kostnaden?", with_glossary=False)
    args = _eval_args([str(tiny_suite.path)], without_hand_list=True)
    assert eval_command(args, settings, pipeline=Recording(tiny_script())) == 0
    assert "Hand list (assistant/sv_en.yaml) off" in capsys.readouterr().out
    # "stå för" is a phrase of the hand list only: off, the question no longer reads "cover".
    assert seen and all(t != with_list and "cover" not in t.split() for t in seen)
    assert "cover" in with_list.split()
    # The list is back on for whatever runs next in the process.
    assert pseudo_translate("Vem ska stå för kostnaden?", with_glossary=False) == with_list


def test_eval_command_docs_ingests_into_temporary_index(
    tiny_suite: Suite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.ingest
    import assistant.pipeline
    from assistant.config import load_settings

    seen: dict[str, Any] = {}

    def fake_ingest(paths: list[Path], settings: Any, **kw: Any) -> Any:
        seen["paths"], seen["data_dir"], seen["kw"] = paths, settings.data_dir, kw
        seen["chroma_url"] = settings.chroma_url
        assert settings.data_dir.is_dir()
        return types.SimpleNamespace(added=["a"], updated=[], chunks_written=3, failed=[])

    class FakePipelineClass(FakePipeline):
        def __init__(self, settings: Any) -> None:
            super().__init__(tiny_script())
            seen["pipeline_data_dir"] = settings.data_dir

    monkeypatch.setattr(assistant.ingest, "ingest_paths", fake_ingest)
    monkeypatch.setattr(assistant.pipeline, "Pipeline", FakePipelineClass)
    docs = tmp_path / "docs"
    docs.mkdir()
    settings = load_settings(
        ASSISTANT_DATA_DIR=str(tmp_path / "data"), ASSISTANT_CHROMA_URL="http://chroma:8000"
    )
    assert eval_command(_eval_args([str(tiny_suite.path)], docs=str(docs)), settings) == 0
    assert seen["paths"] == [docs] and seen["kw"] == {"progress": False}
    assert seen["chroma_url"] is None
    assert seen["data_dir"] == seen["pipeline_data_dir"] != settings.data_dir
    assert not seen["data_dir"].exists()  # removed after the run


def test_eval_command_one_docs_folder_per_suite(
    tiny_suite: Suite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import assistant.ingest
    import assistant.pipeline
    from assistant.config import load_settings

    ingested: list[tuple[Path, Path]] = []
    asked_in: dict[str, Path] = {}

    def fake_ingest(paths: list[Path], settings: Any, **kw: Any) -> Any:
        ingested.append((paths[0], settings.data_dir))
        return types.SimpleNamespace(added=["a"], updated=[], chunks_written=3, failed=[])

    class RecordingPipeline(FakePipeline):
        def __init__(self, settings: Any) -> None:
            super().__init__(tiny_script())
            self.data_dir = settings.data_dir

        def ask(self, question: str, **kw: Any) -> Answer:
            asked_in.setdefault(question, self.data_dir)
            return super().ask(question, **kw)

    monkeypatch.setattr(assistant.ingest, "ingest_paths", fake_ingest)
    monkeypatch.setattr(assistant.pipeline, "Pipeline", RecordingPipeline)
    check = tmp_path / "check.yaml"
    check.write_text(
        SUITE_YAML.replace("name: tiny", "name: check").replace(
            "Hur stor medfinansiering?", "Semesterdagar?"
        ),
        encoding="utf-8",
    )
    dev_docs, check_docs = tmp_path / "dev-docs", tmp_path / "check-docs"
    dev_docs.mkdir()
    check_docs.mkdir()
    settings = load_settings(ASSISTANT_DATA_DIR=str(tmp_path / "data"))
    out = tmp_path / "both.json"
    args = _eval_args(
        [str(tiny_suite.path), str(check)], docs=[str(dev_docs), str(check_docs)], json_out=str(out)
    )
    assert eval_command(args, settings) == 0
    # Each suite was ingested into its own index and asked there.
    assert [p for p, _d in ingested] == [dev_docs, check_docs]
    assert ingested[0][1] != ingested[1][1]
    assert asked_in["Hur stor medfinansiering?"] == ingested[0][1]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data["summary"]["full"]["by_suite"]) == {"tiny", "check"}
    assert {q["suite"] for q in data["questions"]} == {"tiny", "check"}
    # The report puts the suites side by side, each split by language.
    from assistant.evaluation import merge_results
    from assistant.evaluation.report import _breakdown_rows

    merged = merge_results(
        [
            run_eval([tiny_suite], FakePipeline(tiny_script())),
            run_eval([load_suite(check)], FakePipeline(tiny_script())),
        ]
    )
    groups = [g for _c, g, _s in _breakdown_rows(merged)]
    assert "suite tiny · lang sv" in groups and "suite check · lang sv" in groups
    assert len(merged.results) == len(tiny_suite.questions) * 2
    # One --docs per suite, or one for all: anything else is a usage error.
    with pytest.raises(SuiteError, match="one --docs per suite"):
        eval_command(
            _eval_args(
                [str(tiny_suite.path), str(check)],
                docs=[str(dev_docs), str(check_docs), str(check_docs)],
            ),
            settings,
        )


def test_eval_command_bad_suite_fails_before_pipeline(tmp_path: Path) -> None:
    from assistant.config import load_settings

    with pytest.raises(SuiteError):
        eval_command(
            _eval_args([str(tmp_path / "missing.yaml")]),
            load_settings(ASSISTANT_DATA_DIR=str(tmp_path)),
            pipeline=FakePipeline({}),
        )


def test_feedback_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.config import load_settings

    seen: dict[str, Any] = {}

    class FakeAuditStore:
        def __init__(self, url: str) -> None:
            seen["url"] = url

        def close(self) -> None:
            seen["closed"] = True

        def export_suite_entries(self, include_useful: bool = False) -> list[dict[str, Any]]:
            seen["include_useful"] = include_useful
            seen["closed"] = False
            return [
                {
                    "note": "marked wrong",
                    "question": "Hur mycket?",
                    "id": "fb-1",
                    "lang": "sv",
                    "abstain": False,
                    "answer_terms": [],
                }
            ]

    module = types.ModuleType("assistant.audit")
    module.AuditStore = FakeAuditStore  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "assistant.audit", module)
    settings = load_settings(ASSISTANT_DATA_DIR=str(tmp_path))

    out = tmp_path / "fb.yaml"
    ns = argparse.Namespace(output=str(out), all=True)
    assert feedback_command(ns, settings) == 0
    assert (seen["url"], seen["include_useful"]) == (settings.db_url, True)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# ") and "fill in `expected`" in text
    data = yaml.safe_load(text)
    assert data["name"] == "feedback-review"
    assert list(data["questions"][0]) == [
        "id",
        "question",
        "lang",
        "expected",
        "answer_terms",
        "abstain",
        "note",
    ]
    assert seen["closed"]

    assert feedback_command(argparse.Namespace(output="-", all=False), settings) == 0
    assert "name: feedback-review" in capsys.readouterr().out
    assert seen["include_useful"] is False


def test_render_feedback_suite_empty() -> None:
    data = yaml.safe_load(render_feedback_suite([]))
    assert data == {"name": "feedback-review", "questions": []}


def test_feedback_suite_loads_once_reviewed(tmp_path: Path) -> None:
    entry = {
        "id": "feedback-7",
        "question": "Hur mycket?",
        "lang": "sv",
        "expected": [],
        "answer_terms": [],
        "abstain": False,
        "evidence": "",
        "note": "vote: wrong",
    }
    text = render_feedback_suite([entry])
    path = tmp_path / "fb.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SuiteError, match="no `expected` sources"):
        load_suite(path)  # not reviewed yet
    path.write_text(
        text.replace("expected: []", "expected: [{doc: A.en, section: Article 5}]"),
        encoding="utf-8",
    )
    assert load_suite(path).questions[0].expected == [Expected("A.en", "Article 5")]


# -- what the reader sees first ------------------------------------------------------------------
def _answer(text: str, *, short: str | None = None, passages: Sequence[str] = ()) -> Answer:
    from assistant.documents import ShortAnswer

    retrieved = [
        Passage(
            Chunk(chunk_id=f"c{i}", doc_id="d", text=t, section="1 §", heading_path="1 §",
                  start=0, end=len(t), metadata={"language": "sv"}),
            score=1.0,
        )
        for i, t in enumerate(passages)
    ]
    return Answer(
        question="q", language="sv", text=text, citations=[], abstained=False,
        retrieved=retrieved, short_answer=ShortAnswer(short, 1) if short else None,
    )


def test_first_statement_is_the_short_answer_else_the_first_quote() -> None:
    from assistant.evaluation import first_statement, quote_count

    text = "Kort svar: 75 % (x) [1]\nEnligt x:\n> Högst 75 % av kostnaden. [1]\n> Annat. [2]"
    assert first_statement(_answer(text, short="75 %")) == "75 %"
    plain = "Enligt x:\n> Högst 75 % av kostnaden. [1]\n> Annat. [2]"
    assert first_statement(_answer(plain)) == "> Högst 75 % av kostnaden. [1]"
    assert quote_count(text) == 2


def test_terms_in_the_top_passages_separate_quote_choice_from_retrieval() -> None:
    from assistant.evaluation import retrieved_term_coverage

    a = _answer("x", passages=["a", "b", "c", "d", "EU betalar 75 %", "90 % i sjätte"])
    assert retrieved_term_coverage(a.retrieved, ["75 %"]) == 1.0
    assert retrieved_term_coverage(a.retrieved, ["90 %"]) == 0.0  # sixth passage: not counted
    assert retrieved_term_coverage(a.retrieved, []) is None
