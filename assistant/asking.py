"""What kind of fact a question asks for: "Hur mycket …?" an amount or a share, "Hur länge …?"
a duration, "Vem …?" an actor (`ACCEPTS` names the span kinds that answer each).

These rules read the grammar of the question (interrogatives, the nouns that name a quantity or a
time), not the words of any particular question set, so they carry over to new questions.
`answer_types` finds the spans of each kind in a text.
"""

from __future__ import annotations

import re

from .glossary_terms import funds_named

# Each kind names the span kinds that answer it, best first.
ACCEPTS: dict[str, tuple[str, ...]] = {
    "share": ("percent", "amount"),
    "weight": ("percent", "number"),  # not declined without one: "koefficienten fem"
    "amount": ("amount", "percent"),
    "count": ("number",),  # "hur många länder": not a share, not a sum of money
    "date": ("date",),  # "vilket datum": a year alone does not say it
    "time": ("date", "duration", "year"),
    "year": ("year", "period"),  # "vilket år": a year, or the span of years it lies in
    "period": ("period", "date"),  # "vilka år": one year alone is no span of years
    "duration": ("duration", "date", "year"),
    "length": ("duration",),
    "distance": ("distance",),  # "hur långt från gränsen": kilometres, not a time
    "frequency": ("frequency", "duration"),
    "actor": ("authority",),
    "ref": ("ref",),
    "contact": ("contact",),
}

