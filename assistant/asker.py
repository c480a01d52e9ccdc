"""Who asks: an actor the question itself names is not the answer to its "who".

"När Polismyndigheten rapporterar …, vem ska underrättas?" is not answered with
"Polismyndigheten", nor is "When the Police Authority reports …" or "när polisen rapporterar …".
Nor is an actor in a clause of condition or time in the text ("… när Migrationsöverdomstolen
beslutar om avvisning"): it says when, not who does it (`in_condition`).
"""

from __future__ import annotations

import re
from typing import Any

from .answer_types import AGENCY_ENDINGS, Span
from .language import stemmer, words

# An agency name cut into the word people use for it and the ending: "Polis" + "myndigheten".
AGENCY_NAME = re.compile(rf"([A-ZÅÄÖ][a-zåäö]{{3,}}?)(s?)(?:{'|'.join(AGENCY_ENDINGS)})")


def asker_names(sp: Span, own: set[str], st: Any, subjects: frozenset[str] = frozenset()) -> bool:
    """An actor the question itself names: each word of the span is a word of the question, or
    a compound of two ("polismyndigheten" for "Police Authority": polis + myndighet). `own` holds
    the question's words, their stems and their dictionary words in the other language;
    `subjects` the stems of the subjects of its clauses (`clause_subjects`)."""
    if sp.kind != "authority":
        return False
    # "när polisen rapporterar …": the agency that is the subject of the question's clause
    # (named by the first part of its name) asks; it is not asked for. "Vem sköter tullen?"
    # names Tullverket as what is asked about, not as a subject.
    agency = AGENCY_NAME.fullmatch(sp.text)
    if agency and {agency.group(1).lower(), "".join(agency.groups()).lower()} & subjects:
        return True
    ws = st.stemWords(words(sp.text))
    found = sum(1 for w in ws if w in own or _compound_of(w, own))
    # "the Swedish Police Authority" for "the Police": a longer name may have one word more.
    return bool(ws) and found >= (len(ws) - 1 if len(ws) >= 3 else len(ws))


# The subject of a subordinate clause: "när polisen rapporterar", "om tullen beslutar", "vem
# begär att polisen lägger in …".
_SUBJECT = re.compile(
    r"\b(?:när|om|då|eftersom|innan|sedan|medan|att)\s+([a-zåäö]+)\s+[a-zåäö]+r\b"
)


def clause_subjects(question: str) -> frozenset[str]:
    """Stems of the subjects of a question's subordinate clauses ("när polisen rapporterar")."""
    return frozenset(stemmer("sv").stemWords(_SUBJECT.findall(question.lower())))


def _compound_of(w: str, own: set[str]) -> bool:
    return any(
        w[:i] in own and (w[i:] in own or (w[i] == "s" and w[i + 1 :] in own))
        for i in range(3, len(w) - 2)
    )


# "… när en migrationsdomstol eller Migrationsöverdomstolen beslutar om avvisning": an actor in a
# clause that says when (or whether) something happens is that clause's subject, not the one who
# does what the sentence says. A modal verb between them starts the main clause ("När beslutet
# har fattats ska Migrationsverket …").
CONDITION_ACTORS = True
_CONDITION = re.compile(
    r"(?:(?:^|[,;:(]\s*)(?:om|ifall)|\b(?:när|då|såvida|if|when|where|unless))\s+"
    r"(?:(?!(?:ska|skall|får|måste|shall|must|may)\b)[\w-]+\s+){0,3}$",
    re.I,
)

_CONDITION_LEAD = re.compile(r"(?:when|where|if|unless)\s+", re.I)


def in_condition(text: str, sp: Span) -> bool:
    """Whether an actor span stands as the subject of a clause of condition or time."""
    if not CONDITION_ACTORS or sp.kind != "authority":
        return False
    lead = _CONDITION_LEAD.match(sp.text)  # "Where the Commission"
    return bool(_CONDITION.search(text[: sp.start] + (lead.group(0) if lead else "")))
