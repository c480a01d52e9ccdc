"""Answers from retrieved passages: extractive (default), LLM (optional), abstention, validity.

Every sentence in an extractive answer is a verbatim quote of a cited passage; the only other
text is a short templated lead. An LLM answer is checked afterwards: citations to passages that
were not given are removed, and an answer with no valid citation falls back to the extractive one.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .documents import Citation, Passage
from .language import pseudo_translate, query_tokens, stemmer, words
from .retrieval import is_superseded

log = logging.getLogger(__name__)

# -- texts in the asker's language -------------------------------------------------------------
TEXTS = {
    "sv": {
        "lead": "Enligt {source}:",
        "abstain": "Jag hittar inget stöd för det i dokumenten.",
        "related": "Dessa källor kan vara relaterade:",
        "superseded": "Obs: {title} gäller inte längre{until}{by}. Kontrollera vad som gäller nu.",
        "until": " (gällde till {date})",
        "by": "; den ersattes av {by}",
        "llm_fallback": "Språkmodellen svarade inte i tid eller gav inga giltiga källhänvisningar; "
        "svaret nedan är citat ur dokumenten.",
        "llm_removed": "En källhänvisning i svaret pekade på en källa som inte fanns och togs bort: {refs}.",
        "empty": "Frågan är tom. Skriv vad du vill veta, till exempel: "
        "”Hur hög är medfinansieringen i ISF?”",
        "too_long": "Frågan är för lång ({n} tecken; högst {max}). Korta ned den till det du vill veta.",
        "low_confidence": "Svaret vilar på ett svagt underlag; kontrollera källan.",
    },
    "en": {
        "lead": "According to {source}:",
        "abstain": "I cannot find support for that in the documents.",
        "related": "These sources may be related:",
        "superseded": "Note: {title} is no longer in force{until}{by}. Check what applies now.",
        "until": " (it applied until {date})",
        "by": "; it was replaced by {by}",
        "llm_fallback": "The language model did not answer in time or gave no valid citation; "
        "the answer below quotes the documents.",
        "llm_removed": "A citation in the answer pointed to a source that was not given and was removed: {refs}.",
        "empty": "The question is empty. Write what you want to know, e.g. "
        '"What is the ISF co-financing rate?"',
        "too_long": "The question is too long ({n} characters; at most {max}). Shorten it.",
        "low_confidence": "The answer rests on weak evidence; check the source.",
    },
}


def t(lang: str, key: str, **kw: Any) -> str:
    return TEXTS["en" if lang == "en" else "sv"][key].format(**kw)


# -- labels and titles -------------------------------------------------------------------------
_REG = re.compile(
    r"^(Regulation|Directive|Decision)\s+(\((?:EU|EU, Euratom)\)\s+(?:No\s+)?\d+/\d+)", re.I
)
_SV_REG = re.compile(
    r"^(Europaparlamentets och rådets )?(förordning|direktiv)\s+(\(EU\)\s+(?:nr\s+)?\d+/\d+)", re.I
)
_TYPE_SV = {"regulation": "förordning", "directive": "direktiv", "decision": "beslut"}


def short_title(meta: dict[str, Any], doc_id: str, lang: str) -> str:
    """A readable name for a lead sentence: 'förordning (EU) 2021/1149', 'SFS 2021:846'."""
    if meta.get("short_title"):
        return str(meta["short_title"])
    title = str(meta.get("title") or doc_id)
    if m := _REG.match(title):
        kind = m.group(1).lower()
        return (
            f"{_TYPE_SV.get(kind, kind)} {m.group(2)}"
            if lang == "sv"
            else f"{m.group(1)} {m.group(2)}"
        )
    if m := _SV_REG.match(title):
        return f"{m.group(2).lower()} {m.group(3)}" if lang == "sv" else f"Regulation {m.group(3)}"
    if meta.get("beteckning"):
        return f"SFS {meta['beteckning']}"
    if len(title) > 70:
        cut = title[:70].rsplit(" ", 1)[0]
        return cut + "…"
    return title


def section_for_lang(section: str, lang: str) -> str:
    if lang == "sv":
        section = re.sub(r"^Article\b", "artikel", section)
        section = re.sub(r"^Annex\b", "bilaga", section)
        section = re.sub(r"^Recital\b", "skäl", section)
    return section


# -- sentences ---------------------------------------------------------------------------------
_SPLIT = re.compile(r"(?<=[.!?;])\s+(?=[\"'“(\[]?[A-ZÅÄÖ0-9])|\n+")
_QUANT_Q = re.compile(
    r"hur (stor|mycket|många|länge|hög)|andel|procent|belopp|tak|gräns|max|minst|högst|"
    r"how (much|many|long|high)|share|percent|amount|ceiling|limit|maximum|minimum|rate|total",
    re.I,
)
_HAS_NUM = re.compile(r"\d")
CUTOFF = 0.0  # extra quotes must score at least this share of the best one
PRIOR = 0.3  # weight of the passage rank in choosing quotes
QUOTE_FROM = 5  # quotes come from this many top passages
_MD_NOISE = re.compile(r"^\s*(?:[-*>]\s+|\d+\.\s+|\(\w{1,4}\)\s+)")


@dataclass
class Unit:
    """A quotable unit of a passage: a sentence, list item or table row, as offsets."""

    p_index: int
    start: int
    end: int
    text: str


def sentence_units(p_index: int, text: str) -> list[Unit]:
    units: list[Unit] = []
    pos = 0
    for m in list(_SPLIT.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        s, e = pos, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= 3:
            units.append(Unit(p_index, s, e, text[s:e]))
        pos = m.end() if m else len(text)
    return units


def _clean_quote(u: str) -> str:
    """Quotes stay verbatim; only a leading list marker is left out (it is still a substring)."""
    m = _MD_NOISE.match(u)
    return u[m.end() :] if m and len(u) - m.end() > 20 else u


# -- extractive answer -------------------------------------------------------------------------
@dataclass
class Draft:
    text: str
    citations: list[Citation]
    warnings: list[str]


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


def pick_units(
    question: str,
    passages: Sequence[Passage],
    max_units: int = 3,
    idf: Callable[[str], float] | None = None,
) -> list[Unit]:
    """The units that best answer the question.

    A unit scores by the question words it holds (either language's stems, the English
    pseudo-translation and glossary synonyms; rare words weigh more), with a bonus for numbers
    when the question asks how much, and a small prior for higher-ranked passages. Extra units
    are added only when they score close to the best one, so the answer carries no filler.
    """
    weight = idf or (lambda _t: 1.0)
    qtok = set(query_tokens(question)) | set(query_tokens(pseudo_translate(question)))
    quant = bool(_QUANT_Q.search(question))
    scored: list[tuple[float, Unit]] = []
    for pi, p in enumerate(passages):
        lang = "sv" if p.chunk.metadata.get("language") == "sv" else "en"
        for u in sentence_units(pi, p.chunk.text):
            toks = set(stemmer(lang).stemWords(words(u.text)))
            overlap = sum(weight(t) for t in qtok & toks)
            score = overlap / (1.0 + 0.1 * max(0, len(toks) - 30) ** 0.5)
            if quant and _HAS_NUM.search(u.text):
                score *= 1.3
            score *= 1.0 + PRIOR / (1 + pi)  # retrieval already ranked the passages
            if len(u.text) < 25:
                score *= 0.5
            scored.append((score, u))
    scored.sort(key=lambda x: -x[0])
    chosen: list[Unit] = []
    best = scored[0][0] if scored else 0.0
    for sc, u in scored:
        if len(chosen) >= max_units or (chosen and sc < CUTOFF * best):
            break
        if any(c.p_index == u.p_index and c.start == u.start for c in chosen):
            continue
        chosen.append(u)
    # Read in document order within a passage, passages by rank.
    chosen.sort(key=lambda u: (u.p_index, u.start))
    return chosen


def extractive_answer(
    question: str,
    passages: Sequence[Passage],
    lang: str,
    idf: Callable[[str], float] | None = None,
) -> Draft:
    units = pick_units(question, passages[:QUOTE_FROM], idf=idf)
    cites: list[Citation] = []
    num_of: dict[int, int] = {}
    lines: list[str] = []
    for u in units:
        p = passages[u.p_index]
        quote = _clean_quote(u.text)
        if u.p_index not in num_of:
            num_of[u.p_index] = len(num_of) + 1
        n = num_of[u.p_index]
        if not any(c.n == n for c in cites):
            cites.append(make_citation(n, p, quote, lang))
        else:  # one citation per passage; extra quotes of it are joined
            c = next(c for c in cites if c.n == n)
            c.quote = c.quote if quote in c.quote else f"{c.quote} … {quote}"
        lines.append(f"> {quote} [{n}]")
    if not cites:
        return Draft("", [], [])
    first = passages[units[0].p_index].chunk
    source = f"{short_title(first.metadata, first.doc_id, lang)}, {section_for_lang(first.section, lang)}"
    text = t(lang, "lead", source=source) + "\n" + "\n".join(lines)
    return Draft(text, cites, [])


# -- validity ----------------------------------------------------------------------------------
def validity_warnings(cited: Sequence[Passage], lang: str, titles: dict[str, str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for p in cited:
        c = p.chunk
        if c.doc_id in seen or not is_superseded(c):
            continue
        seen.add(c.doc_id)
        by_id = str(c.metadata.get("superseded_by") or "")
        until = str(c.metadata.get("valid_to") or "")
        out.append(
            t(
                lang,
                "superseded",
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
        return passage.chunk.text[:300]
    ctok = set(query_tokens(claim))
    lang = "sv" if passage.chunk.metadata.get("language") == "sv" else "en"
    best = max(units, key=lambda u: len(ctok & set(stemmer(lang).stemWords(words(u.text)))))
    return _clean_quote(best.text)


def check_llm_answer(
    text: str, passages: Sequence[Passage], lang: str
) -> tuple[str, list[Citation], list[str]]:
    """Keep citations that point at given passages; drop the others and say so."""
    warnings: list[str] = []
    bad = sorted({int(n) for n in _REF.findall(text) if not 1 <= int(n) <= len(passages)})
    if bad:
        # The space before a dropped marker goes too, so "75 % [7]." does not become "75 % .".
        text = re.sub(
            r"[ \t]*\[(\d{1,3})\]",
            lambda m: m.group(0) if 1 <= int(m.group(1)) <= len(passages) else "",
            text,
        )
        warnings.append(t(lang, "llm_removed", refs=", ".join(f"[{n}]" for n in bad)))
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
