"""Legal structure → chunks. Pure functions: no I/O, no model.

A chunk never spans two articles, paragraphs (§), annexes, recitals or headed sections. A long
section is split at paragraph boundaries (then lines, then sentences) so that every part fits the
embedding model's input window as measured by the model's own token counter; every part keeps the
section label and heading path.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from .documents import Chunk, Document
from .legal_labels import (
    ANNEX as _ANNEX,
)
from .legal_labels import (
    ARTICLE as _ARTICLE,
)
from .legal_labels import (
    CHAPTER_EU as _CHAPTER_EU,
)
from .legal_labels import (
    INLINE_PARA as _INLINE_PARA,
)
from .legal_labels import (
    KAP as _KAP,
)
from .legal_labels import (
    RECITAL as _RECITAL,
)
from .legal_labels import (
    classify_heading as classify_heading,
)
from .legal_labels import (
    clean_heading as clean_heading,
)
from .units import row_country

TokenCounter = Callable[[str], int]

_FOOTNOTE = re.compile(r"^\[\^[^\]]+\]:")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[A-ZÅÄÖ0-9(\-–])")

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")


@dataclass
class _Heading:
    level: int
    text: str
    kind: str  # chapter, section, article, annex, kap, para, recital, plain, title
    label: str


_LEGAL_UNITS = {"article", "annex", "para", "recital"}


@dataclass
class _Block:
    """A run of body text under one heading stack."""

    start: int
    end: int
    stack: list[_Heading]
    label: str | None = None  # override (recitals, footnotes, inline §)


def _is_plain_heading_line(lines: list[str], i: int) -> bool:
    """Headings in PDF/plain text, where no markup says so.

    A short line without a closing stop that starts with a capital and either stands between
    blank lines or follows a line that ended a sentence (PDF text wraps lines, so a wrapped line
    never follows a full stop and is usually long).
    """
    line = lines[i].strip()
    if (
        not line
        or len(line) > 70
        or line[-1] in ".,;:!?)-"
        or line.startswith(("-", "•", "|", "("))
    ):
        return False
    if not line[0].isupper() or len(line.split()) > 10:
        return False
    prev = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
    blank_before = i == 0 or not lines[i - 1].strip()
    blank_after = i + 1 >= len(lines) or not lines[i + 1].strip()
    nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
    if blank_before and blank_after:
        return True
    return (not prev or prev[-1] in ".:!?") and bool(nxt) and (nxt[0].isupper() or nxt[0].isdigit())


def _headings_and_blocks(doc: Document) -> list[_Block]:
    text = doc.text
    lines = text.splitlines(keepends=True)
    markdown_headings = doc.fmt in ("md", "html", "docx") or any(
        _MD_HEADING.match(ln) for ln in lines[:400]
    )
    blocks: list[_Block] = []
    stack: list[_Heading] = []
    cur_start: int | None = None
    cur_label: str | None = None
    pos = 0
    in_recitals = False
    body_seen = False

    def close(end: int) -> None:
        nonlocal cur_start
        if cur_start is not None and text[cur_start:end].strip():
            blocks.append(_Block(cur_start, end, list(stack), cur_label))
        cur_start = None

    def push(level: int, heading_text: str) -> None:
        nonlocal in_recitals, cur_label
        kind, label = classify_heading(heading_text)
        top = stack[-1] if stack else None
        if (
            top is not None
            and top.kind in ("article", "annex", "para")
            and kind == "plain"
            and not body_seen
        ):
            # A heading straight after a legal unit's own heading is that unit's title, even
            # when the converter gave it the same level ("## ANNEX I" / "## CRITERIA ...").
            level = top.level + 1
        while stack and stack[-1].level >= level:
            stack.pop()
        stack.append(_Heading(level, clean_heading(heading_text), kind, label))
        if kind in ("chapter", "article", "para", "annex", "kap"):
            in_recitals = False
        cur_label = None

    for idx, line in enumerate(lines):
        stripped = line.strip()
        m = _MD_HEADING.match(stripped) if markdown_headings else None
        is_heading = False
        if m:
            close(pos)
            push(len(m.group(1)), m.group(2))
            is_heading = True
            if (
                stack[-1].kind == "para"
                and len(clean_heading(m.group(2))) > len(stack[-1].label) + 12
            ):
                # Converted statutes sometimes carry real text in front of "9 §" in the heading
                # line; keep that line in the paragraph's chunk so no text is lost.
                cur_start = pos
                is_heading = False
        elif (
            not markdown_headings
            and stripped
            and (
                _ARTICLE.match(stripped)
                and len(stripped) < 120
                and not stripped.endswith(".")
                or _ANNEX.match(stripped)
                and len(stripped) < 80
                and stripped.split()[0].isupper()
                or _CHAPTER_EU.match(stripped)
                and stripped.split()[0].isupper()
                or _KAP.match(stripped)
                and len(stripped) < 100
                or _is_plain_heading_line(lines, idx)
            )
        ):
            close(pos)
            push(1 if idx == 0 else 2 if _CHAPTER_EU.match(stripped) else 3, stripped)
            is_heading = True
        elif not markdown_headings and _INLINE_PARA.match(stripped):
            close(pos)
            para = _INLINE_PARA.match(stripped)
            assert para is not None
            while stack and stack[-1].kind == "para":
                stack.pop()
            cur_label = None
            stack.append(
                _Heading(9, f"{para.group(1).strip()} §", "para", f"{para.group(1).strip()} §")
            )
            cur_start = pos
        elif stripped.lower().rstrip(":") in (
            "whereas",
            "med beaktande av följande",
            "having regard",
        ):
            close(pos)
            in_recitals = True
            cur_start = pos + len(line)
        elif in_recitals and (rm := _RECITAL.match(line)):
            close(pos)
            cur_label = f"Recital {rm.group(1)}"
            cur_start = pos
        elif _FOOTNOTE.match(stripped) and cur_label != "Footnotes":
            close(pos)
            stack = [h for h in stack if h.level <= 1]
            cur_label = "Footnotes"
            in_recitals = False
            cur_start = pos
        elif cur_start is None and stripped:
            cur_start = pos
        if stripped:
            body_seen = not is_heading
        pos += len(line)
    close(pos)
    return blocks


def _label_and_path(block: _Block, doc_title: str) -> tuple[str, str]:
    stack = block.stack
    unit_idx = next(
        (i for i in range(len(stack) - 1, -1, -1) if stack[i].kind in _LEGAL_UNITS), None
    )
    parts: list[str] = []
    skip_top = len(stack) > 1 and stack[0].level == 1  # the document title heading
    for i, h in enumerate(stack):
        if i == 0 and skip_top:
            continue
        if unit_idx is not None and i == unit_idx + 1 and h.kind == "plain" and parts:
            parts[-1] = f"{parts[-1]} {h.text}"  # "Article 12" + its title
            continue
        parts.append(h.text if h.kind != "para" else h.label)
    if block.label:
        label = block.label
        parts.append(block.label)
    elif unit_idx is not None:
        label = stack[unit_idx].label
        kap = next((h for h in stack[:unit_idx] if h.kind == "kap"), None)
        if kap and stack[unit_idx].kind == "para" and "kap." not in label:
            label = f"{kap.label} {label}"
    elif stack:
        label = stack[-1].label
    else:
        label = "Preamble" if doc_title else ""
    path = " › ".join(p for p in parts if p) or label
    return label, path


def _split_points(
    text: str, start: int, end: int, fits: Callable[[str], bool]
) -> list[tuple[int, int]]:
    """Split [start, end) into spans that fit, preferring paragraph, then line, then sentence cuts."""
    span = text[start:end]
    if fits(span):
        return [(start, end)]
    for sep in (re.compile(r"\n[ \t]*\n"), re.compile(r"\n"), _SENTENCE_END, re.compile(r"\s+")):
        cuts = [m.end() for m in sep.finditer(text, start, end) if start < m.end() < end]
        if not cuts:
            continue
        pieces = []
        prev = start
        for c in cuts:
            pieces.append((prev, c))
            prev = c
        pieces.append((prev, end))
        out: list[tuple[int, int]] = []
        cur_s, cur_e = pieces[0]
        for s, e in pieces[1:]:
            if fits(text[cur_s:e]):
                cur_e = e
            else:
                out.extend(_split_points(text, cur_s, cur_e, fits))
                cur_s, cur_e = s, e
        out.extend(_split_points(text, cur_s, cur_e, fits))
        return out
    # No whitespace at all: hard cut by characters.
    mid = start + max(1, (end - start) // 2)
    return _split_points(text, start, mid, fits) + _split_points(text, mid, end, fits)


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


_TABLE_ROW = re.compile(r"^\s*\|")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _cells(row: str) -> list[str]:
    return [clean_heading(c) for c in row.strip().strip("|").split("|")]


def table_context(text: str, start: int, end: int, block_start: int, path: str) -> str:
    """What a part of a table needs to be found on its own: caption, header row, country names.

    A long annex table is split into several chunks; only the first holds the header row and
    the caption. Every part that holds table rows gets them here (as part of the heading path,
    which is embedded and indexed but never quoted), and rows keyed by a country code ("SE")
    get the country's English and Swedish names, so "Sverige" reaches the "SE" row.
    """
    lines = text[start:end].splitlines()
    rows = [ln for ln in lines if _TABLE_ROW.match(ln) and not _TABLE_RULE.match(ln)]
    if not rows:
        return ""
    out: list[str] = []
    before = text[block_start:start].splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    if _TABLE_ROW.match(first):
        # The table may have begun in an earlier part: walk back to its first row.
        j = len(before)
        while j > 0 and _TABLE_ROW.match(before[j - 1]):
            j -= 1
        table_lines = [ln for ln in before[j:] if ln.strip()] + lines
        caption = next((ln.strip() for ln in reversed(before[:j]) if ln.strip()), "")
        caption = clean_heading(caption.lstrip("#"))
        if caption and caption.lower() not in path.lower() and len(caption) < 200:
            out.append(caption)
        if len(table_lines) > 1 and _TABLE_RULE.match(table_lines[1]) and table_lines[0] != first:
            header = [c for c in _cells(table_lines[0]) if c]
            if header:
                out.append(" | ".join(header))
    names = [f"{code} {both}" for code, both in filter(None, map(row_country, rows))]
    if names:
        out.append(", ".join(names))
    return " › ".join(out)


def default_token_counter(text: str) -> int:
    """Rough count used only when no model is given (tests): ~1 token per 3.5 characters."""
    return int(len(text) / 3.5) + 2


def chunk_document(
    doc: Document,
    *,
    count_tokens: TokenCounter | None = None,
    max_tokens: int = 320,
    max_chars: int = 1800,
) -> list[Chunk]:
    """Cut a document into chunks that follow its legal or heading structure."""
    count = count_tokens or default_token_counter
    title = str(doc.metadata.get("title") or doc.doc_id)

    def fits(t: str) -> bool:
        return len(t) <= max_chars and (len(t) <= 200 or count(t) <= max_tokens)

    page_starts = [p[0] for p in doc.pages]
    chunks: list[Chunk] = []
    base_meta = {
        k: v for k, v in doc.metadata.items() if k in ("title", "language", "classification")
    }
    for block in _headings_and_blocks(doc):
        if block.label == "Footnotes":
            continue  # reference lists (OJ citations) answer no question and crowd retrieval
        label, path = _label_and_path(block, title)
        s, e = _trim(doc.text, block.start, block.end)
        if s >= e:
            continue
        for part, (ps, pe) in enumerate(_split_points(doc.text, s, e, fits)):
            ps, pe = _trim(doc.text, ps, pe)
            if ps >= pe:
                continue
            page = None
            if page_starts:
                i = bisect.bisect_right(page_starts, ps) - 1
                page = doc.pages[max(i, 0)][1]
            context = table_context(doc.text, ps, pe, s, path or title)
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}::{len(chunks):05d}",
                    doc_id=doc.doc_id,
                    text=doc.text[ps:pe],
                    section=label or title,
                    heading_path=" › ".join(x for x in (path or title, context) if x),
                    start=ps,
                    end=pe,
                    page=page,
                    part=part,
                    metadata=dict(base_meta),
                )
            )
    return chunks
