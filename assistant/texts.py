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
        "declined_missing_fact": " De avsnitt som ligger närmast frågan anger inte {detail}.",
        "declined_other_fund": " De avsnitt som ligger närmast frågan gäller en annan fond än {detail}.",
        "declined_other_subject": " De avsnitt som ligger närmast frågan handlar inte om {detail}.",
        "declined_unknown_abbreviation": " Förkortningen {detail} förekommer inte i dokumenten.",
        "declined_unmatched_name": " Dokumenten nämner inte {detail}.",
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
        "searching": "Söker i dokumenten…",
        "chat_prompt": "fråga>",
        "slack_related": "Kanske relaterat:",
        "slack_no_answer": "_(inget svar)_",
        "slack_truncated": "… (svaret är förkortat, se källorna)",
        "slack_note": "OBS: {warning}",
        "slack_writing": "Skriver svaret…",
        "slack_error": "Något gick fel när frågan skulle besvaras. Försök igen om en stund. "
        "Om felet består, kontakta förvaltningen och ange felkod {error_id}.",
        "slack_rate_limited": "Du har ställt många frågor på kort tid. Vänta en minut och försök "
        "igen.",
        "slack_busy": "Det är många frågor just nu. Försök igen om en liten stund.",
        "slack_not_enabled": "Fondassistenten är inte aktiverad i den här kanalen.",
        "slack_usage": "Skriv din fråga efter kommandot, t.ex. `{cmd} Hur hög är "
        "medfinansieringen i BMVI?` (börja med `visa` för att svaret ska synas för alla i "
        "kanalen).",
        "slack_thanks_useful": "Tack! Din återkoppling har sparats.",
        "slack_thanks_wrong": "Tack! Vi går igenom svar som markerats som fel och förbättrar "
        "assistenten.",
        "slack_not_saved": "Återkopplingen kunde inte sparas. Försök igen senare.",
        "slack_useful": "👍 Användbart",
        "slack_wrong": "👎 Fel svar",
        "slack_wrong_source": "📄 Fel källa",
        "slack_greeting": "Hej! Jag svarar på frågor om EU-fonderna (ISF, BMVI, AMIF), "
        "gränsövervakning och återvändandearbete och anger vilket dokument och vilken artikel "
        "svaret bygger på. Skriv inte personuppgifter i frågorna.",
        "slack_prompts_title": "Exempel på frågor",
    },
    "en": {
        "lead": "According to {source}:",
        "short": "Short answer: {fact} ({source}) [{n}]",
        "abstain": "I cannot find support for that in the documents.",
        "declined_missing_fact": " The passages closest to the question do not state {detail}.",
        "declined_other_fund": " The passages closest to the question concern a fund other than {detail}.",
        "declined_other_subject": " The passages closest to the question are not about {detail}.",
        "declined_unknown_abbreviation": " The abbreviation {detail} does not occur in the documents.",
        "declined_unmatched_name": " The documents do not mention {detail}.",
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
        "searching": "Searching the documents…",
        "chat_prompt": "question>",
        "slack_related": "Possibly related:",
        "slack_no_answer": "_(no answer)_",
        "slack_truncated": "… (the answer is shortened, see the sources)",
        "slack_note": "Note: {warning}",
        "slack_writing": "Writing the answer…",
        "slack_error": "Something went wrong while answering. Try again in a moment. If it "
        "persists, contact the administrators and give error code {error_id}.",
        "slack_rate_limited": "You have asked many questions in a short time. Wait a minute and "
        "try again.",
        "slack_busy": "Many questions are waiting right now. Try again in a little while.",
        "slack_not_enabled": "Fondassistenten is not enabled in this channel.",
        "slack_usage": "Write your question after the command, e.g. `{cmd} What is the BMVI "
        "co-financing rate?` (start with `visa` to show the answer to everyone in the channel).",
        "slack_thanks_useful": "Thank you! Your feedback was saved.",
        "slack_thanks_wrong": "Thank you! We review answers marked wrong and improve the "
        "assistant.",
        "slack_not_saved": "The feedback could not be saved. Try again later.",
        "slack_useful": "👍 Useful",
        "slack_wrong": "👎 Wrong answer",
        "slack_wrong_source": "📄 Wrong source",
        "slack_greeting": "Hi! I answer questions about the EU funds (ISF, BMVI, AMIF), border "
        "surveillance and return work, and name the document and article each answer rests on. "
        "Do not write personal data in questions.",
        "slack_prompts_title": "Example questions",
    },
}


def t(lang: str, key: str, **kw: Any) -> str:
    return TEXTS["en" if lang == "en" else "sv"][key].format(**kw)


# What a question asked for, as a decline names it ("… anger inte något belopp").
_ASKED = {
    "sv": {
        "amount": "något belopp", "share": "någon andel", "count": "något antal",
        "date": "något datum", "time": "någon tid", "year": "något år", "period": "någon period",
        "duration": "någon tid", "length": "någon tid", "contact": "några kontaktuppgifter",
    },
    "en": {
        "amount": "an amount", "share": "a share", "count": "a number", "date": "a date",
        "time": "a time", "year": "a year", "period": "a period", "duration": "a length of time",
        "length": "a length of time", "contact": "contact details",
    },
}  # fmt: skip


def decline_reason(code: str, detail: str, lang: str) -> str:
    """The sentence after "Jag hittar inget stöd …" that says what is missing ("De avsnitt som
    ligger närmast frågan anger inte något belopp."), or "" when the evidence was only weak."""
    lang = "en" if lang == "en" else "sv"
    if code == "missing_fact":
        detail = _ASKED[lang].get(detail, "")
    key = f"declined_{code}"
    return t(lang, key, detail=detail) if detail and key in TEXTS[lang] else ""


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