_I = re.IGNORECASE
# Currency words, and the counts of money ("miljoner"), as a question writes them.
_MONEY_WORD = r"(?:euro|euros|eur|kronor|kr|sek|miljon\w*|miljard\w*|million\w*|billion\w*)\b"
_ASK: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("frequency", re.compile(r"\bhur ofta\b|\bhow often\b|\bhur många gånger per\b", _I)),
    # "hur många år": a number of years, which no date gives ("hur länge" may end on a date)
    (
        "length",
        re.compile(
            r"\bhur många (?:år|månader|veckor|dagar|timmar)\b|"
            r"\bhow many (?:years|months|weeks|days|hours)\b",
            _I,
        ),
    ),
    (
        "duration",
        re.compile(
            r"\bhur länge\b|\bhur lång(?:\s+\w+)?\s+tid\b|\binom hur\b|"
            r"\bhur mycket (?:\w+ )?tid\b|\bhow much (?:\w+ )?time\b|"
            r"\binom vilken (?:tid|frist|tidsfrist)\b|\bhur långt i förväg\b|"
            r"\bhow far in advance\b|\btime limit\b|\btidsgräns\w*|"
            r"\bhur gammal|\bhur gamla\b|\bhow long\b|\bfor how long\b|"
            r"\b(?:vilken|vilket) (?:ålder|åldersgräns)\b|\b(?:what|which) age\b|\bhow old\b|"
            r"\bwithin what (?:period|time)\b|"
            # how long before or after another thing: a time
            r"\bhur långt (?:före|efter|innan|tidigare|senare)\b|\bhow (?:long|far) (?:before|after)\b",
            _I,
        ),
    ),
    (
        # "hur långt från gränsen", "how far from the border": a distance ("how far in advance",
        # "hur långt efter" ask for a time, above; "how far does it apply" for an extent)
        "distance",
        re.compile(
            r"\bhur långt (?:från|bort|ut|in|upp)\b|\bhow far (?:from|away|out|into|inland)\b|"
            r"\bhur (?:stort|långt) (?:är )?avstånd\w*|\bwhat distance\b|"
            r"\bhur många (?:kilometer|meter|mil|sjömil)\b|"
            r"\bhow many (?:kilomet\w+|met(?:re|er)s|miles|nautical miles)\b",
            _I,
        ),
    ),
    (
        "date",
        re.compile(
            r"\bvilket datum\b|\bvilken dag\b|\b(?:which|what) (?:date|day)\b|\bdatum\b",
            _I,
        ),
    ),
    (
        # "vilket år", "vilket är sista året": a year; a date without one ("1 July") is none
        "year",
        re.compile(
            r"\bvilket (?:år|årtal)\b|\bvilket är (?:det )?(?:\w+ )?året\b|"
            r"\b(?:which|what) (?:calendar )?year\b|\bin what year\b",
            _I,
        ),
    ),
    (
        "time",
        re.compile(
            r"(?:^|[.?!;:,–]\s*|\b(?:och|men|så|samt|and|but|so)\s+)(?:när|when)\b|"
            r"\bsenast\b|\bvilket datum\b|\bvilken (?:dag|månad|tidpunkt)\b|"
            r"\bdatum\b|\btidsfrist\w*|\bdeadline\b|\bby what date\b|"
            r"\bwhich date\b|\bwhat date\b|\buntil when\b|"
            r"\b(?:från|sedan|fram till|senast)(?: och med)? när\b|\b(?:by|since|from|as of) when\b",
            _I,
        ),
    ),
    (
        "period",
        re.compile(
            r"\bvilk(?:en|et|a) (?:tids)?period\w*|\b(?:what|which) (?:time )?periods?\b|"
            r"\b(?:vilka|mellan vilka|under vilka) år\b|\b(?:what|which|between which) years\b",
            _I,
        ),
    ),
    (
        "actor",
        re.compile(
            r"(?:^|[.?!;:,–]\s*|\b(?:och|men|så|samt|and|but|so|till|för|av|med|från|to|for|by|"
            r"with|from)\s+)(?:vem|who|whom)\b|"
            r"\bvilka (?:ska|skall|måste|får|kan|bör)\b|"
            r"\bvilk(?:en|a|et) (?:\w+ )?(?:\w+-)?(?:\w*myndighet\w*|\w*byrå\w*|organ\w*|\w*instans\w*|"
            r"aktör\w*|enhet\w*|part\w*|land|länder|medlemsstat\w*|stat|stater|staterna)\b|"
            r"\b(?:which|what) (?:\w+ )?(?:authorit(?:y|ies)|bod(?:y|ies)|agenc(?:y|ies)|"
            r"institutions?|organi[sz]ations?|part(?:y|ies)|member states?|countr(?:y|ies))\b",
            _I,
        ),
    ),
    (
        "ref",
        re.compile(
            r"\bvilk(?:en|et|a) (?:artikel|artiklar|paragraf\w*|punkt\w*|kapitel|bilaga\w*)\b|"
            r"\b(?:which|what) (?:article|articles|paragraph|point|chapter|annex)\b|"
            r"\bvar (?:i [\w-]+ )?står det\b|\bwhere (?:in [\w ]+ )?(?:does it say|is it laid down)\b",
            _I,
        ),
    ),
    (
        "contact",
        re.compile(
            r"\b(?:telefon|mobil|direkt)nummer\w*|\b(?:e-?post|mejl|mail)adress\w*|"
            r"\bkontaktuppgift\w*|\b(?:tele)?phone numbers?\b|\be-?mail address(?:es)?\b|"
            r"\bcontact details\b",
            _I,
        ),
    ),
    (
        # a weight in a distribution key ("hur tungt väger befolkningen", "how much weight"):
        # a share or a coefficient, not a sum of money
        "weight",
        re.compile(
            r"\bhur (?:mycket|tungt) väg(?:er|de|s|t)\b|"
            r"\bhow (?:much|heavily) (?:\w+ ){0,3}?weigh\w*|\bhow much weight\b",
            _I,
        ),
    ),
    (
        "share",
        re.compile(
            r"\bandel\w*|\bprocent\w*|\bhur (?:stor|hög) (?:del|andel)\b|\bhur många procent\b|"
            r"\bpercentage\b|\bper ?cent\b|\bshare\b|\bproportion\b|\brate\b|\bhow high\b|"
            r"\b\w{4,}grad(?:en)?\b",
            _I,
        ),
    ),
    (
        "count",
        # not "hur många euro": a number of a currency is an amount
        re.compile(rf"\b(?:hur många|how many)\b(?!\s+{_MONEY_WORD})|\bantal\w*|\bnumber of\b", _I),
    ),
    (
        "amount",
        re.compile(
            r"\bhur mycket\b|\bhur (?:stor|stort|stora|hög|högt|höga)\b|"
            r"\bvilk(?:et|en) (?:\w+[ae] )?(?:belopp|tak|summa|budget)\b|"
            r"\bvad (?:uppgår|uppgick|kostar|kostade)\b|\bfinns det (?:ett|något|en|någon) (?:tak|gräns)\b|"
            # "vad var Sveriges totala grundbelopp", not "vad var skälet till att beloppet …"
            r"\bvad (?:är|var|blir) (?:(?!att\b|som\b|till\b|om\b|när\b)[\w-]+ ){0,2}?"
            r"(?:\w*budget\w*|\w*belopp\w*|summan|taket|\w*anslag\w*)\b|"
            rf"\b(?:hur många|how many)\s+{_MONEY_WORD}|"
            r"\bhur dyr[ta]?\b|\bhow (?:expensive|costly)\b|"
            # a figure asked for in a currency: "vad är dagtraktamentet i euro?"
            r"\b(?:i|in) (?:euro|euros|eur|kronor|sek)\b|"
            r"\bhow much\b|\bwhat amount\b|\bhow (?:large|big)\b|\bwhat (?:is|was|are|were) the "
            r"(?:\w+ ){0,2}(?:maximum|ceiling|limit|cap|budget|amount|allocation|envelope)s?\b|"
            r"\bwhat does [\w ]+ amount to\b|\bis there (?:a|any) (?:ceiling|limit|"
            r"cap|maximum)\b",
            _I,
        ),
    ),
)

