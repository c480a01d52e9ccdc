"""Where a fact of the asked kind stands in a text: amounts, shares, dates, durations,
authorities, references (`find_spans`), and how facts compare (`fact_key`, `numbers_in`).

What kind a question asks for is read in `asking` (re-exported here). A span is always located
in, and later copied from, the text itself: nothing here computes or translates a fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .asking import ACCEPTS, NAMED_YEAR, asked_kind, asks_plural, asks_two
from .privacy import contact_spans

__all__ = [  # the question's side lives in `asking`; its names are used from here too
    "ACCEPTS",
    "NAMED_YEAR",
    "asked_kind",
    "asks_plural",
    "asks_two",
]

_I = re.IGNORECASE

# -- spans in a text ---------------------------------------------------------------------------
_NUM = r"\d{1,3}(?:[  ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_SCALE = r"(?:[  ](?:miljoner|miljon|miljarder|miljard|mnkr|mdkr|tkr|million|billion|mn|bn))?"
_CURRENCY_AFTER = r"kronor|kr\b|SEK\b|euros?\b|EUR\b|€|USD\b|dollars?\b"
_MONTHS = (
    r"januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|"
    r"january|february|march|may|june|july|august|october"
)
_NUM_WORDS = (
    r"en|ett|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|tretton|fjorton|femton|sexton|"
    r"sjutton|arton|nitton|tjugo|tjugofyra|trettio|fyrtio|femtio|sextio|nittio|hundra|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|eighteen|twenty|twenty-four|thirty|forty|fifty|sixty|ninety|hundred"
)
_UNITS = (
    r"år|åren|månad|månader|månaderna|vecka|veckor|dag|dagar|dagarna|arbetsdagar|dygn|dygnet|"
    r"timme|timmar|minuter|kvartal|kalenderår|kalenderdagar|kalendermånader|years?|months?|"
    r"weeks?|days?|working days|hours?|"
    r"minutes|quarters|calendar years?"
)

# How Swedish agency names end: "Polismyndigheten", "Tullverket", "Kustbevakningen".
AGENCY_ENDINGS = (
    "myndigheten", "verket", "styrelsen", "inspektionen", "kommissionen", "kontoret", "nämnden",
    "departementet", "rådet", "polisen", "bevakningen", "vården", "domstolen", "ämbetet",
    "ombudsmannen", "kansliet", "byrån", "institutet", "kollegiet",
)  # fmt: skip

# Words that bound a number: a number word after one is a count ("at least two").
_BOUND = (
    r"at least|at most|not more than|no more than|not less than|no less than|no fewer than|"
    r"not fewer than|a maximum of|a minimum of|more than|fewer than|up to|"
    r"minst|högst|maximalt|minimalt|fler än|färre än|mer än|inte fler än|upp till|som mest|"
    r"som minst|totalt|sammanlagt|in total"
)

# A whole date, day month year: "1 juli 2022", "31 December 2027".
_DATE = rf"\d{{1,2}}(?:\.|:e|:a)?[  ](?:{_MONTHS})[  ]\d{{4}}"

SPAN_PATTERNS: dict[str, re.Pattern[str]] = {
    "percent": re.compile(
        rf"(?<![\w.,])(?:{_NUM})[  ]?(?:%|procent\b|per ?cent\b)"
        rf"|\b(?:{_NUM_WORDS})[  ](?:procent|per ?cent)\b",
        _I,
    ),
    "amount": re.compile(
        rf"(?:(?:EUR|SEK|USD|GBP|NOK|DKK|CHF|€|\$|£|kr\.?)[  ]?(?:{_NUM}){_SCALE}"
        rf"|(?<![\w.,])(?:{_NUM}){_SCALE}[  ]?(?:{_CURRENCY_AFTER})"
        # "three million euro": a number word only with its scale, or it is no amount
        rf"|\b(?:{_NUM_WORDS})[  ](?:miljon|miljoner|miljard|miljarder|million|billion)"
        rf"[  ](?:{_CURRENCY_AFTER})"
        # Swedish statutes state amounts in base amounts: "fem prisbasbelopp"
        rf"|\b(?:{_NUM}|{_NUM_WORDS}|ett halvt|halvt?)[  ](?:pris|inkomst)basbelopp\w*)",
        _I,
    ),
    "date": re.compile(
        rf"\b{_DATE}\b"
        rf"|\b(?:{_MONTHS})[  ]\d{{1,2}},?[  ]\d{{4}}\b|\b(?:19|20)\d{{2}}-[01]\d-[0-3]\d\b"
        rf"|\b\d{{1,2}}(?:\.|:e|:a)?[  ](?:{_MONTHS})\b",
        _I,
    ),
    "duration": re.compile(
        rf"\b(?:{_NUM}|{_NUM_WORDS})(?:[  ](?:hela|fulla|full|whole|consecutive|calendar|"
        rf"efterföljande|följande))?[  ](?:{_UNITS})\b"
        # the adjectival form: "any 180-day period", "a three-month stay"
        rf"|\b(?:{_NUM}|{_NUM_WORDS})-(?:day|week|month|year|hour|working-day)\b",
        _I,
    ),
    # "20 kilometer", "12 nautical miles", "fem kilometer": a distance
    "distance": re.compile(
        rf"\b(?:{_NUM}|{_NUM_WORDS})[  ](?:kilometers?|kilometres?|km|meters?|metres?|"
        r"mil|miles|nautiska mil|nautical miles|sjömil)\b",
        _I,
    ),
    "frequency": re.compile(
        rf"\b(?:varje|var|varannan|vart|vartannat|en gång (?:per|i|om|varje)|"
        rf"(?:{_NUM}|{_NUM_WORDS}) gånger (?:per|i|om))[  ](?:\w+[  ])?"
        r"(?:dag|dygn|vecka|månad|kvartal|halvår|år|timme)\w*\b"
        r"|\b(?:dagligen|veckovis|månadsvis|kvartalsvis|årligen|årsvis)\b"
        r"|\b(?:daily|weekly|monthly|quarterly|annually|yearly)\b"
        r"|\b(?:every|each|once a|twice a|once every|once per)[  ](?:\w+[  ])?"
        r"(?:day|week|month|quarter|year)s?\b",
        _I,
    ),
    # a span of years, "2023-2027", or of dates, "from 1 January 2020 to 31 December 2022"
    "period": re.compile(
        r"(?<![\w/:.,])(?:19|20)\d{2}(?:[  ]?[-–][  ]?|[  ](?:to|until|till|och|and)[  ])"
        r"(?:19|20)\d{2}(?![\w/:]|[.,]\d)"
        rf"|\b(?:(?:from|från(?: och med)?|mellan)[  ])?(?:den[  ])?{_DATE}"
        rf"(?:[  ]?[-–][  ]?|[  ](?:to|until|till(?: och med)?|och)[  ](?:den[  ])?){_DATE}",
        _I,
    ),
    "year": re.compile(
        r"(?<![\w/:.,])(?:19|20)\d{2}(?:[  ]?[-–][  ]?(?:19|20)\d{2})?(?![\w/:]|[.,]\d)"
    ),
    # "artiklarna 20 och 21", "Articles 12(2) to (6)", "8 och 9 §§": the whole list it names
    "ref": re.compile(
        r"\b(?:artikel|article|Art\.)\s+\d+[a-z]?(?:\.\d+|\(\d+\))*"
        r"|\b(?:artiklarna|articles)\s+\d+[a-z]?(?:\.\d+|\(\d+\))*"
        r"(?:\s*(?:,|och|and|samt|to|till|[-–])\s*\d+[a-z]?(?:\.\d+|\(\d+\))*)*"
        r"|\b\d+(?:\s*kap\.\s*\d+)?(?:\s*(?:,|och|and)\s*\d+)*\s*§§?(?:\s*\d+\s*st\.)?",
        _I,
    ),
    # A count: not a year, not a reference such as "(4)" or "Article 12".
    # A count: not a percentage ("38 %" counts nothing), not a code written with a leading
    # zero ("015" in a table of intervention codes).
    "number": re.compile(
        rf"(?<![\w.,:/(])(?!(?:19|20)\d{{2}}\b)(?!0\d)(?:{_NUM})"
        rf"(?![\w:/)]|[.,]\d|[  ]?%|[  ](?:procent|per[  ]?cent)\b)"
        # a count in words is a count where a bound says so: "at least two independent
        # entities", "högst tre ledamöter" ("one of the Member States" counts nothing, nor does
        # "at least one Member State is a member": one is no number asked for), and "upp till tre månader" is a duration
        rf"|\b(?:{_BOUND})[  ](?!(?:en|ett|one)\b)(?:{_NUM_WORDS})\b"
        rf"(?![  ]?%|[  ](?:procent|per[  ]?cent|{_UNITS}|miljon\w*|miljard\w*|million|"
        rf"billion|kilomet\w*|mil|miles)\b|-)",
        _I,
    ),
    "authority": re.compile(
        rf"\b[A-ZÅÄÖ][a-zåäö]+(?:{'|'.join(AGENCY_ENDINGS)})\b"
        # a person by role: "rikspolischefen", "chefen för nationella operativa avdelningen"
        r"|\b(?:(?:[A-ZÅÄÖa-zåäö][a-zåäö]*)?[Cc]hefen|[Gg]eneraldirektören|[Oo]rdföranden)\b"
        r"(?:\s+för\s+(?:[a-zåäö]+\s+){0,3}?[a-zåäö]+(?:en|et|na)\b)?"
        r"|\b(?:[Rr]egeringen|[Kk]ommissionen|[Rr]iksdagen|Frontex|Europol|Eurojust|OLAF|"
        r"[Rr]evisionsrätten)\b"
        r"|\b(?:the\s+)?(?:(?:[A-Z][a-z]+|of|and|for|the)\s+){0,4}"
        r"(?:Authority|Authorities|Agency|Commission|Council|Parliament|Court of Auditors|"
        r"Office|Board|Government|Ministry|Member States?|Committee)\b",
    ),
}


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    text: str


@lru_cache(maxsize=16384)
def _matches(text: str, kind: str) -> tuple[tuple[int, int], ...]:
    """Where the text holds a span of this kind. Contact details (a telephone number, an e-mail
    address) are found as personal-data redaction finds them (`privacy.contact_spans`). Cached:
    a question's units are scored three times over."""
    if kind == "contact":
        return tuple(contact_spans(text))
    return tuple(m.span() for m in SPAN_PATTERNS[kind].finditer(text))


