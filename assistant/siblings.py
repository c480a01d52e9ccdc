"""Items of one list that state parallel facts: which of them the question means.

"(a) 45 % for external maritime borders; (b) 38 % for external land borders; (c) 17 % for
airports": every item holds a share and the words they share ("external borders") match a
question about any of them. The words an item holds and none of its siblings do ("land") say
which item is meant (`quotes.score_units` counts them once more).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .units import Unit

# The question's words an item holds and no sibling does count (1 + this) times; only for the
# kinds a list states as parallel figures (not actors: any item of a list may name one).
WEIGHT = 1.0
KINDS = ("share", "amount", "count", "weight")

# "(a)", "b)", "(iv)", "1." at the start of a unit (after a Markdown bullet)
_LABEL = re.compile(r"^\s*(?:[-*•]\s*)?(?:\(?([a-z]|[ivx]{1,4}|\d{1,3})\)|(\d{1,3})\.\s)", re.I)
_FIRST_LABELS = frozenset({"a", "i", "1"})


def label_runs(units: Sequence[Unit]) -> list[list[int]]:
    """The indices of each run of consecutive labelled units; a first label ("(a)", "(i)",
    "1.") starts a new run, except "(i)" after "(h)", the ninth letter."""
    runs: list[list[int]] = []
    last = ""
    for i, u in enumerate(units):
        m = _LABEL.match(u.text)
        label = (m.group(1) or m.group(2) or "").lower() if m else ""
        if not label:
            continue
        first = label in _FIRST_LABELS and not (label == "i" and last == "h")  # (h), (i), (j)
        if first or not runs or runs[-1][-1] != i - 1:
            runs.append([i])
        else:
            runs[-1].append(i)
        last = label
    return runs


def own_word_weights(
    units: Sequence[Unit],
    toks: Sequence[set[str]],
    question: set[str],
    weight: Callable[[str], float],
    facts: set[int],
) -> dict[int, float]:
    """For each item of a list whose items state facts (`facts`: the indices of units holding a
    fact of the asked kind, at least two in the list), the weight of the question's words it
    holds and no sibling does."""
    out: dict[int, float] = {}
    for run in label_runs(units):
        items = [i for i in run if i in facts]
        if len(items) < 2:
            continue
        for i in items:
            others = set().union(*(toks[j] for j in items if j != i))
            if own := (question & toks[i]) - others:
                out[i] = sum(weight(t) for t in own)
    return out


def sibling_bonus(
    units: Sequence[Unit],
    toks: Sequence[set[str]],
    question: set[str],
    weight: Callable[[str], float],
    asked: str | None,
    found: Sequence[Sequence[object]],
    quote_choice: bool = True,
) -> dict[int, float]:
    """What each list item of a passage adds to its word overlap for the words only it holds
    (`own_word_weights`), when the question asks for a figure (`found`: each unit's spans of the
    asked kind); nothing in the passage ranking (`quote_choice` False), which reads whole
    passages."""
    if not (WEIGHT and quote_choice and asked in KINDS):
        return {}
    facts = {i for i, spans in enumerate(found) if spans}
    own = own_word_weights(units, toks, question, weight, facts)
    return {i: WEIGHT * w for i, w in own.items()}
