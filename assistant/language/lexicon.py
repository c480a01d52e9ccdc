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
        for sense in re.split(r"[;,]", _PAREN.sub(" ", en)):
            sense = " ".join(re.sub(r"[()\[\]]", " ", sense).split())
            if sense and sense.lower() not in (x.lower() for x in senses):
                senses.append(sense)
    return {k: tuple(v) for k, v in out.items() if v}


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
