"""Pure answer functions: extractive answers, titles, labels, LLM citation checks, validity."""

from __future__ import annotations

import re
from typing import Any

import pytest

from assistant.answer import (
    TEXTS,
    check_llm_answer,
    extractive_answer,
    section_for_lang,
    sentence_units,
    short_title,
    validity_warnings,
)
from assistant.documents import Chunk, Passage


def passage(
    text: str,
    *,
    doc_id: str = "doc",
    section: str = "Article 1",
    lang: str = "en",
    n: int = 0,
    **meta: Any,
) -> Passage:
    meta.setdefault("title", f"Title of {doc_id}")
    chunk = Chunk(
        chunk_id=f"{doc_id}#{section}#{n}",
        doc_id=doc_id,
        text=text,
        section=section,
        heading_path=section,
        start=0,
        end=len(text),
        metadata={"language": lang, **meta},
    )
    return Passage(chunk, score=1.0 / (n + 1), dense_score=0.5)


ISF_TITLE = (
    "Regulation (EU) 2021/1149 of the European Parliament and of the Council of 7 July 2021 "
    "establishing the Internal Security Fund"
)

EN_PASSAGES = [
    passage(
        "The contribution from the Union budget shall not exceed 75 % of the total eligible "
        "expenditure of a project. By way of derogation, it may be increased to 90 % for "
        "projects implemented under specific actions.",
        doc_id="isf",
        section="Article 12",
        title=ISF_TITLE,
        n=0,
    ),
    passage(
        "Operating support may amount to up to 33 % of the amount allocated to the programme. "
        "Member States shall justify the use of operating support.",
        doc_id="bmvi",
        section="Article 16",
        n=1,
    ),
    passage(
        "- The Fund shall contribute to a high level of security in the Union.\n"
        "- The Fund shall support the exchange of information.",
        doc_id="isf",
        section="Article 3",
        title=ISF_TITLE,
        n=2,
    ),
]

SV_PASSAGES = [
    passage(
        "Medfinansieringen från unionens budget får inte överstiga 75 % av de totala "
        "stödberättigande utgifterna. För specifika åtgärder får den höjas till 90 %.",
        doc_id="isf-sv",
        section="Artikel 12",
        lang="sv",
        title="Europaparlamentets och rådets förordning (EU) 2021/1149 om inrättande av "
        "Fonden för inre säkerhet",
        n=0,
    ),
    passage(
        "Polismyndigheten är ansvarig myndighet för fonden. Myndigheten rapporterar varje år.",
        doc_id="sfs",
        section="5 §",
        lang="sv",
        title="Förordning (2021:846) om fonderna",
        beteckning="2021:846",
        n=1,
    ),
]


def quote_parts(quote: str) -> list[str]:
    return [q for q in quote.split(" … ") if q]


# -- extractive_answer -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "passages", "lang", "lead"),
    [
        ("What is the maximum co-financing rate?", EN_PASSAGES, "en", "According to "),
        ("Hur hög är medfinansieringen?", SV_PASSAGES, "sv", "Enligt "),
    ],
)
def test_extractive_answer_quotes_verbatim_with_a_lead_in_the_question_language(
    question: str, passages: list[Passage], lang: str, lead: str
) -> None:
    draft = extractive_answer(question, passages, lang)
    assert draft.citations
    lines = draft.text.splitlines()
    # The short answer (a fact copied from the first quote) comes first, then the lead.
    assert draft.short_answer is not None and draft.short_answer.text == "75 %"
    assert lines[0].startswith("Short answer: 75 %" if lang == "en" else "Kort svar: 75 %")
    assert lines[1].startswith(lead)
    by_id = {p.chunk.chunk_id: p for p in passages}
    for c in draft.citations:
        cited = by_id[c.chunk_id]
        assert c.doc_id == cited.chunk.doc_id and c.section == cited.chunk.section
        for part in quote_parts(c.quote):
            assert part in cited.chunk.text, f"quote not verbatim: {part!r}"
    # Every answer line is a quote with the number of the passage it came from.
    for line in lines[2:]:
        m = re.fullmatch(r"> (.+) \[(\d+)\]", line)
        assert m, line
        c = next(c for c in draft.citations if c.n == int(m.group(2)))
        assert m.group(1) in by_id[c.chunk_id].chunk.text


