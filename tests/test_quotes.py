"""Quote choice: what kind of fact a question asks for, where it stands, and which unit is quoted."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.answer import extractive_answer
from assistant.answer_types import asked_kind, asks_two, fact_key, find_spans
from assistant.asking import asked_sentence
from assistant.declining import declines, unmatched_names
from assistant.documents import Chunk, Passage
from assistant.evaluation.metrics import quote_in_text
from assistant.leanings import asks_condition, asks_negative
from assistant.units import clean_quote, points_back, sentence_units


def passage(text: str, *, doc_id: str = "doc", section: str = "1 §", lang: str = "sv",
            n: int = 0, heading: str | None = None, **meta: Any) -> Passage:
    meta.setdefault("title", f"Titel {doc_id}")
    chunk = Chunk(
        chunk_id=f"{doc_id}#{section}#{n}", doc_id=doc_id, text=text, section=section,
        heading_path=heading or section, start=0, end=len(text),
        metadata={"language": lang, **meta},
    )
    return Passage(chunk, score=1.0 / (n + 1), dense_score=0.9)


def quoted(question: str, passages: list[Passage], lang: str) -> list[str]:
    """The quote lines of the extractive answer, in order."""
    text = extractive_answer(question, passages, lang).text
    return [line for line in text.splitlines() if line.startswith("> ")]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Hur mycket kan vi få i medfinansiering från BMVI?", "amount"),
        ("Hur stor andel får gå till driftsstöd?", "share"),
        ("Hur länge måste vi spara verifikationer?", "duration"),
        ("Upp till vilken ålder är inträdet gratis?", "duration"),
        ("Up to what age is entry free?", "duration"),
        ("När ska årsrapporten vara inne?", "time"),
        ("Vem beslutar om stöd i BMVI?", "actor"),
        ("Vilken myndighet är revisionsmyndighet?", "actor"),
        ("Enligt vilken artikel ska vi ha en strategi?", "ref"),
        ("How many Member States take part?", "count"),
        # a weight in a distribution key is a share or a coefficient, not a sum of money
        ("När medlen fördelas – hur tungt väger befolkningen?", "weight"),
        ("Hur mycket vägde antalet nekade inresor i fördelningen?", "weight"),
        ("How much weight does the length of the border carry?", "weight"),
        # a number of a currency is an amount, and so is "how expensive"
        ("Hur dyrt får projektet bli?", "amount"),
        # a question word outranks a bare noun; one inside a clause of its own ranks last
        ("Hur mycket kostade antalet ansökningar?", "amount"),
        ("Hur stor andel av bidraget beror på hur många ansökningar som kommer in?", "share"),
        ("Hur många euro går till de nationella programmen?", "amount"),
        ("How many euros went to the thematic facility?", "amount"),
        ("Hur många miljoner kronor fick projektet?", "amount"),
        # a figure asked for in a currency is a sum of money
        ("Vad är dagtraktamentet i euro för experterna?", "amount"),
        ("How many hours make a working year?", "length"),
        # "när" as a conjunction asks for no time; a later interrogative is the main question
        ("Ska personnummer följa med när vi delar uppgifter?", None),
        ("When the Police reports an irregularity, who must be told?", "actor"),
        # an indirect question inside a clause that asks for a kind itself is no main question
        ("By what date must the Authority tell the Ministry how many were refused?", "date"),
        ("Senast när ska myndigheten berätta för departementet hur många som nekades?", "time"),
        # … but one whose clause asks with a word that names no kind still counts
        ("När pengarna delas ut, hur viktigt är det hur stort landet är?", "amount"),
        ("Who heads the centre and what's its phone number?", "contact"),
        # "vilka" before a modal verb asks who; before a noun it asks which things
        ("Vilka ska underrättas om en oriktighet?", "actor"),
        ("Vilka kostnader får tas med?", None),
        ("Vilka EU-byråer ska samarbetet öka med?", "actor"),
        ("Vilka åtgärder är inte stödberättigande i ISF?", None),
        # "vad är" asks for an amount when what it asks about is one, as "what is the budget"
        ("Vad är den totala budgetramen för fonden?", "amount"),
        ("Vad är det samlade beloppet för Sverige?", "amount"),
        ("Vad är syftet med fonden?", None),
        ("Vad var Sveriges totala grundbelopp för programmet?", "amount"),
        ("Vad var skälet till att beloppet sänktes?", None),
        # more of the ways people ask for a quantity or a time, in both languages
        ("Inom vilken tid ska rapporten lämnas?", "duration"),
        ("Hur ofta ska strategin ses över?", "frequency"),
        ("How often must the picture be updated?", "frequency"),
        ("Från och med när gäller förordningen?", "time"),
        # a date asked for as a date: a year alone does not say it
        ("Från och med vilket datum gäller de extra pengarna?", "date"),
        ("On what date does the system start operating?", "date"),
        # a year asked for as a year: a date without one ("1 July") does not say it
        ("Vilket år ska målen vara nådda?", "year"),
        # how much time: a duration, not a sum
        ("Hur mycket extra tid kan de begära som mest?", "duration"),
        ("How much more time may they ask for?", "duration"),
        ("Rapporterna ska skickas in varje år – vilket är sista året?", "year"),
        ("In what year must the targets be met?", "year"),
        ("Vilka myndigheter var med och tyckte till när strategin togs fram?", "actor"),
        ("Vilken medlemsstat ansvarar för kontrollen?", "actor"),
        ("Which country hosts the liaison officer?", "actor"),
        ("Vad är medfinansieringsgraden?", "share"),
        ("I vilken grad ska de samarbeta?", None),
        ("Vilket högsta belopp får betalas ut?", "amount"),
        ("Vad uppgår anslaget till?", "amount"),
        ("What is the total financial envelope for the Fund?", "amount"),
        # which years: a span of years (or of dates) answers, not one year
        ("Vilka år omfattar kommissionens policycykel?", "period"),
        ("Vilken period gäller strategin?", "period"),
        ("For which years was the project funded?", "period"),
        # how long before another thing: a time; how far away: a distance
        ("Hur långt före frigivningen ska myndigheten underrättas?", "duration"),
        ("How far in advance must the visit be announced?", "duration"),
        ("Hur långt från gränsen får kamerorna sitta?", "distance"),
        ("How far from the border may the checks be carried out?", "distance"),
        ("Hur långt har arbetet med strategin kommit?", None),
        # a Swedish compound that ends in the word for an authority
        ("Vilken annan polismyndighet har direktåtkomst till registret?", "actor"),
        ("Vilken tillsynsmyndighet granskar behandlingen?", "actor"),
    ],
)
def test_asked_kind_reads_the_interrogative(question: str, kind: str | None) -> None:
    assert asked_kind(question) == kind


def test_negative_questions_are_recognised() -> None:
    assert asks_negative("Vilka kostnader är inte stödberättigande?")
    assert asks_negative("Which costs are ineligible?")
    assert not asks_negative("Vilka kostnader är stödberättigande?")


def test_spans_are_found_and_references_are_not_counts() -> None:
    text = (
        "Bidraget får uppgå till 75 % enligt artikel 12, högst EUR 1 234 567, i tio år från den "
        "31 december 2027; se förordning (EU) 2021/1149 och 1 720 timmar."
    )
    kinds = ("percent", "amount", "date", "duration", "number")
    found = {(s.kind, s.text) for s in find_spans(text, kinds)}
    assert ("percent", "75 %") in found
    assert ("amount", "EUR 1 234 567") in found
    assert ("date", "31 december 2027") in found
    assert ("duration", "tio år") in found
    # "12" (an article), "2021/1149" (an act) and the year are not answers to "how many"
    numbers = {t for k, t in found if k == "number"}
    assert "12" not in numbers and "2021" not in numbers and "1149" not in numbers


def test_durations_in_days_and_nights_hours_and_number_words_are_spans() -> None:
    text = "Kvarhållandet får vara högst tre dygn, förhöret en timme, beslutet gäller fjorton dagar."
    found = [x.text for x in find_spans(text, ("duration",))]
    assert found == ["tre dygn", "en timme", "fjorton dagar"]
    assert [x.text for x in find_spans("within one hour", ("duration",))] == ["one hour"]
    # calendar days are days
    assert [x.text for x in find_spans("up to 12 calendar days", ("duration",))] == [
        "12 calendar days"
    ]
    assert [x.text for x in find_spans("inom tio kalenderdagar", ("duration",))] == [
        "tio kalenderdagar"
    ]


def test_amounts_in_base_amounts_and_shares_in_words_are_spans() -> None:
    """Swedish statutes state amounts in price base amounts and sometimes shares in words."""
    text = "Avgiften är högst fem prisbasbelopp, eller ett halvt prisbasbelopp, och tio procent."
    found = {(s.kind, s.text) for s in find_spans(text, ("amount", "percent"))}
    assert found == {("amount", "fem prisbasbelopp"), ("amount", "ett halvt prisbasbelopp"),
                     ("percent", "tio procent")}


def test_a_number_word_without_a_scale_is_no_amount() -> None:
    assert find_spans("Det kostar sex euro per dag.", ("amount",)) == []


def test_hard_line_breaks_inside_a_sentence_are_joined() -> None:
    text = "Strategin gäller för perioden 2024-2027, som\nregeringen beslutade i juni.\n\nNästa stycke."
    units = sentence_units(0, text)
    assert [clean_quote(u.text) for u in units] == [
        "Strategin gäller för perioden 2024-2027, som regeringen beslutade i juni.",
        "Nästa stycke.",
    ]
    assert text[units[0].start : units[0].end] == units[0].text


def test_a_table_row_is_quoted_with_its_header() -> None:
    table = "| Land | Belopp |\n|---|---|\n| Sverige | 11 518 706 |\n| Norge | 5 000 |"
    draft = extractive_answer("Hur mycket fick Sverige i belopp?", [passage(table)], "sv")
    assert draft.citations
    quote = draft.citations[0].quote
    assert quote.startswith("| Land | Belopp | … | Sverige | 11 518 706 |")


def test_the_sentence_with_the_asked_fact_is_quoted_first() -> None:
    # The example: the time is in the sentence before "Gallra inte …".
    p = passage(
        "Alla handlingar ska finnas tillgängliga för kontroll. Huvudregeln är fem år räknat från "
        "den 31 december det år då den sista betalningen gjordes. Gallra inte projektakter innan "
        "den tiden har gått.",
        heading="Hur länge handlingar sparas",
    )
    filler = passage(
        "Vilken form av stöd som gäller styr vilka verifikationer du behöver.",
        doc_id="other", n=1,
    )
    draft = extractive_answer("Hur länge måste vi spara verifikationer och projektakter?",
                              [p, filler], "sv")
    lines = draft.text.splitlines()
    # "fem år" alone would leave out what the time counts from: the quote says it whole
    assert draft.short_answer is None
    assert lines[1].startswith("> Huvudregeln är fem år")


def test_amount_and_actor_questions_get_different_answers() -> None:
    ps = [
        passage("BMVI är instrumentet för gränsförvaltning och viseringspolitik.", n=0),
        passage("EU betalar som mest 75 procent av de stödberättigande utgifterna i BMVI.",
                doc_id="b", n=1),
        passage("Beslut om stöd i BMVI meddelas av Polismyndigheten.", doc_id="c", n=2),
    ]
    much = extractive_answer("Hur mycket kan vi få i medfinansiering från BMVI?", ps, "sv")
    who = extractive_answer("Vem beslutar om stöd i BMVI?", ps, "sv")
    assert much.short_answer is not None and much.short_answer.text == "som mest 75 procent"
    assert who.short_answer is not None and who.short_answer.text == "Polismyndigheten"
    assert much.text != who.text


def test_several_bodies_in_one_sentence_give_no_short_answer() -> None:
    p = passage("Regeringen ger Migrationsverket i uppdrag att efter samråd med "
                "Polismyndigheten placera sambandsmän.")
    draft = extractive_answer("Vilken myndighet fick uppdraget att placera sambandsmän?", [p], "sv")
    assert draft.citations and draft.short_answer is None


def test_a_list_of_bodies_is_one_short_answer() -> None:
    p = passage("Strategin togs fram efter samråd med Kustbevakningen, Migrationsverket, "
                "Tullverket och Kriminalvården.")
    draft = extractive_answer("Vilka myndigheter deltog i samrådet om strategin?", [p], "sv")
    assert draft.short_answer is not None
    assert draft.short_answer.text == "Kustbevakningen, Migrationsverket, Tullverket och Kriminalvården"


def test_a_swedish_asker_reads_the_swedish_source_first_when_both_say_it() -> None:
    en = passage("The contribution shall not exceed 75 % of eligible expenditure.", lang="en",
                 doc_id="en", n=0, title="Regulation (EU) 2021/1149 on the Fund")
    sv = passage("Bidraget från EU får inte överstiga 75 % av de stödberättigande utgifterna.",
                 doc_id="sv", n=1)
    draft = extractive_answer("Hur stor andel av utgifterna får EU-bidraget vara?", [en, sv], "sv")
    assert draft.citations[0].doc_id == "sv"


@pytest.mark.parametrize(
    ("question", "english", "swedish"),
    [
        ("Hur stor andel av de stödberättigande utgifterna får EU-bidraget vara?",
         "The contribution from the Union budget shall not exceed 75 % of the total eligible "
         "expenditure for a project.",
         "EU-bidraget får vara högst 75 procent av de stödberättigande utgifterna."),
        ("Vilken artikel säger att medlemsstaterna måste anta en nationell strategi?",
         "Member States shall adopt a national strategy for integrated border management, "
         "in line with the multiannual policy (Article 8(1)).",
         "Medlemsstaterna ska anta en nationell strategi (artikel 8.1)."),
        ("När ska medlemsstaterna lämna in årsrapporten?",
         "Member States shall submit the annual performance report to the Commission by "
         "15 February 2023.",
         "Medlemsstaterna ska lämna in årsrapporten senast den 15 februari 2023."),
    ],
)
def test_the_same_fact_written_in_each_language_counts_as_the_same(
        question: str, english: str, swedish: str) -> None:
    # "75 %" / "75 procent", "Article 8(1)" / "artikel 8.1", "1 July" / "1 juli": a Swedish asker
    # reads the Swedish source first, although the two spans are not written alike.
    en = passage(english, lang="en", doc_id="en", n=0, title="Regulation (EU) 2021/1149")
    sv = passage(swedish, doc_id="sv", n=1)
    kinds = ("percent", "ref", "date")
    assert {fact_key(s) for s in find_spans(english, kinds)} == {
        fact_key(s) for s in find_spans(swedish, kinds)}
    draft = extractive_answer(question, [en, sv], "sv")
    assert draft.citations[0].doc_id == "sv", draft.text


def test_a_short_list_item_with_the_fact_and_the_topic_is_no_fragment() -> None:
    # "17 % för flygplatser." is short, but it holds the share asked for and the word asked
    # about: it is the answer, not a fragment to be pushed below its longer neighbours.
    p = passage("Resten ska fördelas mellan medlemsstaterna enligt följande kriterier för de "
                "olika typerna av gränser:\n- 45 % för yttre landgränser och sjögränser;\n"
                "- 38 % för yttre landgränser;\n- 17 % för flygplatser.")
    draft = extractive_answer("Hur stor andel av medlen gick till flygplatserna?", [p], "sv")
    assert draft.short_answer is not None and draft.short_answer.text == "17 %", draft.text


def test_different_facts_are_not_taken_for_the_same() -> None:
    keys = {fact_key(s) for s in find_spans(
        "artikel 8.1, artikel 81, 75 procent, 7,5 procent, 1 juli 2022, 1 juni 2022, "
        "Statskontoret, Polismyndigheten", ("ref", "percent", "date", "authority"))}
    assert len(keys) == 8


def test_a_negative_question_prefers_the_sentence_that_excludes() -> None:
    p = passage(
        "Kostnader för utbildning kan vara stödberättigande. Kostnader för mark är inte "
        "stödberättigande. Kostnader för resor kan vara stödberättigande."
    )
    draft = extractive_answer("Vilka kostnader är inte stödberättigande?", [p], "sv")
    assert draft.text.splitlines()[1] == "> Kostnader för mark är inte stödberättigande. [1]"


def test_the_context_before_a_question_weighs_less() -> None:
    q = "En stödmottagare ska betala tillbaka stöd med ränta. Kan vi sätta ned räntan?"
    assert asked_sentence(q) == "Kan vi sätta ned räntan?"
    # context and question in one sentence, after a dash; a dash inside the question is no split
    dash = "Vid fördelningen viktades gränstyperna olika – hur stor andel gick till flygplatserna?"
    assert asked_sentence(dash) == "hur stor andel gick till flygplatserna?"
    aside = "Hur stor andel – ungefär – får gå till driftsstöd?"
    assert asked_sentence(aside) == aside
    p = passage(
        "Om en stödmottagare är återbetalningsskyldig ska stödet betalas tillbaka med ränta. "
        "Räntan får sättas ned om det finns särskilda skäl."
    )
    draft = extractive_answer(q, [p], "sv")
    assert draft.text.splitlines()[1].startswith("> Räntan får sättas ned")


def test_declines_a_year_or_fund_that_no_document_mentions() -> None:
    p = passage("Programmet för 2021-2027 finansieras av ISF.", title="ISF-programmet")
    assert unmatched_names("Vad gällde för ISF 2024?", [p]) == []  # inside the period
    assert unmatched_names("Vad gällde för ISF 2016?", [p]) == ["2016"]
    assert unmatched_names("Hur mycket gick till AMIF?", [p]) == ["AMIF"]
    # a name the document spells out ("Asylum, Migration and Integration Fund") counts
    p2 = passage("Support from the Asylum, Migration and Integration Fund.", lang="en")
    assert unmatched_names("What about AMIF?", [p2]) == []


def test_an_abbreviation_no_document_uses_and_the_glossary_does_not_know_is_not_covered() -> None:
    from assistant.declining import unknown_acronyms

    used = {"ncc", "stöd", "bmvi"}.__contains__
    assert unknown_acronyms("Är VAT stödberättigande i BMVI?", used) == ["VAT"]
    assert unknown_acronyms("Vad gör NCC?", used) == []  # the documents use it
    # the glossary knows EUROSUR: whether its documents are there is `unmatched_names`' call
    assert unknown_acronyms("Vad är EUROSUR?", used) == []
    assert unknown_acronyms("vad kostar det?", used) == []  # no abbreviation at all
    # a Swedish abbreviation the dictionary lists is a common word (BNP: GNP), not a name the
    # documents leave out; one it does not list still is
    assert unknown_acronyms("Hur vägs BNP per capita in?", used) == []
    assert unknown_acronyms("Hur länge sparar IMY resultaten?", used) == ["IMY"]
    # an abbreviation joined to a word qualifies it ("ANPR-kamerorna": cameras of a kind)
    assert unknown_acronyms("Hur länge sparas data från ANPR-kamerorna?", used) == []
    assert unknown_acronyms("Hur länge sparar ANPR data?", used) == ["ANPR"]


def test_declines_a_number_question_when_no_passage_holds_a_number() -> None:
    p = passage("Polismyndigheten beslutar om stöd i BMVI.")
    assert declines("Hur mycket får vi i stöd från BMVI?", [p], "sv")
    assert not declines("Vem beslutar om stöd i BMVI?", [p], "sv")


def test_a_clause_of_context_before_the_asked_sentence_does_not_decide_the_asked_kind() -> None:
    # "När X fördelades – hur tungt vägde Y?" asks how much weight, not when: the units are
    # scored for the asked sentence after the dash, and the decline check reads the same kind.
    from assistant.declining import missing_kind
    from assistant.quotes import score_units

    p = passage(
        "Avsnitt med hög hotnivå viktas med koefficienten fem vid fördelningen av medlen.",
        lang="sv",
    )
    q = "När medlen fördelades efter hotnivå mellan länderna – hur tungt vägde ett avsnitt?"
    assert not missing_kind(q, score_units(q, [p], "sv", lambda s: 1.0))
    assert not declines(q, [p], "sv")
    # the same fact asked for as a time is still declined when no unit holds one
    assert declines("När fördelades medlen efter hotnivå mellan länderna?", [p], "sv")


def test_a_yes_no_question_is_not_declined_for_want_of_the_kind_its_relative_clause_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "Finns det en indikator som mäter hur många …?" asks whether there is one: "hur många"
    stands in a relative clause about the indicator, so a passage without a number answers it.
    "Kan du säga hur många …?" and "Finns det ett tak för hur mycket …?" still ask the figure."""
    from assistant import asking
    from assistant.asking import asks_yes_no

    p = passage(
        "Indikatorn antal resenärer som passerar gränsen via automatiska spärrar följs upp årligen.",
        lang="sv",
    )
    q = "Finns det någon indikator som mäter hur många resenärer som passerar via automatiska spärrar?"
    assert asks_yes_no(q)
    assert asks_yes_no("Is there an indicator that measures how many travellers cross the border?")
    assert not asks_yes_no("Kan du säga hur många resenärer som passerar?")
    assert not asks_yes_no("Finns det ett tak för hur mycket vi får använda?")
    assert not asks_yes_no("Hur många resenärer passerar, och finns det en indikator?")
    assert not declines(q, [p], "sv")
    assert declines("Kan du säga hur många resenärer som passerar via automatiska spärrar?", [p], "sv")
    monkeypatch.setattr(asking, "YES_NO", False)
    assert declines(q, [p], "sv")


