"""Legal section labels in one canonical form, so "Artikel 12" and "Article 12(3)" compare equal.

`normalize_section` is the only name the rest of the package uses from here."""

from __future__ import annotations

import re

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
