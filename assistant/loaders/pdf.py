"""PDF files: the text layer page by page, with page offsets for citations."""

from __future__ import annotations

import re
from typing import Any

from ..errors import LoaderError
from .base import Loaded, tidy


def load_pdf(data: bytes, name: str) -> Loaded:
    import io

    from pypdf import PdfReader

    damaged = f"{name}: not a valid PDF (file is damaged or not a PDF: re-export it or remove it)"
    if b"%PDF" not in data[:1024]:
        raise LoaderError(damaged)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are encrypted only to restrict printing and open with an empty password.
            try:
                opened = reader.decrypt("")
            except Exception as exc:
                raise LoaderError(
                    f"{name}: PDF is encrypted and cannot be opened "
                    "(save an unprotected copy and ingest that)"
                ) from exc
            if not opened:
                raise LoaderError(
                    f"{name}: PDF is password protected (save an unprotected copy and ingest that)"
                )
        page_texts = [(page.extract_text() or "") for page in reader.pages]
        info = reader.metadata
        pdf_title = str(info.title).strip() if info is not None and info.title else ""
    except LoaderError:
        raise
    except RecursionError as exc:
        raise LoaderError(damaged) from exc
    except Exception as exc:  # pypdf raises many exception types for damaged files
        raise LoaderError(damaged) from exc

    parts: list[str] = []
    pages: list[tuple[int, int]] = []
    offset = 0
    for number, page_text in enumerate(page_texts, start=1):
        if parts:
            parts.append("\n\n")
            offset += 2
        page_text = tidy(page_text.replace("\x00", ""))
        pages.append((offset, number))
        parts.append(page_text)
        offset += len(page_text)
    text = "".join(parts)
    if not text.strip():
        raise LoaderError(
            f"{name}: no text layer found (scanned PDF without a text layer: run OCR first)"
        )
    meta: dict[str, Any] = {}
    # Office exports often fill the title with the source file name; that is no title.
    if pdf_title and not re.search(r"^Microsoft Word - |\.(docx?|pdf|odt)$", pdf_title, re.I):
        meta["title"] = pdf_title
    return Loaded("pdf", text, meta, pages=pages)
