"""Eval output: the headline tables for the terminal, the JSON file, Markdown and HTML reports.

The tables are rich `Table` objects; printing them is the command's job (assistant/cli/eval.py).

The HTML report is one self-contained file: charts are PNGs drawn with matplotlib's Agg backend
and embedded as base64 data URIs, so it can be attached to a ticket or opened offline.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.table import Table

from .gate import Regression
from .runner import EvalResult, QuestionResult, summarize

# (key in a summary, label in tables): what the terminal tables and the reports show first.
HEADLINE_METRICS: tuple[tuple[str, str], ...] = (
    ("section.hit@1", "hit@1"),
    ("section.hit@3", "hit@3"),
    ("section.hit@5", "hit@5"),
    ("section.mrr@10", "MRR@10"),
    ("section.ndcg@10", "nDCG@10"),
    ("section.recall@5", "recall@5"),
    ("doc.hit@5", "doc hit@5"),
    ("answer_term_coverage", "answer terms"),
    ("first_term_coverage", "terms first"),
    ("answer_terms_if_retrieved", "terms | found"),
    ("first_terms_if_retrieved", "first | found"),
    ("quotes_per_answer", "quotes"),
    ("citation_validity", "citation validity"),
    ("abstention_precision", "abstention P"),
    ("abstention_recall", "abstention R"),
    ("wrongly_abstained", "wrongly abstained"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
)

_PERCENT_FREE = ("latency_p50_ms", "latency_p95_ms")
_BREAKDOWN_METRICS = (
    ("section.hit@5", "hit@5"),
    ("section.mrr@10", "MRR@10"),
    ("doc.hit@5", "doc hit@5"),
    ("answer_term_coverage", "answer terms"),
    ("first_term_coverage", "terms first"),
)


def fmt(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if key in _PERCENT_FREE:
        return f"{value:.0f}"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


# -- terminal ------------------------------------------------------------------------------------


def headline_table(result: EvalResult) -> Table:
    """Metrics as rows, configurations as columns (section level unless the label says doc)."""
    table = Table(
        title=f"Eval: {_suite_names(result)} (k={result.k}, level {result.max_classification})"
    )
    table.add_column("metric")
    for config in result.configs:
        n = result.summary[config]["overall"]["questions"]
        table.add_column(f"{config} (n={n})", justify="right")
    for key, label in HEADLINE_METRICS:
        table.add_row(
            label, *(fmt(key, result.summary[c]["overall"].get(key)) for c in result.configs)
        )
    return table


def breakdown_table(result: EvalResult) -> Table:
    """Per language and cross-lingual split, for every configuration."""
    table = Table(title="By question language and cross-lingual (answerable questions)")
    table.add_column("config")
    table.add_column("group")
    table.add_column("n", justify="right")
    for _, label in _BREAKDOWN_METRICS:
        table.add_column(label, justify="right")
    for config, group, s in _breakdown_rows(result):
        table.add_row(
            config, group, str(s["answerable"]), *(fmt(k, s.get(k)) for k, _ in _BREAKDOWN_METRICS)
        )
    return table


def _breakdown_rows(result: EvalResult) -> list[tuple[str, str, dict[str, Any]]]:
    rows = []
    for config in result.configs:
        s = result.summary[config]
        for lang, m in s["by_lang"].items():
            rows.append((config, f"lang {lang}", m))
        for name, m in s["by_crosslingual"].items():
            rows.append((config, name, m))
        if len(s["by_suite"]) > 1:
            for name, m in s["by_suite"].items():
                rows.append((config, f"suite {name}", m))
                # Suites side by side (a dev set and a check set): language and cross-lingual.
                rs = [r for r in result.results if r.config == config and r.question.suite == name]
                for lang in sorted({r.question.lang for r in rs}):
                    sub = summarize([r for r in rs if r.question.lang == lang])
                    rows.append((config, f"suite {name} · lang {lang}", sub))
                cross = [r for r in rs if r.cross_lingual is True]
                if cross:
                    rows.append((config, f"suite {name} · cross-lingual", summarize(cross)))
    return rows


def format_regressions(regressions: Sequence[Regression], previous: str) -> str:
    if not regressions:
        return f"No question got worse compared with {previous}."
    lines = [f"{len(regressions)} regression(s) compared with {previous}:"]
    lines += [f"  {r}" for r in regressions]
    return "\n".join(lines)


# -- files ---------------------------------------------------------------------------------------


def write_json(result: EvalResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def write_report(result: EvalResult, out_dir: Path) -> tuple[Path, Path]:
    """Write report.md and a self-contained report.html into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / "report.md"
    md.write_text(render_markdown(result), encoding="utf-8")
    page = out_dir / "report.html"
    page.write_text(render_html(result, render_charts(result)), encoding="utf-8")
    return md, page