def test_a_decline_says_what_is_missing_in_the_askers_language() -> None:
    """ "Hur mycket …?" over passages without an amount is declined as `missing_fact` and the
    asker reads what the passages lack; an abbreviation no document uses is named; weak
    evidence gets no such sentence (the pipeline's own checks say only `weak_match`)."""
    from assistant.declining import Decline
    from assistant.texts import decline_reason

    p = passage("Stödmottagaren ska rapportera till den förvaltande myndigheten varje år.")
    d = declines("Hur mycket stöd får stödmottagaren?", [p], "sv")
    assert d == Decline("missing_fact", "amount") and str(d) == "missing_fact: amount"
    assert decline_reason(d.code, d.detail, "sv") == (
        " De avsnitt som ligger närmast frågan anger inte något belopp."
    )
    assert decline_reason("missing_fact", "date", "en") == (
        " The passages closest to the question do not state a date."
    )
    used = lambda s: s in {"rapport"}  # noqa: E731
    d = declines("Hur rapporterar stödmottagaren till XYZQ?", [p], "sv", used=used)
    assert d == Decline("unknown_abbreviation", "XYZQ")
    assert "Förkortningen XYZQ förekommer inte" in decline_reason(d.code, d.detail, "sv")
    assert decline_reason("other_fund", "BMVI", "sv") == (
        " De avsnitt som ligger närmast frågan gäller en annan fond än BMVI."
    )
    assert decline_reason("other_subject", "Sverige", "en") == (
        " The passages closest to the question are not about Sverige."
    )
    assert decline_reason("weak_match", "", "sv") == ""
    assert declines("Hur rapporterar stödmottagaren?", [p], "sv") is None


