"""LLM answers over a real OpenAI-compatible HTTP server (a local fake) and LangChain's fake chat
models: citation checks, fallbacks, timeouts, streaming, prompt language and privacy."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import build_hash_index
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage
from openai_fake import FakeOpenAI

from assistant.answer import SYSTEM_PROMPT, TEXTS
from assistant.pipeline import Pipeline, make_llm
from assistant.privacy import luhn_ok

DOCS = {
    "isf.en.md": """---
id: isf
title: Regulation (EU) 2021/1149 establishing the Internal Security Fund
language: en
fund: ISF
---
# Internal Security Fund

## Article 1

This Regulation establishes the Internal Security Fund for the period 2021 to 2027.

## Article 12

The contribution from the Union budget shall not exceed 75 % of the total eligible expenditure \
of a project. It may be increased to 90 % for projects implemented under specific actions.

## Article 13

Operating support may amount to up to 20 % of the amount allocated to the programme.
""",
    "bmvi.en.md": """---
id: bmvi
title: Regulation (EU) 2021/1148 establishing the Border Management and Visa Instrument
language: en
fund: BMVI
---
# Border Management and Visa Instrument

## Article 12

The contribution from the Union budget to BMVI projects shall not exceed 75 % of the total \
eligible expenditure.

## Article 16

Operating support may amount to up to 33 % of the amount allocated to the programme.
""",
    "ncc.sv.md": """---
id: ncc
title: Nationellt samordningscentrum för gränsövervakning
language: sv
---
# Nationellt samordningscentrum

## Uppdrag

Det nationella samordningscentret (NCC) samordnar EUROSUR i Sverige. Polismyndigheten ansvarar \
för centret.

## Rapportering

NCC rapporterar händelser vid de yttre gränserna till Frontex varje dag.
""",
    "medfin.sv.md": """---
id: medfin
title: Vägledning om medfinansiering i fonderna
language: sv
fund: ISF, BMVI
---
# Vägledning om medfinansiering

## Medfinansiering

