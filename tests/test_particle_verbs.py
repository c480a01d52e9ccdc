"""Swedish particle verbs: "läggs in" means enter, not place; "ta bort" says nothing of take
(`assistant.language.lexicon.particle_verbs`, `translate.PARTICLE_VERBS`)."""

from __future__ import annotations

import pytest
from helpers import english_vocabulary

from assistant import language as L
from assistant.answer import extractive_answer
from assistant.documents import Chunk, Passage
from assistant.language import translate as T

ENGLISH = """\
Consultation shall take place within the powers of the designated authorities. The place of
consultation is the central access point. Each Member State shall set the place of access.
The data shall be entered in the register. Data entered shall be kept. Alerts are entered.
Member States shall take the measures. The authorities take decisions. They take part.
"""

pytestmark = pytest.mark.usefixtures("no_bridge")


def _english(question: str) -> list[str]:
    return L.pseudo_translate(question, False, cognates=True).split()


def test_a_verb_with_its_particle_is_translated_as_the_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    L.use_bridge(L.build_bridge(*english_vocabulary(ENGLISH)))
    question = "Vilken myndighet ska se till att registreringen läggs in i registret?"
    english = _english(question)
    assert "enter" in english and not {"place", "put", "set"} & set(english)
    # a light verb whose pair the dictionary lacks is not read alone: "ta bort" is no "take"
    assert "take" not in _english("Får vi ta bort uppgifterna ur registret?")
    assert "take" in _english("Vilka åtgärder ska vi ta mot uppgifterna?")  # no particle
    # the search reads words one by one, as it always has
    assert {"place", "set"} & set(L.pseudo_translate(question, False).split())
    monkeypatch.setattr(T, "PARTICLE_VERBS", False)
    assert "place" in _english(question) or "set" in _english(question)
    assert "take" in _english("Får vi ta bort uppgifterna ur registret?")


def test_the_quote_is_the_sentence_the_pair_means(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "läggs in" read as "place" had quoted "Access … shall take place …" for "Vilken
    myndighet ska se till att registreringen läggs in?"."""
    L.use_bridge(L.build_bridge(*english_vocabulary(ENGLISH)))
    place = "Registration of data by an authority shall take place within its powers."
    entered = "It shall be entered in the register by the Migration Agency."
    text = f"{place} {entered}"
    chunk = Chunk(chunk_id="d#1#0", doc_id="d", text=text, section="Article 1",
                  heading_path="Article 1", start=0, end=len(text),
                  metadata={"language": "en", "title": "Regulation"})
    question = "Vilken myndighet ska se till att registreringen läggs in i registret?"

    def first() -> str:
        answer = extractive_answer(question, [Passage(chunk, score=1.0, dense_score=0.9)], "sv")
        return next(line for line in answer.text.splitlines() if line.startswith("> "))

    assert entered in first()
    monkeypatch.setattr(T, "PARTICLE_VERBS", False)
    assert place in first()
