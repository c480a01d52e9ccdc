"""The dictionary filtered by one index: the Swedish → English senses its English text uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from .cognates import MIN_COUNT as MIN_COGNATE_COUNT
from .cognates import MIN_LETTERS as MIN_COGNATE_LETTERS
from .cognates import Cognates, sv_bases
from .lexicon import hand_lookup, load_lexicon, reverse_lexicon
from .tokens import stemmer, words

# A sense is kept when each of its English words occurs at least this often in the indexed
# English text; at most MAX_SENSES per headword. A general dictionary merged unfiltered adds
# everyday senses that pull a question away from the regulation's wording (docs/ANSWERS.md).
MIN_OCCURRENCES = 3
MAX_SENSES = 2
# A sense whose words are in more than this share of English chunks names nothing ("make",
# "take"): it is dropped, so the senses that are kept are the ones with weight (idf).
MAX_DF_SHARE = 0.5
LONE_HEAD = 5  # a compound's first part translated alone has at least this many letters
_ENDINGS: tuple[str, ...] = ("ernas", "arnas", "ornas", "erna", "arna", "orna", "ens", "ets")
_ENDINGS += ("en", "et", "na", "er", "ar", "or", "n", "s")
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")


def base_forms(w: str) -> list[str]:
    """The word without a common inflection ending (longest ending first). Swedish doubles a
    final consonant before an ending ("program" → "programmet", "kam" → "kammen"): a stem left
    with a doubled consonant is also tried with one ("programm" → "program")."""
    out = []
    for end in _ENDINGS:
        if w.endswith(end) and len(w) - len(end) >= 3:
            stem = w[: -len(end)]
            out.append(stem)
            if stem[-1] == stem[-2] and stem[-1] in _CONSONANTS:
                out.append(stem[:-1])
    return out


def adjective_bases(w: str) -> list[str]:
    """An adjective's headword from its neuter or plural form: "oanmält" → oanmäld, "stort" →
    stor, "oanmälda" → oanmäld (the dictionary lists the common gender); words of five letters
    or more only, as a shorter one left without its last letter is seldom the same word."""
    if len(w) < 5:
        return []
    if w.endswith("a"):
        return [w[:-1]]
    if w.endswith("tt"):
        return [w[:-2], w[:-2] + "d"]
    if w.endswith("t"):
        return [w[:-1] + "d", w[:-1]] if w[-2] in "lnr" else [w[:-1]]
    return []


def derived_bases(w: str) -> list[str]:
    """A present participle's verb and a superlative's adjective, which the dictionary seldom
    lists: "återstående" → återstå, "fördelande" → fördela, "tidigaste" → tidig; words of seven
    letters or more only."""
    if len(w) < 7:
        return []
    if w.endswith("ande"):
        return [w[:-3]]
    if w.endswith("ende"):  # "återstående", "kvarstående": a verb that ends in a long vowel
        return [w[:-4]]
    if w.endswith("aste"):
        return [w[:-4]]
    return []


# A noun made from a verb is read as the verb where the dictionary lists only the verb (a switch)
NOMINALS = True


def nominal_verbs(w: str) -> list[str]:
    """The verb a Swedish verbal noun is made from, which the dictionary lists where it lacks
    the noun: "registrering" → registrera, "rapportering" → rapportera, "sökning" → söka,
    "granskning" → granska; words of seven letters or more only."""
    if not NOMINALS or len(w) < 7:
        return []
    if w.endswith("ering"):
        return [w[:-3] + "a"]
    if w.endswith("ning"):
        return [w[:-4] + "a"]
    return []


def verbs_of(w: str) -> list[str]:
    """The verbs a verbal noun may be made from, as written or inflected ("registreringen")."""
    return [v for noun in (w, *base_forms(w)) for v in nominal_verbs(noun)]


def dictionary_senses(w: str) -> tuple[str, ...]:
    """Every sense the whole dictionary gives a word, or its base form (`base_forms`,
    `adjective_bases`, `derived_bases`): whether an index mentions a word at all, unfiltered by
    how often (the bridge keeps only the senses an index uses often)."""
    lex = load_lexicon()
    for b in (w, *base_forms(w), *adjective_bases(w), *derived_bases(w)):
        if b in lex:
            return tuple(lex[b])
    return next((tuple(lex[v]) for v in verbs_of(w) if v in lex), ())


@dataclass
class Bridge:
    """Swedish → English for one index: the dictionary senses its English text uses.

    Built at ingest with the lexical index (the vocabulary is known there) and registered with
    `use_bridge` when a retriever loads that index; `pseudo_translate` then uses it.
    """

    words: dict[str, tuple[str, ...]]
    by_stem: dict[str, tuple[str, ...]]
    # The index's English words as written, with their counts, for cognates.
    english: dict[str, int] = field(default_factory=dict)

    def state(self) -> dict[str, Any]:
        """What the index saves (JSON)."""
        return {"words": self.words, "by_stem": self.by_stem, "english": self.english}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Bridge:
        """The bridge `state` saved."""
        return cls(
            {k: tuple(v) for k, v in state["words"].items()},
            {k: tuple(v) for k, v in state["by_stem"].items()},
            dict(state["english"]),
        )

    @cached_property
    def _cognates(self) -> Cognates:
        return Cognates(self.english)

    def cognate(self, w: str) -> list[str] | None:
        """The English word of the index that a Swedish word no sense translates is a cognate
        of (`cognates`); a word the dictionary knows only where one of its senses agrees."""
        if w in self.english or stemmer("en").stemWord(w) in reverse_lexicon():
            return None  # an English word (an English question's) or a name the index uses
        lex = load_lexicon()
        senses = next((lex[b] for b in sv_bases(w) if b in lex), ())
        hit = self._cognates.match(w, senses)
        return [hit] if hit else None

    def lookup(self, w: str) -> list[str] | None:
        hit = self.words.get(w) or self.by_stem.get(stemmer("sv").stemWord(w))
        if not hit:
            # The stemmer and the headword disagree now and then ("kontor" → "kont", but
            # "kontoret" → "kontor"): try the word without a common inflection ending.
            for base in [*base_forms(w), *adjective_bases(w)]:
                hit = self.words.get(base)
                if hit:
                    break
        return list(hit) if hit else None

    def verbal(self, w: str) -> list[str] | None:
        """The senses of the verb a verbal noun is made from ("registreringen" → registrera →
        register), for a noun the dictionary lacks: read after every other way."""
        return next((list(self.words[v]) for v in verbs_of(w) if v in self.words), None)

    def split(self, w: str, depth: int = 0, general: bool = False) -> list[str] | None:
        """A compound split on the dictionary: "budgetramen" → budget + ram.

        Both parts must be words of the whole dictionary (the head may split once more), so a
        word is never cut into accidental pieces; each part is then translated with the senses
        this index keeps. The last part may have none ("ram": budget is still budget) when the
        first has LONE_HEAD letters or more; the first may not, unless `general`. A word the
        dictionary itself knows is never split ("förskott" is not för + skott).
        """
        if len(w) < 8 or (depth == 0 and known(w)):
            return None
        for i in range(3, len(w) - 3):
            head, tail = w[:i], w[i:]
            if not (hand_lookup(tail) or known(tail)):
                continue
            # the head as written, or without a linking s ("förvaltnings" + "myndighet")
            linked = head[:-1] if head.endswith("s") and len(head) > 4 else ""
            word = next((p for p in (head, linked) if p and (hand_lookup(p) or known(p))), None)
            if word is not None:
                h = hand_lookup(word) or self.lookup(word) or []
            elif depth == 0 and (deeper := self.split(head, depth + 1)) is not None:
                h = deeper
            else:
                continue
            if not h and not general:
                # A compound says more than its last part: "semesterdagar" is not just "days".
                # When the index has no sense for the first part, the compound is left out;
                # `general` reads it as its last part all the same (a search term, never a
                # word the question is taken to have found).
                return None
            t = hand_lookup(tail) or self.lookup(tail) or []
            if not t and len(head) < LONE_HEAD:
                return None  # "upp" + "hävdes": a particle is no compound's first part
            return h + t
        return None


@lru_cache(maxsize=1)
def _headword_stems() -> frozenset[str]:
    st = stemmer("sv")
    return frozenset(st.stemWord(w) for w in load_lexicon())


@lru_cache(maxsize=65536)
def known(w: str) -> bool:
    """A word of the dictionary as written, or inflected ("ramen" of "ram")."""
    lex = load_lexicon()
    if w in lex or stemmer("sv").stemWord(w) in _headword_stems():
        return True
    return any(base in lex for base in base_forms(w))


def build_bridge(
    en_counts: Mapping[str, int],
    en_df: Mapping[str, int],
    n_en: int,
    english: Mapping[str, int] | None = None,
) -> Bridge:
    """Keep the dictionary senses whose English words (stemmed) the indexed English text uses.

    en_counts: occurrences of each English stem; en_df: English chunks holding it; n_en: the
    number of English chunks; english: occurrences of each English word as written (cognates).
    """
    st_en = stemmer("en")
    st_sv = stemmer("sv")
    limit = MAX_DF_SHARE * n_en
    kept: dict[str, tuple[str, ...]] = {}
    by_stem: dict[str, tuple[str, ...]] = {}
    if not n_en:
        return Bridge(kept, by_stem)
    # Only words a cognate may be (`cognates.MIN_LETTERS`, `MIN_COUNT`) are kept with the index.
    cognate_words = {
        w: n
        for w, n in (english or {}).items()
        if n >= MIN_COGNATE_COUNT and len(w) >= MIN_COGNATE_LETTERS
    }
    for sv, senses in load_lexicon().items():
        good = []
        for sense in senses:
            stems_ = st_en.stemWords(words(sense))
            if not stems_ or any(en_counts.get(x, 0) < MIN_OCCURRENCES for x in stems_):
                continue
            if all(en_df.get(x, 0) > limit for x in stems_):
                continue
            good.append(sense)
            if len(good) >= MAX_SENSES:
                break
        if good:
            kept[sv] = tuple(good)
            by_stem.setdefault(st_sv.stemWord(sv), tuple(good))
    return Bridge(kept, by_stem, cognate_words)
