"""Document metadata: the file's own wins over the manifest; known keys normalised."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..documents import CLASSIFICATIONS
from ..errors import LoaderError
from ..language.detect import document_language, normalize_language
from ..periods import stated_period
from .text import first_heading

DEFAULT_CLASSIFICATION = "internal"
DATE_KEYS = ("valid_from", "valid_to")
LIST_KEYS = ("fund", "sources")

_ALIASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("title", ("rubrik",)),
    ("url", ("source", "eli", "pdf_url")),
)


def merge_metadata(own: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
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
    out.pop("period_inferred", None)  # set here only, never taken from a file's own metadata
    if out["programme_period"] is None:
        stated = stated_period(text)
        if stated:
            out["programme_period"] = stated
            out["period_inferred"] = True
    language = out.get("language")
    if not _missing(language):
        out["language"] = normalize_language(str(language))
    else:
        out["language"] = document_language(text) or _language_from_name(name)
    return out


_NAME_LANGUAGE = re.compile(r"\.(sv|en|de|fr|fi|da|nb|no|es|it|nl|pl)\.[^.]+$", re.IGNORECASE)


def _language_from_name(name: str) -> str | None:
    """Language tag in a file name such as `x.sv.md`: the fallback when the text is too short."""
    match = _NAME_LANGUAGE.search(name)
    return match.group(1).lower() if match else None
