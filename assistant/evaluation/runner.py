"""The runner: every question through `pipeline.ask`, scored, and summarised per group.

It sends each question through the same call the CLI and the Slack bot make and scores
`answer.retrieved` as the ranking. Configurations pick the retrieval method (full = hybrid).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..documents import Answer
from ..errors import AssistantError
from ..protocols import AskPipeline as AskPipeline  # the one protocol, re-exported
from ..protocols import Method
from .metrics import (
    LEVELS,
    RETRIEVED_FOR_TERMS,
    abstention_metrics,
    answer_term_coverage,
    citation_correct,
    citation_valid,
    first_statement,
    is_cross_lingual,
    mean,
    percentile,
    quote_count,
    retrieval_metrics,
    retrieved_term_coverage,
    share,
)
from .suite import Question, Suite

CONFIG_METHODS: dict[str, Method] = {"full": "hybrid", "dense": "dense", "lexical": "lexical"}
BASELINE_CONFIGS = ("full", "dense", "lexical")


@dataclass
class QuestionResult:
    question: Question
    config: str
    retrieved: list[dict[str, Any]]
    answer: str
    abstained: bool
    citations: list[dict[str, Any]]
    metrics: dict[str, Any]
    latency_ms: float
    cross_lingual: bool | None = None
    error: str | None = None
    declined_by: str | None = None  # why it was declined (`declining.Decline`)

    @property
    def answerable(self) -> bool:
        return not self.question.abstain

    def to_json(self) -> dict[str, Any]:
        q = self.question
        return {
            "id": q.id,
            "suite": q.suite,
            "question": q.question,
            "lang": q.lang,
            "config": self.config,
            "expected": [{"doc": e.doc, "section": e.section} for e in q.expected],
            "should_abstain": q.abstain,
            "cross_lingual": self.cross_lingual,
            "retrieved": self.retrieved,
            "answer": self.answer,
            "abstained": self.abstained,
            "declined_by": self.declined_by,
            "citations": self.citations,
            "metrics": self.metrics,
            "latency_ms": round(self.latency_ms, 1),
            "error": self.error,
        }


@dataclass
class EvalResult:
    suites: list[Suite]
    configs: list[str]
    k: int
    max_classification: str
    results: list[QuestionResult]
    started_at: str = ""
    doc_languages: dict[str, str] = field(default_factory=dict)
    summary: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at,
            "k": self.k,
            "max_classification": self.max_classification,
            "configs": list(self.configs),
            "suites": [
                {"name": s.name, "path": str(s.path), "questions": len(s.questions)}
                for s in self.suites
            ],
            "summary": self.summary,
            "questions": [r.to_json() for r in self.results],
        }


def run_eval(
    suites: Sequence[Suite],
    pipeline: AskPipeline,
    *,
    k: int = 10,
    configs: Sequence[str] = ("full",),
    max_classification: str = "restricted",
    on_question: Callable[[QuestionResult], None] | None = None,
) -> EvalResult:
    """Ask every question once per configuration through `pipeline.ask` and score it."""
    unknown = [c for c in configs if c not in CONFIG_METHODS]
    if unknown:
        raise AssistantError(
            f"unknown eval configuration(s) {unknown}; use {', '.join(CONFIG_METHODS)}"
        )
    started = datetime.now(UTC).isoformat(timespec="seconds")
    results: list[QuestionResult] = []
    doc_langs: dict[str, str] = {}
    for config in configs:
        for suite in suites:
            for q in suite.questions:
                r = _ask_one(pipeline, q, config, k, max_classification, doc_langs)
                results.append(r)
                if on_question:
                    on_question(r)
    for r in results:
        if r.question.expected:
            r.cross_lingual = is_cross_lingual(r.question.lang, r.question.expected, doc_langs)
    result = EvalResult(
        suites=list(suites),
        configs=list(configs),
        k=k,
        max_classification=max_classification,
        results=results,
        started_at=started,
        doc_languages=doc_langs,
    )
    result.summary = summarize_result(result)
    return result


def _ask_one(
    pipeline: AskPipeline,
    q: Question,
    config: str,
    k: int,
    max_classification: str,
    doc_langs: dict[str, str],
) -> QuestionResult:
    t0 = time.perf_counter()
    error = None
    try:
        answer = pipeline.ask(
            q.question, max_classification=max_classification, method=CONFIG_METHODS[config], k=k
        )
    except AssistantError as e:  # e.g. a rejected question: scored as a miss, reported
        error = str(e)
        answer = Answer(
            question=q.question, language=q.lang, text="", citations=[], abstained=False
        )
    latency = (time.perf_counter() - t0) * 1000.0

    for p in answer.retrieved:
        lang = p.chunk.metadata.get("language")
        if isinstance(lang, str) and lang:
            doc_langs.setdefault(p.chunk.doc_id, lang.lower()[:2])
    ranked = [(p.chunk.doc_id, p.chunk.section) for p in answer.retrieved]
    metrics: dict[str, Any] = {}
    if q.expected:
        for level in LEVELS:
            metrics[level] = retrieval_metrics(ranked, q.expected, level)
    metrics["answer_term_coverage"] = (
        None if answer.abstained else answer_term_coverage(answer.text, q.answer_terms)
    )
    metrics["first_term_coverage"] = (
        None if answer.abstained else answer_term_coverage(first_statement(answer), q.answer_terms)
    )
    metrics["retrieved_term_coverage"] = retrieved_term_coverage(answer.retrieved, q.answer_terms)
    metrics["quotes"] = None if answer.abstained else quote_count(answer.text)
    metrics["first_quote_lang"] = _first_quote_lang(answer)
    metrics["asker_lang_quote_available"] = (
        None
        if answer.abstained
        else any(
            p.chunk.metadata.get("language") == q.lang
            for p in answer.retrieved[:RETRIEVED_FOR_TERMS]
        )
    )
    cites = []
    for c in answer.citations:
        d = c.to_json()
        d["valid"] = citation_valid(c, answer.retrieved)
        d["correct"] = citation_correct(c, q.expected) if q.expected else None
        cites.append(d)
    metrics["citations"] = len(cites)
    metrics["citations_valid"] = sum(1 for c in cites if c["valid"])
    metrics["citations_correct"] = sum(1 for c in cites if c["correct"])
    metrics["citation_validity"] = share(metrics["citations_valid"], len(cites))
    metrics["citation_correctness"] = (
        share(metrics["citations_correct"], len(cites)) if q.expected else None
    )
    metrics["abstention_correct"] = answer.abstained == q.abstain
    return QuestionResult(
        question=q,
        config=config,
        retrieved=[
            {"doc_id": p.chunk.doc_id, "section": p.chunk.section, "score": round(p.score, 6)}
            for p in answer.retrieved
        ],
        answer=answer.text,
        abstained=answer.abstained,
        declined_by=str(answer.declined_by) if answer.declined_by else None,
        citations=cites,
        metrics=metrics,
        latency_ms=latency,
        error=error,
    )


def _first_quote_lang(answer: Answer) -> str | None:
    if answer.abstained or not answer.citations:
        return None
    first = answer.citations[0]
    for p in answer.retrieved:
        if p.chunk.chunk_id == first.chunk_id or (
            p.chunk.doc_id == first.doc_id and p.chunk.section == first.section
        ):
            lang = p.chunk.metadata.get("language")
            return str(lang) if lang else None
    return None


# -- summaries -----------------------------------------------------------------------------------


def summarize(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """Aggregate metrics over a group. Retrieval metrics count answerable questions only."""
    answerable = [r for r in results if r.answerable]
    out: dict[str, Any] = {
        "questions": len(results),
        "answerable": len(answerable),
        "must_abstain": len(results) - len(answerable),
        "errors": sum(1 for r in results if r.error),
    }
    for level in LEVELS:
        for name in ("hit@1", "hit@3", "hit@5", "recall@5", "mrr@10", "ndcg@10"):
            out[f"{level}.{name}"] = mean(r.metrics[level][name] for r in answerable)
    out["answer_term_coverage"] = mean(
        r.metrics["answer_term_coverage"] for r in answerable if not r.abstained
    )
    out["first_term_coverage"] = mean(
        r.metrics.get("first_term_coverage") for r in answerable if not r.abstained
    )
    # Quote choice apart from retrieval: only questions whose terms were all in the top passages.
    found = [
        r for r in answerable if not r.abstained and r.metrics.get("retrieved_term_coverage") == 1.0
    ]
    out["terms_retrieved"] = mean(
        r.metrics.get("retrieved_term_coverage") for r in answerable if not r.abstained
    )
    out["answer_terms_if_retrieved"] = mean(r.metrics["answer_term_coverage"] for r in found)
    out["first_terms_if_retrieved"] = mean(r.metrics.get("first_term_coverage") for r in found)
    out["quotes_per_answer"] = mean(
        r.metrics.get("quotes") for r in results if not r.abstained and r.metrics.get("quotes")
    )
    # Swedish askers first read a Swedish quote where a Swedish passage was among the top five.
    own = [
        r
        for r in results
        if r.question.lang == "sv" and r.metrics.get("asker_lang_quote_available")
    ]
    out["asker_language_first"] = share(
        sum(1 for r in own if r.metrics.get("first_quote_lang") == "sv"), len(own)
    )
    # micro averages: every citation weighs the same
    n_cites = sum(r.metrics["citations"] for r in results)
    out["citation_validity"] = share(sum(r.metrics["citations_valid"] for r in results), n_cites)
    n_ans_cites = sum(r.metrics["citations"] for r in answerable)
    out["citation_correctness"] = share(
        sum(r.metrics["citations_correct"] for r in answerable), n_ans_cites
    )
    out.update(
        abstention_metrics([r.question.abstain for r in results], [r.abstained for r in results])
    )
    lat = [r.latency_ms for r in results]
    out["latency_p50_ms"] = percentile(lat, 50)
    out["latency_p95_ms"] = percentile(lat, 95)
    out["latency_total_s"] = sum(lat) / 1000.0
    return out


def summarize_result(result: EvalResult) -> dict[str, dict[str, Any]]:
    """Per configuration: overall, by question language, by cross-lingual, by suite."""
    summary: dict[str, dict[str, Any]] = {}
    for config in result.configs:
        rs = [r for r in result.results if r.config == config]
        cross = {
            "cross-lingual": [r for r in rs if r.cross_lingual is True],
            "same-language": [r for r in rs if r.cross_lingual is False],
        }
        summary[config] = {
            "overall": summarize(rs),
            "by_lang": {
                lang: summarize([r for r in rs if r.question.lang == lang])
                for lang in sorted({r.question.lang for r in rs})
            },
            "by_crosslingual": {name: summarize(g) for name, g in cross.items() if g},
            "by_suite": {
                s.name: summarize([r for r in rs if r.question.suite == s.name])
                for s in result.suites
            },
        }
    return summary