def test_extractive_answer_numbers_passages_not_quotes() -> None:
    draft = extractive_answer("What is the maximum co-financing rate?", EN_PASSAGES, "en")
    numbers = [c.n for c in draft.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len({c.chunk_id for c in draft.citations}) == len(numbers)  # one citation per passage
    # Two quotes from the first passage share its number.
    refs = re.findall(r"\[(\d+)\]$", draft.text, re.M)
    assert len(refs) > len(numbers)
    assert refs.count("1") >= 2


def test_extractive_answer_lead_names_the_first_source() -> None:
    en = extractive_answer("What is the maximum co-financing rate?", EN_PASSAGES, "en")
    assert en.text.splitlines()[0] == (
        "Short answer: 75 % (Regulation (EU) 2021/1149, Article 12) [1]"
    )
    assert en.text.splitlines()[1] == "According to Regulation (EU) 2021/1149, Article 12:"
    sv = extractive_answer("Hur hög är medfinansieringen?", SV_PASSAGES, "sv")
    assert sv.text.splitlines()[1] == "Enligt förordning (EU) 2021/1149, Artikel 12:"


def test_extractive_answer_leaves_out_list_markers_but_stays_verbatim() -> None:
    draft = extractive_answer("Does the fund contribute to security?", [EN_PASSAGES[2]], "en")
    assert draft.citations
    for part in quote_parts(draft.citations[0].quote):
        assert not part.startswith("- ")
        assert part in EN_PASSAGES[2].chunk.text


def test_extractive_answer_without_passages_is_empty() -> None:
    draft = extractive_answer("Anything?", [], "en")
    assert (draft.text, draft.citations, draft.warnings) == ("", [], [])


# -- titles and labels -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("meta", "lang", "expected"),
    [
        ({"title": ISF_TITLE}, "sv", "förordning (EU) 2021/1149"),
        ({"title": ISF_TITLE}, "en", "Regulation (EU) 2021/1149"),
        (
            {"title": "Regulation (EU) No 515/2014 establishing ISF Borders and Visa"},
            "en",
            "Regulation (EU) No 515/2014",
        ),
        (
            {"title": "Directive (EU) 2016/681 on the use of PNR data"},
            "sv",
            "direktiv (EU) 2016/681",
        ),
        (
            {"title": "Europaparlamentets och rådets förordning (EU) 2021/1148 om BMVI"},
            "sv",
            "förordning (EU) 2021/1148",
        ),
        (
            {"title": "Europaparlamentets och rådets förordning (EU) 2021/1148 om BMVI"},
            "en",
            "Regulation (EU) 2021/1148",
        ),
        (
            {
                "title": "Förordning (2021:846) om fonderna för inrikes frågor",
                "beteckning": "2021:846",
            },
            "sv",
            "förordning (2021:846)",
        ),
        ({"title": "Förordning om fonderna", "beteckning": "2021:846"}, "sv", "förordning (2021:846)"),
        ({"title": "Förordning om fonderna", "beteckning": "2021:846"}, "en", "SFS 2021:846"),
        ({"title": "Passlag (1978:302)"}, "sv", "passlag (1978:302)"),
        # an act named with its author, an older act's "(EC)", a third-pillar decision
        (
            {"title": "Council Regulation (EC) No 2252/2004 of 13 December 2004 on standards"},
            "sv",
            "förordning (EC) No 2252/2004",
        ),
        (
            {"title": "Council Decision 2008/633/JHA of 23 June 2008 concerning access"},
            "en",
            "Decision 2008/633/JHA",
        ),
        (
            {"title": "Commission Implementing Regulation (EU) 2020/2011 laying down"},
            "sv",
            "förordning (EU) 2020/2011",
        ),
        # A name in the document's own language is not used for askers of the other one.
        ({"title": "Projektguiden", "short_title": "guiden", "language": "sv"}, "en", '"Projektguiden"'),
        (
            {"title": "X", "short_title": "guiden", "short_title_en": "the guide", "language": "sv"},
            "en",
            "the guide",
        ),
        ({"title": ISF_TITLE, "short_title": "ISF-förordningen"}, "sv", "ISF-förordningen"),
        ({"title": "Nationell strategi"}, "sv", "Nationell strategi"),
        ({}, "sv", "doc-id"),
    ],
)
def test_short_title(meta: dict[str, Any], lang: str, expected: str) -> None:
    assert short_title(meta, "doc-id", lang) == expected