def find_spans(text: str, kinds: tuple[str, ...]) -> list[Span]:
    """Spans of the given kinds in text, in the order of `kinds` (preferred kind first)."""
    out: list[Span] = []
    taken: list[tuple[int, int]] = []
    for kind in kinds:
        for s, e in _matches(text, kind):
            if kind in ("number", "duration") and _part_of_label(text, s, e):
                continue
            if kind == "number" and _not_a_count(text, s, e):
                continue
            if kind == "date" and _ACT_DATE_BEFORE.search(text[max(0, s - 120) : s]):
                taken.append((s, e))  # nor is its year a fact
                continue  # "(EU) 2017/2226 av den 30 november 2017": the date names the act
            if kind == "authority" and text[s:e].strip().lower() in _WEAK_ACTORS:
                continue
            if kind == "authority" and _ACT_AFTER.match(text, e):
                continue  # "Commission Implementing Regulation": the name of an act
            if any(s < te and ts < e for ts, te in taken):
                continue  # "75 %" is not also the number 75
            taken.append((s, e))
            out.append(Span(kind, s, e, text[s:e].strip()))
    return out


# Words the authority pattern matches that name no one in particular.
_WEAK_ACTORS = frozenset({"office", "board", "the office", "the board", "committee"})

_ACT_AFTER = re.compile(
    r"\s+(?:Implementing|Delegated)?\s*(?:Regulations?|Decisions?|Directives?|Recommendations?|"
    r"Communications?)\b"
)

