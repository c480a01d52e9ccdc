"""Quotable units of a passage: sentences, list items and table rows, as offsets into its text.

Hard line breaks inside a sentence are joined first (PDFs break lines mid-sentence); a table row
keeps its header row, as a row means nothing without it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .language import COUNTRY_CODES, STOP
from .legal_labels import clean_heading

# A sentence ends at . ! ? ; followed by an upper-case letter, a digit or an opening mark.
_SPLIT = re.compile(r"(?<=[.!?;])\s+(?=[\"'“(\[]?[A-ZÅÄÖ0-9])")
# "t.ex. Frontex", "e.g. Europol": a full stop after an abbreviation ends no sentence.
_ABBREV = re.compile(
    r"(?<![\wåäö])(?:t\.ex|bl\.a|m\.m|s\.k|d\.v\.s|dvs|jfr|resp|ca|fr\.o\.m|t\.o\.m|e\.g|"
    r"i\.e|cf|No|nr|Art|art|para|pp?)\.$"
)
_ITEM = re.compile(r"^\s*(?:[-*•]\s+|\d{1,3}[.)]\s+|\(\w{1,4}\)\s+|[a-z][.)]\s+)")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_ROW = re.compile(r"^\s*\|")
_RULE_ROW = re.compile(r"^\s*\|?[\s:|-]+\|[\s:|-]*$")
_MD_NOISE = re.compile(r"^\s*(?:[-*•>]\s+|\d+\.\s+|\(\w{1,4}\)\s+)")


@dataclass
class Unit:
    """A quotable unit of a passage: a sentence, list item or table row, as offsets."""

    p_index: int
    start: int
    end: int
    text: str
    kind: str = "sentence"  # sentence | item | row | heading
    header: str = ""  # a table row's header row


def _blocks(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of paragraphs, list items, table rows and headings, with the hard
    line breaks inside a paragraph or an item joined."""
    out: list[tuple[str, int, int]] = []
    cur: list[int] | None = None  # [start, end] of the open paragraph or item
    cur_kind = ""
    pos = 0
    for line in text.split("\n"):
        s, e = pos, pos + len(line)
        pos = e + 1
        stripped = line.strip()
        structural = not stripped or _HEADING.match(line) or _ROW.match(line) or _ITEM.match(line)
        if structural and cur is not None:
            out.append((cur_kind, cur[0], cur[1]))
            cur = None
        if not stripped:
            continue
        if _HEADING.match(line):
            out.append(("heading", s, e))
        elif _ROW.match(line):
            out.append(("row", s, e))
        elif _ITEM.match(line):
            cur, cur_kind = [s, e], "item"
        elif cur is not None and cur_kind == "para" and _title_line(text[cur[0] : cur[1]], line):
            out.append(("heading", cur[0], cur[1]))  # "Den nya strategin" above "Regeringen …"
            cur = [s, e]
        elif cur is not None:
            cur[1] = e  # a hard line break inside a sentence: the line goes on
        else:
            cur, cur_kind = [s, e], "para"
    if cur is not None:
        out.append((cur_kind, cur[0], cur[1]))
    return out


_TITLE_MAX_WORDS = 6


def _title_line(block: str, nxt: str) -> bool:
    """A one-line paragraph that is a title without heading markup (text taken from PDF or
    HTML): a few words, capitalised, no closing punctuation, and the next line starts anew."""
    one = block.strip()
    n = nxt.strip()
    return (
        "\n" not in one
        and 0 < len(one.split()) <= _TITLE_MAX_WORDS
        and one[0].isupper()
        and one[-1] not in ".,:;!?)-–"
        and one.split()[-1].lower() not in STOP  # "… samrådde med" goes on
        and n[:1].isupper()
    )