def failed_questions(result: EvalResult) -> list[QuestionResult]:
    """Section-level misses in the top 5 on answerable questions, answers without the asked-for
    terms, and wrong abstentions."""
    out = []
    for r in result.results:
        if r.answerable:
            missed = r.metrics["section"]["hit@5"] < 1.0
            terms = r.metrics.get("answer_term_coverage")
            if missed or r.abstained or r.error or (terms is not None and terms < 1.0):
                out.append(r)
        elif not r.abstained:
            out.append(r)
    return out


def _why(r: QuestionResult) -> str:
    if r.error:
        return f"error: {r.error}"
    if not r.answerable:
        return "answered, should abstain"
    parts = []
    rank = r.metrics["section"]["rank"]
    if rank is None or rank > 5:
        parts.append("section not in top 5" + (f" (rank {rank})" if rank else ""))
    if r.abstained:
        parts.append("abstained, answerable" + (f" ({r.declined_by})" if r.declined_by else ""))
    terms = r.metrics.get("answer_term_coverage")
    if terms is not None and terms < 1.0:
        missing = [t for t in r.question.answer_terms if t.casefold() not in r.answer.casefold()]
        found = r.metrics.get("retrieved_term_coverage") == 1.0
        parts.append(
            f"answer lacks {', '.join(missing) or 'terms'}"
            + (" (they were in a top-5 passage)" if found else "")
        )
    return "; ".join(parts)


def _expected_str(r: QuestionResult) -> str:
    if not r.question.expected:
        return "(abstain)"
    return "; ".join(f"{e.doc} {e.section or ''}".strip() for e in r.question.expected)


def _retrieved_str(r: QuestionResult, n: int = 3) -> str:
    if not r.retrieved:
        return "(nothing)"
    return "; ".join(f"{p['doc_id']} {p['section']}" for p in r.retrieved[:n])


def _suite_names(result: EvalResult) -> str:
    return ", ".join(s.name for s in result.suites)


# -- Markdown ------------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(result: EvalResult) -> str:
    lines = [
        f"# Eval report: {_suite_names(result)}",
        "",
        f"Run {result.started_at}, k={result.k}, classification {result.max_classification}. "
        "Retrieval metrics at section level unless marked doc, over answerable questions.",
        "",
        "## Headline",
        "",
    ]
    lines += _md_table(
        ["metric", *result.configs],
        [
            [label, *(fmt(key, result.summary[c]["overall"].get(key)) for c in result.configs)]
            for key, label in HEADLINE_METRICS
        ],
    )
    lines += ["", "## By language, cross-lingual and suite", ""]
    lines += _md_table(
        ["config", "group", "n", *(label for _, label in _BREAKDOWN_METRICS)],
        [
            [c, g, str(s["answerable"]), *(fmt(k, s.get(k)) for k, _ in _BREAKDOWN_METRICS)]
            for c, g, s in _breakdown_rows(result)
        ],
    )
    failed = failed_questions(result)
    lines += ["", f"## Failed questions ({len(failed)})", ""]
    if failed:
        lines += _md_table(
            ["config", "id", "lang", "why", "expected", "retrieved instead (top 3)"],
            [
                [
                    r.config,
                    r.question.id,
                    r.question.lang,
                    _why(r),
                    _expected_str(r),
                    _retrieved_str(r),
                ]
                for r in failed
            ],
        )
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


