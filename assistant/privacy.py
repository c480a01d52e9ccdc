"""Personal-data detection and redaction: the one redactor used before a question, a thread
history or an answer is logged, stored, exported or sent to a language model.

Pure functions: `scan(text)` finds Swedish personnummer / samordningsnummer (with a valid
Luhn check digit and a plausible date), phone numbers and e-mail addresses, and replaces each
with a placeholder such as `[personnummer]`. It covers the forms people and Slack write: any
dash or a space between date and number, prefixes glued on (`pnr:`, `Pnr.`, `pnr`), numbers
inside URLs (also `%2D`), `tel:` links, dotted and bracketed phone numbers, +46/0046 forms,
and Slack's `<tel:…|…>` and `<mailto:…|…>` wrappers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from .texts import AnswerWarning, personal_data_warning

PLACEHOLDERS = {
    "personnummer": "[personnummer]",
    "samordningsnummer": "[samordningsnummer]",
    "telefonnummer": "[telefonnummer]",
    "e-post": "[e-post]",
}

# Order in which kinds are reported in the warning.
_KIND_ORDER = ("personnummer", "samordningsnummer", "telefonnummer", "e-post")

_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # hyphen, en/em dash, minus sign
_SPACE = "[ \u00a0\u202f]"

# Slack writes detected phone numbers and addresses as <tel:…|…> and <mailto:…|…>.
_SLACK_TEL = re.compile(r"<(?:tel|callto|sms):[^<>]*>", re.I)
_SLACK_MAILTO = re.compile(r"<mailto:[^<>]*>", re.I)

# YYMMDD-NNNN, YYMMDD+NNNN, YYMMDDNNNN, YYYYMMDD-NNNN, YYYYMMDDNNNN, with any dash, a space,
# " - " or a URL-encoded separator. Only "not glued to other digits" is required of the
# surroundings ("pnr811218-1121", "?id=8112181071"): the check digit and the date test keep
# "2021/1149", "SFS 2021:846" and dates like 2021-07-07 out.
_PNR = re.compile(
    r"(?<!\d)"
    r"(?P<century>\d{2})?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    rf"(?P<sep>{_SPACE}?[+{_DASHES}]{_SPACE}?|{_SPACE}|%2[dDbB]|%20)?"
    r"(?P<nnn>\d{3})(?P<check>\d)"
    r"(?!\d)"
)

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)

# A run of digit groups that may be a phone number: optional "+" or "00", an optional "(",
# groups joined by a space, a dash or a dot (each optionally spaced), ")" or "(0)".
# Whether the run (or its longest leading part) is a phone number is decided in Python.
_GROUP_SEP = rf"(?:{_SPACE}?\(0\){_SPACE}?|\){_SPACE}?|{_SPACE}?[.{_DASHES}]{_SPACE}?|{_SPACE})"
_PHONE_RUN = re.compile(
    rf"(?<![\d+])(?:\({_SPACE}?)?(?P<intl>\+|(?<!\d)00)?(?:\({_SPACE}?)?\d+(?:{_GROUP_SEP}\d+)*"
)
_GROUP_END = re.compile(r"\d(?!\d)")
# dd.mm.yyyy / d/m-yy dates and "08.30-09.00" times start with 0 but are not phone numbers.
_DATE_LIKE = re.compile(r"\d{1,2}([.\-/])\d{1,2}\1\d{2,4}")
_TIME_RANGE = re.compile(rf"\d{{2}}[.:]\d{{2}}{_SPACE}?[{_DASHES}]{_SPACE}?\d{{2}}[.:]\d{{2}}")


@dataclass
class PrivacyResult:
    """The redacted text, the kinds of personal data found (in a stable order) and a warning."""

    redacted: str
    kinds: list[str] = field(default_factory=list)
    warning: AnswerWarning | None = None

    @property
    def found(self) -> bool:
        return bool(self.kinds)


def luhn_ok(digits: str) -> bool:
    """Luhn check over a string of digits (the last digit is the check digit)."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def classify_id_number(text: str) -> str | None:
    """'personnummer', 'samordningsnummer' or None for one candidate string."""
    m = _PNR.fullmatch(text.strip())
    return _classify(m) if m else None


