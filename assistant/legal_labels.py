"""The legal-label grammar, in one place: how article, annex, chapter, recital, "kap." and "§"
headings are recognised, printed, compared and named in the asker's language.

Chunking labels sections with `classify_heading`, evaluation compares labels with
`normalize_section` ("Artikel 12" equals "Article 12(3)"), answers print them with
`section_for_lang`.
"""

from __future__ import annotations

import re

_EMPHASIS = re.compile(r"[*_`]+")
# Legal units, matched on the cleaned heading text.
ARTICLE = re.compile(r"^(Article|Artikel|Art\.)\s+(\d+[a-z]?)\b\s*(.*)$", re.I)
ANNEX = re.compile(r"^(ANNEX|Annex|BILAGA|Bilaga)\b\s*([IVXLC]+|\d+)?\b\.?\s*(.*)$")
CHAPTER_EU = re.compile(r"^(CHAPTER|KAPITEL)\s+([IVXLC]+|\d+)\b\s*(.*)$", re.I)
SECTION_EU = re.compile(r"^(SECTION|AVSNITT|Subsection)\s+(\d+)\b\s*(.*)$", re.I)
# Swedish statutes: "5 §", "5 a §", also when conversion left junk in front ("/52/ 7 §").
PARA = re.compile(r"(?:^|\s)(\d+\s?[a-z]?)\s?§\s*$")
KAP = re.compile(r"^(\d+\s?[a-z]?)\s?kap\.\s*(.*)$")
_KAP_PARA = re.compile(r"^(\d+\s?[a-z]?)\s?§(?=\s|$)")
RECITAL = re.compile(r"^\s*[-*]?\s*\((\d+)\)\s")
# Paragraphs in plain-text statutes and PDFs: a line that starts with "5 §".
INLINE_PARA = re.compile(r"^(\d+\s?[a-z]?)\s?§\s+\S")


def clean_heading(text: str) -> str:
    """Heading text without Markdown emphasis and with single spaces."""
    return re.sub(r"\s+", " ", _EMPHASIS.sub("", text)).strip()


def classify_heading(text: str) -> tuple[str, str]:
    """(kind, label) of a heading: legal units get their canonical label as printed."""
    t = clean_heading(text)
    if m := ARTICLE.match(t):
        word = "Artikel" if m.group(1).lower() == "artikel" else "Article"
        return "article", f"{word} {m.group(2)}"
    if m := ANNEX.match(t):
        word = "Bilaga" if m.group(1).lower() == "bilaga" else "Annex"
        return "annex", f"{word} {m.group(2)}" if m.group(2) else word
    if CHAPTER_EU.match(t):
        return "chapter", t
    if SECTION_EU.match(t):
        return "section", t
    if m := KAP.match(t):
        if para := _KAP_PARA.match(m.group(2)):  # "3 kap. 28 §": a paragraph with its chapter
            return "para", f"{m.group(1).strip()} kap. {para.group(1).strip()} §"
        return "kap", f"{m.group(1).strip()} kap."
    if m := PARA.search(t):
        return "para", f"{m.group(1).strip()} §"
    return "plain", t


# -- comparing labels ---------------------------------------------------------------------------
_SPACES = re.compile(r"\s+")
_NBSP = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009"), " ")
_CMP_ARTICLE = re.compile(r"^(?:article|artikel|art\.?)\s*(\d+\s?[a-z]?)\b")
_CMP_CHAPTER_PARA = re.compile(r"^(\d+\s?[a-z]?)\s*kap\.?\s*(\d+\s?[a-z]?)\s*§")
_CMP_PARA = re.compile(r"^(?:§\s*(\d+\s?[a-z]?)\b|(\d+\s?[a-z]?)\s*§)")
_CMP_ANNEX = re.compile(r"^(?:annex|bilaga)(?:\s+([ivxlcdm]+|\d+|[a-z])\b|\s*$|\s*[^\w\s])")
_CMP_RECITAL = re.compile(r"^(?:\((\d+)\)$|(?:recital|skäl)\s*\(?(\d+)\)?)")
_TRIM = " \t.,;:!?-–—()[]\"'"


def normalize_section(label: str) -> str:
    """A canonical form of a legal label so "Artikel 12" and "Article 12(3)" compare equal."""
    s = _SPACES.sub(" ", label.translate(_NBSP)).strip().lower()
    if m := _CMP_CHAPTER_PARA.match(s):
        return f"kap {_compact(m.group(1))} § {_compact(m.group(2))}"
    if m := _CMP_ARTICLE.match(s):
        return f"art {_compact(m.group(1))}"
    if m := _CMP_PARA.match(s):
        return f"§ {_compact(m.group(1) or m.group(2))}"
    if m := _CMP_ANNEX.match(s):
        return f"annex {m.group(1)}" if m.group(1) else "annex"
    if m := _CMP_RECITAL.match(s):
        return f"recital {m.group(1) or m.group(2)}"
    return s.strip(_TRIM)


def _compact(number: str) -> str:
    return number.replace(" ", "")


# -- printing labels ----------------------------------------------------------------------------
def section_for_lang(section: str, lang: str) -> str:
    """An English label in Swedish for a Swedish asker ("Article 12" → "artikel 12")."""
    if lang == "sv":
        section = re.sub(r"^Article\b", "artikel", section)
        section = re.sub(r"^Annex\b", "bilaga", section)
        section = re.sub(r"^Recital\b", "skäl", section)
    return section