def test_a_fund_is_named_whatever_the_punctuation() -> None:
    from assistant.glossary_terms import funds_named

    assert funds_named("the Asylum, Migration and Integration Fund") == {"AMIF"}
    assert funds_named("Asyl-, migrations- och integrationsfonden") == {"AMIF"}


def test_declines_a_figure_for_one_fund_that_only_a_document_about_another_fund_gives() -> None:
    """The ISF regulation's sums do not say what Sweden got from BMVI; a document about
    BMVI, one that names no fund, or a sentence that names BMVI itself may answer."""
    text = (
        "The Border Management and Visa Instrument is a separate instrument. A one-time fixed "
        "amount of EUR 8 000 000 shall be allocated to each Member State."
    )
    isf = passage(
        text, lang="en", title="Regulation (EU) 2021/1149 establishing the Internal Security Fund"
    )
    question = "Hur mycket pengar har Sverige tilldelats från BMVI?"
    assert declines(question, [isf], "sv")
    assert not declines("Hur mycket pengar har Sverige tilldelats från ISF?", [isf], "sv")
    assert not declines(question, [passage(text, lang="en", title="Regulation 2021/1148")], "sv")
    bmvi = passage(text, lang="en", title="Regulation", fund="BMVI")
    assert not declines(question, [bmvi], "sv")
    names_it = passage(
        "From the Border Management and Visa Instrument each Member State receives EUR 8 000 000.",
        lang="en", title="Regulation (EU) 2021/1149 establishing the Internal Security Fund",
    )
    assert not declines(question, [names_it], "sv")


def test_a_passage_about_no_fund_answers_for_a_fund_only_where_it_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A document about no fund (the police instruction, a press release) gives a BMVI fact
    only in a passage that names BMVI: a date in it about something else says nothing about
    when a BMVI call closes."""
    question = "När stänger nästa BMVI-utlysning hos Polismyndigheten?"
    title = "Förordning med instruktion för Polismyndigheten"
    # the second passage names BMVI (the question's names are in the documents) but no date
    bmvi = passage("Polismyndigheten förvaltar BMVI.", title=title, section="2 §")
    other = passage("Polismyndigheten ska senast den 1 mars redovisa sina utlysningar.",
                    title=title)
    assert declines(question, [other, bmvi], "sv")
    names_it = passage("Ansökningar om stöd ur BMVI ska ha kommit in senast den 1 mars.",
                       title=title)
    assert not declines(question, [names_it, bmvi], "sv")
    # without the rule, any passage of a document about no fund could answer
    monkeypatch.setattr("assistant.declining.FUNDLESS_NAMES", False)
    assert not declines(question, [other, bmvi], "sv")


def test_a_code_written_with_a_leading_zero_is_no_count() -> None:
    """ "| 015 | OC-Trafficking in human beings |" is a code in a table of intervention
    fields: it does not say how many members a committee has."""
    table = "| 015 | OC-Trafficking in human beings |"
    assert find_spans(table, ("number",)) == []
    assert [x.text for x in find_spans("Rådet har 15 ledamöter.", ("number",))] == ["15"]
    question = "Hur många ledamöter sitter i övervakningskommittén?"
    assert declines(question, [passage(table, lang="en", title="Regulation")], "sv")


def test_a_section_headed_by_one_fund_does_not_answer_for_another() -> None:
    # An overview of three funds (metadata ISF, BMVI, AMIF) states ISF's rates under the heading
    # "Medfinansiering i ISF": its figures do not answer a question about AMIF, while a section
    # heading that names no fund leaves the document's funds in force.
    title = "Fonderna i korthet"
    rates = "Medfinansieringsgraden för driftsstöd är 100 procent."
    isf = passage(rates, title=title, fund="ISF,BMVI,AMIF",
                  heading=f"{title} › Medfinansiering i ISF › Högre andelar")
    q = "Vilken medfinansieringsgrad gäller för ett AMIF-projekt?"
    assert declines(q, [isf], "sv")
    assert not declines("Vilken medfinansieringsgrad gäller för ett ISF-projekt?", [isf], "sv")
    plain = passage(rates, title=title, fund="ISF,BMVI,AMIF",
                    heading=f"{title} › Högre andelar")
    assert not declines(q, [plain], "sv")


def test_the_day_of_a_date_and_a_version_number_count_nothing() -> None:
    count = ("number", "percent", "amount")
    text = "The project ran from 1 January 2020 to 31 December 2022 and used CIRAM 2.0."
    assert find_spans(text, count) == []
    assert [x.text for x in find_spans("Den 5 maj reste 12 sambandsmän.", count)] == ["12"]
    p = passage(text, lang="en")
    assert declines("Hur många utvisningar verkställdes tack vare projektet?", [p], "sv")
    twelve = passage("Tack vare projektet verkställdes 12 utvisningar.")
    assert not declines("Hur många utvisningar verkställdes?", [twelve], "sv")


def test_a_duration_in_its_adjectival_form_is_one_and_rivals_the_other() -> None:
    """ "90 days in any 180-day period": two durations, so the quote answers whole."""
    text = "Stays shall not exceed 90 days in any 180-day period."
    spans = find_spans(text, ("duration", "date", "year"))
    assert [x.text for x in spans] == ["90 days", "180-day"]
    p = passage(text, lang="en", title="Regulation")
    draft = extractive_answer("How long may a stay last?", [p], "en")
    assert draft.short_answer is None and "90 days in any 180-day period" in draft.text


def test_a_title_line_without_markup_is_no_part_of_the_sentence_below() -> None:
    """Text from PDF or HTML: "Den nya strategin" above "Regeringen har …" is a title; a short
    line that goes on ("… samråd med" / "Kustbevakningen …") is not."""
    text = (
        "Den nya strategin\nRegeringen har beslutat om en ny strategi som gäller\n2024-2027. "
        "Polismyndigheten samrådde med\nKustbevakningen och Tullverket.\nEnligt den\nska "
        "Frontex ta fram en strategi."
    )
    units = [(u.kind, u.text.replace("\n", " ")) for u in sentence_units(0, text)]
    assert units == [
        ("heading", "Den nya strategin"),
        ("sentence", "Regeringen har beslutat om en ny strategi som gäller 2024-2027."),
        ("sentence", "Polismyndigheten samrådde med Kustbevakningen och Tullverket."),
        ("sentence", "Enligt den ska Frontex ta fram en strategi."),
    ]


def test_bare_numbers_in_a_table_whose_caption_names_the_currency_are_amounts() -> None:
    table = (
        "| MS | Minimum | Total |\n|---|---|---|\n| SE | 5 000 000 | 11 518 706 |\n"
        "| SI | 5 000 000 | 30 664 835 |"
    )
    question = "Vad var Sveriges totala grundbelopp?"
    intro = "Each Member State receives the basic amount for its national programme in Annex I."

    def first(caption: str) -> str:
        ps = [
            passage(intro, lang="en", title="Regulation"),
            passage(table, lang="en", title="Regulation", n=1, heading=caption),
        ]
        return quoted(question, ps, "sv")[0]

    assert "11 518 706" in first("ANNEX I Amounts of the national programmes (in EUR)")
    assert "11 518 706" not in first("ANNEX I Amounts of the national programmes")


def test_a_frequency_question_is_answered_by_a_frequency_and_never_declined_for_want_of_one() -> None:
    p = passage("Kassaavstämningen görs varje månad av controllern.")
    draft = extractive_answer("Hur ofta görs kassaavstämningen?", [p], "sv")
    assert draft.short_answer is not None and draft.short_answer.text == "varje månad"
    vague = passage("Kassaavstämningen görs regelbundet av controllern.")
    assert not declines("Hur ofta görs kassaavstämningen?", [vague], "sv")


def test_the_bound_written_before_a_fact_is_part_of_the_short_answer() -> None:
    p = passage("The Commission shall inform the Council at least once a year.", lang="en")
    draft = extractive_answer("How often must the Commission inform the Council?", [p], "en")
    assert draft.short_answer is not None and draft.short_answer.text == "at least once a year"
    cap = passage("Bidraget får uppgå till högst 75 procent av kostnaderna.")
    short = extractive_answer("Hur stor andel kan bidraget vara?", [cap], "sv").short_answer
    assert short is not None and short.text == "högst 75 procent"
    due = passage("Rapporten ska lämnas senast den 15 december varje år.")
    short = extractive_answer("När ska rapporten lämnas?", [due], "sv").short_answer
    assert short is not None and short.text == "senast den 15 december"
    # A word before the fact that bounds nothing is left out.
    plain = passage("Bidraget utgör 75 procent av kostnaderna.")
    short = extractive_answer("Hur stor andel kan bidraget vara?", [plain], "sv").short_answer
    assert short is not None and short.text == "75 procent"


def test_a_source_label_never_repeats_its_title() -> None:
    from assistant.documents import Citation

    c = Citation(1, "d", "Ny nationell gränsstrategi", "Ny nationell  gränsstrategi", None, None, "q")
    assert c.label() == "Ny nationell gränsstrategi"
    c2 = Citation(1, "d", "Förordning (2021:846)", "5 §", 3, None, "q")
    assert c2.label() == "Förordning (2021:846) – 5 §, s. 3"


def test_a_year_in_the_question_picks_the_period_not_the_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """"For 2021–2027, …" names the period: the sentence that shares only the years must not
    outrank the one that holds what is asked."""
    import assistant.quotes as Q

    p = passage(
        "The financial envelope for the period 2021 to 2027 shall be EUR 1 931 000 000. "
        "A Member State may use up to 20 % of its allocation for operating support.",
        lang="en", title="Regulation on the Fund",
    )
    q = "For the period 2021-2027, how large a share may go to operating support?"

    def first_quote() -> str:
        return quoted(q, [p], "en")[0]

    assert first_quote().startswith("> A Member State may use up to 20 %")
    monkeypatch.setattr(Q, "YEAR_WEIGHT", 1.0)  # years counted like any word: the envelope wins
    assert first_quote().startswith("> The financial envelope")


def test_a_share_and_an_amount_in_one_sentence_give_no_short_answer() -> None:
    p = passage(
        "The amount set aside for technical assistance shall not exceed 5 % of the total amount "
        "allocated to a Member State plus EUR 500 000.",
        lang="en", title="Regulation on the Instrument",
    )
    draft = extractive_answer("How much may a Member State set aside for technical assistance?",
                              [p], "en")
    assert draft.short_answer is None
    assert "5 %" in draft.text and "EUR 500 000" in draft.text


def test_a_duration_and_the_date_it_runs_from_give_no_short_answer() -> None:
    """ "fem år räknat från den 31 december …": the time asked for is the whole phrase."""
    p = passage(
        "Huvudregeln är att handlingarna sparas i fem år räknat från den 31 december det år då "
        "myndigheten gjorde sin sista betalning.",
    )
    draft = extractive_answer("Hur länge ska handlingarna sparas?", [p], "sv")
    assert draft.short_answer is None
    assert "fem år räknat från den 31 december" in draft.text
    alone = passage("Handlingarna ska sparas i fem år.")
    short = extractive_answer("Hur länge ska handlingarna sparas?", [alone], "sv").short_answer
    assert short is not None and short.text == "fem år"


@pytest.mark.parametrize(
    ("question", "two"),
    [
        ("Hur stor förfinansiering betalades ut 2022, och när på året?", True),
        ("Which fund paid for the officers, and for which years?", True),
        ("Vem beslutar om stödet och vad krävs av oss?", True),
        # a yes/no question and one ask, or "när" as a conjunction, ask one thing
        ("Kan vi söka stöd, och hur mycket i så fall?", False),
        ("Fick vi extra pengar? Hur mycket i så fall?", False),
        ("Vad gäller när projektet är slut?", False),
        ("Hur mycket får vi och våra partner?", False),
    ],
)
def test_a_question_that_asks_two_things_is_recognised(question: str, two: bool) -> None:
    assert asks_two(question) is two


def test_a_question_that_asks_two_things_gets_no_one_span_short_answer() -> None:
    """ "Hur stor …, och när?": a date alone answers half; the quote holds both."""
    p = passage(
        "Förfinansieringen betalas i årliga delbetalningar före den 1 juli varje år, med 4 procent "
        "2021 och 3 procent 2022.",
    )
    both = extractive_answer("Hur stor förfinansiering betalades ut 2022, och när på året?", [p], "sv")
    assert both.short_answer is None
    assert "1 juli" in both.text and "3 procent 2022" in both.text
    one = extractive_answer("När på året betalas förfinansieringen ut?", [p], "sv").short_answer
    assert one is not None and one.text == "1 juli"


_PURPOSE_EN = (
    "The purpose of EUROSUR is better situational awareness and a stronger capacity to react at "
    "the external borders, to detect, prevent and combat illegal immigration and cross-border "
    "crime."
)
_PURPOSE_SV = (
    "Syftet är att förbättra lägesmedvetenheten och reaktionsförmågan vid de yttre gränserna, för "
    "att upptäcka, förebygga och bekämpa olaglig invandring och gränsöverskridande brottslighet."
)


def test_a_swedish_unit_that_says_the_same_goes_first_however_weakly_it_matched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Swedish sentence shares no word with the question ("EUROSUR" is in the English one),
    but read through the dictionary it says what the English one says."""
    import assistant.quotes as Q
    from assistant.crossmatch import says_same

    en = passage(_PURPOSE_EN, doc_id="brief", lang="en", heading="In one paragraph")
    sv = passage(_PURPOSE_SV, doc_id="sida", heading="Om systemet", n=1)
    unrelated = passage("Systemet har funnits sedan 2013 och omfattar alla medlemsstater.",
                        doc_id="sida2", heading="Om EUROSUR", n=2)
    assert says_same(_PURPOSE_SV, _PURPOSE_EN)
    assert not says_same(unrelated.chunk.text, _PURPOSE_EN)
    question = "Vad ska EUROSUR egentligen åstadkomma?"
    assert quoted(question, [en, sv, unrelated], "sv")[0].startswith("> Syftet är")
    monkeypatch.setattr(Q, "SAYS_SAME_FIRST", False)
    assert quoted(question, [en, sv, unrelated], "sv")[0].startswith("> The purpose")