def _classify(m: re.Match[str]) -> str | None:
    century, yy, mm, dd = m["century"], m["yy"], m["mm"], m["dd"]
    digits10 = yy + mm + dd + m["nnn"] + m["check"]
    # Ten digits without any separator are also order numbers and the like; the check digit
    # and the date test below keep false positives rare.
    if not luhn_ok(digits10):
        return None
    if century and century not in ("18", "19", "20"):
        century = None  # twelve digits whose last ten are a number: still redacted
    day = int(dd)
    kind = "personnummer"
    if day > 60:
        kind = "samordningsnummer"
        day -= 60
    year = int(century + yy) if century else 2000 + int(yy)
    try:
        date(year, int(mm), day)
    except ValueError:
        # Feb 29 in a two-digit year may belong to the other century.
        try:
            date(year - 100, int(mm), day)
        except ValueError:
            return None
    return kind


def _is_phone(candidate: str, intl: str | None) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if intl == "+" or intl == "00":
        rest = digits if intl == "+" else digits[2:]
        if rest.startswith("46"):
            national = rest[2:].removeprefix("0")  # +46 (0)70 …
            return 7 <= len(national) <= 9
        return 8 <= len(rest) <= 15 and not rest.startswith("0")
    if not digits.startswith("0") or digits.startswith("00"):
        return False  # amounts, years, article numbers, percentages
    if _DATE_LIKE.fullmatch(candidate.strip("() ")) or _TIME_RANGE.fullmatch(candidate):
        return False
    return 8 <= len(digits) <= 10


def _phone_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where `text` holds a telephone number: of each run of digit groups, the longest leading
    part that is one ("070-123 45 67 2021")."""
    pos = 0
    while (m := _PHONE_RUN.search(text, pos)) is not None:
        run = m.group(0)
        ends = [g.end() for g in _GROUP_END.finditer(run)]
        cut = next((e for e in reversed(ends) if _is_phone(run[:e], m["intl"])), 0)
        pos = m.start() + cut if cut else m.end()
        if cut:
            yield m.start(), pos


def _redact_phones(text: str, found: set[str]) -> str:
    out: list[str] = []
    pos = 0
    for start, end in _phone_spans(text):
        out.append(text[pos:start])
        out.append(PLACEHOLDERS["telefonnummer"])
        found.add("telefonnummer")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def contact_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` holds an e-mail address or a telephone number, found as `scan` finds them
    (in text order): what answers a question for contact details."""
    spans = [m.span() for m in _EMAIL.finditer(text)]
    spans += [sp for sp in _phone_spans(text) if not any(sp[0] < e and s < sp[1] for s, e in spans)]
    return sorted(spans)


def scan(text: str, lang: str = "sv") -> PrivacyResult:
    """Find and redact personal data in `text`; the warning is in `lang` (sv or en)."""
    found: set[str] = set()

    def pnr(m: re.Match[str]) -> str:
        kind = _classify(m)
        if kind is None:
            return m.group(0)
        found.add(kind)
        return PLACEHOLDERS[kind]

    def simple(kind: str) -> Callable[[re.Match[str]], str]:
        def repl(m: re.Match[str]) -> str:
            found.add(kind)
            return PLACEHOLDERS[kind]

        return repl

    out = _SLACK_TEL.sub(simple("telefonnummer"), text or "")
    out = _SLACK_MAILTO.sub(simple("e-post"), out)
    out = _PNR.sub(pnr, out)
    out = _EMAIL.sub(simple("e-post"), out)
    out = _redact_phones(out, found)
    kinds = [k for k in _KIND_ORDER if k in found]
    return PrivacyResult(redacted=out, kinds=kinds, warning=personal_data_warning(kinds, lang))


def redact(text: str) -> str:
    """Only the redacted text."""
    return scan(text).redacted