Medfinansieringen från EU i ISF och BMVI är högst 75 % av de stödberättigande utgifterna. \
Resten finansieras med nationella medel.
""",
}
QUESTION_EN = "What is the maximum co-financing rate for ISF projects?"
QUESTION_SV = "Hur hög är medfinansieringen i ISF?"
GOOD = "The Union contribution may not exceed 75 % of the eligible expenditure [1]."


def personnummer(birth: str = "850709", serial: str = "123") -> str:
    """A personnummer with a correct Luhn check digit (YYMMDD-NNNC)."""
    digits = birth + serial
    check = next(c for c in "0123456789" if luhn_ok(digits + c))
    return f"{birth}-{serial}{check}"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, embed_cache_path: Path) -> Path:
    """One index for the module (hash embeddings): ingest once, then only read."""
    return build_hash_index(tmp_path_factory.mktemp("llm"), DOCS, embed_cache_path)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as srv:
        yield srv


@pytest.fixture
def llm_pipe(
    monkeypatch: pytest.MonkeyPatch,
    settings: Callable[..., Any],
    index_dir: Path,
    server: FakeOpenAI,
) -> Callable[..., Pipeline]:
    """Factory: a pipeline that asks the fake server (ASSISTANT_LLM=openai:fake-model)."""
    monkeypatch.setenv("ASSISTANT_LLM", "openai:fake-model")
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", server.base_url)
    monkeypatch.setenv("ASSISTANT_ABSTAIN_THRESHOLD", "0")

    def make(**overrides: Any) -> Pipeline:
        return Pipeline(settings(data_dir=index_dir, **overrides))

    return make


@pytest.fixture
def plain_pipe(
    monkeypatch: pytest.MonkeyPatch, settings: Callable[..., Any], index_dir: Path
) -> Callable[..., Pipeline]:
    """Factory: a pipeline with no ASSISTANT_LLM, for a LangChain chat model passed in."""
    monkeypatch.setenv("ASSISTANT_ABSTAIN_THRESHOLD", "0")

    def make(llm: Any, **overrides: Any) -> Pipeline:
        return Pipeline(settings(data_dir=index_dir, **overrides), llm=llm)

    return make


def user_message(request: dict[str, Any]) -> str:
    return next(m["content"] for m in request["messages"] if m["role"] == "user")


def fallback_note(lang: str) -> str:
    return TEXTS[lang]["llm_fallback"]


# -- the fake server over HTTP -----------------------------------------------------------------
def test_make_llm_points_at_the_configured_server(
    llm_pipe: Callable[..., Pipeline], server: FakeOpenAI
) -> None:
    llm = make_llm(llm_pipe().settings)
    server.enqueue("pong")
    assert llm.invoke("ping").content == "pong"
    assert server.requests[0]["model"] == "fake-model"


def test_good_reply_becomes_an_llm_answer_with_verbatim_quotes(
    llm_pipe: Callable[..., Pipeline], server: FakeOpenAI
) -> None:
    server.enqueue(GOOD)
    ans = llm_pipe().ask(QUESTION_EN)
    assert ans.mode == "llm" and not ans.abstained
    assert ans.text == GOOD
    assert ans.warnings == []
    [c] = ans.citations
    first = ans.retrieved[0].chunk
    assert c.n == 1 and c.chunk_id == first.chunk_id and c.doc_id == first.doc_id
    assert c.quote and c.quote in first.text
    assert "75 %" in c.quote
    [request] = server.requests
    assert request["stream"] is True and request["model"] == "fake-model"
    # The passages were sent numbered, with their full text.
    assert f"[1] {first.metadata['title']} – {first.section}\n{first.text}" in user_message(request)


def test_citation_to_a_passage_not_given_is_removed(
    llm_pipe: Callable[..., Pipeline], server: FakeOpenAI
) -> None:
    server.enqueue("The rate is 75 % [1]. Operating support is up to 20 % [7].")
    ans = llm_pipe().ask(QUESTION_EN)
    sent = user_message(server.requests[0])
    assert "[5] " in sent and "[6] " not in sent  # five passages were given
    assert ans.mode == "llm"
    assert "[7]" not in ans.text and "[1]" in ans.text
    assert ans.text == "The rate is 75 % [1]. Operating support is up to 20 %."
    assert [c.n for c in ans.citations] == [1]
    assert TEXTS["en"]["llm_removed"].format(refs="[7]") in ans.warnings


@pytest.mark.parametrize(
    "reply",
    ["The co-financing rate is 75 %.", "See [9].", ""],
    ids=["no-marker", "only-invalid", "empty"],
)
def test_reply_without_a_valid_citation_falls_back_to_quotes(
    llm_pipe: Callable[..., Pipeline], server: FakeOpenAI, reply: str
) -> None:
    server.enqueue(reply)
    ans = llm_pipe().ask(QUESTION_EN)
    assert ans.mode == "extractive"
    # Quotes: a short answer may come first, then the lead.
    assert any(ln.startswith("According to ") for ln in ans.text.splitlines()[:2])
    assert ans.citations
    assert fallback_note("en") in ans.warnings
    for c in ans.citations:
        passage = next(p for p in ans.retrieved if p.chunk.chunk_id == c.chunk_id)
        assert all(part in passage.chunk.text for part in c.quote.split(" … "))


@pytest.mark.parametrize(
    "options",
    [{"delay": 10.0}, {"token_delay": 0.6}],
    ids=["no-first-byte", "trickling-tokens"],
)
def test_slow_reply_falls_back_within_the_timeout(
    llm_pipe: Callable[..., Pipeline], server: FakeOpenAI, options: dict[str, float]
) -> None:
    timeout = 1.0
    server.enqueue(GOOD, **options)
    pipe = llm_pipe(llm_timeout=timeout)
    pipe.warm()  # open the index first: the clock is for the model only
    t0 = time.perf_counter()
    ans = pipe.ask(QUESTION_EN)
    elapsed = time.perf_counter() - t0
    assert elapsed < timeout + 3
    assert ans.mode == "extractive" and ans.citations
    assert fallback_note("en") in ans.warnings


def test_server_error_falls_back(llm_pipe: Callable[..., Pipeline], server: FakeOpenAI) -> None:
    server.enqueue("model crashed", status=500)
    ans = llm_pipe().ask(QUESTION_SV)
    assert len(server.requests) == 1  # no retries
    assert ans.mode == "extractive" and ans.citations
    assert any(ln.startswith("Enligt ") for ln in ans.text.splitlines()[:2])
    assert fallback_note("sv") in ans.warnings


def test_unreachable_server_falls_back(
    monkeypatch: pytest.MonkeyPatch, llm_pipe: Callable[..., Pipeline], server: FakeOpenAI
) -> None:
    url = server.base_url
    server.close()
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", url)
    ans = llm_pipe(llm_timeout=5).ask(QUESTION_EN)
    assert ans.mode == "extractive" and fallback_note("en") in ans.warnings


def test_tokens_reach_on_token_in_order(
    llm_pipe: Callable[..., Pipeline], server: FakeOpenAI
) -> None:
    reply = server.enqueue(GOOD, token_delay=0.01)
    tokens: list[str] = []
    ans = llm_pipe().ask(QUESTION_EN, on_token=tokens.append)
    assert tokens == reply.pieces()
    assert len(tokens) > 5
    assert "".join(tokens) == GOOD == ans.text


@pytest.mark.parametrize(
    ("question", "lang", "label"),
    [(QUESTION_SV, "sv", "Fråga"), (QUESTION_EN, "en", "Question")],
)
def test_question_language_picks_the_system_prompt(
    llm_pipe: Callable[..., Pipeline], server: FakeOpenAI, question: str, lang: str, label: str
) -> None:
    server.enqueue("75 % [1].")
    ans = llm_pipe().ask(question)
    assert ans.language == lang
    messages = server.requests[0]["messages"]
    assert messages[0] == {"role": "system", "content": SYSTEM_PROMPT[lang]}
    assert messages[1]["role"] == "user"
    assert messages[1]["content"].endswith(f"{label}: {question}")


def test_personnummer_never_reaches_the_model(
    llm_pipe: Callable[..., Pipeline], server: FakeOpenAI
) -> None:
    pnr = personnummer()
    other = personnummer("121212", "121")
    assert luhn_ok(pnr.replace("-", "")) and luhn_ok(other.replace("-", ""))
    server.enqueue("Medfinansieringen är högst 75 % [1].")
    history = [("user", f"Gäller ISF för ärendet {other}?"), ("assistant", "Ja [1].")]
    question = f"Hur hög är medfinansieringen i ISF för ärendet med personnummer {pnr}?"
    ans = llm_pipe().ask(question, history=history)
    body = json.dumps(server.requests, ensure_ascii=False)
    assert pnr not in body and pnr.replace("-", "") not in body and other not in body
    assert "[personnummer]" in body
    assert any("personuppgifter" in w for w in ans.warnings)
    assert pnr not in json.dumps(ans.to_json(), ensure_ascii=False)
    assert ans.mode == "llm"


# -- LangChain's fake chat models --------------------------------------------------------------
def test_generic_fake_chat_model_streams_into_an_llm_answer(
    plain_pipe: Callable[..., Pipeline],
) -> None:
    llm = GenericFakeChatModel(messages=iter([AIMessage(content=GOOD)]))
    tokens: list[str] = []
    ans = plain_pipe(llm).ask(QUESTION_EN, on_token=tokens.append)
    assert ans.mode == "llm"
    assert len(tokens) > 1 and "".join(tokens) == GOOD
    [c] = ans.citations
    assert c.chunk_id == ans.retrieved[0].chunk.chunk_id
    assert c.quote in ans.retrieved[0].chunk.text


def test_use_llm_false_skips_a_given_model(plain_pipe: Callable[..., Pipeline]) -> None:
    llm = GenericFakeChatModel(messages=iter([AIMessage(content=GOOD)]))
    ans = plain_pipe(llm).ask(QUESTION_EN, use_llm=False)
    assert ans.mode == "extractive" and ans.warnings == []


def test_fake_list_chat_model_invalid_citation_is_removed(
    plain_pipe: Callable[..., Pipeline],
) -> None:
    llm = FakeListChatModel(responses=["Högst 75 % [1], se även [12]."])
    ans = plain_pipe(llm).ask(QUESTION_SV)
    assert ans.mode == "llm"
    assert ans.text == "Högst 75 % [1], se även."
    assert TEXTS["sv"]["llm_removed"].format(refs="[12]") in ans.warnings


def test_slow_fake_list_chat_model_times_out(plain_pipe: Callable[..., Pipeline]) -> None:
    # FakeListChatModel streams one character at a time, sleeping before each.
    llm = FakeListChatModel(responses=[GOOD], sleep=0.2)
    pipe = plain_pipe(llm, llm_timeout=1.0)
    pipe.warm()
    t0 = time.perf_counter()
    ans = pipe.ask(QUESTION_EN)
    assert time.perf_counter() - t0 < 1.0 + 3
    assert ans.mode == "extractive" and fallback_note("en") in ans.warnings


def test_model_error_falls_back(plain_pipe: Callable[..., Pipeline]) -> None:
    llm = FakeListChatModel(responses=[GOOD], error_on_chunk_number=3)
    ans = plain_pipe(llm).ask(QUESTION_EN)
    assert ans.mode == "extractive" and fallback_note("en") in ans.warnings


def test_issue_forms_in_question_and_thread_never_reach_the_model(
    llm_pipe: Callable[..., Pipeline], server: FakeOpenAI
) -> None:
    from pii_forms import ISSUE_FORMS

    server.enqueue("The Union contribution may not exceed 75 % [1].")
    history = [("user", f"Does ISF apply to {form}?") for form in ISSUE_FORMS[:6]]
    question = "What is the ISF co-financing rate for " + " and ".join(ISSUE_FORMS[6:]) + "?"
    ans = llm_pipe().ask(question, history=history)
    body = json.dumps(server.requests, ensure_ascii=False)
    for secret in ("8112181071", "811218", "0701164567", "117.45.67", "118 45 67", "anna.svensson"):
        assert secret not in body, secret
    assert any("personal data" in w for w in ans.warnings)  # the warning is in English