def test_a_unit_that_says_the_same_with_other_numbers_does_not_go_first() -> None:
    en = passage(_PURPOSE_EN.replace("EUROSUR is", "EUROSUR, set up in 2013, is"),
                 doc_id="brief", lang="en", heading="In one paragraph")
    sv = passage(_PURPOSE_SV, doc_id="sida", heading="Om systemet", n=1)
    assert quoted("Vad ska EUROSUR egentligen åstadkomma?", [en, sv], "sv")[0].startswith(
        "> The purpose")


@pytest.mark.parametrize(
    ("sentence", "back"),
    [
        ("Gallra inte projektakter innan den tiden har gått.", True),
        ("Materialet märks därför inte med EU-emblemet.", True),
        ("Det uppdraget skulle genomföras efter samråd.", True),
        ("This shall apply from 1 January 2021.", True),
        # an expletive "det", an article before an adjective, a date: nothing pointed back to
        ("Det finns inga särskilda regler.", False),
        ("De nationella programmen ska bygga förmåga.", False),
        ("Förskottet betalas före den 1 juli.", False),
        ("Enligt det nationella programmet ska medlen räcka.", False),
    ],
)
def test_a_sentence_that_points_back_is_recognised(sentence: str, back: bool) -> None:
    assert points_back(sentence) is back


def test_a_quote_that_points_back_is_quoted_with_the_sentence_before_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import assistant.answer as A

    p = passage(
        "Verifikationer ska sparas i tio år efter projektets slut. Gallra inte projektakter innan "
        "den tiden har gått.\n\nProjektakter kan lämnas till arkivet.",
        heading="Arkivering",
    )
    question = "Får vi gallra projektakterna?"
    lines = quoted(question, [p], "sv")
    assert lines[0].startswith("> Verifikationer ska sparas i tio år efter projektets slut. "
                               "Gallra inte projektakter")
    draft = extractive_answer(question, [p], "sv")
    assert all(quote_in_text(c.quote, p.chunk.text) for c in draft.citations)  # verbatim
    assert sum(line.count("Verifikationer ska sparas") for line in lines) == 1  # not twice
    monkeypatch.setattr(A, "WITH_ANTECEDENT", False)
    assert quoted(question, [p], "sv")[0].startswith("> Gallra inte projektakter")


def test_a_bare_verdict_is_quoted_with_the_reason_after_it() -> None:
    p = passage(
        "Nej, inte för nya projekt. Instrumentet har ersatts av BMVI för perioden 2021-2027.\n\n"
        "Pågående ärenden avslutas enligt de gamla reglerna.",
        heading="Gäller reglerna för ISF Gräns fortfarande?",
    )
    lines = quoted("Gäller reglerna för ISF Gräns fortfarande?", [p], "sv")
    assert lines[0].startswith("> Nej, inte för nya projekt. Instrumentet har ersatts av BMVI")
    assert not any(line.startswith("> Instrumentet har ersatts") for line in lines)


def test_the_swedish_source_goes_first_only_when_it_states_the_same_numbers() -> None:
    from assistant.quotes import Scored, choose
    from assistant.units import Unit

    def scored(text: str, lang: str, score: float) -> Scored:
        return Scored(Unit(0, 0, len(text), text, "sentence"), score, lang, [])

    best = scored("The financial envelope shall be EUR 1 931 000 000 in current prices.", "en", 10)
    names_the_act = scored("Förordning (EU) 2021/1149 om inrättande av fonden.", "sv", 9)
    says_it = scored("Fondens budgetram är EUR 1 931 000 000 i löpande priser.", "sv", 9)
    assert choose([best, names_the_act], "sv")[0] is best
    assert choose([best, says_it], "sv")[0] is says_it
    assert choose([best, says_it], "en")[0] is best


def test_an_english_question_finds_the_answering_sentence_of_a_swedish_passage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """"costs … grant" is found as "kostnader … bidrag" through the dictionary read backwards,
    so the sentence that answers comes first, not the one that shares only a name."""
    import assistant.quotes as Q

    p = passage(
        "Projektet ARLO leddes av Polismyndigheten. Bidraget täcker högst 75 procent av "
        "kostnaderna."
    )
    q = "How much of the costs can the grant cover in ARLO?"

    def first_quote() -> str:
        return quoted(q, [p], "en")[0]

    def best_unit() -> str:  # the first quote would hold the number anyway (`quotes.choose`)
        return Q.score_units(q, [p], "en")[0].unit.text

    assert first_quote().startswith("> Bidraget täcker högst 75 procent")
    assert best_unit().startswith("Bidraget")
    monkeypatch.setattr(Q, "REVERSE", False)
    assert not best_unit().startswith("Bidraget")


