"""Word documents (.docx): headings from paragraph styles, lists, tables."""

from __future__ import annotations

import re

from ..errors import LoaderError
from .base import Loaded, too_much_text
from .blocks import BlockWriter

# A DOCX's XML is far longer than its text; refuse before parsing when it cannot fit the limit.
_DOCX_XML_PER_CHAR = 40


def check_docx_size(data: bytes, name: str, max_chars: int) -> None:
    """Refuse a DOCX whose XML expands past what the text limit allows, before parsing it."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            expanded = sum(i.file_size for i in zf.infolist() if i.filename.endswith(".xml"))
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # the loader reports a damaged file in its own words
    if expanded > max_chars * _DOCX_XML_PER_CHAR:
        raise LoaderError(
            too_much_text(name, max_chars, f"up to {expanded:,} (XML expanded from the file)")
        )


# English, Swedish and German Word style names; localized Word writes them into the file.
_DOCX_HEADING = re.compile(r"^(?:heading|rubrik|überschrift|titre)\s*(\d)$", re.IGNORECASE)
_DOCX_TITLE = re.compile(r"^(?:title|rubrik|titel|titre)$", re.IGNORECASE)
_DOCX_LIST = re.compile(r"^(?:list|liststycke|punktlista|numrerad lista)", re.IGNORECASE)


def _docx_heading_level(style_name: str) -> int:
    match = _DOCX_HEADING.match(style_name.strip())
    if match:
        return max(1, min(6, int(match.group(1))))
    return 1 if _DOCX_TITLE.match(style_name.strip()) else 0


def load_docx(data: bytes, name: str) -> Loaded:
    import io

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    damaged = (
        f"{name}: not a valid Word document (file is damaged or not a .docx: "
        "re-save it from Word as .docx or remove it)"
    )
    writer = BlockWriter()  # same block model as HTML: headings, paragraphs, list items, rows
    try:
        document = docx.Document(io.BytesIO(data))
        for item in document.iter_inner_content():
            if isinstance(item, Paragraph):
                style = item.style.name if item.style is not None and item.style.name else ""
                text = item.text
                level = _docx_heading_level(style)
                if level:
                    writer.heading(level, text)
                    continue
                if _DOCX_LIST.match(style):
                    writer.prefix = "- "
                for number, line in enumerate(text.split("\n")):
                    if number:
                        writer.line_break()
                    writer.add_inline(line)
                writer.flush()
            elif isinstance(item, Table):
                for row in item.rows:
                    seen: set[int] = set()
                    cells: list[str] = []
                    for cell in row.cells:
                        # Merged cells come back once per grid column; keep each cell once.
                        if id(cell._tc) in seen:
                            continue
                        seen.add(id(cell._tc))
                        cells.append(" ".join(p.text for p in cell.paragraphs))
                    writer.row(cells)
        title = (document.core_properties.title or "").strip()
    except Exception as exc:  # python-docx raises zip, XML and key errors for damaged files
        raise LoaderError(damaged) from exc
    text, headings = writer.result()
    return Loaded("docx", text, {"title": title} if title else {}, headings=headings)
