"""Swedish personal data written the ways people and Slack write it, for the property tests
(tests/test_privacy.py) and the fault benchmark (benchmarks/bench_faults_slack.py).

Every generator takes `pick(sequence) -> element`: hypothesis's `draw(st.sampled_from(...))`
in tests, `random.Random(seed).choice` in the benchmark. Each returns the text as written and
the digits that must not survive redaction. The wrappers hold no digits of their own, so
"nothing of the number survives" is "no digit is left".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Pick = Callable[[Sequence[Any]], Any]

PNR_SEPARATORS = ["", "-", "+", " ", "\u2013", "\u2014", " - ", "\u00a0", "%2D"]
PNR_WRAPPERS = [
    "{}",
    "pnr {}",
    "pnr:{}",
    "Pnr.{}",
    "pnr{}",
    "PNR: {}",
    "personnummer {}",
    "samordningsnr {}",
    "({})",
    '"{}"',
    "{}.",
    "{}?",
    "{},",
    "*{}*",
    "_{}_",
    "`{}`",
    "https://intra.example/person/{}/visa",
    "https://intra.example/sok?id={}&typ=a",
    "<https://intra.example/p/{0}|intra.example/p/{0}>",
]
PHONE_WRAPPERS = [
    "{}",
    "tel {}",
    "tel:{}",
    "Tel.{}",
    "({})",
    "{}.",
    "{},",
    "*{}*",
    "`{}`",
    "<tel:{0}|{0}>",
    "https://intra.example/ring?nr={}",
]
EMAIL_WRAPPERS = ["{}", "<mailto:{0}|{0}>", "({})", "{}.", "e-post:{}"]
GROUP_SEPARATORS = [" ", "-", ".", "", "\u2013", "\u00a0"]


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(nine)):
        d = int(ch)
        if i % 2 == 0:  # every other digit from the right of the nine, doubled
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def id_number(pick: Pick, *, coordination: bool | None = None) -> tuple[str, str]:
    """A personnummer (or samordningsnummer: day + 60) with a valid check digit."""
    year = pick(range(1920, 2026))
    month = pick(range(1, 13))
    day = pick(range(1, 29))
    if coordination if coordination is not None else pick([False, True]):
        day += 60
    nine = f"{year % 100:02d}{month:02d}{day:02d}{pick(range(1000)):03d}"
    ten = nine + luhn_digit(nine)
    century = str(year)[:2] if pick([False, True]) else ""
    return century + ten[:6] + pick(PNR_SEPARATORS) + ten[6:], ten


def phone_number(pick: Pick) -> tuple[str, str]:
    """A Swedish mobile or landline number, national or international, grouped as people do."""
    kind = pick(["mobile", "stockholm", "gothenburg", "small"])
    digits = "".join(str(pick(range(10))) for _ in range(7))
    if kind == "mobile":
        area, rest = "7" + str(pick([0, 2, 3, 6, 9])), [digits[:3], digits[3:5], digits[5:]]
    elif kind == "stockholm":
        area, rest = "8", [digits[:3], digits[3:5], digits[5:]]
    elif kind == "gothenburg":
        area, rest = "31", [digits[:3], digits[3:5], digits[5:]]
    else:
        # 0XXX-NNN NNN: a four-digit area code leaves six digits
        digits = digits[:6]
        area, rest = "5" + str(pick(range(10))) + str(pick(range(10))), [digits[:3], digits[3:]]
    sep = pick(GROUP_SEPARATORS)
    tail = sep.join(rest)
    style = pick(["national", "dash", "paren", "plus", "plus0", "plus_compact", "double0"])
    if style == "national":
        text = f"0{area}{sep}{tail}"
    elif style == "dash":
        text = f"0{area}-{tail}"
    elif style == "paren":
        text = f"(0{area}) {tail}"
    elif style == "plus":
        text = f"+46 {area} {tail}"
    elif style == "plus0":
        text = f"+46 (0){area}-{tail}"
    elif style == "plus_compact":
        text = f"+46{area}{''.join(rest)}"
    else:
        text = f"0046 {area} {tail}"
    return text, area + digits


def email(pick: Pick) -> tuple[str, str]:
    first = pick(["anna", "per", "lars-erik", "maria", "jonas"])
    last = pick(["svensson", "nilsson", "berg", "lindqvist"])
    domain = pick(["polisen.se", "example.org", "myndighet.example"])
    sep = pick([".", "_", ""])
    addr = f"{first}{sep}{last}@{domain}"
    return addr, addr


SENTENCES = [
    "Gäller reglerna för {} i ISF?",
    "Ärendet {} – får vi köpa utrustning med BMVI?",
    "Can the fund pay travel for {}?",
    "{}",
    "Kontakta {} om medfinansieringen.",
]


def personal_question(pick: Pick) -> tuple[str, str, str]:
    """(question, kind, secret): one piece of personal data in a wrapper inside a question."""
    kind = pick(["personnummer", "samordningsnummer", "telefonnummer", "e-post"])
    if kind in ("personnummer", "samordningsnummer"):
        core, secret = id_number(pick, coordination=kind == "samordningsnummer")
        wrapper = pick(PNR_WRAPPERS)
    elif kind == "telefonnummer":
        core, secret = phone_number(pick)
        wrapper = pick(PHONE_WRAPPERS)
    else:
        core, secret = email(pick)
        wrapper = pick(EMAIL_WRAPPERS)
    return pick(SENTENCES).format(wrapper.format(core)), kind, secret


# The forms named in the issue that the first redactor missed.
ISSUE_FORMS = [
    "811218 1071",
    "pnr:811218-1089",
    "811218\u20131097",
    "Pnr.811218-1105",
    "pnr811218-1121",
    "https://intra.example/person?id=811218-1071",
    "tel:0701164567",
    "070.117.45.67",
    "(070) 118 45 67",
    "<tel:0701164567|070-116 45 67>",
    "<mailto:anna.svensson@polisen.se|anna.svensson@polisen.se>",
]
