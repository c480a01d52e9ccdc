"""Personal-data detection and redaction for questions, before anything is logged or answered.

Pure functions: `scan(text)` finds Swedish personnummer / samordningsnummer (with a valid
Luhn check digit and a plausible date), phone numbers and e-mail addresses, and replaces each
with a placeholder such as `[personnummer]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

PLACEHOLDERS = {
    "personnummer": "[personnummer]",
    "samordningsnummer": "[samordningsnummer]",
    "telefonnummer": "[telefonnummer]",
    "e-post": "[e-post]",
}

# Order in which kinds are reported in the warning.
_KIND_ORDER = ("personnummer", "samordningsnummer", "telefonnummer", "e-post")

# YYMMDD-NNNN, YYMMDD+NNNN, YYMMDDNNNN, YYYYMMDD-NNNN, YYYYMMDDNNNN. Not glued to other digits,
# letters, "/", ":" or "-" so that "2021/1149", "SFS 2021:846" and dates like 2021-07-07 stay.
_PNR = re.compile(
    r"(?<![\w/:\-+.,])"
    r"(?P<century>\d{2})?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    r"(?P<sep>[-+]?)"
    r"(?P<nnn>\d{3})(?P<check>\d)"
    r"(?![\w/:\-]|[.,]\d)"
)

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)

# Phone numbers must start with "+" (international) or "0" (Swedish trunk prefix, e.g. 070-,
# 08-, 031-), so amounts ("8 000 000"), percentages, years and article numbers never match.
_PHONE = re.compile(
    r"(?<![\w/:.,+-])(?<!\d\s)"
    r"(?:"
    r"\+[1-9]\d{0,2}[\s-]?(?:\(0\)[\s-]?)?\d{1,4}(?:[\s-]?\d{2,4}){2,4}"  # +46 70 123 45 67
    r"|00[1-9]\d{0,2}[\s-]?\d{1,4}(?:[\s-]?\d{2,4}){2,4}"  # 0046 70 123 45 67
    r"|0[1-9]\d{0,2}[\s-]?\d{2,3}(?:[\s-]?\d{2,3}){1,3}"  # 070-123 45 67, 08-123 456 78
    r")"
    r"(?![\w/:-]|[.,]\d)"
)


@dataclass
class PrivacyResult:
    """The redacted text, the kinds of personal data found (in a stable order) and a warning."""

    redacted: str
    kinds: list[str] = field(default_factory=list)
    warning: str | None = None

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
    day = int(dd)
    kind = "personnummer"
    if day > 60:
        kind = "samordningsnummer"
        day -= 60
    year = int(century + yy) if century else 2000 + int(yy)
    if century and century not in ("18", "19", "20"):
        return None
    try:
        date(year, int(mm), day)
    except ValueError:
        # Feb 29 in a two-digit year may belong to the other century.
        try:
            date(year - 100, int(mm), day)
        except ValueError:
            return None
    return kind


def _warning(kinds: list[str]) -> str | None:
    if not kinds:
        return None
    listed = ", ".join(kinds)
    return (
        f"Din fråga innehöll personuppgifter ({listed}) som har tagits bort innan frågan "
        "behandlades. Skriv inte personuppgifter i frågor."
    )


def scan(text: str) -> PrivacyResult:
    """Find and redact personal data in `text`."""
    found: set[str] = set()

    def pnr(m: re.Match[str]) -> str:
        kind = _classify(m)
        if kind is None:
            return m.group(0)
        found.add(kind)
        return PLACEHOLDERS[kind]

    def simple(kind: str):
        def repl(m: re.Match[str]) -> str:
            found.add(kind)
            return PLACEHOLDERS[kind]

        return repl

    out = _PNR.sub(pnr, text or "")
    out = _EMAIL.sub(simple("e-post"), out)
    out = _PHONE.sub(simple("telefonnummer"), out)
    kinds = [k for k in _KIND_ORDER if k in found]
    return PrivacyResult(redacted=out, kinds=kinds, warning=_warning(kinds))


def redact(text: str) -> str:
    """Only the redacted text."""
    return scan(text).redacted
