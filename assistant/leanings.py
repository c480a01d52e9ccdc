"""What a question leans towards beyond the kind of fact it asks for (`answer_types`).

"Vilka kostnader är inte stödberättigande?" is answered by a sentence that excludes, "finns det
ett tak?" by one that states a limit, "vad ska EUROSUR åstadkomma?" by one that states a purpose.
Like the kinds, these read the grammar of the question, not the words of a question set.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

_NEGATIVE_Q = re.compile(
    r"\binte\b|\bej\b|\bicke\b|\binga\b|\bingen\b|\bundant\w*|\butesl\w*|\bförbjud\w*|"
    r"\bnot\b|\bnon-|\bineligible\b|\bexclud\w*|\bprohibit\w*|\bexcept\w*",
    _I,
)
NEGATION = re.compile(
    r"\binte\b|\bej\b|\bicke\b|\binga\b|\bingen\b|\baldrig\b|\bförbjud\w*|\bundant\w*|"
    r"\bnot\b|\bno\b|\bnon-|\bineligible\b|\bexclud\w*|\bprohibit\w*|\bnever\b",
    _I,
)


# A question about a limit ("hur mycket som mest", "finns det ett tak", "is there a ceiling",
# "at least") is answered by a sentence that states one ("högst 20 procent", "may not exceed",
# "up to", "minst"), not by one that only holds an amount.
_LIMIT_Q = re.compile(
    r"\bsom (?:mest|högst|minst)\b|\bhögst\b|\bmax\w*|\btak(?:et|belopp\w*)?\b|\bceiling\b|"
    r"\blimits?\b|"
    r"\bcap\b|\bat most\b|\bupper\b|\bminimum\b|\bat least\b|\blägst\b",
    _I,
)
LIMIT = re.compile(
    r"\bhögst\b|\bmaximalt\b|\bmax\w*|\bupp till\b|\böverstig\w*|\btak(?:et|belopp\w*)?\b|"
    r"\bup to\b|"
    r"\bexceed\w*|\bat most\b|\bceiling\b|\blimit\w*|\bminst\b|\bat least\b|\bminimum\b|"
    r"\blägst\b",
    _I,
)


# A question about a condition ("vilka villkor", "vad måste vara uppfyllt", "går det, och vad
# måste vi i så fall göra", "under what circumstances") is answered by a sentence that states
# one ("endast om", "under förutsättning att", "only if", "provided that"), not by one that only
# names the topic.
_CONDITION_Q = re.compile(
    r"\bvillkor\w*|\bförutsättning\w*|\bmåste (?:vara )?uppfyll\w*|\bi så fall\b|"
    r"\bunder vilka (?:omständigheter|förutsättningar)\b|\bi vilka fall\b|"
    r"\bconditions?\b|\bunder what circumstances\b|\bin (?:what|which) cases\b|"
    r"\brequirements?\b|\bprerequisites?\b|\bwhat (?:is|are) required\b",
    _I,
)
CONDITION = re.compile(
    r"\b(?:endast|bara|enbart|blott) (?:om|under|när|i de fall)\b|\bunder förutsättning\b|"
    r"\bförutsatt att\b|\bpå villkor\b|\bom inte\b|\bsåvida\b|\bvillkor(?:en|et)?\b|"
    r"\bonly (?:if|where|when|in|on condition)\b|\bprovided that\b|\bproviding that\b|"
    r"\bon condition\b|\bsubject to\b|\bunless\b|\bconditions?\b",
    _I,
)


def asks_condition(question: str) -> bool:
    """ "Vad måste vara uppfyllt för att …?", "Under what circumstances …?": asks a condition."""
    return bool(_CONDITION_Q.search(question))


# A question that asks why ("varför", "syftet", "skälen", "why", "purpose") is answered by the
# reasons an act gives: its recitals are not ranked lower for it (`retrieval.RECITAL_WEIGHT`).
_WHY = re.compile(
    r"\b(?:varför|why|motiv\w*|syfte\w*|skälen|purpose|reasons?|rationale|motivat\w*)\b", _I
)
# A question about a purpose asks why, or what something is for or should lead to ("vad ska
# EUROSUR åstadkomma", "what is EUROSUR for", "expected to lead to"). It is answered by a
# sentence that states one ("Syftet är …", "its purpose is", "förväntades ge", "in order to"),
# not by one that only names the topic.
_PURPOSE_Q = re.compile(
    r"\b(?:syftar|syftade|åstadkomma|aims?|objectives?|mål(?:et|en)?|goals?|skäl|förväntades)\b|"
    r"\btill för\b|\bwhat (?:is|was|are|were) [\w ()/-]+ for\s*(?:\?|$)|"
    r"\b(?:expected|meant|intended|supposed) to (?:lead|achieve|bring|result|do)\b|\bleda till\b",
    _I,
)
PURPOSE = re.compile(
    r"\b(?:syfte[nt]?|syftar|syftade|ändamål\w*|mål(?:et|en)?|målsättning\w*|skäl(?:en)?|"
    r"förväntade\w*|purposes?|aims?|aimed|objectives?|goals?|in order to|so as to|"
    r"intended to|expected to|reasons?|rationale)\b",
    _I,
)


def asks_why(question: str) -> bool:
    """ "Varför …?", "Vad är syftet med …?", "Why …?": asks for the reasons."""
    return bool(_WHY.search(question))


def asks_purpose(question: str) -> bool:
    """ "Vad ska EUROSUR åstadkomma?", "What is EUROSUR for?": asks for a purpose or a reason."""
    return asks_why(question) or bool(_PURPOSE_Q.search(question))


def asks_limit(question: str) -> bool:
    """ "Hur stor del kan EU som mest stå för?", "Is there a ceiling …?": asks for a limit."""
    return bool(_LIMIT_Q.search(question))


def asks_negative(question: str) -> bool:
    """ "Vilka kostnader är inte stödberättigande?": the answer is a sentence that excludes."""
    return bool(_NEGATIVE_Q.search(question))


def stated_leanings(question: str) -> list[tuple[str, re.Pattern[str]]]:
    """What the question asks a sentence to state, by name ("limit", "purpose", "condition"),
    each with the pattern of a sentence that states it."""
    asked = (
        ("limit", asks_limit, LIMIT),
        ("purpose", asks_purpose, PURPOSE),
        ("condition", asks_condition, CONDITION),
    )
    return [(name, stated) for name, asks, stated in asked if asks(question)]


# A question about the previous programme period (its years, its instruments and acts): the acts
# of that period answer it, not the ones that replaced them.
_OLD_PERIOD = re.compile(
    r"2014\s*[-–]\s*2020|2014|ISF\s*Gräns|gräns-? och visering|Borders and Visa|515/2014|"
    r"514/2014|516/2014|513/2014|förra (programperioden|perioden)|previous (period|programme)|"
    r"2021\s*[-–]\s*2023",
    _I,
)


def names_old_period(question: str) -> bool:
    return bool(_OLD_PERIOD.search(question))


# A passage that says the documents do not cover the point is quoted first (`quotes`).
NOT_COVERED = re.compile(
    r"\b(?:omfattas inte|täcks inte|regleras inte|framgår inte|anges inte|finns inte med|"
    r"finns ingen uppgift|finns inga uppgifter|saknas uppgift\w*|tar inte upp|behandlar inte|"
    r"is not covered|are not covered|does not cover|do not cover|not specified|no information)\b",
    re.I,
)
