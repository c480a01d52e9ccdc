"""Load source files (Markdown, text, HTML, PDF, DOCX) into `Document`s.

Every loader returns text in which headings are Markdown `#` lines, because the chunker reads
the document structure from `Document.text`. Every failure is a `LoaderError` whose message names
the file, the problem and a fix, so ingest can list it and go on with the other files.

Metadata precedence: what the file says about itself (YAML front matter, HTML `<title>`/`lang`,
DOCX/PDF properties) wins; the manifest entry (`extra_meta`) only fills keys the file leaves
missing or null. Defaults (title from the first heading, detected language, the configured
default classification, `internal` unless set) come last. Metadata that cannot be read is an error, never "no metadata":
a document whose classification cannot be known must not be indexed at all.

Modules: `base` (the loaders' result, decoding), `text` (plain text, Markdown, YAML), `html`,
`pdf`, `word` (DOCX), `blocks` (the block model HTML and DOCX share), `metadata`, `manifest`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from ..documents import Document
from ..errors import LoaderError
from ..language.detect import normalize_language
from .base import Loaded, too_much_text
from .html import load_html
from .manifest import MANIFEST_NAME, load_manifest
from .metadata import (
    DATE_KEYS,
    DEFAULT_CLASSIFICATION,
    LIST_KEYS,
    merge_metadata,
    normalize_metadata,
)
from .pdf import load_pdf
from .text import (
    clean_markdown,
    first_heading,
    load_markdown,
    load_txt,
    split_front_matter,
    yaml_load,
)
from .word import check_docx_size, load_docx

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Extracted text per file: a small compressed file (DOCX, PDF) can expand to gigabytes of text.
DEFAULT_MAX_CHARS = 5_000_000

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES = frozenset({".txt", ".pdf", ".docx"} | MARKDOWN_SUFFIXES | HTML_SUFFIXES)


def is_ignored(path: Path) -> bool:
    """True for files ingest skips: hidden/underscore names, YAML, README.md and SOURCES.md (a
    folder's own documentation), other formats."""
    name = path.name
    if name.startswith(("_", ".")):
        return True
    if name.lower() in ("readme.md", "sources.md"):
        return True
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return True
    return suffix not in SUPPORTED_SUFFIXES


def document_id(path: Path, root: Path | None, metadata: dict[str, Any] | None = None) -> str:
    """The `id` metadata when given, else the path under root minus its final extension."""
    if metadata and metadata.get("id") not in (None, ""):
        return str(metadata["id"])
    parts: tuple[str, ...] = (path.name,)
    if root is not None:
        full, base = path.resolve(), root.resolve()
        # A file outside the ingested folder is known by its name alone.
        if full.is_relative_to(base):
            parts = full.relative_to(base).parts
    posix = PurePosixPath(*parts)
    return str(posix.with_suffix("")) if posix.suffix else str(posix)


def load_file(
    path: Path,
    root: Path | None = None,
    extra_meta: dict[str, Any] | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
    default_classification: str = DEFAULT_CLASSIFICATION,
) -> Document:
    """Load one file of any supported format; raises LoaderError with a fix on any problem."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        allowed = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise LoaderError(
            f"{name}: unsupported file type '{suffix or '(none)'}' "
            f"(convert it to one of {allowed}, or move it out of the folder)"
        )
    data = _read_bytes(path, max_bytes)
    if not data.strip():
        raise LoaderError(f"{name}: the file is empty (add content or remove the file)")
    if suffix == ".docx":
        check_docx_size(data, name, max_chars)
    try:
        loaded = loader(data, name)
    except LoaderError:
        raise
    except RecursionError as exc:
        raise LoaderError(
            f"{name}: structure nested too deeply to read (simplify or re-export it)"
        ) from exc
    if not loaded.text.strip():
        raise LoaderError(f"{name}: no text found (add content or remove the file)")
    if len(loaded.text) > max_chars:
        raise LoaderError(too_much_text(name, max_chars, f"{len(loaded.text):,}"))

    metadata = merge_metadata(loaded.metadata, extra_meta)
    metadata = normalize_metadata(
        metadata,
        name=name,
        text=loaded.text,
        stem=path.stem,
        default_classification=default_classification,
    )
    if loaded.warnings:
        metadata["load_warnings"] = list(loaded.warnings)
    return Document(
        doc_id=document_id(path, root, metadata),
        text=loaded.text,
        metadata=metadata,
        source=str(path),
        fmt=loaded.fmt,
        pages=loaded.pages,
        headings=loaded.headings,
    )


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    name = path.name
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise LoaderError(f"{name}: not a regular file (give a file, not a folder)")
        if size > max_bytes:
            raise LoaderError(
                f"{name}: file is {_mb(size)} MB, over the {_mb(max_bytes)} MB limit "
                "(split the file into smaller parts)"
            )
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise LoaderError(f"{name}: file not found (check the path)") from exc
    except PermissionError as exc:
        raise LoaderError(f"{name}: permission denied (make the file readable)") from exc
    except OSError as exc:
        raise LoaderError(f"{name}: could not read the file ({exc.strerror or exc})") from exc


def _mb(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


_LOADERS: dict[str, Callable[[bytes, str], Loaded]] = {
    ".txt": load_txt,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}


__all__ = [
    "DATE_KEYS",
    "DEFAULT_CLASSIFICATION",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CHARS",
    "HTML_SUFFIXES",
    "LIST_KEYS",
    "MANIFEST_NAME",
    "MARKDOWN_SUFFIXES",
    "SUPPORTED_SUFFIXES",
    "clean_markdown",
    "document_id",
    "first_heading",
    "is_ignored",
    "load_docx",
    "load_file",
    "load_html",
    "load_manifest",
    "load_markdown",
    "load_pdf",
    "load_txt",
    "normalize_language",
    "normalize_metadata",
    "split_front_matter",
    "yaml_load",
]