def test_a_statute_without_its_number_in_the_title_is_named_by_its_id() -> None:
    """A statute whose metadata gives no `beteckning` and whose title no number is named by the
    number in its id ("SFS-2021:1188"), not by its long title cut short."""
    meta = {"title": "Förordning med kompletterande bestämmelser till EU:s förordningar om SIS"}
    assert short_title(meta, "SFS-2021:1188", "sv") == "förordning (2021:1188)"
    assert short_title(meta, "SFS-2021:1188", "en") == "SFS 2021:1188"
    assert short_title({"title": "Lag om kontroll i gränsnära områden"}, "SFS-2023:474", "sv") == (
        "lag (2023:474)"
    )
    assert short_title(meta, "sfs-2021-1188", "sv") == "förordning (2021:1188)"
    assert short_title(meta, "sis-forordning", "sv").startswith("Förordning med")


def test_short_title_cuts_long_titles_at_a_word() -> None:
    title = "Handbok för projektägare om rapportering, uppföljning och revision av projekt " * 2
    short = short_title({"title": title}, "x", "sv")
    assert short.endswith("…") and len(short) <= 71
    assert title.startswith(short[:-1])


@pytest.mark.parametrize(
    ("section", "lang", "expected"),
    [
        ("Article 12", "sv", "artikel 12"),
        ("Annex III", "sv", "bilaga III"),
        ("Recital 5", "sv", "skäl 5"),
        ("Article 12", "en", "Article 12"),
        ("Annex III", "en", "Annex III"),
        ("2 kap. 3 §", "sv", "2 kap. 3 §"),
        ("Syfte", "sv", "Syfte"),
    ],
)
def test_section_for_lang(section: str, lang: str, expected: str) -> None:
    assert section_for_lang(section, lang) == expected


# -- check_llm_answer --------------------------------------------------------------------------
def test_check_llm_answer_keeps_valid_citations_with_verbatim_quotes() -> None:
    text, cites, warnings = check_llm_answer(
        "The Union contribution may not exceed 75 % [1]. Operating support is capped at 33 % [2].",
        EN_PASSAGES,
        "en",
    )
    assert warnings == []
    assert [c.n for c in cites] == [1, 2]
    assert [c.chunk_id for c in cites] == [
        EN_PASSAGES[0].chunk.chunk_id,
        EN_PASSAGES[1].chunk.chunk_id,
    ]
    assert "75 %" in cites[0].quote and "33 %" in cites[1].quote
    for c, p in zip(cites, EN_PASSAGES, strict=False):
        assert c.quote in p.chunk.text
    assert text.endswith("33 % [2].")


def test_check_llm_answer_drops_citations_to_passages_not_given() -> None:
    text, cites, warnings = check_llm_answer(
        "The rate is 75 % [1]. See also [7] and [0].", EN_PASSAGES, "en"
    )
    assert "[7]" not in text and "[0]" not in text
    assert "[1]" in text
    assert " ." not in text and "  " not in text
    assert [c.n for c in cites] == [1]
    assert len(warnings) == 1 and "[0], [7]" in warnings[0]


