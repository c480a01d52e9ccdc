"""A fact is an answer only when it is about the country, system or currency the question names
(`assistant.anchoring`, used by `declining.declines`)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant import answer as A
from assistant import declining
from assistant.anchoring import anchors, asked_currency, counted, missing_subject, named_by
from assistant.declining import Decline, declines
from assistant.documents import Chunk, Passage
from assistant.quotes import score_units
from assistant.units import sentence_units


def passage(text: str, *, lang: str = "en", heading: str = "Article 5", n: int = 0,
            **meta: Any) -> Passage:
    meta.setdefault("title", "Regulation (EU) No 1/2099 on border equipment")
    chunk = Chunk(
        chunk_id=f"doc#{heading}#{n}", doc_id="doc", text=text, section=heading,
        heading_path=f"{meta['title']} › {heading}", start=0, end=len(text),
        metadata={"language": lang, **meta},
    )
    return Passage(chunk, score=1.0 / (n + 1), dense_score=0.9)


TOTAL = "The global resources for the implementation of the Fund shall be EUR 1 127 000 000."


def test_a_countrys_sum_is_not_answered_by_a_total_that_names_no_country() -> None:
    q = "Hur mycket pengar får Sverige ur fonden för perioden?"
    assert declines(q, [passage(TOTAL)], "sv")
    # the same total answers a question that names no country
    assert not declines("Hur mycket pengar finns i fonden för perioden?", [passage(TOTAL)], "sv")
    # a sentence naming the country answers, as does a Swedish national text
    names_it = passage("Sweden shall receive EUR 21 000 000 from the Fund for the period.")
    assert not declines(q, [names_it], "sv")
    national = passage("Sverige tilldelas 21 miljoner euro ur fonden.", lang="sv")
    assert not declines(q, [national], "sv")
    # what each Member State receives, Sverige receives; a sum for them all is no one's
    each = passage("A fixed amount of EUR 8 000 000 shall be allocated to each Member State.")
    assert not declines(q, [each], "sv")
    together = passage("Member States shall receive an additional EUR 96 500 000 in total.")
    assert declines(q, [together], "sv")


def test_a_table_row_keyed_by_the_country_code_names_the_country() -> None:
    table = (
        "| Member State | Minimum amount | TOTAL |\n|---|---|---|\n"
        "| FI | 5 000 000 | 37 000 000 |\n| SE | 5 000 000 | 21 000 000 |"
    )
    p = passage(table, heading="Annex I (in EUR)")
    assert not declines("Hur stort var Sveriges totala belopp i bilagan?", [p], "sv")
    assert declines("Hur stort var Danmarks totala belopp i bilagan?", [p], "sv")


def test_a_country_in_a_sentence_of_context_does_not_bind_the_asked_sum() -> None:
    # "Kan Sverige …? Hur mycket får det bli?": the sum asked for is the rule's, not Sweden's
    rule = passage(
        "Up to 5 % of the initial allocation to a Member State may be transferred to the Fund."
    )
    q = "Kan Sverige föra över pengar till fonden? Hur mycket får det bli som mest?"
    assert [a.label for a in anchors(q, "amount")] == []
    assert not declines(q, [rule], "sv")
    # a share asked for Sverige is answered by the share every Member State has
    assert not declines("Hur stor andel får Sverige föra över till fonden?", [rule], "sv")


def test_a_time_for_a_system_comes_from_a_passage_about_that_system() -> None:
    other = passage(
        "By 1 June 2017 the Commission shall take into account the burden of the Member "
        "States in border management."
    )
    # another passage names the system (so the question's name is not unknown to the
    # documents), but holds no date
    names = passage("The Entry/Exit System registers travellers.", n=3, heading="Article 2")
    q = "När börjar EES att användas vid gränserna?"
    assert declines(q, [other, names], "sv")
    about = passage(
        "The Entry/Exit System shall start operations on 12 October 2025 at the external "
        "borders.", n=1, heading="Article 9",
    )
    assert not declines(q, [about], "sv")
    # the passage naming it is enough: a sentence may say "the system" for it
    about_it = passage(
        "This Article concerns the Entry/Exit System. The system shall start operations on "
        "12 October 2025.", n=2, heading="Article 10",
    )
    assert not declines(q, [about_it], "sv")


@pytest.mark.parametrize(
    ("question", "currency"),
    [
        ("Hur många kronor fick projektet?", "SEK"),
        ("How many euros did the project get?", "EUR"),
        ("Hur mycket är det i svenska kronor?", "SEK"),
        ("Hur mycket fick projektet?", None),
        ("Hur många euro eller kronor fick projektet?", None),  # two: no one currency asked
    ],
)
def test_the_currency_a_question_asks_in(question: str, currency: str | None) -> None:
    assert asked_currency(question) == currency


def test_a_sum_asked_in_one_currency_is_not_answered_in_another_or_by_a_share() -> None:
    eur = passage("The project received EUR 2 000 000 for the return liaison officers.")
    q = "Hur många kronor fick projektet för sambandsmännen?"
    assert declines(q, [eur], "sv")
    assert not declines("Hur många euro fick projektet för sambandsmännen?", [eur], "sv")
    sek = passage("Projektet fick 18 miljoner kronor för sambandsmännen.", lang="sv")
    assert not declines(q, [sek], "sv")
    share = passage("At least 10 % of the allocation went to the return liaison officers.")
    assert declines("Hur många euro fick projektet för sambandsmännen?", [share], "sv")


def test_the_check_names_what_is_missing_and_can_be_switched_off(monkeypatch) -> None:
    q = "Hur mycket pengar får Sverige ur fonden för perioden?"
    ps = [passage(TOTAL)]
    assert missing_subject(q, "amount", score_units(q, ps, "sv"), ps) == ["Sverige"]
    assert declines(q, ps, "sv") == Decline("other_subject", "Sverige")
    monkeypatch.setattr(declining, "ANCHORED", False)
    assert not declines(q, ps, "sv")


def test_the_quote_for_a_countrys_sum_is_the_one_about_that_country() -> None:
    # the sentence sharing most words names no country; the table row keyed "NO" is Norway's
    sentence = passage(
        "The Member States shall receive an additional basic allocation of EUR 96 500 000 for "
        "their programmes."
    )
    table = passage(
        "| Member State | Minimum amount | TOTAL |\n|---|---|---|\n"
        "| FI | 5 000 000 | 37 000 000 |\n| NO | 5 000 000 | 14 317 819 |",
        heading="Annex I (in EUR)", n=1,
    )
    q = "Hur stort var Norges sammanlagda grundbelopp för de nationella programmen?"
    draft = A.extractive_answer(q, [sentence, table], "sv")
    first = next(line for line in draft.text.splitlines() if line.startswith("> "))
    assert "| NO |" in first
    monkey = A.Q.SUBJECT_MISMATCH
    try:  # without the check, the sentence about all Member States leads
        A.Q.SUBJECT_MISMATCH = 1.0
        draft = A.extractive_answer(q, [sentence, table], "sv")
        first = next(line for line in draft.text.splitlines() if line.startswith("> "))
        assert "| NO |" not in first
    finally:
        A.Q.SUBJECT_MISMATCH = monkey


def test_a_count_is_answered_only_by_a_number_of_the_thing_counted() -> None:
    """ "Hur många ledamöter …?" is not answered by "16 procent" nor by the number of another
    thing; the counted noun is read in either language, its plural too ("members" over
    "ledamöter", "ledamöter" over "members")."""
    q = "Hur många ledamöter har insynsrådet?"
    council = passage("Vid myndigheten ska det finnas ett insynsråd som består av högst "
                      "16 ledamöter.", lang="sv")
    assert not declines(q, [council], "sv")
    noun = counted(q)
    assert noun is not None and noun.label == "ledamöter"
    english = passage("The advisory council shall consist of at least 16 members.")
    unit = sentence_units(0, english.chunk.text)[0]
    assert named_by([noun], "count", english, unit, [unit]) == {"ledamöter"}
    members = counted("How many members does the advisory council have?")
    assert members is not None
    unit = sentence_units(0, council.chunk.text)[0]
    assert named_by([members], "count", council, unit, [unit]) == {"members"}
    other = passage("Vid myndigheten ska det finnas ett insynsråd som sammanträder 16 gånger "
                    "per år i 3 regioner.", lang="sv")
    assert declines(q, [other], "sv")
    # the noun follows "hur många procent" too: a share of something else is no answer
    share = passage("At least 10 % of the initial allocation shall be paid back.")
    assert declines("Hur många procent ränta ska betalas på återkravet?", [share], "sv")
    # without the rule the other number would be quoted as the answer
    A_off = pytest.MonkeyPatch()
    A_off.setattr("assistant.anchoring.COUNTED_NOUN", False)
    try:
        assert not declines(q, [other], "sv")
    finally:
        A_off.undo()


def test_numbers_of_a_list_of_references_and_sums_of_money_count_nothing() -> None:
    from assistant.answer_types import find_spans

    text = "To achieve the objectives referred to in paragraphs 1 and 2, the Fund shall act."
    assert find_spans(text, ("number",)) == []
    # nor does a sum of money: it is no number of Member States
    money = "EUR 1 551 million shall be allocated to the Member States; 3 miljoner kronor."
    assert find_spans(money, ("number",)) == []
    assert [x.text for x in find_spans("Rådet har 15 ledamöter.", ("number",))] == ["15"]


def test_a_time_asked_about_a_country_is_one_stated_for_it_or_for_the_member_states(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "Vilket år granskades Sverige senast?" is not answered by the year a practice began;
    a time the Member States must keep, or one stated for Sweden, answers it."""
    from assistant import anchoring

    q = "Vilket år granskades Sverige senast?"
    began = passage("Peer reviews of the border area have been carried out since 1998.")
    assert declines(q, [began], "sv")
    names_it = passage("Sweden was last reviewed in 2023.")
    assert not declines(q, [names_it], "sv")
    must = passage("Member States shall submit the review report by 15 February 2027.")
    assert not declines("När ska Sverige lämna in rapporten?", [must], "sv")
    monkeypatch.setattr(anchoring, "TIMED", False)
    assert not declines(q, [began], "sv")


