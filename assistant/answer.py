"""Answers from retrieved passages: extractive (default), LLM (optional), validity.

Every sentence in an extractive answer is a verbatim quote of a cited passage; the only other
text is a short templated lead. An LLM answer is checked afterwards: citations to passages that
were not given are removed, and an answer with no valid citation falls back to the extractive one.
Whether to answer at all is decided before, in `pipeline` and `declining`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import quotes as Q
from .documents import Citation, Passage, ShortAnswer, is_superseded
from .language import STOP, both_stems, query_tokens, stemmer, words
from .legal_labels import section_for_lang as section_for_lang
from .texts import TEXTS as TEXTS  # re-exported: tests and callers read the templates here
from .texts import AnswerWarning, warning
from .texts import t as t
from .units import Unit as Unit  # re-exported: the unit type callers and tests use
from .units import clean_quote, list_items, with_antecedent
from .units import sentence_units as sentence_units

log = logging.getLogger(__name__)

WITH_ANTECEDENT = True  # a quote that points back brings the sentence before it
WITH_ITEM = True  # a quote that opens a list ("… shall cover:") brings its best-matching item

# -- labels and titles -------------------------------------------------------------------------
# "Regulation (EU) 2021/1149", "Council Regulation (EC) No 2252/2004", "Council Decision
# 2008/633/JHA": the act's kind and number, its author left out
_REG = re.compile(
    r"^(?:(?:Council|Commission)(?:\s+(?:Implementing|Delegated))?\s+)?(Regulation|Directive|"
    r"Decision)\s+(\((?:EU|EC|EEC|EU, Euratom)\)\s+(?:No\s+)?\d+/\d+|"
    r"\d{2,4}/\d+/(?:JHA|EC|EU|EEC|CFSP))\b",
    re.I,
)
_SV_REG = re.compile(
    r"^(Europaparlamentets och rådets )?(förordning|direktiv)\s+(\(EU\)\s+(?:nr\s+)?\d+/\d+)", re.I
)
_TYPE_SV = {"regulation": "förordning", "directive": "direktiv", "decision": "beslut"}
_SFS_ID = re.compile(r"^SFS[-_ ]?(\d{4})[:_-](\d+)$", re.I)  # "SFS-2021:1188", "sfs_2021_1188"
_KIND = r"\w*(?:förordning|lag|kungörelse|instruktion)"  # what a statute's title calls it
_SFS = re.compile(rf"^({_KIND})\s*\((\d{{4}}:\d+)\)", re.I)  # "Passlag (1978:302)"
_STATUTE_KIND = re.compile(rf"{_KIND}\b", re.I)


def short_title(meta: dict[str, Any], doc_id: str, lang: str) -> str:
    """A readable name for a lead sentence in the asker's language: 'förordning (EU)
    2021/1149', 'förordning (2021:846)'. `short_title_sv` / `short_title_en` name a document in
    one language, `short_title` in both."""
    lang = "en" if lang == "en" else "sv"
    own = meta.get(f"short_title_{lang}")
    if own:
        return str(own)
    same_language = str(meta.get("language") or lang)[:2] == lang
    if meta.get("short_title") and same_language:
        return str(meta["short_title"])
    title = str(meta.get("title") or doc_id)
    if m := _SFS.match(title):
        return f"{m.group(1).lower()} ({m.group(2)})" if lang == "sv" else f"SFS {m.group(2)}"
    if m := _REG.match(title):
        kind = m.group(1).lower()
        return (
            f"{_TYPE_SV.get(kind, kind)} {m.group(2)}"
            if lang == "sv"
            else f"{m.group(1)} {m.group(2)}"
        )
    if m := _SV_REG.match(title):
        return f"{m.group(2).lower()} {m.group(3)}" if lang == "sv" else f"Regulation {m.group(3)}"
    # A statute's number from its metadata, or from an id such as "SFS-2021:1188".
    sfs = meta.get("beteckning") or (":".join(m.groups()) if (m := _SFS_ID.match(doc_id)) else "")
    if sfs:
        kind = _STATUTE_KIND.match(title)
        if kind and lang == "sv":
            return f"{kind.group(0).lower()} ({sfs})"
        return f"SFS {sfs}"
    if len(title) > 70:
        title = title[:70].rsplit(" ", 1)[0] + "…"
    # A name in another language is quoted, so the sentence around it stays the asker's.
    return title if same_language else f"”{title}”" if lang == "sv" else f'"{title}"'


# -- extractive answer -------------------------------------------------------------------------
@dataclass
class Draft:
    text: str
    citations: list[Citation]
    warnings: list[AnswerWarning]
    short_answer: ShortAnswer | None = None


def make_citation(n: int, p: Passage, quote: str, lang: str) -> Citation:
    c = p.chunk
    return Citation(
        n=n,
        doc_id=c.doc_id,
        title=str(c.metadata.get("title") or c.doc_id),
        section=c.section,
        page=c.page,
        url=(str(c.metadata.get("url")) or None) if c.metadata.get("url") else None,
        quote=quote,
        chunk_id=c.chunk_id,
    )


def source_name(p: Passage, lang: str) -> str:
    """'förordning (EU) 2021/1149, artikel 12' for a lead or a short answer."""
    c = p.chunk
    name = short_title(c.metadata, c.doc_id, lang)
    section = section_for_lang(c.section, lang)
    if (
        not section
        or _same_label(section, name)
        or _same_label(section, str(c.metadata.get("title") or ""))
    ):
        return name
    return f"{name}, {section}"


def _same_label(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def extractive_answer(
    question: str,
    passages: Sequence[Passage],
    lang: str,
    idf: Callable[[str], float] | None = None,
    idf_in: Callable[[str], Callable[[str], float]] | None = None,
) -> Draft:
    scored = Q.score_units(question, passages[: Q.QUOTE_FROM], lang, idf, idf_in=idf_in)
    chosen = Q.choose(scored, lang)
    cites: list[Citation] = []
    num_of: dict[int, int] = {}
    lines: list[str] = []
    spans: list[tuple[int, int, int]] = []
    top_item: Q.Scored | None = None
    for s in chosen:
        p = passages[s.unit.p_index]
        u = s.unit
        units = sentence_units(u.p_index, p.chunk.text)
        item = _best_item(question, lang, scored, p, units, u, spans) if WITH_ITEM else None
        if item is not None:  # "… shall cover:" says nothing alone: with the item that matches
            spans += [(u.p_index, u.start, u.end), (u.p_index, item.unit.start, item.unit.end)]
            quote = f"{clean_quote(u.text)} … {clean_quote(item.unit.text)}"
            if s is chosen[0]:
                top_item = item
            _cite(cites, num_of, lines, p, u.p_index, quote, lang)
            continue
        if WITH_ANTECEDENT:  # "… innan den tiden har gått": with the sentence that says when
            w = with_antecedent(p.chunk.text, units, u)
            if not _touches(spans, w):  # not when the sentence it brings is quoted already
                u = w
        if any(i == u.p_index and a <= u.start and u.end <= b for i, a, b in spans):
            continue  # already quoted as another sentence's antecedent
        spans.append((u.p_index, u.start, u.end))
        quote = clean_quote(u.text)
        if u.kind == "row" and u.header:
            quote = f"{clean_quote(u.header)} … {quote}"  # a row means nothing without its header
        _cite(cites, num_of, lines, p, u.p_index, quote, lang)
    if not cites:
        return Draft("", [], [])
    top = chosen[0]
    first = passages[top.unit.p_index]
    head: list[str] = []
    short = None
    span = Q.short_span(question, top)
    if span is None and top_item is not None:  # the fact is in the item the lead-in brought
        span = Q.short_span(question, top_item)
    if span is not None:
        short = ShortAnswer(span.text, num_of[top.unit.p_index], span.kind)
        head.append(t(lang, "short", fact=span.text, source=source_name(first, lang), n=short.n))
    head.append(t(lang, "lead", source=source_name(first, lang)))
    return Draft("\n".join(head + lines), cites, [], short)


def _cite(
    cites: list[Citation],
    num_of: dict[int, int],
    lines: list[str],
    p: Passage,
    p_index: int,
    quote: str,
    lang: str,
) -> None:
    """Add a quote of passage p: its citation (one per passage; a further quote of the same
    passage joins it) and its line."""
    if p_index not in num_of:
        num_of[p_index] = len(num_of) + 1
    n = num_of[p_index]
    if not any(c.n == n for c in cites):
        cites.append(make_citation(n, p, quote, lang))
    else:  # one citation per passage; extra quotes of it are joined
        c = next(c for c in cites if c.n == n)
        c.quote = c.quote if quote in c.quote else f"{c.quote} … {quote}"
    lines.append(f"> {quote} [{n}]")


def _touches(quoted: Sequence[tuple[int, int, int]], u: Unit) -> bool:
    """Whether a unit overlaps text already quoted (passage index, start, end)."""
    return any(i == u.p_index and a < u.end and u.start < b for i, a, b in quoted)


def _best_item(
    question: str,
    lang: str,
    scored: Sequence[Q.Scored],
    p: Passage,
    units: list[Unit],
    u: Unit,
    quoted: Sequence[tuple[int, int, int]],
) -> Q.Scored | None:
    """The best-scoring item of the list u opens (`list_items`; `units` are p's) among those
    that hold a word of the question the lead-in lacks, when neither it nor the lead-in is
    quoted already."""
    items = list_items(p.chunk.text, units, u)
    if not items or _touches(quoted, u):
        return None
    asked = Q.question_tokens(question, lang) - both_stems(u.text) - STOP
    starts = {v.start for v in items}
    for s in scored:  # best first
        if s.score <= 0:
            break
        if s.unit.p_index != u.p_index or s.unit.start not in starts:
            continue
        if not asked & both_stems(s.unit.text):
            continue  # it scores by what it borrows from the lead-in, not by what it says
        return None if _touches(quoted, s.unit) else s
    return None


# -- validity ----------------------------------------------------------------------------------
def validity_warnings(
    cited: Sequence[Passage], lang: str, titles: dict[str, str]
) -> list[AnswerWarning]:
    out: list[AnswerWarning] = []
    seen: set[str] = set()
    for p in cited:
        c = p.chunk
        if c.doc_id in seen or not is_superseded(c):
            continue
        seen.add(c.doc_id)
        by_id = str(c.metadata.get("superseded_by") or "")
        until = str(c.metadata.get("valid_to") or "")
        out.append(
            warning(
                "superseded",
                lang,
                title=short_title(c.metadata, c.doc_id, lang),
                until=t(lang, "until", date=until) if until else "",
                by=t(lang, "by", by=titles.get(by_id, by_id)) if by_id else "",
            )
        )
    return out


# -- LLM answer --------------------------------------------------------------------------------
SYSTEM_PROMPT = {
    "sv": (
        "Du är Fondassistenten för Polismyndighetens nationella gränspolissektion. Svara på "
        "svenska, kort och sakligt, ENBART utifrån de numrerade utdragen. Sätt [n] efter varje "
        "påstående, där n är numret på utdraget som stöder det. Om utdragen inte räcker, säg att "
        "dokumenten inte täcker frågan."
    ),
    "en": (
        "You are Fondassistenten for the Swedish Police's national border police section. Answer "
        "in English, briefly and factually, ONLY from the numbered excerpts. Put [n] after every "
        "claim, where n is the number of the excerpt that supports it. If the excerpts are not "
        "enough, say that the documents do not cover the question."
    ),
}
_REF = re.compile(r"\[(\d{1,3})\]")


def build_llm_messages(
    question: str, passages: Sequence[Passage], lang: str
) -> list[tuple[str, str]]:
    blocks = []
    for i, p in enumerate(passages, 1):
        c = p.chunk
        blocks.append(f"[{i}] {c.metadata.get('title') or c.doc_id} – {c.section}\n{c.text}")
    user = "\n\n".join(blocks) + f"\n\n{'Fråga' if lang == 'sv' else 'Question'}: {question}"
    return [("system", SYSTEM_PROMPT[lang]), ("human", user)]


class LLMTimeoutError(Exception):
    pass


def stream_llm(
    llm: Any,
    messages: list[tuple[str, str]],
    timeout: float,
    on_token: Callable[[str], None] | None,
) -> str:
    """Collect a streamed reply; give up after `timeout` seconds in total."""
    parts: list[str] = []
    error: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            for chunk in llm.stream(messages):
                piece = chunk.content if isinstance(chunk.content, str) else str(chunk.content)
                if done.is_set():
                    return
                parts.append(piece)
                if on_token and piece:
                    on_token(piece)
        except BaseException as e:  # reported to the caller below
            error.append(e)
        finally:
            done.set()

    th = threading.Thread(target=run, daemon=True, name="llm-stream")
    th.start()
    if not done.wait(timeout):
        done.set()
        raise LLMTimeoutError(f"no complete answer within {timeout:.0f} s")
    if error:
        raise error[0]
    return "".join(parts)


def best_quote(claim: str, passage: Passage) -> str:
    """The unit of a passage that best supports a claim (for an LLM citation's quote)."""
    units = sentence_units(0, passage.chunk.text)
    if not units:
        return clean_quote(passage.chunk.text[:300])
    ctok = set(query_tokens(claim))
    lang = passage.chunk.language
    best = max(units, key=lambda u: len(ctok & set(stemmer(lang).stemWords(words(u.text)))))
    return clean_quote(best.text)


def check_llm_answer(
    text: str, passages: Sequence[Passage], lang: str
) -> tuple[str, list[Citation], list[AnswerWarning]]:
    """Keep citations that point at given passages; drop the others and say so."""
    warnings: list[AnswerWarning] = []
    bad = sorted({int(n) for n in _REF.findall(text) if not 1 <= int(n) <= len(passages)})
    if bad:
        # The space before a dropped marker goes too, so "75 % [7]." does not become "75 % .".
        text = re.sub(
            r"[ \t]*\[(\d{1,3})\]",
            lambda m: m.group(0) if 1 <= int(m.group(1)) <= len(passages) else "",
            text,
        )
        warnings.append(warning("llm_removed", lang, refs=", ".join(f"[{n}]" for n in bad)))
    cites: list[Citation] = []
    for n in sorted({int(n) for n in _REF.findall(text)}):
        # The claim is the text before the marker, back to the previous sentence end.
        idx = text.find(f"[{n}]")
        claim = re.split(r"(?<=[.!?])\s", text[:idx])[-1] if idx > 0 else text
        cites.append(make_citation(n, passages[n - 1], best_quote(claim, passages[n - 1]), lang))
    text = re.sub(r"[ \t]+\n", "\n", re.sub(r"[ \t]{2,}", " ", text)).strip()
    return text, cites, warnings


def now_ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000
