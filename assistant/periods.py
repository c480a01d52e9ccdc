"""Programme periods: the one a document states for itself, and how a question's period weighs
the passages of other periods in the quote choice (`quotes.score_units`).

EU funds run in programme periods (2014-2020, 2021-2027). An act of the old period and its
successor say much the same in the same words, so which period a question asks about decides
which of them answers it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .documents import Passage
from .leanings import names_old_period

YEAR = re.compile(r"(?:19|20)\d\d")

# How an act states the period it runs for: "for the period from 1 January 2021 to 31 December
# 2027", "för perioden 1 januari 2021–31 december 2027". A bare "2014-2020" is most often a
# reference to another period (an act names its predecessor's), so it does not count.
_PERIOD_STATED = re.compile(
    r"\bfrom 1 January ((?:19|20)\d\d) (?:to|until) 31 December ((?:19|20)\d\d)\b|"
    r"\b(?:den )?1 januari ((?:19|20)\d\d)\s*(?:[-–]|till(?: och med)?)\s*(?:den )?"
    r"31 december ((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
PERIOD_YEARS = (4, 8)  # a programme period lasts this many years, both ends counted


def stated_period(text: str) -> str | None:
    """The programme period a document's own text states most often ("2021-2027"), or None
    when it states none, or two equally often (fail closed: no period is better than a wrong
    one)."""
    counts: dict[str, int] = {}
    for m in _PERIOD_STATED.finditer(text):
        a, b = (int(g) for g in m.groups() if g)
        if PERIOD_YEARS[0] <= b - a + 1 <= PERIOD_YEARS[1]:
            key = f"{a}-{b}"
            counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]


def period_ends(period: str) -> tuple[int, int] | None:
    """The first and last year of a period written "2021-2027", or None."""
    ys = [int(y) for y in YEAR.findall(period)]
    return (ys[0], ys[1]) if len(ys) == 2 else None


def other_period_acts(passages: Sequence[Passage], years: list[int], question: str) -> set[int]:
    """The passages of an act of another period than the one asked about, where two acts among
    them state their programme periods in their own text (`stated_period`, at ingest): a
    question that names neither a year nor the old period asks about the current one, so the act
    a later one replaced weighs less; one that names the old period by name ("ISF Gräns", "förra
    perioden") asks about the earliest, so the acts that began after it weigh less. (A period
    given in a document's metadata is not read this way: there `superseded_by` says whether a
    successor exists, and a finished project is history, not replaced.)"""
    if years:
        return set()  # `period_off` compares the named years with each period
    spans = {
        i: ys
        for i, p in enumerate(passages)
        if p.chunk.metadata.get("period_inferred")
        and (ys := period_ends(str(p.chunk.metadata.get("programme_period") or "")))
    }
    if not spans:
        return set()
    if names_old_period(question):
        first_end = min(ys[1] for ys in spans.values())
        return {i for i, ys in spans.items() if ys[0] > first_end}
    latest = max(ys[0] for ys in spans.values())
    return {i for i, ys in spans.items() if ys[1] < latest}


def period_off(years: list[int], period: str, text: str = "") -> bool:
    """The question names a year outside the passage's programme period, and `text` (the
    passage's own, when given) does not name it."""
    ends = period_ends(period)
    if not years or not ends:
        return False
    outside = [y for y in years if not (ends[0] <= y <= ends[1])]
    return bool(outside) and not any(re.search(rf"\b{y}\b", text) for y in outside)
