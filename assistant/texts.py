"""Every text the assistant shows a person, in Swedish and English, and typed warnings.

Stages build texts through `t(lang, key, ...)` so that a Swedish asker never gets an English frame
and the other way round. A warning is an `AnswerWarning`: its text in the asker's language plus a
`kind`, so the edges (Slack icons, deduplication) decide by kind, never by searching the wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

WarningKind = Literal[
    "personal_data", "superseded", "llm_fallback", "llm_removed", "low_confidence"
]

TEXTS = {
    "sv": {
        "lead": "Enligt {source}:",
        "short": "Kort svar: {fact} ({source}) [{n}]",
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
        "personal_data": "Din fråga innehöll personuppgifter ({listed}) som har tagits bort innan "
        "frågan behandlades. Skriv inte personuppgifter i frågor.",
        "sources": "Källor",
        "chat_banner": "Fondassistenten – ställ en fråga om EU-fonderna "
        "(tom rad eller Ctrl-D avslutar).",
        "chat_loading": "Laddar index och modell…",
        "chat_searching": "Söker i dokumenten…",
        "chat_prompt": "fråga>",
    },
    "en": {
        "lead": "According to {source}:",
        "short": "Short answer: {fact} ({source}) [{n}]",
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
        "personal_data": "Your question contained personal data ({listed}), which was removed "
        "before the question was processed. Do not include personal data in questions.",
        "sources": "Sources",
        "chat_banner": "Fondassistenten – ask about the EU funds (an empty line or Ctrl-D ends).",
        "chat_loading": "Loading the index and the model…",
        "chat_searching": "Searching the documents…",
        "chat_prompt": "question>",
    },
}


def t(lang: str, key: str, **kw: Any) -> str:
    return TEXTS["en" if lang == "en" else "sv"][key].format(**kw)


# Personal-data kinds by their Swedish names (the redaction placeholders) and in English.
PERSONAL_DATA_EN = {
    "personnummer": "personal identity number",
    "samordningsnummer": "coordination number",
    "telefonnummer": "phone number",
    "e-post": "e-mail address",
}


class AnswerWarning(str):
    """A warning shown with an answer: the text (asker's language) and what kind it is.

    It is a `str`, so `ask --json`, logs and the audit trail keep plain strings."""

    kind: WarningKind

    def __new__(cls, kind: WarningKind, text: str) -> AnswerWarning:
        obj = super().__new__(cls, text)
        obj.kind = kind
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (AnswerWarning, (self.kind, str(self)))


def warning(kind: WarningKind, lang: str, **kw: Any) -> AnswerWarning:
    """The warning of `kind` in `lang`; its template is the text with the same key."""
    return AnswerWarning(kind, t(lang, kind, **kw))


def kind_of(text: str) -> str | None:
    """The kind of a warning, or None for a plain string (e.g. from an older caller)."""
    return getattr(text, "kind", None)


def personal_data_warning(kinds: Sequence[str], lang: str = "sv") -> AnswerWarning | None:
    """The notice for an asker whose question held personal data, or None when it held none."""
    if not kinds:
        return None
    names = [PERSONAL_DATA_EN.get(k, k) for k in kinds] if lang == "en" else list(kinds)
    return warning("personal_data", lang, listed=", ".join(names))
