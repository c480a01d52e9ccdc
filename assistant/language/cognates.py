"""Cognates: a Swedish word no dictionary entry translates, matched by its spelling to a word of
the index's English text ("koefficient" → coefficient, "tematiska" → thematic, "indikatorerna"
→ indicators).

Swedish and English share many Latin and Greek words whose spelling differs by regular
correspondences (k for c, -isk for -ic, å ä ö for a a o). Both words are brought to one
skeleton with those correspondences; they match when the skeletons share a long beginning and
neither goes on much past it. The English side is only the index's own vocabulary, so a match
always names a word the documents use. A word the dictionary knows is matched only to a word
one of its senses also matches ("organisation" → organization → the index's "organisation";
"eventuell" means "possible", so it is never read as "eventual").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MIN_SHARED = 6  # letters the two skeletons must begin with alike
SV_SLACK = 2  # letters the Swedish base form may go on past the shared beginning
EN_SLACK = 3  # … and the English word ("-ed", "-ies", "-ary")
MIN_LETTERS = 6  # shorter words are left alone (too many chance likenesses)
MIN_COUNT = 2  # an English word must occur this often in the index's English text

_LETTERS = re.compile(r"^[a-zåäöéü]+$")
_SV_SUFFIX = ((re.compile(r"isk$"), "ik"), (re.compile(r"itet$"), "iti"))
_EN_SUFFIX = ((re.compile(r"ical$"), "ik"), (re.compile(r"ity$"), "iti"))
_SPELLING = (
    ("ph", "f"),
    ("th", "t"),
    ("ch", "k"),
    ("ck", "k"),
    ("c", "k"),
    ("q", "k"),
    ("x", "ks"),
    ("z", "s"),
    ("w", "v"),
    ("y", "i"),
    ("å", "a"),
    ("ä", "a"),
    ("ö", "o"),
    ("é", "e"),
    ("ü", "u"),
)
_DOUBLE = re.compile(r"(.)\1+")
# Swedish inflection and adjective endings a base form is tried without (longest first).
_SV_ENDINGS: tuple[str, ...] = ("ernas", "arnas", "erna", "arna", "orna", "ens", "ets", "en")
_SV_ENDINGS += ("et", "er", "ar", "or", "na", "a", "t", "e", "n", "s")


def skeleton(word: str, lang: str) -> str:
    """The word spelt with the correspondences both languages share."""
    w = word.lower()
    for pat, rep in _SV_SUFFIX if lang == "sv" else _EN_SUFFIX:
        w = pat.sub(rep, w)
    for a, b in _SPELLING:
        w = w.replace(a, b)
    return _DOUBLE.sub(r"\1", w)


def sv_bases(word: str) -> list[str]:
    """The word and the word without each Swedish ending it may carry."""
    out = [word]
    for end in _SV_ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= MIN_LETTERS:
            out.append(word[: -len(end)])
    return out


def _shared(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class Cognates:
    """The index's English words by skeleton, for matching Swedish words to them."""

    def __init__(self, english: Mapping[str, int]) -> None:
        self.by_start: dict[str, list[tuple[str, str, int]]] = {}
        for w, n in english.items():
            if n < MIN_COUNT or len(w) < MIN_LETTERS or not _LETTERS.match(w):
                continue
            sk = skeleton(w, "en")
            self.by_start.setdefault(sk[:MIN_SHARED], []).append((sk, w, n))

    def match(self, word: str, senses: Iterable[str] = ()) -> str | None:
        """The English word of the index that `word` is a cognate of, or None. With `senses`
        (the word's dictionary senses), the match must also be a cognate of one of them."""
        if len(word) < MIN_LETTERS or not _LETTERS.match(word):
            return None
        best: tuple[int, int, int, str] | None = None
        for base in sv_bases(word):
            sk = skeleton(base, "sv")
            for en_sk, en, n in self.by_start.get(sk[:MIN_SHARED], ()):
                shared = _shared(sk, en_sk)
                if shared < MIN_SHARED or len(sk) - shared > SV_SLACK:
                    continue
                if len(en_sk) - shared > EN_SLACK:
                    continue
                key = (shared, -abs(len(en_sk) - len(sk)), n, en)
                if best is None or key > best:
                    best = key
        if best is None:
            return None
        en = best[3]
        if senses:
            target = skeleton(en, "en")
            if not any(
                _shared(skeleton(s, "en"), target) >= MIN_SHARED for s in senses if " " not in s
            ):
                return None
        return en
