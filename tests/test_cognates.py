"""Cognates: Swedish words no dictionary sense translates, matched by spelling to the index's
English words (`assistant.language.cognates`)."""

from __future__ import annotations

import pytest
from helpers import english_vocabulary

from assistant import language as L
from assistant.language import translate as T
from assistant.language.cognates import Cognates
from assistant.lexical import LexicalIndex

ENGLISH = """\
Each border section is weighted with coefficient 5 for high threat and coefficient 3 for medium.
The thematic facility receives EUR 579 000 000; the thematic facility is managed centrally.
The indicators are set out in Annex VIII. Output indicators and result indicators are reported.
A consortium of at least two entities may apply; the consortium includes one Member State.
The programme period runs seven years. The programme sets out the specific objectives.
"""


pytestmark = pytest.mark.usefixtures("no_bridge")


def _bridge(text: str = ENGLISH) -> L.Bridge:
    return L.build_bridge(*english_vocabulary(text))


def test_a_swedish_word_is_matched_to_the_english_word_spelt_alike() -> None:
    c = Cognates({w: 3 for w in "coefficient thematic indicators consortium programme".split()})
    assert c.match("koefficient") == "coefficient"  # k for c
    assert c.match("tematiska") == "thematic"  # t for th, -isk for -ic, an ending
    assert c.match("indikatorerna") == "indicators"  # a plural ending with its article
    assert c.match("konsortium") == "consortium"
    # A compound says more than its first part: "programperioden" is no "programme".
    assert c.match("programperioden") is None
    # Short words look alike by chance.
    assert c.match("tema") is None


def test_a_dictionary_word_is_matched_only_where_its_senses_agree() -> None:
    c = Cognates({"eventual": 3, "automatic": 3})
    # "eventuell" means "possible": the spelling alone would make it "eventual".
    assert c.match("eventuellt") == "eventual"
    assert c.match("eventuellt", senses=("possible", "potential")) is None
    assert c.match("automatiska", senses=("automatic",)) == "automatic"


def test_an_english_word_must_occur_in_the_index_often_enough() -> None:
    assert Cognates({"coefficient": 1}).match("koefficient") is None


def test_the_bridge_translates_a_cognate_where_nothing_else_does() -> None:
    question = "Vilken koefficient fick avsnitt med hög hotnivå, och vad fick den tematiska delen?"
    assert "coefficient" not in L.pseudo_translate(question, False, cognates=True)
    L.use_bridge(_bridge())
    english = L.pseudo_translate(question, False, cognates=True).split()
    assert "coefficient" in english and "thematic" in english
    # The search and the abstention coverage read the dictionary only: a right cognate that is
    # not the passage's wording would move the passages found.
    assert "coefficient" not in L.pseudo_translate(question, with_glossary=False)
    assert not any("coeffici" in forms for forms in L.question_word_forms(question))
    # Switched off, nothing is matched by spelling.
    T.COGNATES = False
    try:
        assert "coefficient" not in L.pseudo_translate(question, False, cognates=True)
    finally:
        T.COGNATES = True


def test_the_index_own_english_words_are_not_read_again() -> None:
    """An English question's words (and names such as EUROSUR) are the index's own words: they
    need no cognate, and one would only repeat or shift them."""
    bridge = _bridge()
    assert bridge.cognate("consortium") is None
    assert bridge.cognate("konsortiet") == ["consortium"]


def test_the_lexical_index_keeps_the_english_words_for_cognates(tmp_path, monkeypatch) -> None:
    from assistant.config import Settings
    from assistant.documents import Chunk

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    chunks = [
        Chunk(chunk_id=f"d#{i}", doc_id="d", text=line, section=str(i), heading_path=str(i),
              start=0, end=len(line), metadata={"language": "en", "title": "Act"})
        for i, line in enumerate(ENGLISH.splitlines())
    ]
    index = LexicalIndex(chunks, generation=1)
    settings = Settings()
    index.save(settings)
    again = LexicalIndex.read(settings)
    assert again is not None
    assert again.bridge.cognate("koefficienten") == ["coefficient"]
    assert again.bridge.english == index.bridge.english



def test_the_quote_choice_reads_a_cognate() -> None:
    from test_quotes import passage

    from assistant.answer import extractive_answer

    p = passage(
        "The financial envelope shall be used as follows:\n\n"
        "- (a) EUR 1 352 000 000 shall be allocated to the programmes;\n"
        "- (b) EUR 579 000 000 shall be allocated to the thematic facility.",
        lang="en", title="Regulation on the Fund",
    )
    q = "Hur mycket pengar fick den tematiska delen?"
    L.use_bridge(_bridge())
    assert extractive_answer(q, [p], "sv").text.startswith("Kort svar: EUR 579 000 000")
    T.COGNATES = False
    try:
        assert extractive_answer(q, [p], "sv").text.startswith("Kort svar: EUR 1 352 000 000")
    finally:
        T.COGNATES = True