# The label, and the numbers of a list of references before this one ("paragraphs 1 and 2").
_LABEL_BEFORE = re.compile(
    r"(?:Articles?|Artikel\w*|Annex|Bilaga|punkt\w*|points?|paragraphs?|stycke\w*|kap\.|"
    r"Regulation|förordning|No|nr|SFS|§)\s*\(?"
    r"(?:\d+[a-z]?\)?\s*(?:,|and|och|or|eller|to|till)\s*\(?)*$",
    re.I,
)


# An act's number and the words between it and its date ("of the European Parliament and of the
# Council of"): a date after them is part of the act's name.
_ACT_DATE_BEFORE = re.compile(
    r"(?:\b\d{1,4}/\d{1,4}(?:/[A-Za-z]{2,5})?\b|\(\d{4}:\d+\))(?:\s+(?:of|av)\b[^.;:]{0,60}?)?"
    r"\s+(?:of|av den|från den|den)\s*$|"
    # "direktiv … av den 18 juni 2009", "the European Council of 15 December 2016", "avtalet av
    # den 4 september 2018", "resolution 55/255, antagen den 31 maj 2001": a date that names an
    # act, an agreement or a meeting, whatever its number looks like
    r"\b(?:direktiv\w*|förordning\w*|beslut\w*|avtal\w*|konvention\w*|resolution\w*|"
    r"protokoll\w*|överenskommelse\w*|regulations?|directives?|decisions?|agreements?|"
    r"conventions?|resolutions?|protocols?|council|rådet)\b[^.;:]{0,60}?"
    r"\s+(?:of|av den|antagen den|adopted on|signed on|dated)\s*$|"
    # "signed at Strasbourg on 20 April 1959", "undertecknat i Bryssel den …": the date an
    # instrument was signed names it, whatever the instrument is called
    # (a participle: "the agreement was signed on …" may answer when it was signed)
    r"(?<!was )(?<!were )(?<!been )\b(?:signed|done|concluded)(?:\s+(?:at|in)\s+[A-Z][\w-]+)?"
    r"\s+on\s*$|\b(?:undertecknat|undertecknad|ingånget|ingångna?)(?:\s+i\s+[A-ZÅÄÖ][\wåäö-]+)?"
    r"\s+den\s*$",
    re.I,
)
_MONTH_AFTER = re.compile(rf"[  ](?:{_MONTHS})\b", _I)
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})[  ]$", _I)
_DECIMAL = re.compile(r"[.,]\d{1,2}$")
# A sum of money: "EUR 1 551 million", "3 miljoner kronor" count nothing either.
_MONEY_BEFORE = re.compile(r"(?:EUR|SEK|USD|GBP|€|\$|£|kr\.?)[  ]?$", _I)
_MONEY_AFTER = re.compile(
    rf"{_SCALE}[  ]?(?:{_CURRENCY_AFTER})|[  ](?:miljon|miljard|million|billion)", _I
)
_ITEM_START = re.compile(r"(?:^|\|)[\s\-–•|]*$")  # at the start of a unit or of a table cell
_ITEM_END = re.compile(r"[.)](?!\d)")


