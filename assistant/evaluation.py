"""Eval suites: loading and validation, retrieval and answer metrics, the runner, the CI gate.

The runner sends every question through `Pipeline.ask`, the same call the CLI and the Slack bot
make, and scores `answer.retrieved` as the ranking. Reports live in `eval_report.py`.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import yaml

from .documents import Answer, Citation, Passage
from .errors import AssistantError, SuiteError

if TYPE_CHECKING:
    from .config import Settings
    from .pipeline import Method

Level = Literal["doc", "section"]
LEVELS: tuple[Level, ...] = ("doc", "section")
CONFIG_METHODS: dict[str, Method] = {"full": "hybrid", "dense": "dense", "lexical": "lexical"}
BASELINE_CONFIGS = ("full", "dense", "lexical")

# (key in a summary, label in tables): what the CLI, the reports and the gate show first.
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


# -- suites --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    doc: str
    section: str | None = None


@dataclass
class Question:
    id: str
    question: str
    lang: str
    expected: list[Expected]
    answer_terms: list[str]
    abstain: bool
    evidence: str
    suite: str


@dataclass
class Suite:
    name: str
    path: Path
    questions: list[Question]


_REQUIRED = ("id", "question", "lang", "abstain")
_KNOWN = ("id", "question", "lang", "expected", "answer_terms", "abstain", "evidence", "note")


def load_suite(path: str | Path) -> Suite:
    """Read and validate one suite file; SuiteError lists every problem with its line and id."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteError(f"{path}: suite file not found; check the path") from None
    except (OSError, UnicodeDecodeError) as e:
        raise SuiteError(f"{path}: cannot read suite file ({e})") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e)
        raise SuiteError(f"{path}{where}: not valid YAML ({problem})") from None

    if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        raise SuiteError(
            f"{path}: a suite is a mapping with `name` and `questions: [...]` "
            "(see realdocs-questions.yaml)"
        )
    problems: list[str] = []
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        problems.append(f"line {_key_line(root, 'name')}: `name` must be a non-empty string")
        name = path.stem
    q_node = _value_node(root, "questions")
    raw = data.get("questions")
    if not isinstance(q_node, yaml.SequenceNode) or not isinstance(raw, list):
        raise SuiteError(f"{path}: `questions` must be a list of question entries")

    questions: list[Question] = []
    first_seen: dict[str, int] = {}
    for node, item in zip(q_node.value, raw, strict=True):
        line = node.start_mark.line + 1
        q, item_problems = _check_question(node, item, name)
        qid = item.get("id") if isinstance(item, dict) else None
        label = f"line {line}" + (f" (id {qid})" if isinstance(qid, str) else "")
        problems.extend(f"{label}: {p}" for p in item_problems)
        if isinstance(qid, str):
            if qid in first_seen:
                problems.append(f"{label}: duplicate id (first used at line {first_seen[qid]})")
            else:
                first_seen[qid] = line
        if q is not None:
            questions.append(q)
    if problems:
        raise SuiteError(
            f"{path}: {len(problems)} problem(s) in suite {name!r}; fix them and run again:\n  "
            + "\n  ".join(problems)
        )
    return Suite(name=name, path=path, questions=questions)


def load_suites(paths: Iterable[str | Path]) -> list[Suite]:
    """Load several suites; the problems of all files are reported together."""
    suites: list[Suite] = []
    errors: list[str] = []
    for p in paths:
        try:
            suites.append(load_suite(p))
        except SuiteError as e:
            errors.append(str(e))
    names = [s.name for s in suites]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        errors.append(f"suite names used twice: {', '.join(dupes)}; give each suite its own `name`")
    if errors:
        raise SuiteError("\n".join(errors))
    return suites


