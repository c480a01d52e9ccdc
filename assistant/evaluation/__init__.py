"""Evaluation: suites of questions with expected sources, run through `Pipeline.ask` and scored.

    suite     the YAML schema (pydantic) and loading, with problems named by file and line
    labels    legal section labels in one canonical form
    metrics   pure metric functions (ranks, answer terms, citations, abstention, latency)
    runner    run_eval: ask, score, summarise per configuration, language and suite
    gate      compare two runs, thresholds for CI, merge runs of several suites
    report    terminal tables, the JSON file, Markdown and self-contained HTML reports
    feedback  staff feedback from Slack as suite entries to review

The command line (`assistant eval`, `assistant feedback export`) is in assistant/cli/eval.py.
"""

from ..legal_labels import normalize_section
from .feedback import FEEDBACK_HEADER, render_feedback_suite
from .gate import Regression, check_thresholds, compare_results, load_thresholds, merge_results
from .metrics import (
    LEVELS,
    RETRIEVED_FOR_TERMS,
    Level,
    Ranked,
    abstention_metrics,
    answer_term_coverage,
    citation_correct,
    citation_valid,
    doc_language,
    first_rank,
    first_statement,
    gains,
    hit_at_k,
    is_cross_lingual,
    ndcg_at_k,
    normalize_text,
    passage_matches,
    percentile,
    quote_count,
    quote_in_text,
    recall_at_k,
    reciprocal_rank,
    retrieval_metrics,
    retrieved_term_coverage,
    target_ranks,
    targets,
)
from .report import (
    HEADLINE_METRICS,
    breakdown_table,
    failed_questions,
    fmt,
    format_regressions,
    headline_table,
    render_charts,
    render_html,
    render_markdown,
    write_json,
    write_report,
)
from .runner import (
    BASELINE_CONFIGS,
    CONFIG_METHODS,
    AskPipeline,
    EvalResult,
    QuestionResult,
    run_eval,
    summarize,
    summarize_result,
)
from .suite import Expected, Question, Suite, load_suite, load_suites

__all__ = [
    "BASELINE_CONFIGS",
    "CONFIG_METHODS",
    "FEEDBACK_HEADER",
    "HEADLINE_METRICS",
    "LEVELS",
    "RETRIEVED_FOR_TERMS",
    "AskPipeline",
    "EvalResult",
    "Expected",
    "Level",
    "Question",
    "QuestionResult",
    "Ranked",
    "Regression",
    "Suite",
    "abstention_metrics",
    "answer_term_coverage",
    "breakdown_table",
    "check_thresholds",
    "citation_correct",
    "citation_valid",
    "compare_results",
    "doc_language",
    "failed_questions",
    "first_rank",
    "first_statement",
    "fmt",
    "format_regressions",
    "gains",
    "headline_table",
    "hit_at_k",
    "is_cross_lingual",
    "load_suite",
    "load_suites",
    "load_thresholds",
    "merge_results",
    "ndcg_at_k",
    "normalize_section",
    "normalize_text",
    "passage_matches",
    "percentile",
    "quote_count",
    "quote_in_text",
    "recall_at_k",
    "reciprocal_rank",
    "render_charts",
    "render_feedback_suite",
    "render_html",
    "render_markdown",
    "retrieval_metrics",
    "retrieved_term_coverage",
    "run_eval",
    "summarize",
    "summarize_result",
    "target_ranks",
    "targets",
    "write_json",
    "write_report",
]
