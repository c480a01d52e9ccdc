"""What every format loader shares: its result, text decoding and tidying, limit messages."""

from __future__ import annotations

import logging
import re
from typing import Any

from ..errors import LoaderError

logger = logging.getLogger("assistant.loaders")


class Loaded:
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


def too_much_text(name: str, max_chars: int, got: str) -> str:
    return (
        f"{name}: the extracted text is {got} characters, over the limit of {max_chars:,} "
        "(ASSISTANT_MAX_DOCUMENT_CHARS): split the document, or raise the limit if it is "
        "really that long"
    )


def decode_text(data: bytes, name: str, warnings: list[str]) -> str:
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


def tidy(text: str) -> str:
    """Normalise newlines, drop trailing spaces and runs of blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n")