def test_an_english_question_finds_inflected_and_compound_swedish_relatives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The dictionary's "kostnad" stems to "kostn", the text's "kostnaderna" to "kostnad": an
    English asker's word still finds the sentence that holds it, inflected or as a compound's
    head; a modifier ("projekt" in "projektakter") is another word."""
    import assistant.crossmatch as X
    from assistant.crossmatch import related

    assert related("kostn", "kostnad")
    assert related("kostnad", "enhetskostnad")
    assert not related("projekt", "projektakter")
    assert not related("stat", "statlig")  # too short to tell

    p = passage("Projektet leds av Polismyndigheten i Stockholm. I projektet ersätts "
                "kostnaderna varje kvartal.")
    q = "Are the costs of the project covered?"

    def quotes() -> list[str]:
        return quoted(q, [p], "en")

    assert quotes()[0].startswith("> I projektet ersätts kostnaderna")
    monkeypatch.setattr(X, "PARTIAL", 0.0)
    assert not quotes() or not quotes()[0].startswith("> I projektet ersätts")


def test_the_author_of_an_act_is_not_an_actor() -> None:
    """"Commission Implementing Regulation (EU) 2021/581" names an act; "the Commission" acts."""
    text = ("The content is laid down in Commission Implementing Regulation (EU) 2021/581, "
            "which the Commission adopted.")
    assert [s.text for s in find_spans(text, ("authority",))] == ["the Commission"]


def test_a_question_for_several_actors_prefers_the_sentence_that_names_several(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import assistant.quotes as Q

    p = passage(
        "Strategin togs fram av Polismyndigheten. Strategin togs fram i samråd med "
        "Kustbevakningen, Migrationsverket och Tullverket."
    )
    q = "Vilka myndigheter tog fram strategin?"

    def first_quote() -> str:
        return quoted(q, [p], "sv")[0]

    assert first_quote().startswith("> Strategin togs fram i samråd med Kustbevakningen")
    monkeypatch.setattr(Q, "LIST_BONUS", 0.0)
    assert first_quote().startswith("> Strategin togs fram av Polismyndigheten")


def test_a_full_stop_after_an_abbreviation_ends_no_sentence() -> None:
    text = ("Samarbetet med byråer (t.ex. Frontex, Europol och eu-LISA) ska öka. Det gäller "
            "bl.a. gränskontroll. Nästa mening.")
    assert [u.text for u in sentence_units(0, text)] == [
        "Samarbetet med byråer (t.ex. Frontex, Europol och eu-LISA) ska öka.",
        "Det gäller bl.a. gränskontroll.",
        "Nästa mening.",
    ]


def test_the_actor_the_question_names_is_not_the_answer_in_any_language() -> None:
    """"When the Police Authority reports …, who …?": Polismyndigheten is who asks."""
    p = passage(
        "Polismyndigheten ska rapportera oriktigheter i programmen. En underrättelse om "
        "rapporteringen ska sändas till Ekobrottsmyndigheten och Statskontoret."
    )
    q = "When the Police Authority reports irregularities, who must be sent a notice?"
    ans = extractive_answer(q, [p], "en")
    assert ans.short_answer is not None
    assert ans.short_answer.text == "Ekobrottsmyndigheten och Statskontoret"


def test_one_actor_is_no_short_answer_to_a_question_for_several() -> None:
    p = passage("Strategin togs fram av Polismyndigheten under våren.")
    one = extractive_answer("Vilken myndighet tog fram strategin?", [p], "sv").short_answer
    assert one is not None and one.text == "Polismyndigheten"
    assert extractive_answer("Vilka myndigheter tog fram strategin?", [p], "sv").short_answer is None


def test_a_question_about_a_country_finds_the_row_keyed_by_its_code() -> None:
    table = ("| MS | Minimum | Total |\n|---|---|---|\n| PT | 5 000 000 | 19 411 847 |\n"
             "| SE | 5 000 000 | 11 518 706 |\n| SI | 5 000 000 | 30 664 835 |")
    p = passage(table, lang="en")
    quotes = quoted("Hur stort var Sveriges totala belopp?", [p], "sv")
    assert "| SE | 5 000 000 | 11 518 706 |" in quotes[0]


def test_a_year_the_question_names_lowers_passages_of_another_period(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import assistant.quotes as Q

    new = passage("Driftsstöd får utgöra högst 20 procent av programmets tilldelning.",
                  doc_id="ny", programme_period="2021-2027")
    old = passage("Upp till 40 procent av programmets belopp fick användas till driftsstöd.",
                  doc_id="gammal", programme_period="2014-2020", n=1)
    q = "Hur stor andel fick gå till driftsstöd 2014–2020?"
    short = extractive_answer(q, [new, old], "sv").short_answer
    assert short is not None and short.text == "Upp till 40 procent"
    monkeypatch.setattr(Q, "PERIOD_MISMATCH", 1.0)
    short = extractive_answer(q, [new, old], "sv").short_answer
    assert short is not None and short.text == "högst 20 procent"


def test_a_list_of_actors_that_goes_on_with_unknown_names_gives_no_short_answer() -> None:
    """"Frontex, Europol, EUAA och eu-LISA": the patterns know the first two only; a short
    answer naming those two would cut the list short, so the quote answers alone."""
    q = "Vilka byråer ska samarbeta mer?"
    cut = passage("Berörda byråer (t.ex. Frontex, Europol, EUAA och eu-LISA) ska samarbeta mer.")
    assert extractive_answer(q, [cut], "sv").short_answer is None
    whole = passage("Berörda byråer (t.ex. Frontex och Europol) ska samarbeta mer.")
    short = extractive_answer(q, [whole], "sv").short_answer
    assert short is not None and short.text == "Frontex och Europol"


@pytest.mark.parametrize(
    ("text", "kind", "span"),
    [
        # "artiklarna 20 och 21" cut after "20" would send the reader to half the provisions.
        ("NCC ansvarar för lägesbilden (förordning (EU) 2019/1896, artiklarna 20 och 21).",
         "ref", "artiklarna 20 och 21"),
        ("Beslutet kan överklagas (förordning (2021:846), 8 och 9 §§).", "ref", "8 och 9 §§"),
        ("The rules in Articles 20 and 21 apply.", "ref", "Articles 20 and 21"),
        # a person by role is who decides, with what the role is head of
        ("Avtalet ingås av chefen för nationella operativa avdelningen om inget annat gäller.",
         "authority", "chefen för nationella operativa avdelningen"),
        ("Avtalet ingås av rikspolischefen.", "authority", "rikspolischefen"),
        ("Ordföranden utses för tre år.", "authority", "Ordföranden"),
        ("Se 2 kap. 5 och 6 §§ utlänningslagen.", "ref", "2 kap. 5 och 6 §§"),
        ("Enligt artikel 12.1 och enligt punkt 3.", "ref", "artikel 12.1"),
        # amounts in other currencies, and in words with their scale
        ("The Union contribution is 25 000 000 euros.", "amount", "25 000 000 euros"),
        ("A grant of USD 2 million was paid.", "amount", "USD 2 million"),
        ("Stödet var tre miljoner kronor.", "amount", "tre miljoner kronor"),
        ("It received three million euro.", "amount", "three million euro"),
    ],
)
def test_a_span_is_read_whole(text: str, kind: str, span: str) -> None:
    assert [s.text for s in find_spans(text, (kind,))] == [span]


def test_a_name_written_out_counts_as_one_word() -> None:
    # "Fonden för inre säkerhet" is one name (the glossary's ISF): a sentence that only repeats
    # it must not outscore the sentence about the budget the question asks about.
    p = passage("Fonden för inre säkerhet är en fond inom Europeiska unionen. Regler för "
                "budgetramen finns i artikel 7.", title="Sammanfattning")
    first = quoted("Vilka regler gäller för budgetramen i Fonden för inre säkerhet?", [p], "sv")[0]
    assert first == "> Regler för budgetramen finns i artikel 7. [1]"


def test_a_name_and_its_acronym_count_as_one_word() -> None:
    # "Fonden för inre säkerhet (ISF)": the long name, its English pseudo-translation and the
    # acronym name one fund. Counted as separate words, the sentence that names the fund outscored
    # the one about the asked budget.
    from assistant.glossary_terms import name_word_sets
    from assistant.quotes import question_tokens

    q = "Vad gäller för budgetramen i Fonden för inre säkerhet (ISF)?"
    sets = name_word_sets(q, question_tokens(q, "sv"))
    assert len(sets) == 1 and {"isf", "inr", "säker"} <= sets[0], sets
    # One common word of a long name is no part of it: "gränsen" stays a word of its own.
    q2 = "How is EUROSUR used at the border?"
    assert name_word_sets(q2, question_tokens(q2, "en")) == []
    p = passage("Fonden för inre säkerhet (ISF) inrättas härmed. För budgetramen gäller "
                "artikel 7.", title="Sammanfattning")
    assert quoted(q, [p], "sv")[0] == "> För budgetramen gäller artikel 7. [1]"


def test_a_name_the_documents_title_names_does_not_choose_its_sentences() -> None:
    # In the ISF regulation every sentence is about the ISF: naming the fund picks the document,
    # so a sentence that only names it is no second quote beside the one with the fact.
    q = "Hur mycket av Fonden för inre säkerhet får gå till utrustning?"
    p = passage("Fonden för inre säkerhet stöder medlemsstaterna. Utrustning får utgöra högst 15 "
                "procent.", title="Förordning om inrättande av Fonden för inre säkerhet")
    assert quoted(q, [p], "sv") == ["> Utrustning får utgöra högst 15 procent. [1]"]
    # Where the title does not name it, the sentence that names the fund still counts.
    other = passage("Fonden för inre säkerhet stöder medlemsstaterna. Utrustning får utgöra högst "
                    "15 procent.", title="Sammanfattning")
    assert len(quoted(q, [other], "sv")) == 2


def test_an_official_term_counts_in_either_language() -> None:
    # "oriktighet" / "irregularity" is a glossary term: the English sentence that holds it holds
    # the question's word, translated. As a mere synonym it scored a third of the Swedish one.
    from assistant.quotes import score_units

    q = "Inom vilken tid ska en oriktighet rapporteras?"
    en = passage("Each irregularity shall be reported within one month.", lang="en",
                 doc_id="en", title="Regulation")
    sv = passage("Varje oriktighet ska rapporteras inom en månad.", doc_id="sv", title="Förordning")
    english, swedish = (score_units(q, [p], "sv")[0].score for p in (en, sv))
    assert english >= 0.5 * swedish, (english, swedish)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("Policyn avser 2023-2027.", "2023-2027"),
        ("The project ran from 1 January 2020 to 31 December 2022.",
         "from 1 January 2020 to 31 December 2022"),
        ("Projektet pågick från den 1 januari 2020 till den 31 december 2022.",
         "från den 1 januari 2020 till den 31 december 2022"),
    ],
)
def test_a_period_is_read_whole(text: str, span: str) -> None:
    assert find_spans(text, ("period", "date", "year"))[0].text == span


def test_which_years_is_answered_with_the_span_of_years() -> None:
    # "Vilka år …?": the sentence with the period answers, not one that names a single year.
    p = passage("Kommissionen lade 2023 fram en flerårig policy för gränsförvaltningen. Den "
                "fleråriga cykeln avser åren 2023-2027.")
    draft = extractive_answer("Vilka år omfattar kommissionens fleråriga policy?", [p], "sv")
    assert draft.short_answer is not None and draft.short_answer.text == "2023-2027", draft.text


def test_the_police_asking_is_not_the_answer_to_who() -> None:
    # "när polisen rapporterar": Polismyndigheten is who reports; the answer is who is told.
    p = passage("Polismyndigheten rapporterar oriktigheter enligt artikel 69. En underrättelse "
                "om rapporteringen ska skickas till Ekobrottsmyndigheten.")
    draft = extractive_answer("Vem ska underrättas när polisen rapporterar en oriktighet?", [p],
                              "sv")
    assert draft.short_answer is not None, draft.text
    assert draft.short_answer.text == "Ekobrottsmyndigheten", draft.text


def test_the_subject_of_an_att_clause_is_not_the_answer_to_who() -> None:
    # "Vem begär att polisen lägger in …": Polismyndigheten does what is asked for; who asks
    # for it (the prosecutor, in lower case, unknown to the name patterns) is the answer.
    p = passage("På begäran av en åklagare ska Polismyndigheten föra in en registrering om en "
                "person som är efterlyst.")
    draft = extractive_answer("Vem är det som begär att polisen lägger in en registrering om "
                              "någon som är efterlyst?", [p], "sv")
    assert draft.short_answer is None, draft.text
    assert "åklagare" in draft.text


def test_a_question_about_a_limit_is_answered_with_the_sentence_that_states_one() -> None:
    # "Is there a ceiling …?": the sentence that says "at most" answers, not the one before it,
    # which names the same topic and two rates without a limit.
    p = passage(
        "The EU share may be raised to 90 % for specific actions and to 100 % for operating "
        "support. Operating support may amount to at most 20 % of the allocation.",
        lang="en", doc_id="summary", title="Summary",
    )
    draft = extractive_answer("Is there a ceiling on how much of the programme can be spent "
                              "as operating support?", [p], "en")
    assert draft.short_answer is not None and draft.short_answer.text == "at most 20 %", draft.text


def test_a_question_about_a_condition_is_answered_with_the_sentence_that_states_one() -> None:
    # Both sentences name the payment and the beneficiary; only the second says on what
    # condition the money may be paid.
    p = passage(
        "Myndigheten betalar ut stödet till stödmottagaren i två delar. "
        "Stödet får betalas ut endast om stödmottagaren har lämnat en slutrapport.",
    )
    question = "Vad måste vara uppfyllt för att myndigheten ska betala ut stödet till stödmottagaren?"
    assert "endast om" in quoted(question, [p], "sv")[0]
    # The same sentences asked without a condition: the first one, nearer the words, leads.
    assert "två delar" in quoted("Hur betalar myndigheten ut stödet till stödmottagaren?", [p], "sv")[0]


@pytest.mark.parametrize(
    ("question", "condition"),
    [
        ("Fanns det något villkor för när de skulle placeras?", True),
        ("Går det, och vad måste vi i så fall göra?", True),
        ("Under what circumstances may the ceiling be exceeded?", True),
        ("What are the requirements for operating support?", True),
        ("Hur mycket får vi i förskott?", False),
        ("Who decides on the support?", False),
    ],
)
def test_a_question_about_a_condition_is_recognised(question: str, condition: bool) -> None:
    assert asks_condition(question) is condition


@pytest.mark.parametrize(
    ("question", "limit"),
    [
        ("Hur stor del kan EU som mest stå för?", True),
        ("Finns det ett tak för driftsstödet?", True),
        ("What is the maximum co-financing rate?", True),
        ("Hur stor del går till driftsstöd?", False),
        ("How long does the check take?", False),  # "take" is no "tak" (ceiling)
    ],
)
def test_questions_about_a_limit_are_recognised(question: str, limit: bool) -> None:
    from assistant.leanings import asks_limit

    assert asks_limit(question) is limit


@pytest.mark.parametrize(
    ("question", "lang"),
    [("Vad ska EUROSUR åstadkomma?", "sv"), ("In short, what is EUROSUR for?", "en")],
)
def test_a_question_about_a_purpose_is_answered_with_the_sentence_that_states_it(
        question: str, lang: str) -> None:
    # Both sentences name EUROSUR; the first also holds words of its long name (European Border
    # Surveillance System), but only the second says what it is for.
    p = passage(
        "EUROSUR is a system shared by all Member States for information exchange at the "
        "external borders. The purpose of EUROSUR is better situational awareness.",
        lang="en", doc_id="brief", title="Brief",
    )
    assert quoted(question, [p], lang)[0].startswith("> The purpose of EUROSUR")


def test_a_swedish_word_nothing_translates_is_found_in_english_through_the_dictionary() -> None:
    # No index bridge is registered, so "fartyg" has no English translation; read backwards,
    # the dictionary's "boat" is "fartyg", so the unit about boats is the one that answers.
    p = passage(
        "Equipment for surveillance may be purchased with the support. Boats for surveillance "
        "may be purchased with the support.",
        lang="en", doc_id="act", title="Act",
    )
    assert quoted("Får vi köpa fartyg för övervakning med stödet?", [p], "sv")[0].startswith(
        "> Boats"
    )


@pytest.mark.parametrize(
    ("question", "purpose"),
    [
        ("Vad ska EUROSUR egentligen åstadkomma?", True),
        ("Vad är NCC till för?", True),
        ("What was the project expected to lead to?", True),
        ("Varför behövs en nationell strategi?", True),
        ("What is the co-financing rate for operating support?", False),
        ("Vem beslutar om stöd i BMVI?", False),
    ],
)
def test_questions_about_a_purpose_are_recognised(question: str, purpose: bool) -> None:
    from assistant.leanings import asks_purpose

    assert asks_purpose(question) is purpose


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Vem sköter tullen vid gränsen?", "Tullverket"),  # what is asked about, no subject
        ("Vem ansvarar för kontrollen vid gränsen?", "Gränspolisen"),
    ],
)
def test_an_agency_the_question_only_mentions_can_still_be_the_answer(
        question: str, answer: str) -> None:
    p = passage(f"{answer} ansvarar för kontrollen och sköter arbetet vid gränsen.")
    draft = extractive_answer(question, [p], "sv")
    assert draft.short_answer is not None and draft.short_answer.text == answer, draft.text


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who heads the Swedish NCC and what's their direct phone number?", "contact"),
        ("Vad har NCC för telefonnummer?", "contact"),
        ("Vilken e-postadress ska ansökan skickas till?", "contact"),
        ("Var finns kontaktuppgifterna till samordnaren?", "contact"),
        ("Vem beslutar om stöd i BMVI?", "actor"),
    ],
)
def test_a_question_for_a_telephone_number_or_address_asks_for_contact_details(
    question: str, kind: str
) -> None:
    from assistant.answer_types import asked_kind

    assert asked_kind(question) == kind


def test_contact_details_are_found_and_a_question_for_them_is_declined_without_them() -> None:
    from assistant.answer_types import find_spans
    from assistant.declining import missing_kind
    from assistant.quotes import score_units

    text = "Ring NCC på 010-563 00 00 eller skriv till ncc@example.se."
    assert [s.text for s in find_spans(text, ("contact",))] == ["010-563 00 00", "ncc@example.se"]
    # neither a period, an amount, a statute nor a date is a telephone number
    assert not find_spans(
        "75 % för 2021-2027, 1 931 000 000 EUR, SFS 2021:846, 2014-06-30", ("contact",)
    )
    q = "Vad har NCC för telefonnummer?"
    with_number = passage(text, lang="sv", doc_id="guide", title="Guide")
    without = passage(
        "NCC samordnar informationsutbytet vid gränserna.", lang="sv", doc_id="g2", title="G"
    )
    assert not missing_kind(q, score_units(q, [with_number], "sv", lambda s: 1.0))
    assert missing_kind(q, score_units(q, [without], "sv", lambda s: 1.0))


def _two_acts(inferred: str = "1") -> list[Passage]:
    old = passage(
        "The Commission shall carry out a mid-term evaluation of this Regulation by 30 June 2017.",
        doc_id="old", lang="en", title="Regulation establishing the Old Fund",
        programme_period="2014-2020", period_inferred=inferred,
    )
    new = passage(
        "The Commission shall carry out a mid-term evaluation of this Regulation by "
        "31 December 2024.",
        doc_id="new", lang="en", n=1, title="Regulation establishing the New Fund",
        programme_period="2021-2027", period_inferred=inferred,
    )
    return [old, new]


def test_an_act_a_later_act_replaced_answers_only_when_its_period_is_asked() -> None:
    """Two acts whose texts state their periods: a question that names no period asks about
    the current one, however the older act ranked; one that names the old years gets it."""
    first = quoted("By when must the Commission carry out the mid-term evaluation?",
                   _two_acts(), "en")[0]
    assert "31 December 2024" in first
    old = quoted("By when must the Commission carry out the mid-term evaluation for 2014-2020?",
                 _two_acts(), "en")[0]
    assert "30 June 2017" in old
    by_name = quoted("By when must the Commission evaluate the Borders and Visa instrument?",
                     _two_acts(), "en")[0]
    assert "30 June 2017" in by_name
    # A period given in metadata is not read as replaced: superseded_by says that there.
    given = quoted("By when must the Commission carry out the mid-term evaluation?",
                   _two_acts(inferred=""), "en")[0]
    assert "30 June 2017" in given


def test_an_acronym_the_title_writes_out_picks_the_document_not_the_sentence() -> None:
    """ "ISF" in the question, "the Internal Security Fund" in the title: the one sentence of the
    act that writes the acronym is no better an answer for it."""
    def act(title: str) -> list[Passage]:
        return [
            passage("Actions started under ISF Police in the national programmes may continue.",
                    lang="en", title=title, section="Article 34"),
            passage("EUR 1 352 000 000 shall be allocated to the Member States.",
                    lang="en", title=title, section="Article 7", n=1),
        ]

    q = "Hur mycket av ISF går till medlemsstaternas program?"

    def idf(t: str) -> float:  # the acronym is as rare as it is in the act: one passage has it
        return 8.0 if t == "isf" else 1.0

    def first(title: str) -> str:
        return extractive_answer(q, act(title), "sv", idf).text.split("\n> ")[1]

    def best(title: str) -> str:  # the first quote holds the sum anyway (`quotes.choose`)
        from assistant.quotes import score_units

        return score_units(q, act(title), "sv", idf)[0].unit.text

    assert first("Regulation establishing the Internal Security Fund").startswith("EUR 1 352")
    assert best("Regulation establishing the Internal Security Fund").startswith("EUR 1 352")
    assert best("Regulation establishing another fund").startswith("Actions started under ISF")


def test_the_number_of_a_list_item_or_table_row_is_no_count() -> None:
    kinds = ("number", "percent", "amount")
    # "1." numbers the item; "at least two" is a count (a number word after a bound)
    text = "1.Setting up centres shared by at least two Member States"
    assert [sp.text for sp in find_spans(text, kinds)] == ["at least two"]
    assert find_spans("| | 5. | The estimated value of frozen assets |", kinds) == []
    assert [sp.text for sp in find_spans("| SE | 5 | participants |", kinds)] == ["5"]


def test_a_year_that_keys_a_list_item_picks_the_item(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "… under 2022?": a year picks the period, not the sentence, except where it is the key
    of a list item or table row."""
    import assistant.quotes as Q
    from assistant import siblings

    p = passage(
        "Pre-financing for emergency assistance may amount to 95 % of the contribution. "
        "The pre-financing shall be paid in yearly instalments as follows:\n\n"
        "- (a) 2021: 4 %;\n- (b) 2022: 3 %;\n- (c) 2023: 5 %.",
        lang="en", title="Regulation on the Fund",
    )
    q = "Hur stor andel betalades ut i förskott under 2022?"

    def first() -> str:  # a year is as rare as in an act: few passages name it
        text = extractive_answer(q, [p], "sv", lambda t: 4.0 if t == "2022" else 1.0).text
        return text.split("\n> ")[1]

    assert first().startswith("- (b) 2022: 3 %")
    old = Q.KEYED_YEAR_WEIGHT
    try:
        Q.KEYED_YEAR_WEIGHT = Q.YEAR_WEIGHT  # the year as weak as anywhere: the 95 % wins …
        # … where the year is not also the word only this item of the list holds (`siblings`)
        monkeypatch.setattr(siblings, "WEIGHT", 0.0)
        assert first().startswith("Pre-financing for emergency assistance")
        monkeypatch.undo()
        assert first().startswith("- (b) 2022: 3 %")
    finally:
        Q.KEYED_YEAR_WEIGHT = old


