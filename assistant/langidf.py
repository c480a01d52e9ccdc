"""Rarity of a word among the passages of one language.

A word's idf over the whole index mixes two languages: in an index that is mostly Swedish every
English stem is rare, so an English sentence that holds a translated question word outweighs the
Swedish sentence that holds the word itself. Within one language a word's rarity says what it
says about that language's passages, so the quote choice weighs a unit's words by the idf among
the passages of the unit's own language.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from .lexical import LevelView

# Counted once per view (the statistics of one access level), when it first answers.
_COUNTS: WeakKeyDictionary[LevelView, dict[str, tuple[int, Counter[str]]]] = WeakKeyDictionary()
_LOCK = threading.Lock()


def _counts(view: LevelView) -> dict[str, tuple[int, Counter[str]]]:
    """Per language: the number of the view's passages, and how many of them hold each stem."""
    with _LOCK:
        hit = _COUNTS.get(view)
        if hit is not None:
            return hit
        index = view.index
        positions = range(view.n_total) if view.positions is None else view.positions.tolist()
        out: dict[str, tuple[int, Counter[str]]] = {}
        for i in positions:
            lang = index.chunks[i].language
            n, df = out.get(lang, (0, Counter()))
            df.update(index.stem_sets[i])
            out[lang] = (n + 1, df)
        _COUNTS[view] = out
        return out


def language_idf(view: LevelView) -> Callable[[str], Callable[[str], float]]:
    """lang → (stem → idf among the view's passages in that language)."""
    counts = _counts(view)

    def of(lang: str) -> Callable[[str], float]:
        n, df = counts.get(lang, (0, Counter()))
        if not n:
            return view.idf
        return lambda stem: math.log((n + 1) / (df.get(stem, 0) + 0.5))

    return of