def _trimmed(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def sentence_units(p_index: int, text: str) -> list[Unit]:
    """The quotable units of a passage; `text[u.start:u.end]` is the unit as written."""
    units: list[Unit] = []
    header = ""
    for kind, bs, be in _blocks(text):
        if kind == "row":
            row = text[bs:be]
            if _RULE_ROW.match(row):
                continue
            if not header:
                header = row.strip()
                units.append(Unit(p_index, *_trimmed(text, bs, be), row.strip(), "heading"))
                continue
            s, e = _trimmed(text, bs, be)
            units.append(Unit(p_index, s, e, text[s:e], "row", header))
            continue
        header = ""
        if kind == "heading":
            s, e = _trimmed(text, bs, be)
            units.append(Unit(p_index, s, e, text[s:e], "heading"))
            continue
        pos = bs
        block = text[bs:be]
        splits = [m for m in _SPLIT.finditer(block) if not _ABBREV.search(block, 0, m.start())]
        for m in [*splits, None]:
            end = bs + (m.start() if m else len(block))
            s, e = _trimmed(text, pos, end)
            if e - s >= 3:
                units.append(
                    Unit(p_index, s, e, text[s:e], "item" if kind == "item" else "sentence")
                )
            pos = bs + m.end() if m else be
    return units


def clean_quote(u: str) -> str:
    """A unit as quoted: line breaks inside it joined, a leading list marker left out (the
    quote is still the text as written, up to white space)."""
    m = _MD_NOISE.match(u)
    if m and len(u) - m.end() > 20:
        u = u[m.end() :]
    return " ".join(u.split())


def row_country(row: str) -> tuple[str, str] | None:
    """(code, "English Swedish" names) of the country a table row is keyed by ("| SE | …" →
    ("SE", "Sweden Sverige")), or None. Chunking puts the names in a table chunk's heading path;
    quote choice scores the row with them."""
    code = clean_heading(row.strip().strip("|").split("|")[0]).upper()
    names = COUNTRY_CODES.get(code)
    return (code, " ".join(names)) if names else None


def row_names(u: Unit) -> str:
    """The country names of a row unit (see `row_country`), so a question about Sverige finds
    the "SE" row; empty for any other unit."""
    hit = row_country(u.text) if u.kind == "row" else None
    return hit[1] if hit else ""


# A sentence that points back ("Gallra inte projektakter innan den tiden har gått.", "Material
# … märks därför inte …", "This shall apply …") says nothing alone: it is quoted with the
# sentence before it. "Det finns", "Det är" and "De nationella programmen" point nowhere.
_POINTS_BACK = re.compile(
    r"^(?:Detta|Dessa|Denna|Därför|Därmed|Då|This|These|That|Those|Such|It|They|Therefore|Thus|"
    r"Hence)\b|"
    r"\b(?:därför|därmed|detta|dessa|therefore|thus|hence)\b|"
    r"\b(?:[Dd]en|[Dd]et) (?!\w+a\b)[a-zåäö]{3,}(?:en|et)\b"
)


def points_back(text: str) -> bool:
    return bool(_POINTS_BACK.search(text))


# "Nej, inte för nya projekt.": a bare verdict; the reason is the sentence after it.
_VERDICT = re.compile(r"^(?:Ja|Nej|Yes|No)\b[,.]", re.I)
VERDICT_MAX = 60  # characters


def with_antecedent(text: str, units: list[Unit], u: Unit) -> Unit:
    """The unit, or the unit with the sentence before it in the same paragraph when it points
    back to that sentence (`points_back`), or with the sentence after it when it is a bare
    verdict ("Nej, inte för nya projekt.")."""
    at = next((i for i, v in enumerate(units) if v.start == u.start), None)
    if u.kind != "sentence" or at is None:
        return u
    verdict = len(u.text) <= VERDICT_MAX and bool(_VERDICT.match(u.text))
    if not verdict and not points_back(u.text):
        return u
    # the unit right after a verdict, right before any other: a sentence of the same paragraph
    j = at + 1 if verdict else at - 1
    if not 0 <= j < len(units) or units[j].kind != "sentence":
        return u
    first, last = (u, units[j]) if verdict else (units[j], u)
    if "\n\n" in text[first.end : last.start]:
        return u
    return Unit(u.p_index, first.start, last.end, text[first.start : last.end], u.kind, u.header)


# A list item's marker, by its style: "5." a numbered paragraph, "(a)" / "a)" a lettered point,
# "-" a bullet. A point under a numbered paragraph has another style than the paragraph.
_MARK_NUM = re.compile(r"^\s*(?:[-*•]\s*)?\d{1,3}[.)]")
_MARK_ALPHA = re.compile(r"^\s*(?:[-*•]\s*)?\(?[a-z]{1,4}\)")


def _marker(text: str, u: Unit) -> str:
    line = text[text.rfind("\n", 0, u.start) + 1 : u.start] + u.text[:8]
    if _MARK_NUM.match(line):
        return "num"
    return "alpha" if _MARK_ALPHA.match(line) else "bullet"


def list_items(text: str, units: list[Unit], u: Unit) -> list[Unit]:
    """The items of the list a unit opens ("… operating support shall cover:", "… ska redovisa
    uppgifter om" and the points under it), or none when it opens none: it ends with a colon (or,
    a paragraph, with no full stop) and items follow it. Under a numbered paragraph, the points
    of another style, up to the next paragraph."""
    end = u.text.rstrip()
    if end.endswith((".", "!", "?", ";")) or (u.kind == "item" and not end.endswith(":")):
        return []  # a whole sentence, or a point of a list; "… shall cover:", "… om" open one
    at = next((i for i, v in enumerate(units) if v.start == u.start), None)
    own = _marker(text, u) if u.kind == "item" else None
    out: list[Unit] = []
    for v in units[at + 1 :] if at is not None else []:
        if v.kind != "item" or (own is not None and _marker(text, v) == own):
            break
        out.append(v)
    return out
