"""`assistant eval` and `assistant feedback export`: arguments, temporary indexes, printing.

The evaluation itself (loading suites, asking, scoring, reports) is `assistant.evaluation`; this
module builds the pipeline a run asks (with `--docs`, over a temporary index), prints the tables
and writes the files the options ask for.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import SuiteError
from ..evaluation import report
from ..evaluation.feedback import render_feedback_suite
from ..evaluation.gate import compare_results, merge_results
from ..evaluation.runner import BASELINE_CONFIGS, AskPipeline, EvalResult
from ..evaluation.runner import run_eval as run_suites
from ..evaluation.suite import load_suites
from ..language.lexicon import use_hand_list


def run_eval(
    args: argparse.Namespace, settings: Settings, *, pipeline: AskPipeline | None = None
) -> int:
    """`assistant eval`: run suites, print the headline table, write JSON / report, compare."""
    from rich.console import Console

    suites = load_suites(args.suites)
    previous = _read_previous(args.compare) if args.compare else None
    configs = BASELINE_CONFIGS if args.baselines else ("full",)
    console = Console(stderr=False)
    if getattr(args, "without_hand_list", False):
        console.print("Hand list (assistant/sv_en.yaml) off: the dictionary and the index only.")
        use_hand_list(False)
    try:
        return _run(args, settings, suites, previous, configs, console, pipeline)
    finally:
        use_hand_list(True)


def _run(
    args: argparse.Namespace,
    settings: Settings,
    suites: Any,
    previous: dict[str, Any] | None,
    configs: tuple[str, ...],
    console: Any,
    pipeline: AskPipeline | None,
) -> int:
    docs = _docs_list(args.docs)
    if len(docs) > 1 and len(docs) != len(args.suites):
        raise SuiteError(
            f"--docs given {len(docs)} times for {len(args.suites)} suite(s): give one --docs "
            "per suite (in the same order), or one for all suites"
        )
    with tempfile.TemporaryDirectory(prefix="assistant-eval-", ignore_cleanup_errors=True) as tmp:
        n = sum(len(s.questions) for s in suites) * len(configs)
        if len(docs) > 1 and pipeline is None:
            # Each suite over its own documents (e.g. the dev set and a check set side by side).
            parts: list[EvalResult] = []
            for i, (suite, folder) in enumerate(zip(suites, docs, strict=True)):
                one = argparse.Namespace(**{**vars(args), "docs": folder})
                p = _build_pipeline(one, settings, Path(tmp) / str(i), console)
                console.print(f"Asking {len(suite.questions) * len(configs)} question(s) …")
                parts.append(
                    run_suites([suite], p, k=args.k, configs=configs, max_classification=args.level)
                )
            result = merge_results(parts)
        else:
            if pipeline is None:
                one = argparse.Namespace(**{**vars(args), "docs": docs[0] if docs else None})
                pipeline = _build_pipeline(one, settings, Path(tmp), console)
            console.print(f"Asking {n} question(s) ({', '.join(configs)}, k={args.k}) …")
            result = run_suites(
                suites, pipeline, k=args.k, configs=configs, max_classification=args.level
            )
    console.print(report.headline_table(result))
    console.print(report.breakdown_table(result))
    if args.json_out:
        report.write_json(result, Path(args.json_out))
        console.print(f"Wrote {args.json_out}")
    if args.report:
        md, html_path = report.write_report(result, Path(args.report))
        console.print(f"Wrote {md} and {html_path}")
    if previous is not None:
        regressions = compare_results(previous, result.to_json())
        console.print(report.format_regressions(regressions, args.compare))
    return 0


def run_feedback(args: argparse.Namespace, settings: Settings) -> int:
    """`assistant feedback export`: answers marked wrong (or all with --all) as a YAML suite."""
    from ..audit import AuditStore

    store = AuditStore(settings.db_url)
    try:
        entries = store.export_suite_entries(include_useful=args.all)
    finally:
        close = getattr(store, "close", None)
        if callable(close):
            close()
    text = render_feedback_suite(entries)
    if args.output in ("-", None):
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(
            f"Wrote {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} to {args.output}",
            file=sys.stderr,
        )
    return 0


def _docs_list(docs: Any) -> list[str]:
    if not docs:
        return []
    return [str(docs)] if isinstance(docs, str | Path) else [str(d) for d in docs]


def _read_previous(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise SuiteError(f"--compare {path}: cannot read a previous eval JSON ({e})") from None
    if not isinstance(data, dict) or "questions" not in data:
        raise SuiteError(f"--compare {path}: not a file written by `assistant eval --json`")
    return data


def _build_pipeline(
    args: argparse.Namespace, settings: Settings, tmp: Path, console: Any
) -> AskPipeline:
    from ..pipeline import Pipeline

    if args.docs:
        docs = Path(args.docs)
        if not docs.is_dir():
            raise SuiteError(f"--docs {docs}: not a folder; give the folder of documents to ingest")
        from ..ingest import ingest_paths

        tmp.mkdir(parents=True, exist_ok=True)
        settings = settings.model_copy(update={"data_dir": tmp, "chroma_url": None})
        console.print(f"Ingesting {docs} into a temporary index …")
        ingest_report = ingest_paths([docs], settings, progress=False)
        console.print(
            f"Ingested {len(ingest_report.added) + len(ingest_report.updated)} document(s), "
            f"{ingest_report.chunks_written} chunk(s)."
        )
        for source, error in ingest_report.failed:  # its questions will show up as misses
            console.print(f"[yellow]not ingested: {source}: {error}[/yellow]")
    return Pipeline(settings)
