"""A word's rarity among the passages of its own language (`assistant.langidf`)."""

from __future__ import annotations

import math
from collections.abc import Callable

from assistant.answer import extractive_answer
from assistant.documents import Chunk, Passage
from assistant.langidf import language_idf
from assistant.language import stemmer
from assistant.lexical import LexicalIndex


def _chunk(i: int, text: str, lang: str) -> Chunk:
    return Chunk(chunk_id=f"d{i}#1", doc_id=f"d{i}", text=text, section="1", heading_path="",
                 start=0, end=len(text), metadata={"language": lang, "title": f"T{i}"})


def test_a_word_is_as_rare_as_it_is_among_the_passages_of_its_language() -> None:
    texts = [("Kostnaden ska redovisas.", "sv"), ("Kostnaden ersätts av fonden.", "sv"),
             ("Stödet betalas ut i två delar.", "sv"), ("Ansökan lämnas i mars.", "sv"),
             ("The cost is reimbursed.", "en"), ("The report is due in March.", "en")]
    view = LexicalIndex([_chunk(i, t, lang) for i, (t, lang) in enumerate(texts)],
                        generation=1).view("public")
    cost = stemmer("en").stemWord("cost")
    in_english = language_idf(view)("en")
    # One English passage of two holds "cost": common among English ones, rare among all six.
    assert math.isclose(in_english(cost), math.log(3 / 1.5))
    assert in_english(cost) < view.idf(cost)
    kostnad = stemmer("sv").stemWord("kostnaden")
    assert math.isclose(language_idf(view)("sv")(kostnad), math.log(5 / 2.5))
    # Counted once per view, and the same answer on the next question.
    assert language_idf(view)("en")(cost) == in_english(cost)


def test_a_translated_word_in_the_other_language_does_not_outweigh_the_word_itself() -> None:
    """An index mostly in Swedish makes every English stem rare: over the whole index the English
    sentence that holds the question's words translated would lead; weighed within each
    language, the Swedish sentence that holds the words themselves does."""
    sv = Passage(_chunk(0, "Migrationsverket är den myndighet som beslutar om stödet.", "sv"),
                 score=1.0, dense_score=0.9)
    en = Passage(_chunk(1, "The Police Authority decides on the support.", "en"),
                 score=0.9, dense_score=0.9)
    english_stems = {stemmer("en").stemWord(w) for w in ("authority", "decides", "support")}

    def over_all(t: str) -> float:
        return 4.0 if t in english_stems else 1.0

    def within(_lang: str) -> Callable[[str], float]:
        return lambda _t: 1.0

    q = "Vilken myndighet beslutar om stödet?"
    first = extractive_answer(q, [sv, en], "sv", idf=over_all)
    assert first.citations[0].doc_id == "d1"
    first = extractive_answer(q, [sv, en], "sv", idf=over_all, idf_in=within)
    assert first.citations[0].doc_id == "d0"