def test_a_number_of_years_is_not_answered_by_a_date() -> None:
    """ "Hur länge" may end on a date; "how many years" asks for a length, and a passage that
    only gives a date does not answer it."""
    p = passage("Member States may continue after 1 January 2021 to support the project.",
                lang="en", title="Regulation on the Fund")
    assert declines("How many years must we keep the receipts after the final payment?", [p], "en")
    assert not declines("Until when may Member States support the project?", [p], "en")


def test_an_acts_own_date_and_a_percentage_are_no_facts_of_their_own() -> None:
    """The date in an act's name ("(EU) 2017/2226 av den 30 november 2017") is part of its name;
    "38 %" is a share, not a count of 38."""
    kinds = ("date", "duration", "year")
    named = "enligt förordning (EU) 2017/2226 av den 30 november 2017 om ett in- och utresesystem"
    assert find_spans(named, kinds) == []
    council = ("Regulation (EU) 2018/1240 of the European Parliament and of the Council of "
               "12 September 2018 establishing a system")
    assert find_spans(council, kinds) == []
    assert [sp.text for sp in find_spans("Reports are due by 31 December 2024.", kinds)] == [
        "31 December 2024"]
    assert find_spans("(b) 38 % for external land borders;", ("number",)) == []
    council_decision = "enligt rådets beslut 2008/633/RIF av den 23 juni 2008 om åtkomst"
    assert find_spans(council_decision, kinds) == []
    # whatever the act's number looks like (or where text extraction lost it), and for an
    # agreement, a resolution or a meeting of the European Council too
    for text in (
        "i enlighet med artikel 14 i direktiv 2009EG av den 18 juni 2009 om minimistandarder",
        "The European Council of 15 December 2016 called for continued delivery",
        "enligt avtalet av den 4 september 2018 mellan Sveriges regering och Norges regering",
        "enligt resolution 55/255, antagen den 31 maj 2001 av generalförsamlingen",
    ):
        assert find_spans(text, kinds) == [], text
    # a time the act or decision sets is a fact
    assert [sp.text for sp in find_spans("Beslutet gäller från den 1 juli 2024.", kinds)] == [
        "1 juli 2024"]
    assert [sp.text for sp in find_spans("senast den 31 maj varje år", kinds)] == ["31 maj"]


