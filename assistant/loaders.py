"""Load source files (Markdown, text, HTML, PDF, DOCX) into `Document`s.

Every loader returns text in which headings are Markdown `#` lines, because the chunker reads
the document structure from `Document.text`. Every failure is a `LoaderError` whose message names
the file, the problem and a fix, so ingest can list it and go on with the other files.

Metadata precedence: what the file says about itself (YAML front matter, HTML `<title>`/`lang`,
DOCX/PDF properties) wins; the manifest entry (`extra_meta`) only fills keys the file leaves
missing or null. Defaults (title from the first heading, detected language, the configured default classification,
`internal` unless set) come last. Metadata that cannot be read is an error, never "no metadata":
a document whose classification cannot be known must not be indexed at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .documents import CLASSIFICATIONS, Document
from .errors import LoaderError

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Extracted text per file: a small compressed file (DOCX, PDF) can expand to gigabytes of text.
DEFAULT_MAX_CHARS = 5_000_000
# A DOCX's XML is far longer than its text; refuse before parsing when it cannot fit the limit.
_DOCX_XML_PER_CHAR = 40
DEFAULT_CLASSIFICATION = "internal"
MANIFEST_NAME = "manifest.yaml"
LANGUAGE_SAMPLE_CHARS = 2000

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
SUPPORTED_SUFFIXES = frozenset({".txt", ".pdf", ".docx"} | MARKDOWN_SUFFIXES | HTML_SUFFIXES)

DATE_KEYS = ("valid_from", "valid_to")
LIST_KEYS = ("fund", "sources")


# --------------------------------------------------------------------------- dispatch


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
        _check_docx_size(data, name, max_chars)
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
        raise LoaderError(_too_much_text(name, max_chars, f"{len(loaded.text):,}"))

    metadata = _merge_metadata(loaded.metadata, extra_meta)
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


class _Loaded:
    """What a format loader found, before metadata is merged and normalised."""

    def __init__(
        self,
        fmt: str,
        text: str,
        metadata: dict[str, Any] | None = None,
        *,
        pages: list[tuple[int, int]] | None = None,
        headings: list[tuple[int, int, str]] | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self.fmt = fmt
        self.text = text
        self.metadata = metadata or {}
        self.pages = pages or []
        self.headings = headings or []
        self.warnings = warnings or []


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


def _too_much_text(name: str, max_chars: int, got: str) -> str:
    return (
        f"{name}: the extracted text is {got} characters, over the limit of {max_chars:,} "
        "(ASSISTANT_MAX_DOCUMENT_CHARS): split the document, or raise the limit if it is "
        "really that long"
    )


def _check_docx_size(data: bytes, name: str, max_chars: int) -> None:
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
            _too_much_text(name, max_chars, f"up to {expanded:,} (XML expanded from the file)")
        )


def _mb(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


def _decode_text(data: bytes, name: str, warnings: list[str]) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Windows "Unicode" text); cp1252 as a last
    resort because old Windows exports use it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoaderError(
                f"{name}: starts like UTF-16 text but cannot be decoded as UTF-16 (save it as UTF-8)"
            ) from exc
    if b"\x00" in data:
        raise LoaderError(
            f"{name}: looks like a binary file, not text (check the file type or remove it)"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise LoaderError(
            f"{name}: text is neither UTF-8 nor Windows-1252 (save it as UTF-8)"
        ) from exc
    message = f"{name}: not valid UTF-8, read as Windows-1252 (save it as UTF-8 to be sure)"
    logger.warning(message)
    warnings.append(message)
    return text


def _tidy(text: str) -> str:
    """Normalise newlines, drop trailing spaces and runs of blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")


# --------------------------------------------------------------------------- YAML


class _YamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 scalars: `2019:45` (an SFS number) stays a string instead of
    a base-60 integer, and `no` (Norwegian) stays a string instead of False."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool",)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