# A year as a text names one: not the number of an act ("2021/1149") or a statute ("2016:10").
NAMED_YEAR = re.compile(r"(?<![\w/:.,])((?:19|20)\d{2})(?![\w/:]|[.,]\d)")


# The question words, both languages.
_WH = r"hur|när|vilk(?:en|et|a)|vem|vems|vad|which|when|how|who|whom|what"
# A question word that opens the phrase: "hur mycket vägde antalet …" asks how much, the noun
# "antalet" asks nothing.
_WH_OPENS = re.compile(
    r"[\s.?!;:,–]*(?:(?:och|men|så|samt|and|but|so|till|för|av|med|från|to|for|by|with|from)\s+)?"
    rf"(?:{_WH})\b",
    _I,
)
# "what's their direct phone number", "vilket antal": the noun a question word asks for
_WH_NOUN = re.compile(
    r"\b(?:what|which|vilk(?:en|et|a)|vad)(?:'s|\s+(?:is|are|was|were|är|var))?\s+(?:\w+\s+){0,2}$",
    _I,
)
# "… styrs av hur många invånare landet har": a question word after a preposition inside the
# sentence opens a clause that says what the asked fact depends on, not what is asked.
_EMBEDDED = re.compile(r"\w\s+(?:av|på|om|efter|of|on|about)\s+$", _I)


def asked_kind(question: str) -> str | None:
    """The kind of fact the question asks for, or None (an open question). A phrase led by a
    question word outranks a bare noun ("antalet", "andel"), and one in a clause of its own
    ("… av hur många …") ranks last, as does an indirect question inside a clause that asks
    for a kind itself ("By what date must X tell Y how many …?", `_indirect`); among equals,
    when a question asks in two ways ("När X rapporteras, vem ska …?"), the later one is the
    main question."""
    found: list[tuple[bool, bool, int, int, str]] = []
    at: list[int] = []  # where each phrase's question word stands (-1: a bare noun)
    for i, (kind, pat) in enumerate(_ASK):
        for m in pat.finditer(question):
            before = question[: m.start()]
            noun = _WH_NOUN.search(before)
            wh = bool(_WH_OPENS.match(m.group(0)) or noun)
            inside = wh and bool(_EMBEDDED.search(before))
            found.append((not inside, wh, m.start(), -i, kind))
            word = _WH_WORD.search(m.group(0))
            at.append(m.start() + word.start() if word else noun.start() if noun else -1)
    starts = [f[2] for f in found]
    found = [_indirect(question, f, p, starts) for f, p in zip(found, at, strict=True)]
    return max(found)[4] if found else None


def asking_words(question: str) -> list[str]:
    """Of the phrases that ask for a kind of fact, the words that ask for it on their own
    ("andel" of "hur stor andel", "procent", "antalet", "datum"): they say what kind of fact
    is wanted, not which sentence holds it ("andel" read as "proportion" finds "in proportion
    to the population", not the share asked for). The phrase's other words ("Sveriges
    grundbelopp" of "vad var Sveriges grundbelopp") name the topic and stay."""
    phrases = [m.group(0) for _, pat in _ASK for m in pat.finditer(question)]
    return [w for p in phrases for w in _WORD.findall(p.lower()) if asked_kind(w)]


def opens_clause(question: str, pos: int) -> bool:
    """A question word at `pos` opens a clause: first in the sentence, or after a comma or "och"
    (one word may lead it: "By what date", "Senast när")."""
    return bool(_CLAUSE_END.search(question[:pos]))


def _indirect(
    question: str, f: tuple[bool, bool, int, int, str], pos: int, starts: list[int]
) -> tuple[bool, bool, int, int, str]:
    """ "By what date must X tell Y how many …?": a question word after a word of its clause
    opens an indirect question, which ranks last when its clause asks for a kind itself
    ("by what date"). "När …, hur tungt väger det hur stort …?" keeps "hur stort": its clause
    asks with a word that names no kind."""
    if pos < 0 or opens_clause(question, pos):
        return f
    heads = [
        m.start() for m in _WH_WORD.finditer(question, 0, pos) if opens_clause(question, m.start())
    ]
    if not heads:
        return f
    clause = max((m.end() for m in _BOUNDARY.finditer(question, 0, heads[-1])), default=0)
    if any(clause <= s < f[2] for s in starts):
        return (False, *f[1:])
    return f