def test_a_passage_that_names_the_asked_years_is_not_of_another_period() -> None:
    """An act of 2021-2027 whose transitional article speaks of 2014-2020 projects answers a
    question about such a project in full; a passage of that act that does not name the years
    weighs less (`quotes.PERIOD_MISMATCH`)."""
    import assistant.quotes as Q

    q = "Our 2014–2020 project was split in two phases: by which date must we report it complete?"

    def score(text: str, period: str, inferred: str = "1") -> float:
        p = passage(text, lang="en", title="Regulation establishing the New Fund",
                    programme_period=period, period_inferred=inferred if period else "")
        return Q.score_units(q, [p], "en")[0].score

    names = ("A project of the 2014-2020 period split in two phases shall be reported complete "
             "in the performance report submitted by 15 February 2024.")
    assert score(names, "2021-2027") == score(names, "")
    silent = names.replace("2014-2020", "earlier")
    assert score(silent, "2021-2027") == pytest.approx(Q.PERIOD_MISMATCH * score(silent, ""))
    # A period given in metadata covers the whole document: "the successor of the 2014-2020
    # instrument" in a 2021-2027 summary is no answer about 2014-2020.
    assert score(names, "2021-2027", inferred="") == pytest.approx(
        Q.PERIOD_MISMATCH * score(names, ""))


def test_a_question_for_a_date_is_answered_with_a_date_not_a_year() -> None:
    """ "Från och med vilket datum …?" is not answered "2024" by the sentence that shares more
    of its words, where the next one says "as of 1 January 2025"."""
    p = passage(
        "In 2024, the Commission shall allocate the additional amount to the programmes of the "
        "Member States concerned following the mid-term review. Funding shall be effective as "
        "of 1 January 2025.", lang="en",
    )
    q = "Från och med vilket datum gäller de extra pengarna efter halvtidsöversynen?"
    draft = extractive_answer(q, [p], "sv")
    assert draft.short_answer is not None
    assert draft.short_answer.text == "1 January 2025"
    # a question for the year is still answered with it
    year = extractive_answer("Vilket år fördelar kommissionen de extra pengarna?", [p], "sv")
    assert year.short_answer is not None and year.short_answer.text == "2024"


def test_a_question_for_a_year_is_answered_with_a_year_and_declined_without_one() -> None:
    """ "Vilket år …?" is answered by the unit that names a year, not by a date of each year
    that shares more of the question's words ("by 15 February of each year"); when no unit
    names a year, the question is declined rather than answered "15 February"."""
    reports = passage(
        "Member States shall submit the annual performance report on the programme to the "
        "Commission by 15 February of each year.", lang="en",
    )
    last = passage(
        "The last annual performance report shall be submitted in 2031.", lang="en", n=1,
    )
    q = "Vilket år ska den sista årliga rapporten om programmet skickas till kommissionen?"
    draft = extractive_answer(q, [reports, last], "sv")
    assert draft.short_answer is not None and draft.short_answer.text == "2031"
    assert declines(q, [reports], "sv")
    assert not declines("När ska den årliga rapporten skickas till kommissionen?", [reports], "sv")


def test_a_question_for_a_number_is_answered_first_by_a_unit_that_holds_one() -> None:
    """A sentence that shares the question's words but holds no share does not lead an answer
    to "Hur stor andel …?" while a unit of the top passages states one; for "vem" (an actor
    the patterns may not know by name) the best-matching unit still leads."""
    strategy = passage(
        "Enligt förordningen ska medlemsstaterna anta nationella strategier för den integrerade "
        "gränsförvaltningen och stärka den nationella förmågan.", doc_id="press",
    )
    rule = passage(
        "(b) at least 25 % for actions relating to the national capacity for visas and borders;",
        doc_id="act", lang="en", n=1,
    )
    q = "Hur stor andel måste gå till att stärka den nationella förmågan inom gränsförvaltningen?"
    lines = quoted(q, [strategy, rule], "sv")
    assert "25 %" in lines[0]
    assert any("nationella strategier" in line for line in lines[1:])
    who = quoted("Vem ska anta de nationella strategierna för gränsförvaltningen?",
                 [strategy, rule], "sv")
    assert "nationella strategier" in who[0]


def test_a_list_item_with_the_asked_fact_is_not_taken_for_a_title_line() -> None:
    """ "(a) 2021: 4 %" under an act whose title names 2021 holds no word but the title's; it
    holds the asked share all the same, so it is the answer, not a repeated title."""
    p = passage(
        "The pre-financing shall be paid in yearly instalments as follows:\n\n"
        "- (a) 2021: 4 %;\n- (b) 2022: 3 %.",
        lang="en", title="Regulation (EU) 2021/1149 of 7 July 2021 establishing the Fund",
    )
    first = quoted("Hur stor andel betalades ut i förskott det första året, 2021?", [p], "sv")[0]
    assert "2021: 4 %" in first


def test_the_words_that_ask_for_a_kind_do_not_pick_the_sentence() -> None:
    """ "What proportion …" asks for a share; the word "proportion" says what kind of fact, so
    it does not make "allocated in proportion to the population" the answer."""
    import assistant.quotes as Q

    paid = passage(
        "The pre-financing for the Fund shall be paid in yearly instalments as follows:\n\n"
        "- (a) 2021: 4 %;\n- (b) 2022: 3 %.",
        lang="en", title="Regulation on the Fund", n=0,
    )
    key = passage(
        "The remaining resources shall be distributed as follows:\n\n"
        "- (a) 45 % of those resources shall be paid in inverse proportion to the GDP;\n"
        "- (b) 40 % of those resources shall be paid in proportion to the population.",
        lang="en", title="Regulation on the Fund", section="Annex I", n=1,
    )
    q = "What proportion was paid in 2021?"
    assert "2021: 4 %" in quoted(q, [paid, key], "en")[0]
    old = Q.ASKING_WEIGHT
    try:
        Q.ASKING_WEIGHT = 1.0  # "proportion" as a topic word: the distribution key wins
        assert "proportion to the" in quoted(q, [paid, key], "en")[0]
    finally:
        Q.ASKING_WEIGHT = old



def test_the_asking_words_are_those_that_ask_on_their_own() -> None:
    from assistant.asking import asking_words

    assert asking_words("Hur stor andel betalades ut 2021?") == ["andel"]
    assert asking_words("Hur många procent fick vi i förskott?") == ["procent"]
    # The phrase's other words name the topic: "Sveriges grundbelopp" is what is asked about.
    assert asking_words("Vad var Sveriges totala grundbelopp?") == []
    assert asking_words("Vilken myndighet sköter AMIF?") == []


BORDER_KEYS = (
    "The amount shall be distributed as follows:\n"
    "- (a) 50 % on the basis of the number of persons crossing the external borders;\n"
    "- (b) 50 % on the basis of the number of persons refused entry at the external borders.\n"
    "For the external borders the calculation shall be as follows:\n"
    "- (a) 45 % for external sea borders;\n"
    "- (b) 38 % for external land borders;\n"
    "- (c) 17 % for airports."
)