def _value_node(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _key_line(mapping: yaml.MappingNode, key: str) -> int:
    for k, _ in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return int(k.start_mark.line) + 1
    return int(mapping.start_mark.line) + 1


def _check_question(node: yaml.Node, item: Any, suite: str) -> tuple[Question | None, list[str]]:
    if not isinstance(item, dict) or not isinstance(node, yaml.MappingNode):
        return None, ["a question must be a mapping with id, question, lang, expected, abstain"]
    problems: list[str] = []

    def at(key: str) -> str:
        return f"`{key}` (line {_key_line(node, key)})"

    for key in _REQUIRED:
        if key not in item:
            problems.append(f"missing field `{key}`")
    for key in item:
        if key not in _KNOWN:
            problems.append(f"unknown field {at(str(key))}; known fields: {', '.join(_KNOWN)}")
    for key in ("id", "question", "lang"):
        if key in item and (not isinstance(item[key], str) or not item[key].strip()):
            problems.append(f"{at(key)} must be a non-empty string, got {item[key]!r}")
    abstain = item.get("abstain")
    if "abstain" in item and not isinstance(abstain, bool):
        problems.append(f"{at('abstain')} must be true or false, got {abstain!r}")
    evidence = item.get("evidence")
    for key in ("evidence", "note"):  # note: free text for reviewers (feedback export)
        if item.get(key) is not None and not isinstance(item[key], str):
            problems.append(f"{at(key)} must be a string")
    terms = item.get("answer_terms")
    if terms is None:
        terms = []
    elif not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        problems.append(f"{at('answer_terms')} must be a list of non-empty strings")
        terms = []

    expected: list[Expected] = []
    raw_expected = item.get("expected")
    if raw_expected is None:
        raw_expected = []
    if not isinstance(raw_expected, list):
        problems.append(f"{at('expected')} must be a list of {{doc, section}} entries")
        raw_expected = []
    for i, entry in enumerate(raw_expected, 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("doc"), str) or not entry["doc"]:
            problems.append(f"{at('expected')} entry {i} needs `doc: <document id>`")
            continue
        section = entry.get("section")
        extra = set(entry) - {"doc", "section"}
        if extra:
            problems.append(f"{at('expected')} entry {i} has unknown keys {sorted(extra)}")
        if section is not None and not isinstance(section, str):
            problems.append(
                f"{at('expected')} entry {i}: section must be a quoted label such as "
                f'"Article 12" or "5 §", got {section!r}'
            )
            continue
        expected.append(Expected(doc=entry["doc"], section=section or None))
    if abstain is True and expected:
        problems.append(
            f"abstain: true but {at('expected')} lists {len(expected)} source(s); "
            "a question to abstain on has no expected sources"
        )
    if abstain is False and not expected and not any("expected" in p for p in problems):
        problems.append(
            "abstain: false but no `expected` sources; add at least one "
            "{doc, section} or set abstain: true"
        )
    if problems:
        return None, problems
    return (
        Question(
            id=item["id"],
            question=item["question"],
            lang=item["lang"].strip().lower(),
            expected=expected,
            answer_terms=list(terms),
            abstain=bool(abstain),
            evidence=evidence or "",
            suite=suite,
        ),
        [],
    )


# -- section labels ------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_NBSP = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009"), " ")
_ARTICLE = re.compile(r"^(?:article|artikel|art\.?)\s*(\d+\s?[a-z]?)\b")
_CHAPTER_PARA = re.compile(r"^(\d+\s?[a-z]?)\s*kap\.?\s*(\d+\s?[a-z]?)\s*§")
_PARA = re.compile(r"^(?:§\s*(\d+\s?[a-z]?)\b|(\d+\s?[a-z]?)\s*§)")
_ANNEX = re.compile(r"^(?:annex|bilaga)(?:\s+([ivxlcdm]+|\d+|[a-z])\b|\s*$|\s*[^\w\s])")
_RECITAL = re.compile(r"^(?:\((\d+)\)$|(?:recital|skäl)\s*\(?(\d+)\)?)")
_TRIM = " \t.,;:!?-–—()[]\"'"


def normalize_section(label: str) -> str:
    """A canonical form of a legal label so "Artikel 12" and "Article 12(3)" compare equal."""
    s = _SPACES.sub(" ", label.translate(_NBSP)).strip().lower()
    if m := _CHAPTER_PARA.match(s):
        return f"kap {_compact(m.group(1))} § {_compact(m.group(2))}"
    if m := _ARTICLE.match(s):
        return f"art {_compact(m.group(1))}"
    if m := _PARA.match(s):
        return f"§ {_compact(m.group(1) or m.group(2))}"
    if m := _ANNEX.match(s):
        return f"annex {m.group(1)}" if m.group(1) else "annex"
    if m := _RECITAL.match(s):
        return f"recital {m.group(1) or m.group(2)}"
    return s.strip(_TRIM)


def _compact(number: str) -> str:
    return number.replace(" ", "")


def passage_matches(doc_id: str, section: str | None, expected: Expected) -> bool:
    """Same document, and the expected section (when one is given) under normalisation."""
    if doc_id != expected.doc:
        return False
    if expected.section is None:
        return True
    return section is not None and normalize_section(section) == normalize_section(expected.section)


# -- retrieval metrics (pure) --------------------------------------------------------------------

Ranked = Sequence[tuple[str, str | None]]  # (doc_id, section), best first


def targets(expected: Sequence[Expected], level: Level) -> list[Expected]:
    """What must be found: distinct documents at doc level, distinct entries at section level."""
    seen: dict[tuple[str, str | None], Expected] = {}
    for e in expected:
        if level == "doc":
            seen.setdefault((e.doc, None), Expected(e.doc))
        else:
            key = (e.doc, normalize_section(e.section) if e.section else None)
            seen.setdefault(key, e)
    return list(seen.values())


def target_ranks(ranked: Ranked, goal: Sequence[Expected]) -> list[int | None]:
    """For each target, the 1-based rank of the first passage that matches it (None: not found)."""
    out: list[int | None] = []
    for t in goal:
        rank = next((i for i, (d, s) in enumerate(ranked, 1) if passage_matches(d, s, t)), None)
        out.append(rank)
    return out


def gains(ranked: Ranked, goal: Sequence[Expected]) -> list[int]:
    """Binary gain per rank: 1 where a passage finds a target not found higher up.

    Parts of one long section are separate passages; counting each again would push nDCG over 1.
    """
    found: set[int] = set()
    out: list[int] = []
    for d, s in ranked:
        new = {i for i, t in enumerate(goal) if i not in found and passage_matches(d, s, t)}
        found |= new
        out.append(1 if new else 0)
    return out


def hit_at_k(gain: Sequence[int], k: int) -> float:
    return 1.0 if any(gain[:k]) else 0.0


def reciprocal_rank(gain: Sequence[int], k: int = 10) -> float:
    for i, g in enumerate(gain[:k], 1):
        if g:
            return 1.0 / i
    return 0.0


def ndcg_at_k(gain: Sequence[int], n_relevant: int, k: int = 10) -> float:
    """Binary nDCG; the ideal ranking puts min(n_relevant, k) relevant passages on top."""
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(n_relevant, k) + 1))
    if ideal == 0:
        return 0.0
    dcg = sum(g / math.log2(i + 1) for i, g in enumerate(gain[:k], 1))
    return dcg / ideal


