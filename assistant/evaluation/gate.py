"""Comparing runs and the CI gate: questions that got worse, thresholds per suite and config.

Also `merge_results`, which joins runs of different suites (each over its own documents) into one
result that the gate and the reports treat like a single run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import SuiteError
from .metrics import LEVELS
from .runner import EvalResult, summarize_result

# -- comparing runs ------------------------------------------------------------------------------


@dataclass
class Regression:
    suite: str
    id: str
    config: str
    kind: str  # "miss", "rank", "abstention-lost", "wrongly-abstained", "answer-terms"
    detail: str

    def __str__(self) -> str:
        return f"[{self.config}] {self.suite}/{self.id}: {self.detail}"


def compare_results(previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[Regression]:
    """Questions that got worse between two `--json` results (matched by suite, id, config)."""
    before = {(q["suite"], q["id"], q["config"]): q for q in previous.get("questions", [])}
    out: list[Regression] = []
    for q in current.get("questions", []):
        old = before.get((q["suite"], q["id"], q["config"]))
        if old is None:
            continue

        def add(kind: str, detail: str, q: Mapping[str, Any] = q) -> None:
            out.append(Regression(q["suite"], q["id"], q["config"], kind, detail))

        for level in LEVELS:
            r0 = (old.get("metrics", {}).get(level) or {}).get("rank")
            r1 = (q.get("metrics", {}).get(level) or {}).get("rank")
            if r0 is None:
                continue
            if r1 is None:
                add("miss", f"{level}: was found at rank {r0}, now not retrieved")
            elif r1 > r0:
                add("rank", f"{level}: rank dropped from {r0} to {r1}")
        if q.get("should_abstain"):
            if old.get("abstained") and not q.get("abstained"):
                add("abstention-lost", "abstained correctly before, now answers")
        else:
            if q.get("abstained") and not old.get("abstained"):
                add("wrongly-abstained", "answered before, now abstains")
            c0 = old.get("metrics", {}).get("answer_term_coverage")
            c1 = q.get("metrics", {}).get("answer_term_coverage")
            if c0 is not None and c1 is not None and c1 < c0:
                add("answer-terms", f"answer-term coverage fell from {c0:.2f} to {c1:.2f}")
    return out


# -- the CI gate ---------------------------------------------------------------------------------


def load_thresholds(path: str | Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise SuiteError(f"{path}: cannot read thresholds ({e})") from None
    if not isinstance(data, dict):
        raise SuiteError(f"{path}: thresholds must be a mapping suite -> config -> min/max")
    return data


def check_thresholds(result: EvalResult, thresholds: Mapping[str, Any]) -> list[str]:
    """Failures of the gate, each naming suite, config, metric, value and threshold.

    `thresholds` maps suite name -> config -> {"min": {metric: x}, "max": {metric: y}}. Suites or
    configs not in this run are skipped; an unknown metric name is a failure (a typo must not
    pass silently). A metric with no value (e.g. no must-abstain questions) is skipped.
    """
    failures: list[str] = []
    for suite_name, per_config in thresholds.items():
        if not isinstance(per_config, Mapping):
            failures.append(f"{suite_name}: expected config -> min/max mapping")
            continue
        for config, bounds in per_config.items():
            summary = result.summary.get(str(config), {}).get("by_suite", {}).get(str(suite_name))
            if summary is None:
                continue
            for kind, metrics in (bounds or {}).items():
                if kind not in ("min", "max") or not isinstance(metrics, Mapping):
                    failures.append(f"{suite_name}/{config}: use `min:` and `max:`, not {kind!r}")
                    continue
                for metric, limit in metrics.items():
                    where = f"{suite_name}/{config} {metric}"
                    if metric not in summary:
                        failures.append(f"{where}: unknown metric (known: {', '.join(summary)})")
                        continue
                    value = summary[metric]
                    if value is None:
                        continue
                    if kind == "min" and value < limit:
                        failures.append(f"{where} = {value:.3f}, below the minimum {limit}")
                    if kind == "max" and value > limit:
                        failures.append(f"{where} = {value:.3f}, above the maximum {limit}")
    return failures


# -- joining runs --------------------------------------------------------------------------------


def merge_results(parts: Sequence[EvalResult]) -> EvalResult:
    """One result from runs of different suites (each over its own documents)."""
    first = parts[0]
    merged = EvalResult(
        suites=[s for p in parts for s in p.suites],
        configs=list(first.configs),
        k=first.k,
        max_classification=first.max_classification,
        results=[r for p in parts for r in p.results],
        started_at=first.started_at,
        doc_languages={d: lang for p in parts for d, lang in p.doc_languages.items()},
    )
    merged.summary = summarize_result(merged)
    return merged
