"""Which language a text is in: the one place that answers it, for every caller.

Two kinds of text need different handling of short input, and each keeps its own rule:

- a question (`question_language`): a few words; statistical detectors guess wildly on so
  little, so Swedish and English hint words are counted, langdetect only breaks a tie of none;
  the answer is always 'sv' or 'en'.
- a document (`document_language`): a sample of its text goes to langdetect; below a sentence
  or so the answer is None (unknown), never a guess.

A staff question exported from feedback into a suite entry is a question like any other, so it is
labelled by `question_language` too.
"""

from __future__ import annotations

import re

# Characters of a document that are sampled to tell its language.
LANGUAGE_SAMPLE_CHARS = 2000
# Below this many letters in the sample a document's language is unknown ("Article 1" is not
# Romanian).
MIN_DOCUMENT_LETTERS = 25

SV_HINTS = re.compile(
    r"[åäö]|\b(och|att|vad|vilken|vilka|hur|får|ska|kan vi|finns|det|är|för|om|inte|mycket|"
    r"myndighet|gäller|vem|när|varför|måste|någon)\b",
    re.I,
)
EN_HINTS = re.compile(
    r"\b(the|what|which|how|can|does|do|is|are|who|when|why|we|our|must|any|there|of|for)\b", re.I
)
_NAMES = {
    "svenska": "sv",
    "swedish": "sv",
    "swe": "sv",
    "english": "en",
    "engelska": "en",
    "eng": "en",
}
_NOT_TEXT = re.compile(r"https?://\S+|[#*_>|`\[\]()]|\d+")


def normalize_language(code: str) -> str:
    """'sv-SE' → 'sv', 'EN' → 'en', 'svenska'/'swedish' → 'sv'."""
    code = code.strip().lower().replace("_", "-").split("-")[0]
    return _NAMES.get(code, code)


def _langdetect(text: str) -> str:
    """langdetect's code for the text, the same on every run; raises LangDetectException."""
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0  # langdetect is random by default; answers must be reproducible
    return str(detect(text))


def question_language(text: str) -> str:
    """'sv' or 'en' for a question (short texts defeat statistical detectors, so count hints)."""
    sv = len(SV_HINTS.findall(text))
    en = len(EN_HINTS.findall(text))
    if sv == en == 0:
        try:
            return "en" if _langdetect(text) == "en" else "sv"
        except Exception:
            return "sv"
    return "sv" if sv >= en else "en"


def document_language(text: str) -> str | None:
    """Language code of a document's text ('sv', 'en', …), or None when it cannot be told."""
    from langdetect import LangDetectException

    sample = _NOT_TEXT.sub(" ", text[:LANGUAGE_SAMPLE_CHARS])
    if sum(ch.isalpha() for ch in sample) < MIN_DOCUMENT_LETTERS:
        return None
    try:
        return normalize_language(_langdetect(sample))
    except LangDetectException:
        return None