def _not_a_count(text: str, s: int, e: int) -> bool:
    """The day of a date ("1 January 2020", "January 1"), a decimal ("CIRAM 2.0", "1,5"), a sum
    of money ("EUR 1 551 million") or the number of a list item or table row ("1.Setting up …",
    "| 5. | The estimated value …") counts nothing."""
    return bool(
        (_ITEM_START.search(text[:s]) and _ITEM_END.match(text, e))
        or _MONTH_AFTER.match(text, e)
        or _MONTH_BEFORE.search(text[max(0, s - 12) : s])
        or _DECIMAL.search(text[s:e])
        or _MONEY_BEFORE.search(text[max(0, s - 5) : s])
        or _MONEY_AFTER.match(text, e)
    )


def _part_of_label(text: str, s: int, e: int) -> bool:
    """'Article 12', '5 §', '(EU) 2021/1149' hold numbers that are references, not answers."""
    before = text[max(0, s - 40) : s]
    after = text[e : e + 3]
    return bool(_LABEL_BEFORE.search(before)) or after.lstrip().startswith(("§", "kap"))


_COORD = re.compile(r"\s*(?:,|\boch\b|\band\b|\bsamt\b|\beller\b|\bor\b|,\s*(?:och|and))\s*$", _I)


def widen_to_list(text: str, spans: list[Span], chosen: Span) -> Span:
    """'Kustbevakningen, Migrationsverket, Tullverket och Kriminalvården': a span that is one
    of a list of the same kind is widened to the whole list (still a substring of the text)."""
    same = sorted((s for s in spans if s.kind == chosen.kind), key=lambda s: s.start)
    i = next(k for k, s in enumerate(same) if s.start == chosen.start)
    lo = hi = i
    while lo > 0 and _COORD.fullmatch(text[same[lo - 1].end : same[lo].start]):
        lo -= 1
    while hi + 1 < len(same) and _COORD.fullmatch(text[same[hi].end : same[hi + 1].start]):
        hi += 1
    if lo == hi:
        return chosen
    s, e = same[lo].start, same[hi].end
    return Span(chosen.kind, s, e, text[s:e])


