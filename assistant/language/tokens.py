"""Words, stop words and stems: the tokens the lexical index and the quote scorer compare."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .glossary import expand_with_glossary

WORD = re.compile(r"[\wåäöÅÄÖéü]+(?:[-/][\wåäö]+)*", re.UNICODE)

# Small stop lists: words that carry no topic in questions or regulations (English, Swedish).
STOP = frozenset(
    """
    a an and are as at be by can could do does for from has have how i if in into is it its
    may must not of on or our shall should so that the their there these this those to under
    was we what when where which who will with would you your any all also other such than
    och att det som en ett är av för på med till den de om har vi kan hur vad vilka vilken
    vilket man får ska skall inte eller ni jag du han hon sig sin sina sitt finns fick blir
    vara var när där så än också efter vid mot under över hos ut in upp bara något någon
    några alla allt mycket mer mest
    """.split()
)


@lru_cache(maxsize=2)
def stemmer(lang: str) -> Any:
    """The Snowball stemmer for 'sv'; any other code gets the English one."""
    import Stemmer

    return Stemmer.Stemmer("swedish" if lang == "sv" else "english")


def words(text: str) -> list[str]:
    return [w for w in WORD.findall(text.lower()) if w not in STOP and len(w) > 1]


def stems(text: str, lang: str) -> list[str]:
    return list(stemmer("sv" if lang == "sv" else "en").stemWords(words(text)))


def both_stems(text: str) -> set[str]:
    ws = words(text)
    return set(stemmer("sv").stemWords(ws)) | set(stemmer("en").stemWords(ws))


def query_tokens(question: str) -> list[str]:
    """Lexical query: the language of the text we match is unknown, so stem both ways."""
    return sorted(both_stems(question + " " + " ".join(expand_with_glossary(question))))


def split_query_tokens(question: str) -> tuple[list[str], list[str]]:
    """(the question's own stems, stems only the glossary added)."""
    own = both_stems(question)
    extra = both_stems(" ".join(expand_with_glossary(question))) - own
    return sorted(own), sorted(extra)
