"""The glossary: groups of terms that name one thing (an act, a fund) in either language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .datafiles import read_yaml

GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True)
class GlossaryGroup:
    terms: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    source: str = ""  # the act (both language versions) or the section's usage it comes from


@lru_cache(maxsize=1)
def load_glossary() -> tuple[GlossaryGroup, ...]:
    groups = []
    for entry in read_yaml(GLOSSARY_FILE).get("groups", []):
        # An entry is {terms: [...], source: "..."}; a bare list of terms is still read.
        raw = entry.get("terms", []) if isinstance(entry, dict) else entry
        source = str(entry.get("source") or "") if isinstance(entry, dict) else ""
        terms = tuple(str(t) for t in raw)
        pats = tuple(
            re.compile(r"(?<![\wåäö])" + re.escape(t.lower()) + r"(?![\wåäö])") for t in terms
        )
        groups.append(GlossaryGroup(terms, pats, source))
    return tuple(groups)


def expand_with_glossary(question: str) -> list[str]:
    """Terms of every glossary group that the question mentions (for the lexical query)."""
    q = question.lower()
    extra: list[str] = []
    for g in load_glossary():
        if any(p.search(q) for p in g.patterns):
            extra.extend(g.terms)
    return extra