def recall_at_k(ranks: Sequence[int | None], k: int) -> float:
    """Share of targets whose first match is within the top k."""
    if not ranks:
        return 0.0
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def first_rank(gain: Sequence[int]) -> int | None:
    return next((i for i, g in enumerate(gain, 1) if g), None)


def retrieval_metrics(ranked: Ranked, expected: Sequence[Expected], level: Level) -> dict[str, Any]:
    """hit@1/3/5, recall@5, MRR@10, nDCG@10 and the first relevant rank for one question."""
    goal = targets(expected, level)
    g = gains(ranked, goal)
    return {
        "hit@1": hit_at_k(g, 1),
        "hit@3": hit_at_k(g, 3),
        "hit@5": hit_at_k(g, 5),
        "recall@5": recall_at_k(target_ranks(ranked, goal), 5),
        "mrr@10": reciprocal_rank(g, 10),
        "ndcg@10": ndcg_at_k(g, len(goal), 10),
        "rank": first_rank(g),
    }


# -- answer metrics (pure) -----------------------------------------------------------------------


def normalize_text(text: str) -> str:
    """Case-folded, non-breaking spaces as spaces, whitespace runs collapsed."""
    return _SPACES.sub(" ", text.translate(_NBSP)).strip().casefold()


def answer_term_coverage(answer_text: str, terms: Sequence[str]) -> float | None:
    """Share of the terms found in the answer; None when the question lists no terms."""
    if not terms:
        return None
    hay = normalize_text(answer_text)
    return sum(1 for t in terms if normalize_text(t) in hay) / len(terms)


def first_statement(answer: Answer) -> str:
    """What a reader takes in first: the short answer when there is one, else the first quote
    (an LLM answer: its first line)."""
    if answer.short_answer:
        return answer.short_answer.text
    for line in answer.text.splitlines():
        if line.startswith("> "):
            return line
    lines = [ln for ln in answer.text.splitlines() if ln.strip()]
    return lines[1] if len(lines) > 1 else (lines[0] if lines else "")


def quote_count(answer_text: str) -> int:
    return sum(1 for line in answer_text.splitlines() if line.startswith("> "))


RETRIEVED_FOR_TERMS = 5  # "the answer was there": terms in one of this many top passages


def retrieved_term_coverage(retrieved: Sequence[Passage], terms: Sequence[str]) -> float | None:
    """Share of the terms found in any of the top passages (what the answer could have said)."""
    if not terms:
        return None
    hays = [normalize_text(p.chunk.text) for p in retrieved[:RETRIEVED_FOR_TERMS]]
    return sum(1 for t in terms if any(normalize_text(t) in h for h in hays)) / len(terms)


