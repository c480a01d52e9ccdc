"""Pure metric functions: retrieval ranks, answer terms, citations, abstention, latency.

Nothing here asks the pipeline or reads files; every function takes plain values and returns a
number (or None where the metric does not apply), so each can be checked by hand.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from ..documents import Answer, Citation, Passage
from ..legal_labels import normalize_section
from .suite import Expected

Level = Literal["doc", "section"]
LEVELS: tuple[Level, ...] = ("doc", "section")

_SPACES = re.compile(r"\s+")
_NBSP = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009"), " ")


# -- matching ------------------------------------------------------------------------------------


def passage_matches(doc_id: str, section: str | None, expected: Expected) -> bool:
    """Same document, and the expected section (when one is given) under normalisation."""
    if doc_id != expected.doc:
        return False
    if expected.section is None:
        return True
    return section is not None and normalize_section(section) == normalize_section(expected.section)


# -- retrieval metrics -------------------------------------------------------------------------------

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


# -- answer metrics ----------------------------------------------------------------------------------


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


# -- aggregates ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * p / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def share(num: int, den: int) -> float | None:
    """num / den, or None when there is nothing to count."""
    return num / den if den else None


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that apply (None left out); None when none does."""
    xs = [v for v in values if v is not None]
    return sum(xs) / len(xs) if xs else None


def abstention_metrics(should: Sequence[bool], did: Sequence[bool]) -> dict[str, float | None]:
    """Precision (of abstained, share that should), recall (of must-abstain, share abstained),
    and the rate of abstaining on answerable questions."""
    both = sum(1 for s, d in zip(should, did, strict=True) if s and d)
    wrong = sum(1 for s, d in zip(should, did, strict=True) if d and not s)
    return {
        "abstention_precision": share(both, sum(did)),
        "abstention_recall": share(both, sum(should)),
        "wrongly_abstained": share(wrong, sum(1 for s in should if not s)),
    }


# -- the cross-lingual split ---------------------------------------------------------------------


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
