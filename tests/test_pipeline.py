"""The pipeline end to end on a tiny index (hash embeddings): guard, abstention, filters,
validity, follow-up questions and the `ask --json` contract."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import ASK_JSON_KEYS, build_hash_index

from assistant.errors import QuestionRejectedError
from assistant.pipeline import Pipeline, standalone_query

DOCS = {
    "isf.md": """---
id: isf-2021
title: Förordning (EU) 2021/1149 om inrättande av Fonden för inre säkerhet
language: sv
fund: ISF
programme_period: 2021-2027
---
# Fonden för inre säkerhet

## Artikel 12

Medfinansieringen från unionens budget för ISF får inte överstiga 75 % av de totala \
stödberättigande utgifterna för ett projekt.
""",
    "bmvi.md": """---
id: bmvi-2021
title: Förordning (EU) 2021/1148 om instrumentet för gränsförvaltning och visering
language: sv
fund: BMVI
programme_period: 2021-2027
---
# Instrumentet för gränsförvaltning och visering

## Artikel 1

BMVI finansierar utrustning till kustbevakningen. BMVI förvaltas av Polismyndigheten.

## Artikel 12

Medfinansieringen från unionens budget för BMVI får inte överstiga 75 % av de totala \
stödberättigande utgifterna. För specifika åtgärder inom BMVI får medfinansieringen höjas till 90 %.

## Artikel 20

Operativt stöd får uppgå till högst 33 % av det belopp som tilldelats programmet.
""",
    # The same rule as BMVI Artikel 20, in the act it replaced.
    "isf-gv.md": """---
id: isf-gv-2014
title: Förordning (EU) nr 515/2014 om ISF gränser och visering 2014–2020
language: sv
fund: ISF
programme_period: 2014-2020
superseded_by: bmvi-2021
valid_to: 2020-12-31
---
# ISF gränser och visering

## Artikel 10

Operativt stöd får uppgå till högst 33 % av det belopp som tilldelats programmet.
""",
    "rutin.md": """---
id: intern-rutin
title: Intern rutin för kassaavstämning
language: sv
classification: internal
---
# Intern rutin

## Avstämning

Kassaavstämningen av projektkontot görs varje månad av controllern.
""",
    "plan.md": """---
id: begransad-plan
title: Begränsad plan för kassaavstämning
language: sv
classification: restricted
---
# Begränsad plan

## Avstämning