# -- charts and HTML -----------------------------------------------------------------------------


def render_charts(result: EvalResult) -> dict[str, str]:
    """Chart title -> PNG as a data URI."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts: dict[str, str] = {}
    rate_metrics = [(k, lbl) for k, lbl in HEADLINE_METRICS if k not in _PERCENT_FREE]

    def bars(title: str, groups: list[str], series: dict[str, list[float]]) -> None:
        fig, ax = plt.subplots(figsize=(max(6.0, 0.7 * len(groups) * max(1, len(series))), 3.6))
        width = 0.8 / max(1, len(series))
        for i, (name, values) in enumerate(series.items()):
            xs = [j + i * width for j in range(len(groups))]
            ax.bar(xs, values, width=width, label=name)
        ax.set_xticks([j + width * (len(series) - 1) / 2 for j in range(len(groups))])
        ax.set_xticklabels(groups, rotation=30, ha="right", fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_title(title)
        ax.legend(fontsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        plt.close(fig)
        charts[title] = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")

    bars(
        "Metrics per configuration",
        [lbl for _, lbl in rate_metrics],
        {
            c: [result.summary[c]["overall"].get(k) or 0.0 for k, _ in rate_metrics]
            for c in result.configs
        },
    )
    rows = [(c, g, s) for c, g, s in _breakdown_rows(result) if not g.startswith("suite ")]
    groups = sorted({g for _, g, _ in rows})
    if groups:
        by = {(c, g): s for c, g, s in rows}
        bars(
            "Section hit@5 by language and cross-lingual",
            groups,
            {
                c: [(by.get((c, g)) or {}).get("section.hit@5") or 0.0 for g in groups]
                for c in result.configs
            },
        )
    return charts


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;
font-size:14px;text-align:left;vertical-align:top;white-space:pre-wrap}th{background:#f3f3f3}
img{max-width:100%}"""


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(result: EvalResult, charts: dict[str, str]) -> str:
    failed = failed_questions(result)
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>Eval report: {html.escape(_suite_names(result))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Eval report: {html.escape(_suite_names(result))}</h1>",
        f"<p>Run {html.escape(result.started_at)}, k={result.k}, classification "
        f"{html.escape(result.max_classification)}. Retrieval metrics at section level unless "
        "marked doc, over answerable questions.</p>",
        "<h2>Headline</h2>",
        _html_table(
            ["metric", *result.configs],
            [
                [label, *(fmt(key, result.summary[c]["overall"].get(key)) for c in result.configs)]
                for key, label in HEADLINE_METRICS
            ],
        ),
    ]
    for title, uri in charts.items():
        parts.append(f'<h3>{html.escape(title)}</h3><img alt="{html.escape(title)}" src="{uri}">')
    parts += [
        "<h2>By language, cross-lingual and suite</h2>",
        _html_table(
            ["config", "group", "n", *(label for _, label in _BREAKDOWN_METRICS)],
            [
                [c, g, str(s["answerable"]), *(fmt(k, s.get(k)) for k, _ in _BREAKDOWN_METRICS)]
                for c, g, s in _breakdown_rows(result)
            ],
        ),
        f"<h2>Failed questions ({len(failed)})</h2>",
        _html_table(
            ["config", "id", "question", "why", "answer as shown", "expected", "retrieved (top 3)"],
            [
                [
                    r.config,
                    r.question.id,
                    r.question.question,
                    _why(r),
                    r.answer,
                    _expected_str(r),
                    _retrieved_str(r),
                ]
                for r in failed
            ],
        )
        if failed
        else "<p>None.</p>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