for _first in "-+0123456789":
    _YamlLoader.yaml_implicit_resolvers[_first] = [
        (tag, rx)
        for tag, rx in _YamlLoader.yaml_implicit_resolvers.get(_first, [])
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def yaml_load(text: str) -> Any:
    """Parse YAML the way our metadata expects (see `_YamlLoader`)."""
    return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - _YamlLoader is a SafeLoader


# --------------------------------------------------------------------------- plain text


def load_txt(data: bytes, name: str) -> _Loaded:
    warnings: list[str] = []
    text = _decode_text(data, name, warnings)
    return _Loaded("txt", _tidy(text), warnings=warnings)


# --------------------------------------------------------------------------- Markdown

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
# Only real HTML element names are stripped, so text such as "<namn>" in a template survives.
_HTML_TAG_NAMES = (
    "a|abbr|article|aside|b|blockquote|br|center|div|em|figcaption|figure|font|footer|header|"
    "hr|i|main|mark|nav|p|section|small|span|strong|sub|sup|u|del|ins|s|details|summary|"
    "time|cite|dfn|q|var|kbd|samp|code|bdi|bdo|wbr|address"
)
_HTML_TAG = re.compile(rf"</?(?:{_HTML_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(r"(?<!\^)\[([^\[\]^][^\[\]]*|)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


_OPENING_FRONT_MATTER = re.compile(r"\A---[ \t]*\n")


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """Separate YAML front matter (a mapping) from the Markdown body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        if _OPENING_FRONT_MATTER.match(text):
            # Read as body text, the metadata (classification!) would silently be lost.
            raise LoaderError(
                f"{name}: front matter opens with '---' on line 1 but is never closed (add a "
                "line with only '---' after the last metadata line)"
            )
        return {}, text
    raw = match.group(1) or ""
    try:
        meta = yaml_load(raw)
    except yaml.YAMLError as exc:
        line = _yaml_line(exc, offset=1)
        where = f" on line {line}" if line else ""
        raise LoaderError(
            f"{name}: front matter is not valid YAML{where} (fix the YAML between the '---' lines)"
        ) from exc
    except ValueError as exc:  # a date-like value that is no date: `valid_to: 2020-13-45`
        raise LoaderError(
            f"{name}: front matter has a value that is not a valid date ({exc}); write dates as "
            "YYYY-MM-DD, or quote the value"
        ) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise LoaderError(
            f"{name}: front matter must be a YAML mapping of 'key: value' lines, "
            f"not a {type(meta).__name__} (rewrite it as key: value lines)"
        )
    return {str(k): v for k, v in meta.items()}, text[match.end() :]


def clean_markdown(body: str) -> str:
    """Strip inline HTML tags and link targets; headings and footnotes stay as written."""
    body = _HTML_COMMENT.sub("", body)
    body = _HTML_TAG.sub("", body)
    body = _IMAGE.sub(r"\1", body)
    body = _LINK.sub(r"\1", body)
    return _tidy(body)


def load_markdown(data: bytes, name: str) -> _Loaded:
    warnings: list[str] = []
    text = _decode_text(data, name, warnings)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = split_front_matter(text, name)
    return _Loaded("md", clean_markdown(body), meta, warnings=warnings)


def first_heading(text: str) -> str | None:
    match = _MD_HEADING.search(text)
    if not match:
        return None
    title = re.sub(r"[*_`]+", "", match.group(2)).strip()
    return title or None


# --------------------------------------------------------------------------- HTML

_HTML_SKIP = frozenset(
    {"script", "style", "noscript", "template", "nav", "svg", "iframe", "object", "button",
     "select", "form", "head"}
)  # fmt: skip
_PAGE_CHROME = frozenset({"header", "footer", "aside"})
_HTML_BLOCK = frozenset(
    {"p", "div", "section", "article", "main", "ul", "ol", "dl", "dt", "dd", "blockquote",
     "pre", "figure", "figcaption", "table", "thead", "tbody", "tfoot", "caption", "header",
     "footer", "aside", "address", "details", "summary", "hr", "body", "html", "center", "li"}
)  # fmt: skip
_HTML_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_FLATTEN_TAGS = re.compile(
    rb"</?(?:div|span|section|font|b|i|em|strong|center|small|u)(?:\s[^<>]*)?/?>", re.IGNORECASE
)


def _parse_html(data: bytes, name: str, warnings: list[str]) -> Any:
    import lxml.etree as etree
    import lxml.html

    def parse(raw: bytes) -> tuple[Any, bool]:
        parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True)
        try:
            tree = lxml.html.document_fromstring(raw, parser=parser)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
            raise LoaderError(
                f"{name}: not readable HTML ({exc}) (re-save the page or remove it)"
            ) from exc
        too_deep = any("depth" in str(e.message).lower() for e in parser.error_log)
        return tree, too_deep

    text = _decode_text(data, name, warnings)
    # Re-encoded as UTF-8 so lxml never sees a str with an encoding declaration (it refuses that).
    raw = text.encode("utf-8")
    tree, too_deep = parse(raw)
    if too_deep:
        # libxml2 stops at a fixed nesting depth and silently drops the rest; layout containers
        # carry no meaning for us, so removing them keeps the text.
        tree, too_deep = parse(_FLATTEN_TAGS.sub(b" ", raw))
        message = f"{name}: HTML nested too deeply; layout tags were dropped to read it"
        if too_deep:
            message = f"{name}: HTML nested too deeply; text past the nesting limit was lost"
        logger.warning(message)
        warnings.append(message)
    return tree


def _content_roots(tree: Any) -> tuple[list[Any], bool]:
    """The main content element(s), and whether page chrome (header/footer) must be dropped."""
    for xpath in ("//main", "//*[@role='main']"):
        found = tree.xpath(xpath)
        if found:
            return [found[0]], False
    articles = [a for a in tree.xpath("//article") if not a.xpath("ancestor::article")]
    if articles:
        return articles, False
    body = tree.find("body")
    return [body if body is not None else tree], True


class _HtmlWriter:
    """Collects blocks of text; headings as `#` lines, list items "- ", table rows " | "."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str, int]] = []  # (kind, text, heading level)
        self.buffer: list[str] = []
        self.prefix = ""

    def add_inline(self, text: str | None) -> None:
        if text:
            self.buffer.append(re.sub(r"\s+", " ", text))

    def line_break(self) -> None:
        self.buffer.append("\n")

    def flush(self) -> None:
        lines = [line.strip() for line in "".join(self.buffer).split("\n")]
        text = "\n".join(line for line in lines if line)
        self.buffer = []
        if text:
            kind = "li" if self.prefix else "p"
            self.blocks.append((kind, self.prefix + text, 0))
            self.prefix = ""

    def heading(self, level: int, text: str) -> None:
        self.flush()
        self.prefix = ""
        text = re.sub(r"\s+", " ", text).strip()
        if text:
            self.blocks.append(("h", text, level))

    def row(self, cells: list[str]) -> None:
        self.flush()
        cells = [re.sub(r"\s+", " ", c).strip() for c in cells]
        if any(cells):
            self.blocks.append(("tr", " | ".join(cells), 0))

    def result(self) -> tuple[str, list[tuple[int, int, str]]]:
        self.flush()
        parts: list[str] = []
        headings: list[tuple[int, int, str]] = []
        offset = 0
        previous = ""
        for kind, text, level in self.blocks:
            if parts:
                # Consecutive list items and table rows read better without blank lines between.
                sep = "\n" if kind == previous and kind in ("li", "tr") else "\n\n"
                parts.append(sep)
                offset += len(sep)
            if kind == "h":
                headings.append((offset, level, text))
                text = "#" * level + " " + text
            parts.append(text)
            offset += len(text)
            previous = kind
        return "".join(parts), headings


def _html_to_text(
    roots: Iterable[Any], drop_chrome: bool
) -> tuple[str, list[tuple[int, int, str]]]:
    """Walk the tree with an explicit stack, so deep nesting cannot hit Python's recursion limit."""
    writer = _HtmlWriter()
    skip = _HTML_SKIP | _PAGE_CHROME if drop_chrome else _HTML_SKIP
    # (element, closing?, tail counts?): text after a content root is not part of the content.
    stack: list[tuple[Any, bool, bool]] = [(root, False, False) for root in reversed(list(roots))]
    while stack:
        el, closing, with_tail = stack.pop()
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        tail = el.tail if with_tail else None
        if closing:
            if tag in _HTML_BLOCK:
                writer.flush()
            writer.add_inline(tail)
            continue
        if not tag or tag in skip:  # comments, processing instructions, boilerplate
            writer.add_inline(tail)
            continue
        if tag in _HTML_HEADINGS:
            writer.heading(_HTML_HEADINGS[tag], "".join(el.itertext()))
            writer.add_inline(tail)
            continue
        if tag == "tr":
            writer.row([" ".join(c.itertext()) for c in el if _tag(c) in ("td", "th")])
            writer.add_inline(tail)
            continue
        if tag == "br":
            writer.line_break()
            writer.add_inline(tail)
            continue
        if tag in _HTML_BLOCK:
            writer.flush()
            if tag == "li":
                writer.prefix = "- "
        writer.add_inline(el.text)
        stack.append((el, True, with_tail))
        stack.extend((child, False, True) for child in reversed(list(el)))
    return writer.result()


def _tag(el: Any) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def load_html(data: bytes, name: str) -> _Loaded:
    warnings: list[str] = []
    tree = _parse_html(data, name, warnings)
    roots, drop_chrome = _content_roots(tree)
    text, headings = _html_to_text(roots, drop_chrome)
    meta: dict[str, Any] = {}
    h1 = next((h for _, level, h in headings if level == 1), None)
    title_el = tree.find(".//title")
    page_title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    if h1 or page_title:
        meta["title"] = h1 or page_title
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang and lang.strip():
        meta["language"] = lang.strip()
    return _Loaded("html", text, meta, headings=headings, warnings=warnings)


# --------------------------------------------------------------------------- PDF


def load_pdf(data: bytes, name: str) -> _Loaded:
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
        page_text = _tidy(page_text.replace("\x00", ""))
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
    return _Loaded("pdf", text, meta, pages=pages)


# --------------------------------------------------------------------------- DOCX

# English, Swedish and German Word style names; localized Word writes them into the file.
_DOCX_HEADING = re.compile(r"^(?:heading|rubrik|überschrift|titre)\s*(\d)$", re.IGNORECASE)
_DOCX_TITLE = re.compile(r"^(?:title|rubrik|titel|titre)$", re.IGNORECASE)
_DOCX_LIST = re.compile(r"^(?:list|liststycke|punktlista|numrerad lista)", re.IGNORECASE)


def _docx_heading_level(style_name: str) -> int:
    match = _DOCX_HEADING.match(style_name.strip())
    if match:
        return max(1, min(6, int(match.group(1))))
    return 1 if _DOCX_TITLE.match(style_name.strip()) else 0


def load_docx(data: bytes, name: str) -> _Loaded:
    import io

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    damaged = (
        f"{name}: not a valid Word document (file is damaged or not a .docx: "
        "re-save it from Word as .docx or remove it)"
    )
    writer = _HtmlWriter()  # same block model as HTML: headings, paragraphs, list items, rows
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
    return _Loaded("docx", text, {"title": title} if title else {}, headings=headings)


# --------------------------------------------------------------------------- metadata

_ALIASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("title", ("rubrik",)),
    ("url", ("source", "eli", "pdf_url")),
)


def _merge_metadata(own: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    merged = dict(own)
    # Aliases resolve inside the file's own metadata first, so a front-matter `rubrik` beats a
    # manifest `title`: the file wins over the manifest however it spells the key.
    for key, aliases in _ALIASES:
        if _missing(merged.get(key)):
            for alias in aliases:
                value = merged.get(alias)
                if isinstance(value, str) and value.strip():
                    if key == "url" and not re.match(r"https?://", value.strip()):
                        continue
                    merged[key] = value.strip()
                    break
    for key, value in (extra or {}).items():
        if key == "path":
            continue
        if _missing(merged.get(key)):
            merged[key] = value
    return merged


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_date(value: Any, key: str, name: str) -> str | None:
    if _missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        # A time part ("2021-07-15T00:00") is allowed and dropped: validity is per day.
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError as exc:
        raise LoaderError(
            f"{name}: {key} '{text}' is not a date (write it as YYYY-MM-DD, or leave it empty)"
        ) from exc


def _as_str_list(value: Any) -> list[str]:
    if _missing(value):
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if not _missing(v)]
    return [str(value)]


def normalize_metadata(
    meta: dict[str, Any],
    *,
    name: str,
    text: str = "",
    stem: str = "",
    default_classification: str = DEFAULT_CLASSIFICATION,
) -> dict[str, Any]:
    """Normalise the known keys (types, defaults); other keys are kept unchanged. A document that
    gets the default classification is marked `classification_default: True`."""
    out: dict[str, Any] = {str(k): v for k, v in meta.items()}
    for key in ("id", "title", "doc_type", "superseded_by", "url", "programme_period"):
        value = out.get(key)
        out[key] = None if _missing(value) else str(value).strip()
    out["fund"] = _as_str_list(out.get("fund"))
    sources = out.get("sources")
    if sources is None:
        sources = []
    out["sources"] = list(sources) if isinstance(sources, (list, tuple)) else [sources]
    for key in DATE_KEYS:
        out[key] = _as_date(out.get(key), key, name)

    level = out.get("classification")
    out.pop("classification_default", None)
    if _missing(level):
        level = default_classification
        out["classification_default"] = True
    else:
        level = str(level).strip().lower()
    if level not in CLASSIFICATIONS:
        raise LoaderError(
            f"{name}: classification '{out.get('classification')}' is unknown "
            f"(use one of: {', '.join(CLASSIFICATIONS)})"
        )
    out["classification"] = level

    if out["title"] is None:
        out["title"] = first_heading(text) or stem or name
    language = out.get("language")
    if not _missing(language):
        out["language"] = normalize_language(str(language))
    else:
        out["language"] = detect_language(text) or _language_from_name(name)
    return out


def normalize_language(code: str) -> str:
    """'sv-SE' → 'sv', 'EN' → 'en', 'svenska'/'swedish' → 'sv'."""
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return {"svenska": "sv", "swedish": "sv", "swe": "sv", "english": "en", "engelska": "en",
            "eng": "en"}.get(code, code)  # fmt: skip


_NAME_LANGUAGE = re.compile(r"\.(sv|en|de|fr|fi|da|nb|no|es|it|nl|pl)\.[^.]+$", re.IGNORECASE)


def _language_from_name(name: str) -> str | None:
    """Language tag in a file name such as `x.sv.md`: the fallback when the text is too short."""
    match = _NAME_LANGUAGE.search(name)
    return match.group(1).lower() if match else None


def detect_language(text: str) -> str | None:
    """Language code of the text ('sv', 'en', …), or None when it cannot be told."""
    from langdetect import DetectorFactory, LangDetectException, detect

    sample = re.sub(r"https?://\S+|[#*_>|`\[\]()]|\d+", " ", text[:LANGUAGE_SAMPLE_CHARS])
    # Below a sentence or so langdetect guesses wildly ("Article 1" → Romanian); say unknown.
    if sum(ch.isalpha() for ch in sample) < 25:
        return None
    DetectorFactory.seed = 0  # langdetect is random by default; ingest must be reproducible
    try:
        return normalize_language(detect(sample))
    except LangDetectException:
        return None


# --------------------------------------------------------------------------- manifest


def _yaml_line(exc: yaml.YAMLError, offset: int = 0) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 + offset if mark is not None else None


def load_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """Entries of `folder/manifest.yaml` keyed by their POSIX path relative to the folder."""
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return {}
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoaderError(
            f"{where}: could not read the manifest ({exc}) (save it as UTF-8)"
        ) from exc
    try:
        data = yaml_load(raw)
        root_node = yaml.compose(raw, Loader=_YamlLoader)
    except yaml.YAMLError as exc:
        line = _yaml_line(exc)
        raise LoaderError(
            f"{where}: not valid YAML{f' on line {line}' if line else ''} (fix the YAML syntax)"
        ) from exc
    except ValueError as exc:  # a date-like value that is no date: `valid_to: 2020-13-45`
        raise LoaderError(
            f"{where}: a value is not a valid date ({exc}); write dates as YYYY-MM-DD"
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("documents", []), list):
        raise LoaderError(
            f"{where}: expected 'documents:' followed by a list of entries with 'path:' "
            "(see corpus/manifest.yaml for an example)"
        )
    entries = data.get("documents") or []
    lines = _sequence_lines(root_node, "documents")
    result: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        at = f"{where} line {line}" if line else f"{where} entry {index + 1}"
        if not isinstance(entry, dict):
            raise LoaderError(
                f"{at}: each document entry must be a mapping with 'path:' and metadata"
            )
        rel = entry.get("path")
        if not isinstance(rel, str) or not rel.strip():
            raise LoaderError(
                f"{at}: entry has no 'path:' (add the file's path relative to {folder})"
            )
        posix = PurePosixPath(rel.strip().replace("\\", "/"))
        if posix.is_absolute() or ".." in posix.parts:
            raise LoaderError(f"{at}: path '{rel}' must be relative to the folder, without '..'")
        key = str(posix)
        if key in result:
            raise LoaderError(f"{at}: '{key}' is listed twice (keep one entry per file)")
        result[key] = {str(k): v for k, v in entry.items()}
    return result


def _sequence_lines(root: yaml.Node | None, key: str) -> list[int]:
    """1-based line of each item of the top-level `key:` sequence, for error messages."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key_node, value_node in root.value:
        if getattr(key_node, "value", None) == key and isinstance(value_node, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value_node.value]
    return []


_LOADERS: dict[str, Callable[[bytes, str], _Loaded]] = {
    ".txt": load_txt,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}