def test_a_counted_compound_no_dictionary_lists_is_read_by_its_parts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "handflatsavtryck" is in no dictionary, "handflata" (palm) is: "up to 2 palm images"
    counts what the question counts; read as the word alone, nothing in the unit names it."""
    from assistant import anchoring

    q = "Om det inte går att ta fingeravtryck, hur många handflatsavtryck får vi lägga in?"
    images = passage("The alert may contain up to 2 palm images of the person concerned.")
    unit = sentence_units(0, images.chunk.text)[0]
    noun = counted(q)
    assert noun is not None and noun.label == "handflatsavtryck"
    assert named_by([noun], "count", images, unit, [unit]) == {"handflatsavtryck"}
    assert anchoring._compound_senses("handflatsavtryck") == ["palm"]
    assert anchoring._compound_senses("polisbilar")[:1] == ["police"]
    monkeypatch.setattr(anchoring, "_compound_senses", lambda _w: [])
    alone = counted(q)
    assert alone is not None
    assert named_by([alone], "count", images, unit, [unit]) == set()


def test_a_number_word_before_the_counted_noun_counts_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "up to two palm images" says how many "handflatsavtryck", and "one body" how many
    "organ": a number word counts where the noun it stands before is the one the question
    counts. Before another noun ("two Member States") it counts nothing the question asks."""
    from assistant import anchoring
    from assistant.answer import extractive_answer

    q = "Om det inte går att ta fingeravtryck, hur många handflatsavtryck får vi lägga in?"
    text = "Where fingerprints cannot be taken, the alert may hold up to two palm images."
    noun = counted(q)
    assert noun is not None
    assert [s.text for s in anchoring.counted_words(text, noun)] == ["two palm images"]
    assert anchoring.counted_words("It needs two Member States and one body having …", noun) == []
    organ = counted("Hur många organ får ett land utse?")
    assert organ is not None
    assert [s.text for s in anchoring.counted_words("It shall designate one body having it.", organ)] == ["one body"]
    sv = "Om fingeravtryck inte kan tas får vi lägga in högst två handflatsavtryck i signaleringen."
    answer = extractive_answer(q, [passage(sv, lang="sv")], "sv").text
    assert "Kort svar: högst två handflatsavtryck" in answer
    monkeypatch.setattr(anchoring, "COUNTED_WORDS", False)
    # the bound alone still makes "högst två" a count (`answer_types`), not one of the noun
    assert "Kort svar: högst två handflatsavtryck" not in extractive_answer(
        q, [passage(sv, lang="sv")], "sv"
    ).text


