"""Swedish → English word lists: the hand list (sv_en.yaml) and Folkets lexikon (data/)."""

from __future__ import annotations

import re
from functools import lru_cache

from .datafiles import read_text, read_yaml
from .tokens import stemmer

HAND_LIST_FILE = "sv_en.yaml"
LEXICON_FILE = "data/folkets-sv-en.tsv"  # Folkets lexikon (KTH), CC BY-SA 2.5: data/README.md
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")


# -- the hand list -----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _sv_en() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    exact: dict[str, list[str]] = {}
    by_stem: dict[str, list[str]] = {}
    st = stemmer("sv")
    for sv, en in (read_yaml(HAND_LIST_FILE).get("words") or {}).items():
        key = str(sv).lower()
        vals = [str(e) for e in en]
        exact[key] = vals
        by_stem.setdefault(st.stemWord(key), vals)
    return exact, by_stem


_HAND_LIST = {"on": True}


def use_hand_list(on: bool) -> None:
    """Switch the hand list on or off for the whole process. Off, only the dictionary and the
    index translate: `assistant eval --without-hand-list` measures how the bridge does on words
    nobody wrote down (part of the list was written while looking at the development questions)."""
    _HAND_LIST["on"] = on


def hand_phrases() -> tuple[tuple[re.Pattern[str], list[str]], ...]:
    """Multi-word Swedish entries ("stå för"), matched on the question before single words."""
    return _hand_phrases() if _HAND_LIST["on"] else ()


@lru_cache(maxsize=1)
def _hand_phrases() -> tuple[tuple[re.Pattern[str], list[str]], ...]:
    out = []
    for sv, en in (read_yaml(HAND_LIST_FILE).get("phrases") or {}).items():
        pat = re.compile(r"(?<![\wåäö])" + re.escape(str(sv).lower()) + r"(?![\wåäö])", re.I)
        out.append((pat, [str(e) for e in en]))
    return tuple(out)


def hand_lookup(w: str) -> list[str] | None:
    """English for one Swedish word from the hand list: the word itself, else its stem."""
    if not _HAND_LIST["on"]:
        return None
    exact, by_stem = _sv_en()
    return exact.get(w) or by_stem.get(stemmer("sv").stemWord(w))


# -- the dictionary ----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, tuple[str, ...]]:
    """Swedish headword (lower case, one word) → English senses in the dictionary's order."""
    text = read_text(LEXICON_FILE)
    out: dict[str, list[str]] = {}
    for line in text.splitlines()[1:]:
        sv, _, en = line.partition("\t")
        sv = sv.strip().lower()
        if not sv or not en or " " in sv:
            continue
        senses = out.setdefault(sv, [])
        for sense in _senses(en):
            if sense.lower() not in (x.lower() for x in senses):
                senses.append(sense)
    return {k: tuple(v) for k, v in out.items() if v}


def _senses(en: str) -> list[str]:
    """A dictionary line's English senses ("enter, lodge" → enter, lodge; notes in brackets
    dropped)."""
    parts = (
        " ".join(re.sub(r"[()\[\]]", " ", x).split())
        for x in re.split(r"[;,]", _PAREN.sub(" ", en))
    )
    return [x for x in parts if x]


REVERSE_SENSES = 2  # only a headword's first senses name it when read backwards


@lru_cache(maxsize=1)
def reverse_lexicon() -> dict[str, tuple[str, ...]]:
    """English stem → Swedish headwords whose first senses are that one word ("cost" → kostnad,
    "grant" → bidrag …), for telling whether a Swedish text holds what an English question asks."""
    from .tokens import stemmer

    en = stemmer("en")
    out: dict[str, list[str]] = {}
    for sv, senses in load_lexicon().items():
        for sense in senses[:REVERSE_SENSES]:
            word = sense.lower()
            if word.isalpha():
                out.setdefault(en.stemWord(word), []).append(sv)
    return {k: tuple(v) for k, v in out.items()}


# -- particle verbs ----------------------------------------------------------------------------
# The particles a Swedish verb takes ("lägga in", "ta bort", "hålla kvar"); the stressed ones
# are never prepositions, so the dictionary's verb + particle phrase is what the pair means
# ("ställs till förfogande" is no "ställa till", make a mess).
STRESSED = frozenset(
    "in ut upp bort fram kvar tillbaka igen ihop isär loss undan ner emot fast".split()
)
PARTICLES = STRESSED | frozenset("av till över på om med åt igenom efter förbi".split())
# A verb the dictionary lists with this many phrases means little on its own ("ta", "lägga",
# "ställa", "sätta", "hålla", "dra", "komma", "göra"): with a particle, the pair decides.
LIGHT_MIN = 7
# Past forms the regular endings do not give, of the verbs that take particles most.
_IRREGULAR = {
    "tog": "ta", "togs": "ta", "tagit": "ta", "tagits": "ta", "lade": "lägga", "lades": "lägga",
    "lagt": "lägga", "lagts": "lägga", "drog": "dra", "drogs": "dra", "dragit": "dra",
    "dragits": "dra", "höll": "hålla", "hölls": "hålla", "kom": "komma", "gjorde": "göra",
    "gjordes": "göra", "gjort": "göra", "gjorts": "göra", "gör": "göra", "görs": "göra",
    "satte": "sätta", "sattes": "sätta",
}  # fmt: skip


@lru_cache(maxsize=1)
def particle_verbs() -> tuple[
    dict[tuple[str, str], tuple[str, ...]], dict[str, str], frozenset[str]
]:
    """The dictionary's verb + stressed particle phrases: (verb, particle) → the pair's senses
    ("lägga in" → enter, lodge); each inflected form of those verbs → its infinitive; and the light
    verbs (`LIGHT_MIN`), whose own senses ("lägga": lay, place) say nothing once a particle
    follows."""
    pairs: dict[tuple[str, str], list[str]] = {}
    phrases: dict[str, int] = {}
    for line in read_text(LEXICON_FILE).splitlines()[1:]:
        sv, _, en = line.partition("\t")
        parts = sv.strip().lower().split()
        if len(parts) < 2 or len(parts) > 3 or not parts[0].endswith("a") or not en:
            continue
        phrases[parts[0]] = phrases.get(parts[0], 0) + 1
        if len(parts) == 2 and parts[1] in STRESSED:
            senses = pairs.setdefault((parts[0], parts[1]), [])
            senses += [x for x in _senses(en) if x not in senses]
    light = frozenset(v for v, n in phrases.items() if n >= LIGHT_MIN)
    forms: dict[str, str] = dict(_IRREGULAR)
    for v in {v for v, _ in pairs} | light | set(_IRREGULAR.values()):
        b = v[:-1]
        for end in ("", "r", "s", "t", "de", "des", "ts"):
            forms.setdefault(v + end, v)
        for end in ("er", "s", "t", "de", "des", "te", "tes", "es", "ts"):
            forms.setdefault(b + end, v)
    return {k: tuple(v) for k, v in pairs.items()}, forms, light