# A bound written before a figure or a time is part of the fact: "at least once a year", "up to
# 5 %", "högst 75 procent", "senast den 1 juli", "no later than 31 March".
_BOUND_BEFORE = re.compile(
    r"\b(?:at least|at most|up to|no more than|not more than|no less than|not less than|"
    r"more than|less than|no later than|not later than|within|a maximum of|a minimum of|"
    r"minst|högst|upp till|som mest|som högst|som minst|mer än|mindre än|maximalt|"
    r"senast|inom|tidigast)(?:[  ]den)?[  ]$",
    _I,
)


def widen_to_bound(text: str, chosen: Span) -> Span:
    """A span with the bound the text writes just before it ("at least" + "once a year")."""
    m = _BOUND_BEFORE.search(text, max(0, chosen.start - 24), chosen.start)
    if m is None:
        return chosen
    return Span(chosen.kind, m.start(), chosen.end, text[m.start() : chosen.end])


_CURRENCY = re.compile(r"\b(?:EUR|euro|SEK|kronor|tkr|mnkr)\b|€", _I)
_GROUPED = re.compile(r"(?<![\w.,])\d{1,3}(?:[  ]\d{3})+(?![\w]|[.,]\d)")


def table_amounts(row: str, context: str, found: list[Span]) -> list[Span]:
    """Amounts in a table row whose caption or header names the currency ("Amounts … (in EUR)"):
    the cells hold bare numbers ("11 518 706"), which are amounts all the same. Only numbers
    written in thousands groups count, and none that a found span already covers."""
    if not _CURRENCY.search(context):
        return []
    return [
        Span("amount", m.start(), m.end(), m.group(0))
        for m in _GROUPED.finditer(row)
        if not any(f.start < m.end() and m.start() < f.end for f in found)
    ]


# The same fact written in either language: "artikel 12.1" / "Article 12(1)", "75 procent" /
# "75 %", "1 juli 2022" / "1 July 2022", "1 352 000 000 euro" / "EUR 1 352 000 000".
_MONTH_NUMBER = {
    m: i % 12 + 1
    for i, m in enumerate(
        "januari februari mars april maj juni juli augusti september oktober november december "
        "january february march april may june july august september october november december".split()
    )
}
_ELEMENT = {  # the parts of an act, in both languages
    "artikel": "art",
    "artiklarna": "art",
    "article": "art",
    "articles": "art",
    "art": "art",
    "kap": "ch",
    "bilaga": "annex",
    "annex": "annex",
}
_KEY_WORD = re.compile(r"[a-zåäö]+")
_NUMBER = re.compile(r"\d+(?:[  ]\d{3})*(?:[.,]\d+)?")


def numbers_in(text: str) -> list[str]:
    """The numbers a text states, written alike ("1 931 000 000" and "1931000000", "96,5" and
    "96.5")."""
    return [re.sub(r"[  ]", "", m.group(0)).replace(",", ".") for m in _NUMBER.finditer(text)]


def fact_key(sp: Span) -> tuple[str, ...]:
    """What a span states, whatever its language: its kind, the parts of an act it names, its
    numbers (`numbers_in`; a reference's numbers one by one) and months (as numbers). Names
    (authorities) and frequencies are the same only when written alike."""
    low = sp.text.lower()
    if sp.kind in ("authority", "frequency"):
        return (sp.kind, " ".join(_KEY_WORD.findall(re.sub(r"^the\s+", "", low))))
    parts: list[str] = [sp.kind]
    for w in _KEY_WORD.findall(low):
        if w in _ELEMENT:
            parts.append(_ELEMENT[w])
        elif w in _MONTH_NUMBER:
            parts.append(f"m{_MONTH_NUMBER[w]}")
    if "§" in low:
        parts.append("§")
    # "12.1" and "12(1)" both name paragraph 1 of Article 12
    parts += re.findall(r"\d+", low) if sp.kind == "ref" else numbers_in(low)
    return tuple(parts)


def holds_kind(text: str, asked: str | None) -> bool:
    """Whether the text holds a span that answers a question of this kind."""
    return bool(asked and asked in ACCEPTS and find_spans(text, ACCEPTS[asked]))
