"""HTML pages: the main content as Markdown-style text, page chrome and scripts left out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..errors import LoaderError
from .base import Loaded, decode_text, logger
from .blocks import BlockWriter

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

    text = decode_text(data, name, warnings)
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


def _html_to_text(
    roots: Iterable[Any], drop_chrome: bool
) -> tuple[str, list[tuple[int, int, str]]]:
    """Walk the tree with an explicit stack, so deep nesting cannot hit Python's recursion limit."""
    writer = BlockWriter()
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


def load_html(data: bytes, name: str) -> Loaded:
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
    return Loaded("html", text, meta, headings=headings, warnings=warnings)