_ELLIPSIS = re.compile(r"…|\.\.\.")


def quote_in_text(quote: str, text: str) -> bool:
    """The quote occurs verbatim (whitespace-insensitive); "…" may mark left-out words."""
    hay = _SPACES.sub(" ", text.translate(_NBSP))
    pieces = [_SPACES.sub(" ", p.translate(_NBSP)).strip() for p in _ELLIPSIS.split(quote)]
    pieces = [p for p in pieces if p]
    return bool(pieces) and all(p in hay for p in pieces)


def citation_valid(citation: Citation, retrieved: Sequence[Passage]) -> bool:
    """The cited passage was retrieved and contains the quote."""
    candidates = [
        p for p in retrieved if citation.chunk_id and p.chunk.chunk_id == citation.chunk_id
    ]
    if not candidates:
        candidates = [
            p
            for p in retrieved
            if p.chunk.doc_id == citation.doc_id
            and normalize_section(p.chunk.section) == normalize_section(citation.section or "")
        ]
    return any(quote_in_text(citation.quote, p.chunk.text) for p in candidates)


def citation_correct(citation: Citation, expected: Sequence[Expected]) -> bool:
    return any(passage_matches(citation.doc_id, citation.section, e) for e in expected)


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * p / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _share(num: int, den: int) -> float | None:
    return num / den if den else None


def abstention_metrics(should: Sequence[bool], did: Sequence[bool]) -> dict[str, float | None]:
    """Precision (of abstained, share that should), recall (of must-abstain, share abstained),
    and the rate of abstaining on answerable questions."""
    both = sum(1 for s, d in zip(should, did, strict=True) if s and d)
    wrong = sum(1 for s, d in zip(should, did, strict=True) if d and not s)
    return {
        "abstention_precision": _share(both, sum(did)),
        "abstention_recall": _share(both, sum(should)),
        "wrongly_abstained": _share(wrong, sum(1 for s in should if not s)),
    }


def doc_language(doc_id: str, known: Mapping[str, str] | None = None) -> str | None:
    """Language of a document: from chunk metadata when seen, else the `.en` / `.sv` id suffix."""
    if known and known.get(doc_id):
        return known[doc_id]
    m = re.search(r"\.([a-z]{2})$", doc_id)
    return m.group(1) if m else None


def is_cross_lingual(
    lang: str, expected: Sequence[Expected], known: Mapping[str, str] | None = None
) -> bool | None:
    """True when no expected document is in the question's language; None when unknown."""
    langs = {doc_language(e.doc, known) for e in expected}
    if not langs or None in langs:
        return None
    return lang not in langs


# -- the runner ----------------------------------------------------------------------------------