_WH_WORD = re.compile(rf"\b(?:{_WH})\b", _I)
_WORD = re.compile(r"[\wåäö]+(?:-[\wåäö]+)*")
_BOUNDARY = re.compile(r"[.?!;:,–—(]|\b(?:och|men|samt|eller|utan|and|but|or|so)\b", _I)
_CLAUSE_END = re.compile(
    r"(?:^|[.?!;:,–—(]|\b(?:och|men|samt|eller|utan|and|but|or|so))\s*"
    r"(?:[\w-]+\s+)?$",  # "By what date", "Senast när", "Och hur"
    _I,
)


_PLURAL_Q = re.compile(r"\bvilka\b|\b(?:which|what) (?:\w+ )?\w+(?:ies|s)\b|\bwho are\b", _I)


def asks_plural(question: str) -> bool:
    """ "Vilka myndigheter …?", "Which bodies …?": the answer names several."""
    return bool(_PLURAL_Q.search(question))


# "Hur stor förfinansiering …, och när på året?", "Which fund paid …, and for which years?": a
# second question word after "och" / "and", with one before it. A yes/no question followed by one
# ask ("Kan vi söka, och hur mycket?") asks one thing.
_SECOND_ASK = re.compile(
    rf"(?:,\s*|\s)(?:och|samt|and)\s+(?:(?:i|för|på|till|under|från|in|for|on|to|from|during|by)"
    rf"\s+)?(?:{_WH})\b",
    _I,
)
_FIRST_ASK = re.compile(rf"\b(?:{_WH})\b", _I)


def asks_two(question: str) -> bool:
    """The question asks two things in one sentence: one short span cannot answer it."""
    return any(_FIRST_ASK.search(question, 0, m.start()) for m in _SECOND_ASK.finditer(question))


_Q_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_Q_DASH = re.compile(r"\s+[–—]\s+")


# What names money in a question: a currency or a sum, and the words for money, its payment,
# its cost and its grant. "Hur mycket förvarning …?" names none: it asks for a measure of
# something else (a time, a distance), which a decline for want of a sum must not miss.
_MONEY = re.compile(
    rf"\b{_MONEY_WORD}|\b(?:pengar\w*|\w*belopp\w*|\w*bidrag\w*|\w*budget\w*|kost\w*|"
    r"\w*medel|\w*medlen|anslag\w*|\w*finansier\w*|tilldela\w*|\w*stöd(?:et|en)?|"
    r"\w*avgift\w*|\w*ersättning\w*|traktamente\w*|lön\w*|betal\w*|pris\w*|"
    r"money|funds?|funding|grants?|costs?|price\w*|fees?|reimburs\w*|allowances?|"
    r"salar\w*|pa(?:y|id|yment\w*)|allocat\w*|budgets?|amounts?|sums?)\b",
    _I,
)


def asks_money(question: str) -> bool:
    """The question names money (`_MONEY`) or a fund: "hur mycket" then asks for a sum."""
    return bool(_MONEY.search(question)) or bool(funds_named(question))


# "Finns det en indikator som mäter hur många …?": a question word inside a relative clause
# says what the thing asked about does; the sentence itself asks yes or no.
_RELATIVE = re.compile(r"\b(?:som|där|that|which|who|where)\b", _I)
YES_NO = True


def asks_yes_no(question: str) -> bool:
    """The sentence that asks is a yes/no question: no question word opens a clause of it, and
    each stands after a relative pronoun of its own clause ("… en indikator som mäter hur många
    resenärer …", "… a rule that says how long …"). "Kan du säga hur många …?" asks how many."""
    q = asked_sentence(question)
    heads = list(_WH_WORD.finditer(q))
    if not YES_NO or not heads:
        return False
    for m in heads:
        if opens_clause(q, m.start()):
            return False
        clause = max((b.end() for b in _BOUNDARY.finditer(q, 0, m.start())), default=0)
        if not _RELATIVE.search(q[clause : m.start()]):
            return False
    return True


def asked_sentence(question: str) -> str:
    """'Vi har ett projekt i Norge. Får vi …?': the sentence that asks, without the context
    before it (the whole text when it is one sentence, or no sentence asks)."""
    parts = [p for p in _Q_SENTENCES.split(question.strip()) if p.strip()]
    asking = [p for p in parts if p.rstrip().endswith("?")]
    if len(asking) == 1:  # "Vid fördelningen viktades typerna olika – hur stor andel …?"
        *before, after = _Q_DASH.split(asking[0])
        if before and len(" ".join(before).split()) >= 5 and len(after.split()) >= 3:
            return after
    if len(parts) < 2 or not asking:
        return question
    return " ".join(asking)