def test_a_number_word_after_a_bound_is_a_count() -> None:
    """ "at least two independent entities", "högst tre ledamöter": a count written in words,
    which a question for a number is answered by and is not declined for want of digits. A
    number word without a bound ("one of the Member States"), "at least one", a share ("up to
    ten per cent") and a time ("upp till tre månader") count nothing."""
    from assistant.answer_types import find_spans

    def counts(text: str) -> list[str]:
        return [s.text for s in find_spans(text, ("number",))]

    assert counts("a consortium of at least two independent entities, at least one of which") == [
        "at least two"
    ]
    assert counts("Kommittén har högst tre ledamöter.") == ["högst tre"]
    assert counts("no fewer than five Member States") == ["no fewer than five"]
    assert counts("one of the Member States") == []
    assert counts("at least one Member State is a member") == []
    assert counts("up to ten per cent of the allocation") == []
    assert counts("utstationerades i upp till tre månader") == []
    q = "Hur många parter måste ingå i ett konsortium?"
    rule = passage(
        "Entities in third countries shall participate as part of a consortium composed of "
        "at least two independent entities."
    )
    assert not declines(q, [rule], "sv")
    answer = A.extractive_answer(q, [rule], "sv")
    assert answer.short_answer is not None and answer.short_answer.text.startswith("at least two")
    # where the question names what it counts, the count keeps its noun
    q = "Hur många länder måste minst vara med i samarbetet?"
    coop = passage("Setting up cooperation between at least two Member States is supported.")
    answer = A.extractive_answer(q, [coop], "sv")
    assert answer.short_answer is not None
    assert answer.short_answer.text == "at least two Member States"
