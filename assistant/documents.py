"""Plain dataclasses that cross the pipeline's stage boundaries."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from .texts import AnswerWarning

CLASSIFICATIONS = ("public", "internal", "restricted")


def classification_rank(level: str) -> int:
    """Order of classification levels: public < internal < restricted."""
    try:
        return CLASSIFICATIONS.index(level)
    except ValueError:
        return len(CLASSIFICATIONS)  # unknown levels are treated as stricter than restricted


def allowed_levels(max_classification: str) -> list[str]:
    """The classification levels an asker at `max_classification` may see, lowest first."""
    r = classification_rank(max_classification)
    return [c for c in CLASSIFICATIONS if classification_rank(c) <= r]


@dataclass
class Document:
    """A loaded source file: its full text, metadata and where it came from."""

    doc_id: str
    text: str
    metadata: dict[str, Any]
    source: str  # path or URL as given to ingest
    fmt: str  # md, txt, html, pdf, docx
    # (start offset, page number) for PDFs: page of a character is the last start <= offset
    pages: list[tuple[int, int]] = field(default_factory=list)
    # headings found by the loader for formats whose structure is not in the text (DOCX/HTML):
    # (offset of the heading line, level, heading text)
    headings: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class Chunk:
    """A passage of one document inside one section (article, paragraph, heading)."""

    chunk_id: str
    doc_id: str
    text: str
    section: str  # label exactly as printed: "Article 12", "5 §", "2 kap. 3 §", "Annex III"
    heading_path: str  # "CHAPTER II › SECTION 2 › Article 12 Co-financing rates"
    start: int  # character offsets into Document.text
    end: int
    page: int | None = None
    part: int = 0  # index of this part within its section (long sections are split)
    metadata: dict[str, Any] = field(default_factory=dict)

    def embedding_text(self) -> str:
        """What is embedded: document title and heading path give the passage its context."""
        title = compact_title(str(self.metadata.get("title") or self.doc_id))
        return f"{title}\n{self.heading_path}\n{self.text}"

    @property
    def language(self) -> str:
        """ "sv" for a Swedish text, else "en": the two languages answers are given in."""
        return "sv" if self.metadata.get("language") == "sv" else "en"


_ENACTED_BY = re.compile(
    r"\s+of the European Parliament and of the Council of \d{1,2} \w+ \d{4}|"
    r"\s+av den \d{1,2} \w+ \d{4}",
)


def compact_title(title: str) -> str:
    """A regulation's title without who enacted it and when: the same forty tokens in front of
    every passage of an act only blur the difference between its articles."""
    return _ENACTED_BY.sub("", title)


def listed_funds(metadata: dict[str, Any]) -> frozenset[str]:
    """The funds a chunk's document lists in its `fund` metadata (stored as "ISF,BMVI")."""
    return frozenset(f.strip() for f in str(metadata.get("fund") or "").split(",") if f.strip())


def is_superseded(chunk: Chunk, today: date | None = None) -> bool:
    """Whether a chunk's document names a successor, or its `valid_to` date has passed."""
    m = chunk.metadata
    if m.get("superseded_by"):
        return True
    vt = str(m.get("valid_to") or "")
    if vt:
        try:
            return date.fromisoformat(vt[:10]) < (today or date.today())
        except ValueError:
            return False
    return False


@dataclass
class Passage:
    """A retrieved chunk with its score and rank information."""

    chunk: Chunk
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None

    def to_json(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "doc_id": c.doc_id,
            "title": c.metadata.get("title"),
            "section": c.section,
            "page": c.page,
            "score": round(self.score, 6),
            "text": c.text,
        }


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    section: str
    page: int | None
    url: str | None
    quote: str
    chunk_id: str = ""

    def label(self) -> str:
        """'Title – Article 12, s. 4'; the section is left out where it only repeats the title
        (a document without headings), so no source reads 'Title – Title'."""
        title = self.title or self.doc_id
        section = self.section or ""
        norm = " ".join(section.split()).casefold()
        if norm and norm != " ".join(title.split()).casefold():
            title += f" – {section}"
        if self.page:
            title += f", s. {self.page}"
        return title

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("chunk_id", None)
        return d


@dataclass
class ShortAnswer:
    """The asked-for fact (an amount, a date, an authority …) copied verbatim from a quote."""

    text: str
    n: int  # the citation it is copied from
    kind: str = ""  # percent, amount, date, duration, year, number, authority

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "n": self.n}


@dataclass(frozen=True)
class Decline:
    """Why a question is declined: `code` (missing_fact, other_fund, other_subject,
    unknown_abbreviation, unmatched_name, no_passages, or, from the pipeline's similarity
    checks, weak_match) and what it is about (`detail`: the asked kind, the names)."""

    code: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code


@dataclass
class Answer:
    question: str
    language: str
    text: str
    citations: list[Citation]
    abstained: bool
    warnings: list[AnswerWarning] = field(default_factory=list)  # str subclasses with a kind
    retrieved: list[Passage] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)  # "may be related" when abstaining
    mode: str = "extractive"  # extractive | llm
    timings_ms: dict[str, float] = field(default_factory=dict)
    redacted_question: str = ""
    short_answer: ShortAnswer | None = None
    declined_by: Decline | None = None  # why it was declined (`declining`); None when answered

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "language": self.language,
            "answer": self.text,
            "short_answer": self.short_answer.to_json() if self.short_answer else None,
            "abstained": self.abstained,
            "declined_by": str(self.declined_by) if self.declined_by else None,
            "warnings": list(self.warnings),
            "citations": [c.to_json() for c in self.citations],
            "related": [c.to_json() for c in self.related],
            "mode": self.mode,
            "retrieved": [p.to_json() for p in self.retrieved],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
