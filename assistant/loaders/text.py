"""Plain text and Markdown (with YAML front matter), and the YAML reading metadata needs."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..errors import LoaderError
from .base import Loaded, decode_text, tidy


class YamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 scalars: `2019:45` (an SFS number) stays a string instead of
    a base-60 integer, and `no` (Norwegian) stays a string instead of False."""


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool",)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
for _first in "-+0123456789":
    YamlLoader.yaml_implicit_resolvers[_first] = [
        (tag, rx)
        for tag, rx in YamlLoader.yaml_implicit_resolvers.get(_first, [])
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def yaml_load(text: str) -> Any:
    """Parse YAML the way our metadata expects (see `YamlLoader`)."""
    return yaml.load(text, Loader=YamlLoader)  # noqa: S506 - YamlLoader is a SafeLoader


def yaml_line(exc: yaml.YAMLError, offset: int = 0) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 + offset if mark is not None else None


# --------------------------------------------------------------------------- plain text


def load_txt(data: bytes, name: str) -> Loaded:
    warnings: list[str] = []
    text = decode_text(data, name, warnings)
    return Loaded("txt", tidy(text), warnings=warnings)


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
        line = yaml_line(exc, offset=1)
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
    return tidy(body)


def load_markdown(data: bytes, name: str) -> Loaded:
    warnings: list[str] = []
    text = decode_text(data, name, warnings)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = split_front_matter(text, name)
    return Loaded("md", clean_markdown(body), meta, warnings=warnings)


def first_heading(text: str) -> str | None:
    match = _MD_HEADING.search(text)
    if not match:
        return None
    title = re.sub(r"[*_`]+", "", match.group(2)).strip()
    return title or None