class AskPipeline(Protocol):
    """What the runner needs of `assistant.pipeline.Pipeline` (tests pass a scripted fake)."""

    def ask(
        self,
        question: str,
        *,
        max_classification: str = ...,
        method: Method = ...,
        k: int | None = ...,
    ) -> Answer: ...


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
    metrics["citation_validity"] = _share(metrics["citations_valid"], len(cites))
    metrics["citation_correctness"] = (
        _share(metrics["citations_correct"], len(cites)) if q.expected else None
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


def _mean(values: Iterable[float | None]) -> float | None:
    xs = [v for v in values if v is not None]
    return sum(xs) / len(xs) if xs else None


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
            out[f"{level}.{name}"] = _mean(r.metrics[level][name] for r in answerable)
    out["answer_term_coverage"] = _mean(
        r.metrics["answer_term_coverage"] for r in answerable if not r.abstained
    )
    out["first_term_coverage"] = _mean(
        r.metrics.get("first_term_coverage") for r in answerable if not r.abstained
    )
    # Quote choice apart from retrieval: only questions whose terms were all in the top passages.
    found = [
        r for r in answerable if not r.abstained and r.metrics.get("retrieved_term_coverage") == 1.0
    ]
    out["terms_retrieved"] = _mean(
        r.metrics.get("retrieved_term_coverage") for r in answerable if not r.abstained
    )
    out["answer_terms_if_retrieved"] = _mean(r.metrics["answer_term_coverage"] for r in found)
    out["first_terms_if_retrieved"] = _mean(r.metrics.get("first_term_coverage") for r in found)
    out["quotes_per_answer"] = _mean(
        r.metrics.get("quotes") for r in results if not r.abstained and r.metrics.get("quotes")
    )
    # Swedish askers first read a Swedish quote where a Swedish passage was among the top five.
    own = [
        r
        for r in results
        if r.question.lang == "sv" and r.metrics.get("asker_lang_quote_available")
    ]
    out["asker_language_first"] = _share(
        sum(1 for r in own if r.metrics.get("first_quote_lang") == "sv"), len(own)
    )
    # micro averages: every citation weighs the same
    n_cites = sum(r.metrics["citations"] for r in results)
    out["citation_validity"] = _share(sum(r.metrics["citations_valid"] for r in results), n_cites)
    n_ans_cites = sum(r.metrics["citations"] for r in answerable)
    out["citation_correctness"] = _share(
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


# -- commands ------------------------------------------------------------------------------------


def eval_command(
    args: argparse.Namespace, settings: Settings, *, pipeline: AskPipeline | None = None
) -> int:
    """`assistant eval`: run suites, print the headline table, write JSON / report, compare."""
    from rich.console import Console

    from . import eval_report

    suites = load_suites(args.suites)
    previous = _read_previous(args.compare) if args.compare else None
    configs = BASELINE_CONFIGS if args.baselines else ("full",)
    console = Console(stderr=False)
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
            parts = []
            for i, (suite, folder) in enumerate(zip(suites, docs, strict=True)):
                one = argparse.Namespace(**{**vars(args), "docs": folder})
                p = _build_pipeline(one, settings, Path(tmp) / str(i), console)
                console.print(f"Asking {len(suite.questions) * len(configs)} question(s) …")
                parts.append(
                    run_eval([suite], p, k=args.k, configs=configs, max_classification=args.level)
                )
            result = merge_results(parts)
        else:
            if pipeline is None:
                one = argparse.Namespace(**{**vars(args), "docs": docs[0] if docs else None})
                pipeline = _build_pipeline(one, settings, Path(tmp), console)
            console.print(f"Asking {n} question(s) ({', '.join(configs)}, k={args.k}) …")
            result = run_eval(
                suites, pipeline, k=args.k, configs=configs, max_classification=args.level
            )
    console.print(eval_report.headline_table(result))
    console.print(eval_report.breakdown_table(result))
    if args.json_out:
        eval_report.write_json(result, Path(args.json_out))
        console.print(f"Wrote {args.json_out}")
    if args.report:
        md, html_path = eval_report.write_report(result, Path(args.report))
        console.print(f"Wrote {md} and {html_path}")
    if previous is not None:
        regressions = compare_results(previous, result.to_json())
        console.print(eval_report.format_regressions(regressions, args.compare))
    return 0


def _docs_list(docs: Any) -> list[str]:
    if not docs:
        return []
    return [str(docs)] if isinstance(docs, str | Path) else [str(d) for d in docs]


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
    from .pipeline import Pipeline

    if args.docs:
        docs = Path(args.docs)
        if not docs.is_dir():
            raise SuiteError(f"--docs {docs}: not a folder; give the folder of documents to ingest")
        from .ingest import ingest_paths

        tmp.mkdir(parents=True, exist_ok=True)
        settings = settings.model_copy(update={"data_dir": tmp, "chroma_url": None})
        console.print(f"Ingesting {docs} into a temporary index …")
        report = ingest_paths([docs], settings, progress=False)
        console.print(
            f"Ingested {len(report.added) + len(report.updated)} document(s), "
            f"{report.chunks_written} chunk(s)."
        )
        for source, error in report.failed:  # its questions will show up as misses
            console.print(f"[yellow]not ingested: {source}: {error}[/yellow]")
    return Pipeline(settings)


FEEDBACK_HEADER = """\
# Suite entries exported from Slack feedback by `assistant feedback export`.
# Review every entry before adding it to a suite: fill in `expected` (doc id and section) or
# set `abstain: true`, add `answer_terms`, and remove anything that could identify a person.
"""


def feedback_command(args: argparse.Namespace, settings: Settings) -> int:
    """`assistant feedback export`: answers marked wrong (or all with --all) as a YAML suite."""
    from .audit import AuditStore

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


def render_feedback_suite(entries: Sequence[Any]) -> str:
    """YAML suite text (header comment + `name: feedback-review`) for exported entries."""
    questions = []
    for e in entries:
        d = dict(e) if isinstance(e, Mapping) else dict(vars(e))
        d.setdefault("expected", [])
        ordered = {key: d.pop(key) for key in _KNOWN if key in d}
        ordered.update(d)
        questions.append(ordered)
    body = yaml.safe_dump(
        {"name": "feedback-review", "questions": questions},
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return FEEDBACK_HEADER + body
