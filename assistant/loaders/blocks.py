"""The block model HTML and DOCX text is written in: headings, paragraphs, list items, rows."""

from __future__ import annotations

import re


class BlockWriter:
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