def test_check_llm_answer_warns_in_swedish() -> None:
    _text, _cites, warnings = check_llm_answer("Taket är 75 % [9].", SV_PASSAGES, "sv")
    assert warnings == [TEXTS["sv"]["llm_removed"].format(refs="[9]")]


def test_check_llm_answer_without_markers_has_no_citations() -> None:
    text, cites, warnings = check_llm_answer("The rate is 75 %.", EN_PASSAGES, "en")
    assert (text, cites, warnings) == ("The rate is 75 %.", [], [])


def test_check_llm_answer_cites_a_passage_once_however_often_it_is_named() -> None:
    _text, cites, _w = check_llm_answer(
        "75 % [1]. Up to 90 % for specific actions [1].", EN_PASSAGES, "en"
    )
    assert [c.n for c in cites] == [1]


# -- validity ----------------------------------------------------------------------------------
OLD = passage(
    "Operating support may amount to up to 40 % of the allocation.",
    doc_id="isf-bv-2014",
    section="Article 10",
    title="Regulation (EU) No 515/2014 establishing ISF Borders and Visa",
    superseded_by="bmvi-2021",
    valid_to="2020-12-31",
)
TITLES = {"bmvi-2021": "Regulation (EU) 2021/1148 establishing BMVI", "isf-bv-2014": "old"}


def test_validity_warning_names_the_replacement_and_the_end_date() -> None:
    [sv] = validity_warnings([OLD], "sv", TITLES)
    assert "förordning (EU) No 515/2014" in sv
    assert "Regulation (EU) 2021/1148 establishing BMVI" in sv
    assert "2020-12-31" in sv
    [en] = validity_warnings([OLD], "en", TITLES)
    assert en.startswith("Note: Regulation (EU) No 515/2014 is no longer in force")
    assert "2020-12-31" in en and "replaced by Regulation (EU) 2021/1148 establishing BMVI" in en


def test_validity_warning_once_per_document_and_none_for_current_text() -> None:
    again = passage(
        "Another part.",
        doc_id="isf-bv-2014",
        section="Article 11",
        superseded_by="bmvi-2021",
        valid_to="2020-12-31",
    )
    assert len(validity_warnings([OLD, again, EN_PASSAGES[0]], "en", TITLES)) == 1
    assert validity_warnings(EN_PASSAGES, "en", TITLES) == []


def test_validity_warning_for_an_expired_text_without_a_replacement() -> None:
    expired = passage("Old routine.", doc_id="rutin", title="Rutin 2019", valid_to="2019-06-30")
    [w] = validity_warnings([expired], "sv", {})
    assert "Rutin 2019" in w and "2019-06-30" in w and "ersattes" not in w


def test_validity_warning_falls_back_to_the_replacing_id() -> None:
    [w] = validity_warnings([OLD], "en", {})
    assert "replaced by bmvi-2021" in w


# -- sentence_units ----------------------------------------------------------------------------
def test_sentence_units_offsets_point_into_the_text() -> None:
    text = "  First sentence here. Second one!\n- item one\nok\n(a) third; Fourth 12 % e.g. this."
    units = sentence_units(4, text)
    assert [u.text for u in units] == [
        "First sentence here.",
        "Second one!",
        "- item one\nok",  # a line that does not start an item goes on with the item
        "(a) third;",
        "Fourth 12 % e.g. this.",
    ]
    for u in units:
        assert u.p_index == 4
        assert text[u.start : u.end] == u.text


def test_sentence_units_do_not_split_before_lower_case() -> None:
    text = "Se t.ex. bilaga II, enl. art. tolv. Nästa mening 2021."
    assert [u.text for u in sentence_units(0, text)] == [
        "Se t.ex. bilaga II, enl. art. tolv.",
        "Nästa mening 2021.",
    ]


def test_sentence_units_of_blank_text() -> None:
    assert sentence_units(0, "   \n\n ") == []