def test_the_list_item_a_question_means_is_the_one_with_the_word_its_siblings_lack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two lists of shares: every item holds a share and "external borders"; the first list's
    items share "on the basis of the number of" with the question too. The word only one item
    holds ("land") says which share is meant."""
    from assistant import siblings

    p = passage(BORDER_KEYS, lang="en")
    q = "What share is calculated on the basis of the external land borders?"
    draft = extractive_answer(q, [p], "en")
    assert draft.short_answer is not None and draft.short_answer.text == "38 %", draft.text
    monkeypatch.setattr(siblings, "WEIGHT", 0.0)
    assert extractive_answer(q, [p], "en").short_answer.text != "38 %"  # type: ignore[union-attr]


def test_siblings_are_the_items_of_one_lettered_run() -> None:
    from assistant.siblings import label_runs, own_word_weights
    from assistant.units import sentence_units

    units = sentence_units(0, BORDER_KEYS)
    runs = label_runs(units)
    assert [[units[i].text[2:6] for i in run] for run in runs] == [
        ["(a) ", "(b) "], ["(a) ", "(b) ", "(c) "]
    ]
    toks = [set(u.text.lower().replace(";", " ").split()) for u in units]
    facts = set(range(len(units)))
    own = own_word_weights(units, toks, {"land", "external", "sea"}, lambda _t: 1.0, facts)
    land = next(i for i, u in enumerate(units) if "land" in u.text)
    sea = next(i for i, u in enumerate(units) if "sea " in u.text)
    assert own == {land: 1.0, sea: 1.0}  # "external" is in every item: it picks no item
    # "(i)" after "(h)" is the ninth letter, not a roman numeral that opens a list
    letters = sentence_units(0, "\n".join(f"- ({c}) item {c};" for c in "ghij"))
    assert [len(r) for r in label_runs(letters)] == [4]
    roman = sentence_units(0, "- (a) first;\n- (b) second:\n- (i) one;\n- (ii) two.")
    assert [len(r) for r in label_runs(roman)] == [2, 2]


@pytest.mark.parametrize(
    ("question", "text", "lang", "named"),
    [
        (
            "Vilken kommitté hjälper kommissionen när den antar genomförandeakter?",
            "When the committee gives no opinion on a draft implementing act, the Commission "
            "shall not adopt that implementing act. The Commission shall be assisted by the "
            "Standing Committee on Border Funds.",
            "en",
            "Standing Committee on Border Funds",
        ),
        (
            "Vilken lag styr räntan när en stödmottagare betalar tillbaka stöd?",
            "En stödmottagare som inte betalar tillbaka stöd i tid ska betala ränta. På det "
            "stöd som betalas tillbaka beräknas räntan enligt räntelagen (1975:635).",
            "sv",
            "räntelagen (1975:635)",
        ),
    ],
)
def test_a_question_for_a_sort_of_thing_is_answered_by_the_unit_that_names_one(
    monkeypatch: pytest.MonkeyPatch, question: str, text: str, lang: str, named: str
) -> None:
    """ "Vilken kommitté …?", "Vilken lag …?" ask for no kind of fact the patterns know: the
    unit that names a committee or a law ("the Standing Committee on …", "räntelagen
    (1975:635)") answers, not the one that shares more of the question's words."""
    from assistant import quotes
    from assistant.anchoring import asked_sort, names_one

    sort = asked_sort(question, None)
    assert sort is not None and names_one(sort, text.split(". ")[-1])
    assert not names_one(sort, text.split(". ")[0])
    assert asked_sort("In short, what is EUROSUR for?", None) is None  # a name, not a sort
    assert asked_sort("Vilken myndighet beslutar?", "actor") is None  # its kind's own spans
    assert named in quoted(question, [passage(text, lang=lang)], "sv")[0]
    monkeypatch.setattr(quotes, "NAMED_SORT", False)
    assert named not in quoted(question, [passage(text, lang=lang)], "sv")[0]


def test_an_actor_in_a_clause_of_condition_is_not_who_does_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "… när Migrationsöverdomstolen beslutar om avvisning" says when the register is written
    to, not who writes it: the lead-in's "Migrationsverket" answers "vem", the court in the item
    does not, however many of the question's words the item holds."""
    from assistant import asker

    q = "Vem lägger in beslut om avvisning i registret när en domstol har beslutat om avvisning?"
    text = (
        "Migrationsverket ansvarar för att uppgifterna läggs in i registret:\n\n"
        "1. när Migrationsöverdomstolen har beslutat om avvisning eller utvisning,\n"
        "2. när en migrationsdomstol upphäver ett beslut om avvisning."
    )
    answer = extractive_answer(q, [passage(text)], "sv").text
    assert "Kort svar: Migrationsverket" in answer
    monkeypatch.setattr(asker, "CONDITION_ACTORS", False)
    answer = extractive_answer(q, [passage(text)], "sv").text
    assert "Kort svar: Migrationsöverdomstolen" in answer


def test_a_question_for_a_distance_is_answered_by_the_unit_that_states_one() -> None:
    """ "Hur långt från gränsen …?" asks for kilometres: the sentence that states "20 kilometer"
    answers, not the one that repeats more of the question's words."""
    q = "Hur långt från gränsområdet får kamerorna sitta för att reglerna om fordon ska gälla?"
    text = (
        "Reglerna om fordon gäller för uppgifter från kameror i gränsområdet och från kameror "
        "som sitter i gränsområdet vid gränsen. "
        "Detsamma gäller kameror längs tillfartsvägar, högst 20 kilometer från området."
    )
    assert find_spans("högst 20 kilometer, 12 nautical miles", ("distance",))[1].text == (
        "12 nautical miles"
    )
    answer = extractive_answer(q, [passage(text)], "sv").text
    assert "Kort svar: högst 20 kilometer" in answer


def test_the_date_an_instrument_was_signed_is_no_answer_to_how_long() -> None:
    """ "signed at Strasbourg on 20 April 1959" names an agreement: a question for how long a
    stay may last is answered by "90 days", not by the agreement's date."""
    signed = (
        "Without prejudice to the European Agreement on the Abolition of Visas for Refugees of "
        "the Council of Europe signed at Strasbourg on 20 April 1959, recognised refugees "
        "resident in a third country listed in Annex I shall hold a visa when crossing the "
        "external borders of the Member States to stay in the Schengen area."
    )
    assert find_spans(signed, ("duration", "date", "year")) == []
    # when it was signed, said in a clause of its own, may be what is asked
    assert find_spans("Avtalet undertecknades den 3 maj 2019.", ("date",))
    assert find_spans("The protocol was signed at Lisbon on 3 May 2019.", ("date",))
    assert not find_spans("avtalet, undertecknat i Bryssel den 3 maj 2019, gäller", ("date",))
    stay = "Nationals of Annex II countries are exempt for stays of no more than 90 days."
    q = "En medborgare reser in utan visum. Hur länge får hon stanna i Schengen utan visum?"
    answer = extractive_answer(q, [passage(f"{signed} {stay}", lang="en")], "sv").text
    assert answer.startswith("Kort svar: no more than 90 days")


def test_another_regulation_asked_for_is_the_one_the_text_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "… – vilken annan EU-förordning hänvisar man till?" asks for a regulation ("annan" says
    which one, the compound's head what sort), after a first question word: the sentence that
    names "Regulation (EC) No 333/2002" answers."""
    from assistant import quotes
    from assistant.anchoring import asked_sort, names_one

    q = (
        "Vilka säkerhetsdetaljer ska resedokumentet ha – vilken annan EU-förordning hänvisar "
        "man till för de tekniska kraven?"
    )
    named = "The security features shall be those set out in Regulation (EC) No 333/2002."
    text = (
        "The technical specifications and security features of the travel document should be "
        f"harmonised to ensure high technical and security standards. {named}"
    )
    sort = asked_sort(q, None)
    assert sort is not None and names_one(sort, named)
    assert named in quoted(q, [passage(text, lang="en")], "sv")[0]
    monkeypatch.setattr(quotes, "NAMED_SORT", False)
    assert named not in quoted(q, [passage(text, lang="en")], "sv")[0]



def test_a_lead_in_that_opens_a_list_is_quoted_with_the_item_that_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import assistant.answer as A
    from assistant.units import list_items

    p = passage(
        "Myndigheten ska senast den 1 mars varje år redovisa uppgifter till departementet om\n\n"
        "1. tillämpningen av förenklade kontroller under föregående år,\n\n"
        "2. antalet tredjelandsmedborgare som nekats inresa under föregående år.\n\n"
        "Redovisningen ska vara skriftlig.",
        heading="12 §",
    )
    question = "När ska myndigheten redovisa hur många tredjelandsmedborgare som nekats inresa?"
    first = quoted(question, [p], "sv")[0]
    # the date and what the question names, in one quote; not the point it does not ask about
    assert "senast den 1 mars" in first and "nekats inresa" in first, first
    assert "förenklade" not in first
    draft = extractive_answer(question, [p], "sv")
    assert all(quote_in_text(c.quote, p.chunk.text) for c in draft.citations)  # verbatim
    assert draft.short_answer is not None and "1 mars" in draft.short_answer.text
    monkeypatch.setattr(A, "WITH_ITEM", False)
    assert "nekats inresa" not in quoted(question, [p], "sv")[0]

    # Under a numbered paragraph the list is its lettered points, up to the next paragraph.
    text = (
        "5. For the sea borders the amount shall be based on the threat, as follows:\n"
        "- (a) coefficient 1 for normal threat;\n- (b) coefficient 3 for high threat.\n"
        "6. For the airports the amount shall be based on the passengers."
    )
    units = sentence_units(0, text)
    lead = next(u for u in units if u.text.endswith("as follows:"))
    assert [u.text[:9] for u in list_items(text, units, lead)] == ["- (a) coe", "- (b) coe"]
    assert list_items(text, units, units[-1]) == []  # a whole sentence: opens no list
    # a point that ends without a full stop is one point, not a lead-in
    text = "- (v) Number of incidents reported\n- For the reports, broken down by:\n- (a) sea"
    units = sentence_units(0, text)
    assert list_items(text, units, units[0]) == []


def test_how_much_of_something_not_money_is_not_declined_for_want_of_a_sum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import assistant.declining as D
    from assistant.asking import asks_money
    from assistant.declining import missing_kind
    from assistant.quotes import score_units

    notice = passage(
        "Den utvärderade medlemsstaten ska underrättas minst 24 timmar före ett oanmält besök.",
        doc_id="schengen", title="Förordning om utvärdering",
    )
    asks_notice = "Hur mycket förvarning får landet minst inför ett oanmält besök?"
    asks_sum = "Hur mycket pengar får landet inför ett oanmält besök?"
    assert not asks_money(asks_notice)
    assert all(asks_money(q) for q in (asks_sum, "How much is the visa fee?", "Hur mycket fick "
               "vi ur ISF?", "Hur mycket kostar ett visum?", "Hur mycket euro kan vi få?"))
    # a time answers "how much notice"; only a sum answers "how much money"
    assert not missing_kind(asks_notice, score_units(asks_notice, [notice], "sv", lambda s: 1.0))
    assert missing_kind(asks_sum, score_units(asks_sum, [notice], "sv", lambda s: 1.0))
    monkeypatch.setattr(D, "MONEY_ONLY_WHEN_NAMED", False)
    assert missing_kind(asks_notice, score_units(asks_notice, [notice], "sv", lambda s: 1.0))


def test_a_sentence_that_restates_the_title_is_not_quoted(monkeypatch: pytest.MonkeyPatch) -> None:
    # "This Regulation establishes the Instrument …" says what the title says, however long it is:
    # it matched every question that names the instrument and went first before the rule asked for.
    import assistant.quotes as Q

    title = ("Regulation establishing, as part of the Internal Security Fund, the instrument for "
             "financial support for external borders and visa")
    p = passage(
        "This Regulation establishes the Instrument for financial support for external borders "
        "and visa as part of the Internal Security Fund. Operating support shall entail full "
        "reimbursement of the costs of the tasks.",
        lang="en", title=title,
    )
    q = "Fick vi tillbaka hela kostnaden när vi tog driftsstöd ur instrumentet för yttre gränser?"
    lines = quoted(q, [p], "sv")
    assert lines[0].startswith("> Operating support shall entail full reimbursement"), lines
    assert not any("This Regulation establishes" in line for line in lines)
    monkeypatch.setattr(Q, "TITLE_SHARE", 1.01)  # no unit is left out for its title words
    assert any("This Regulation establishes" in line for line in quoted(q, [p], "sv"))