Kassaavstämningen av det skyddade kontot görs varje vecka av säkerhetschefen.
""",
}
BMVI_TITLE = "Förordning (EU) 2021/1148 om instrumentet för gränsförvaltning och visering"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, embed_cache_path: Path) -> Iterator[Path]:
    """One index for the module: ingest once, then every test only reads it."""
    yield build_hash_index(tmp_path_factory.mktemp("pipeline"), DOCS, embed_cache_path)


@pytest.fixture
def pipe(settings: Callable[..., Any], index_dir: Path) -> Pipeline:
    return Pipeline(settings(data_dir=index_dir, abstain_threshold=0))


def doc_ids(passages: list[Any]) -> list[str]:
    return [p.chunk.doc_id for p in passages]


# -- guard -------------------------------------------------------------------------------------
@pytest.mark.parametrize("question", ["", "   ", " \n\t ", "?!"])
def test_empty_question_is_rejected_in_swedish(settings: Callable[..., Any], question: str) -> None:
    with pytest.raises(QuestionRejectedError, match="Frågan är tom"):
        Pipeline(settings()).ask(question)


def test_over_long_question_is_rejected_naming_the_limit(settings: Callable[..., Any]) -> None:
    question = "Hur hög är medfinansieringen i ISF och vad gäller för BMVI? " * 30
    with pytest.raises(QuestionRejectedError) as err:
        Pipeline(settings()).ask(question)
    assert "för lång" in str(err.value) and "högst 1000" in str(err.value)
    with pytest.raises(QuestionRejectedError, match="högst 200"):
        Pipeline(settings(max_question_chars=200)).ask(question)


# -- abstention --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question",
    ["Hur hög är medfinansieringen i ISF?", "Vad kostar en biljett till månen?", "Och för BMVI?"],
)
def test_abstains_below_the_threshold_with_related_sources(
    monkeypatch: pytest.MonkeyPatch, settings: Callable[..., Any], index_dir: Path, question: str
) -> None:
    monkeypatch.setenv("ASSISTANT_ABSTAIN_THRESHOLD", "1.01")
    ans = Pipeline(settings(data_dir=index_dir)).ask(question)
    assert ans.abstained
    assert ans.text == "Jag hittar inget stöd för det i dokumenten."
    # weak evidence: no sentence about what is missing, the reason in the JSON
    assert ans.declined_by is not None and ans.declined_by.code == "weak_match"
    assert ans.to_json()["declined_by"] == "weak_match"
    assert ans.citations == []
    assert 1 <= len(ans.related) <= 3
    assert len({c.doc_id for c in ans.related}) == len(ans.related)
    assert [c.n for c in ans.related] == list(range(1, len(ans.related) + 1))
    assert "intern-rutin" not in {c.doc_id for c in ans.related}


def test_abstains_in_the_question_language(
    monkeypatch: pytest.MonkeyPatch, settings: Callable[..., Any], index_dir: Path
) -> None:
    monkeypatch.setenv("ASSISTANT_ABSTAIN_THRESHOLD", "1.01")
    ans = Pipeline(settings(data_dir=index_dir)).ask("What is the co-financing rate for BMVI?")
    assert ans.language == "en"
    assert ans.text == "I cannot find support for that in the documents."


# -- access level ------------------------------------------------------------------------------
QUESTION_CASH = "Hur ofta görs kassaavstämningen?"


def test_internal_and_restricted_documents_stay_out_of_public_answers(pipe: Pipeline) -> None:
    ans = pipe.ask(QUESTION_CASH, max_classification="public")
    seen = set(doc_ids(ans.retrieved)) | {c.doc_id for c in ans.citations}
    assert not seen & {"intern-rutin", "begransad-plan"}
    assert "kontot" not in ans.text


def test_internal_level_sees_internal_but_not_restricted(pipe: Pipeline) -> None:
    ans = pipe.ask(QUESTION_CASH, max_classification="internal")
    assert "intern-rutin" in doc_ids(ans.retrieved)
    assert "begransad-plan" not in doc_ids(ans.retrieved)


def test_restricted_level_sees_everything(pipe: Pipeline) -> None:
    ans = pipe.ask(QUESTION_CASH, max_classification="restricted")
    assert {"intern-rutin", "begransad-plan"} <= set(doc_ids(ans.retrieved[:2]))
    assert {c.doc_id for c in ans.citations} & {"intern-rutin", "begransad-plan"}


# -- validity ----------------------------------------------------------------------------------
def test_citing_a_superseded_text_warns_and_names_its_replacement(pipe: Pipeline) -> None:
    ans = pipe.ask("Hur stort fick det operativa stödet vara 2014–2020?")
    assert "isf-gv-2014" in {c.doc_id for c in ans.citations}
    [warning] = [w for w in ans.warnings if "gäller inte längre" in w]
    assert BMVI_TITLE in warning
    assert "2020-12-31" in warning


def test_current_text_ranks_before_the_superseded_one(pipe: Pipeline) -> None:
    ranked = doc_ids(pipe.retrieve("Hur stort får det operativa stödet vara?"))
    assert ranked.index("bmvi-2021") < ranked.index("isf-gv-2014")
    ans = pipe.ask("Hur stort får det operativa stödet vara?")
    assert ans.citations[0].doc_id == "bmvi-2021"


def test_naming_the_old_period_lifts_the_superseded_text(pipe: Pipeline) -> None:
    ranked = doc_ids(pipe.retrieve("Hur stort fick det operativa stödet vara 2014–2020?"))
    assert ranked[0] == "isf-gv-2014"


def test_no_validity_warning_for_current_texts(pipe: Pipeline) -> None:
    ans = pipe.ask("Hur hög är medfinansieringen i ISF?", funds=["ISF"], period="2021-2027")
    assert ans.citations
    assert not [w for w in ans.warnings if "gäller inte längre" in w]


# -- conversation ------------------------------------------------------------------------------
FIRST = "Hur hög är medfinansieringen i ISF?"


def test_follow_up_borrows_the_previous_subject(pipe: Pipeline) -> None:
    history = [("user", FIRST), ("assistant", "Högst 75 % [1].")]
    query = standalone_query("Och för BMVI?", history)
    # The follow-up takes the topic (co-financing) and swaps the fund it names.
    assert "medfinansieringen" in query and "BMVI" in query and "ISF" not in query
    assert standalone_query("Och för BMVI?", None) == "Och för BMVI?"
    ans = pipe.ask("Och för BMVI?", history=history)
    top = ans.retrieved[0].chunk
    assert (top.doc_id, top.section) == ("bmvi-2021", "Artikel 12")
    assert ans.citations[0].doc_id == "bmvi-2021"


def test_standalone_query() -> None:
    history = [("user", FIRST), ("assistant", "Högst 75 % [1].")]
    assert standalone_query("Och för BMVI?", history) == "Hur hög är medfinansieringen i ? Och för BMVI?"
    assert standalone_query("Och för BMVI?", None) == "Och för BMVI?"
    assert standalone_query("Och för BMVI?", [("assistant", "Hej")]) == "Och för BMVI?"
    full = "Vilka åtgärder får stöd enligt artikel 20 i BMVI-förordningen om operativt stöd?"
    assert standalone_query(full, history) == full


def test_history_is_redacted_before_retrieval(pipe: Pipeline) -> None:
    history = [("user", "Gäller ISF för 121212-1212?")]
    ans = pipe.ask("Och för BMVI?", history=history)
    assert "121212-1212" not in json.dumps(ans.to_json(), ensure_ascii=False)


# -- filters -----------------------------------------------------------------------------------
def test_fund_filter(pipe: Pipeline) -> None:
    ans = pipe.ask("Hur hög är medfinansieringen?", funds=["BMVI"])
    assert ans.retrieved and set(doc_ids(ans.retrieved)) == {"bmvi-2021"}
    assert set(doc_ids(pipe.retrieve("Hur hög är medfinansieringen?", funds=["isf"]))) == {
        "isf-2021",
        "isf-gv-2014",
    }


def test_period_filter(pipe: Pipeline) -> None:
    assert set(doc_ids(pipe.retrieve("operativt stöd", period="2014-2020"))) == {"isf-gv-2014"}
    current = set(doc_ids(pipe.retrieve("operativt stöd", period="2021-2027")))
    assert current and "isf-gv-2014" not in current


# -- contract ----------------------------------------------------------------------------------
def test_ask_to_json_has_the_contract_keys(pipe: Pipeline) -> None:
    out = pipe.ask("Hur hög är medfinansieringen i BMVI?").to_json()
    json.dumps(out)  # serialisable as printed by `ask --json`
    assert set(out) >= ASK_JSON_KEYS
    assert out["question"] == "Hur hög är medfinansieringen i BMVI?"
    assert out["language"] == "sv" and out["abstained"] is False
    # The asked-for rate first, copied from the quote it cites, then the lead.
    assert out["short_answer"] == {"text": "75 %", "n": 1}
    assert out["answer"].splitlines()[0].startswith("Kort svar: 75 % (")
    assert out["answer"].splitlines()[1].startswith("Enligt ")
    first = next(c for c in out["citations"] if c["n"] == 1)
    assert "75 %" in first["quote"]
    assert out["citations"]
    for c in out["citations"]:
        assert {"n", "doc_id", "title", "section", "page", "url", "quote"} <= set(c)
    assert out["retrieved"]
    for r in out["retrieved"]:
        assert {"doc_id", "section", "score", "text"} <= set(r)
        assert r["text"]
    scores = [r["score"] for r in out["retrieved"]]
    assert scores == sorted(scores, reverse=True)
    # Each quote comes from a retrieved passage's full text.
    texts = [r["text"] for r in out["retrieved"]]
    for c in out["citations"]:
        for part in c["quote"].split(" … "):
            assert any(part in t for t in texts)
    assert out["timings_ms"]["total_ms"] >= out["timings_ms"]["retrieve_ms"] >= 0


def test_english_question_gets_an_english_lead(pipe: Pipeline) -> None:
    ans = pipe.ask("What is the co-financing rate for BMVI?")
    assert ans.language == "en"
    assert ans.text.startswith("Short answer: ")
    assert ans.text.splitlines()[1].startswith("According to ")
