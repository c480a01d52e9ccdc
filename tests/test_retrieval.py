"""Fusion of ranked lists and merging of neighbouring parts, on hand-made inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.documents import Chunk, Passage
from assistant.retrieval import RRF_K, fuse, merge_neighbours


def rrf(*ranks: int) -> float:
    """What a passage at these ranks (0 = first) of the fused kinds gets."""
    return sum(1.0 / (RRF_K + r + 1) for r in ranks)


# -- fuse ----------------------------------------------------------------------------------------
def test_fuse_sums_reciprocal_ranks_over_dense_and_lexical() -> None:
    fused = fuse([("dense", [(1, 0.9), (2, 0.8)]), ("lexical", [(2, 12.0), (3, 4.0)])])
    assert fused == pytest.approx({1: rrf(0), 2: rrf(1, 0), 3: rrf(1)})
    assert max(fused, key=fused.__getitem__) == 2  # in both lists beats first in one


def test_fuse_ranks_by_order_not_by_the_size_of_scores() -> None:
    small = fuse([("lexical", [(7, 0.002), (8, 0.001)])])
    large = fuse([("lexical", [(7, 900.0), (8, 10.0)])])
    assert small == large == pytest.approx({7: rrf(0), 8: rrf(1)})


def test_the_translated_query_merges_with_its_kind_by_best_score() -> None:
    """A passage first in the English lists but lower in the original ones takes its best place
    once per kind: two kinds, not four lists, are fused."""
    lists = [
        ("dense", [(1, 0.90), (2, 0.85), (3, 0.80)]),
        ("dense_en", [(3, 0.95), (1, 0.50)]),
        ("lexical", [(2, 10.0), (1, 5.0)]),
        ("lexical_en", [(3, 2.0), (2, 1.0)]),
    ]
    fused = fuse(lists)
    # dense kind: 3 (0.95), 1 (0.90), 2 (0.85). lexical kind, divided by each list's best:
    # 2 (10/10 = 1.0), 3 (2/2 = 1.0) in first-seen order, then 1 (5/10).
    assert fused == pytest.approx({3: rrf(0, 1), 1: rrf(1, 2), 2: rrf(2, 0)})
    assert len(fused) == 3  # each passage once


def test_dense_scores_keep_their_scale_across_the_two_queries() -> None:
    """Cosines are compared as they are; BM25 only after dividing by the list's best."""
    dense = fuse([("dense", [(1, 0.4)]), ("dense_en", [(2, 0.9)])])
    assert dense == pytest.approx({2: rrf(0), 1: rrf(1)})
    lexical = fuse([("lexical", [(1, 4.0)]), ("lexical_en", [(2, 9.0)])])
    # Both are their list's best (1.0): a tie keeps the original query's passage first.
    assert lexical == pytest.approx({1: rrf(0), 2: rrf(1)})


def test_fuse_of_nothing_is_empty() -> None:
    assert fuse([]) == {}
    assert fuse([("dense", []), ("lexical", [])]) == {}


# -- merge_neighbours ----------------------------------------------------------------------------
def part(doc: str, section: str, n: int, score: float, *, dense: float | None = None) -> Passage:
    start = n * 100
    chunk = Chunk(
        chunk_id=f"{doc}::{section}::{n}",
        doc_id=doc,
        text=f"{section} part {n}.",
        section=section,
        heading_path=f"{doc} › {section}",
        start=start,
        end=start + 50,
        page=n + 1,
        part=n,
        metadata={"title": doc.upper()},
    )
    return Passage(chunk, score, dense, score * 10)


def test_adjacent_parts_of_one_section_become_one_passage_in_text_order() -> None:
    second, first = part("d", "Article 5", 1, 0.9, dense=0.7), part("d", "Article 5", 0, 0.5)
    [merged] = merge_neighbours([second, first])
    c = merged.chunk
    assert c.text == "Article 5 part 0.\n\nArticle 5 part 1."
    assert (c.chunk_id, c.start, c.end, c.page, c.part) == ("d::Article 5::0", 0, 150, 1, 0)
    assert c.metadata == {"title": "D", "merged_ids": ["d::Article 5::0", "d::Article 5::1"]}
    # The best part's score; the best dense and lexical scores of the parts.
    assert (merged.score, merged.dense_score, merged.lexical_score) == (0.9, 0.7, 9.0)


def test_at_most_three_parts_are_merged_and_the_rest_stay_separate() -> None:
    parts = [part("d", "Annex", n, 1.0 - n / 10) for n in range(5)]
    out = merge_neighbours(parts)
    assert [p.chunk.metadata.get("merged_ids") for p in out] == [
        ["d::Annex::0", "d::Annex::1", "d::Annex::2"],
        None,
        None,
    ]
    assert [p.chunk.part for p in out] == [0, 3, 4]


def test_parts_that_are_not_adjacent_are_not_merged() -> None:
    far = [part("d", "Annex", 0, 0.8), part("d", "Annex", 4, 0.6)]
    assert merge_neighbours(far) == far


def test_other_sections_and_documents_are_left_alone_and_order_is_by_score() -> None:
    a0, a1 = part("d", "Article 1", 0, 0.4), part("d", "Article 1", 1, 0.3)
    other_section = part("d", "Article 2", 1, 0.6)
    other_doc = part("e", "Article 1", 2, 0.5)
    out = merge_neighbours([other_section, other_doc, a0, a1])
    assert [p.chunk.chunk_id for p in out] == [
        "d::Article 2::1",
        "e::Article 1::2",
        "d::Article 1::0",
    ]
    assert out[0] is other_section and out[1] is other_doc
    assert out[2].chunk.metadata["merged_ids"] == ["d::Article 1::0", "d::Article 1::1"]


def test_single_passages_pass_through_unchanged() -> None:
    ps = [part("d", "Article 1", 0, 0.9), part("e", "Article 1", 0, 0.8)]
    assert merge_neighbours(ps) == ps
    assert merge_neighbours([]) == []


def test_recitals_and_why_questions_are_recognised() -> None:
    from assistant.documents import Chunk
    from assistant.leanings import asks_why
    from assistant.retrieval import is_recital

    def chunk(section: str) -> Chunk:
        return Chunk(chunk_id=section, doc_id="d", text="x", section=section,
                     heading_path=section, start=0, end=1, metadata={})

    assert is_recital(chunk("Recital 12")) and is_recital(chunk("Skäl 3"))
    assert not is_recital(chunk("Article 12")) and not is_recital(chunk("5 §"))
    assert asks_why("Varför infördes regeln?") and asks_why("What is the purpose of EUROSUR?")
    assert not asks_why("Hur stor andel får gå till driftsstöd?")


ACT = (
    "---\nid: act\ntitle: Regulation on the Fund\nlanguage: en\n---\n# Regulation on the Fund\n\n"
    "Whereas:\n\n(7) Operating support for border equipment.\n\n"
    "## Article 7\n\nOperating support shall not exceed 20 % of the programme allocation of each "
    "Member State; it may pay for the upkeep of border equipment.\n"
)


def test_an_article_outranks_a_recital_that_says_as_much_unless_the_question_asks_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpers import build_hash_index

    import assistant.retrieval as R
    from assistant.config import load_settings
    from assistant.pipeline import Pipeline

    data = build_hash_index(tmp_path, {"act.md": ACT})
    pipe = Pipeline(load_settings(embeddings="hash", data_dir=data, _env_file=None))

    def top(question: str) -> str:
        return pipe.retrieve(question, k=2)[0].chunk.section

    q = "operating support for border equipment"
    monkeypatch.setattr(R, "RECITAL_WEIGHT", 1.0)
    without = [p.chunk.section for p in pipe.retrieve(q, k=2)]
    assert without == ["Recital 7", "Article 7"]  # the recital matches a little better
    monkeypatch.setattr(R, "RECITAL_WEIGHT", 0.85)
    assert top(q) == "Article 7"
    monkeypatch.setattr(R, "RECITAL_WEIGHT", 0.01)
    assert top("why operating support for border equipment") == without[0]


PROJECT = (
    "---\nid: projekt\ntitle: Projektet RDO\nlanguage: sv\nvalid_to: 2022-12-31\n{succ}---\n"
    "# Projektet RDO\n\n## Utstationeringar\n\nSambandsmännen utstationerades i några veckor upp "
    "till tre månader åt gången.\n"
)
OVERVIEW = (
    "---\nid: oversikt\ntitle: Översikt\nlanguage: sv\n---\n# Översikt\n\n## Projekt\n\n"
    "Sambandsmännen i projektet utstationerades i andra länder.\n"
)


@pytest.mark.parametrize(("successor", "first"), [("", "projekt"), ("superseded_by: ny\n", "oversikt")])
def test_a_finished_project_is_history_not_superseded(
    tmp_path: Path, successor: str, first: str
) -> None:
    """A text whose validity ran out yields to the one that replaced it; a finished project,
    which nothing replaced, stays the source on its own subject."""
    from helpers import build_hash_index

    from assistant.config import load_settings
    from assistant.pipeline import Pipeline

    docs = {"projekt.md": PROJECT.format(succ=successor), "oversikt.md": OVERVIEW}
    data = build_hash_index(tmp_path, docs)
    pipe = Pipeline(load_settings(embeddings="hash", data_dir=data, _env_file=None))
    ranked = pipe.retrieve("Hur länge utstationerades sambandsmännen åt gången?", k=2)
    assert ranked[0].chunk.doc_id == first


# -- unit_rerank -----------------------------------------------------------------------------------
def passage(doc: str, text: str, score: float) -> Passage:
    chunk = Chunk(
        chunk_id=f"{doc}::0",
        doc_id=doc,
        text=text,
        section=doc,
        heading_path=f"Regulation › {doc}",
        start=0,
        end=len(text),
        page=1,
        part=0,
        metadata={"title": "Regulation", "language": "en"},
    )
    return Passage(chunk, score, 0.8, 1.0)


TOPIC = passage(
    "Article 16",
    "The Fund shall support border equipment. Border equipment bought with support from the "
    "Fund shall be registered. The Member State shall report on the border equipment.",
    rrf(0, 2),
)
ANSWER = passage(
    "Article 17",
    "Member States may use up to 10 % of their allocation for operating support for border "
    "equipment. Other provisions apply.",
    rrf(1, 1),
)


def test_a_passage_whose_best_sentence_answers_overtakes_one_that_only_shares_the_topic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import assistant.retrieval as R

    question = "How much of the allocation may go to operating support for border equipment?"
    tail = [passage(f"Annex {i}", "Nothing relevant here.", rrf(5 + i, 5 + i)) for i in range(3)]
    ranked = [TOPIC, ANSWER, *tail]
    monkeypatch.setattr(R, "UNIT_WEIGHT", 0.0)
    assert [p.chunk.section for p in R.unit_rerank(question, ranked, lambda _t: 1.0)][:2] == [
        "Article 16",
        "Article 17",
    ]
    monkeypatch.setattr(R, "UNIT_WEIGHT", 0.6)
    out = R.unit_rerank(question, ranked, lambda _t: 1.0)
    assert [p.chunk.section for p in out][:2] == ["Article 17", "Article 16"]
    assert out[0].dense_score == 0.8 and out[0].score > ANSWER.score
    assert [p.score for p in out] == sorted((p.score for p in out), reverse=True)


def test_unit_rerank_reaches_only_the_top_passages(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.retrieval as R

    monkeypatch.setattr(R, "UNIT_DEPTH", 1)
    question = "How much of the allocation may go to operating support for border equipment?"
    out = R.unit_rerank(question, [TOPIC, ANSWER], lambda _t: 1.0)
    assert [p.chunk.section for p in out] == ["Article 16", "Article 17"]
    assert out[1] is ANSWER  # below the depth: untouched


def test_coverage_counts_a_swedish_relative_of_an_english_word_only_when_asked(
    tmp_path: Path,
) -> None:
    """ "costs" is "kostnad" in the dictionary; the text says "kostnaderna", which Snowball
    stems to "kostnad" while the headword stems to "kostn". With `relatives` the word counts
    part of its weight; without, not at all."""
    from helpers import build_hash_index

    from assistant.config import load_settings
    from assistant.crossmatch import related
    from assistant.pipeline import Pipeline

    doc = "---\nid: rutin\ntitle: Rutin\nlanguage: sv\n---\n# Rutin\n\n## Ersättning\n\n"
    doc += "Kostnaderna ersätts varje kvartal.\n"
    data = build_hash_index(tmp_path, {"rutin.md": doc})
    pipe = Pipeline(load_settings(embeddings="hash", data_dir=data, _env_file=None))
    view = pipe.retriever.lexical.view("public")
    ids = [c.chunk_id for c in view.index.chunks]
    plain = view.coverage("costs", ids)
    with_relatives = view.coverage("costs", ids, related, 0.6)
    assert plain == 0.0
    assert with_relatives == pytest.approx(0.6)


def test_coverage_reads_english_text_backwards_for_a_swedish_question(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The abstention check's coverage: nothing in this small index keeps a sense of "fartyg",
    so the Swedish question's word is not found in the English article; read backwards, the
    article's "boats" is "fartyg", and the word counts part of its weight; the Swedish guide
    has no word that reads so."""
    from helpers import build_hash_index

    import assistant.pipeline as P
    from assistant.config import load_settings
    from assistant.crossmatch import PARTIAL, read_back

    data = build_hash_index(tmp_path, {"act.md": BOATS, "guide.md": GUIDE})
    pipe = P.Pipeline(load_settings(embeddings="hash", data_dir=data, _env_file=None))
    view = pipe.retriever.lexical.view("public")
    by_section = {c.section: c.chunk_id for c in view.index.chunks}
    article, guide = [by_section["Article 4"]], [by_section["Inköp"]]
    assert view.coverage("fartyg", article) == 0.0
    assert view.coverage("fartyg", article, read_back, PARTIAL) == pytest.approx(PARTIAL)
    assert view.coverage("fartyg", guide, read_back, PARTIAL) == 0.0
    # The pipeline's check reads so: with a coverage bar between 0 and PARTIAL, "fartyg" over
    # the English articles is answered, and declined when English text is not read backwards.
    cal = {"abstain_below": -1.0, "weak_dense_below": 2.0, "weak_coverage": PARTIAL / 2}
    monkeypatch.setattr(pipe, "calibration_entry", lambda: cal)
    passages = [p for p in pipe.retrieve("fartyg") if p.chunk.doc_id == "act"]
    assert not pipe._should_abstain("fartyg", passages, "hybrid")
    monkeypatch.setattr(P, "COVER_BACK", False)
    assert pipe._should_abstain("fartyg", passages, "hybrid")


def test_coverage_leaves_out_words_no_passage_holds(tmp_path: Path) -> None:
    """A word that occurs in no passage ("sjöräddning") cannot tell whether the chunks found are
    the right ones: the coverage of the others is what it was (the unknown share counts it). A
    word another passage holds ("redovisas", the guide) still counts against the article."""
    from helpers import build_hash_index

    import assistant.pipeline as P
    from assistant.config import load_settings
    from assistant.crossmatch import PARTIAL, read_back

    data = build_hash_index(tmp_path, {"act.md": BOATS, "guide.md": GUIDE})
    pipe = P.Pipeline(load_settings(embeddings="hash", data_dir=data, _env_file=None))
    view = pipe.retriever.lexical.view("public")
    article = [next(c.chunk_id for c in view.index.chunks if c.section == "Article 4")]
    alone = view.coverage("fartyg", article, read_back, PARTIAL)
    assert alone == pytest.approx(PARTIAL)
    assert view.coverage("fartyg vid sjöräddning", article, read_back, PARTIAL) == alone
    assert view.unknown_share("fartyg vid sjöräddning") > 0.0
    assert view.coverage("fartyg som redovisas", article, read_back, PARTIAL) < alone


def _chunk(i: int, section: str, lang: str) -> Chunk:
    return Chunk(chunk_id=f"c{i}", doc_id=f"d{i}", text="x", section=section, heading_path=section,
                 start=0, end=1, metadata={"language": lang})


def test_english_provisions_compete_with_swedish_text_on_match_not_language() -> None:
    from assistant.retrieval import is_provision, level_languages

    chunks = [_chunk(0, "5 §", "sv"), _chunk(1, "6 §", "sv"), _chunk(2, "Guide", "sv"),
              _chunk(3, "Summary", "en"), _chunk(4, "Article 12", "en"), _chunk(5, "Annex I", "en"),
              _chunk(6, "Recital 7", "en")]
    assert [is_provision(c) for c in chunks] == [False, False, False, False, True, True, False]
    # The model's cosines: the Swedish question's own language leads by about 0.06.
    ranked = [(0, 0.86), (1, 0.85), (2, 0.84), (3, 0.83), (6, 0.81)]
    provisions = [(4, 0.80), (5, 0.78)]  # beyond the list: found by the deeper search
    out = level_languages(ranked, provisions, chunks, pool=5)
    # The best English provision now ties with the best Swedish passage; the second keeps its
    # distance; the English summary and the recital are not lifted.
    assert [i for i, _s in out] == [0, 4, 1, 2, 5]
    assert dict(out)[4] == pytest.approx(0.86) and dict(out)[5] == pytest.approx(0.84)
    # A question over English text only, or with no provision found, is left as it was.
    english_only = [(3, 0.83), (4, 0.80)]
    assert level_languages(english_only, [(4, 0.80)], chunks, pool=5) == english_only
    assert level_languages(ranked, [], chunks, pool=5) == ranked


def test_a_word_joined_to_an_acronym_is_known_by_its_parts() -> None:
    # "ISF-programmet" seldom stands as such in the documents, which speak of "the ISF" and
    # of "programmet": the question is not about words no document uses.
    from assistant.documents import Chunk
    from assistant.lexical import LexicalIndex

    texts = ["Programmet för ISF får ändras efter halvtidsöversynen.",
             "Medlemsstaterna ska lämna in programmet till kommissionen."]
    chunks = [Chunk(chunk_id=f"d#{i}", doc_id="d", text=t, section=f"{i} §", heading_path="",
                    start=0, end=len(t), metadata={"language": "sv"})
              for i, t in enumerate(texts)]
    view = LexicalIndex(chunks, generation=1).view("public")
    assert view.unknown_share("Kan ISF-programmet ändras?") == 0.0
    assert view.coverage("Kan ISF-programmet ändras?", ["d#0"]) == 1.0
    assert view.unknown_share("Kan drönarprogrammet ändras?") > 0.0


def test_the_backward_search_orders_english_passages_only() -> None:
    """Backward scores pick among the translated list's English passages (which may bring one
    the translation missed) but keep that list's own scores, best first, so English text does
    not gain on Swedish text; the other lists are left as they were."""
    from assistant.retrieval import BACK_WEIGHT, reorder_english

    own = ("lexical", [(0, 5.0), (1, 3.0)])
    en = [(2, 4.0), (3, 1.0)]
    back = [(5, 8.0), (3, 2.0)]
    out = dict(reorder_english([own, ("lexical_en", en)], back))
    assert out["lexical"] == own[1]
    # 5 (backward best: 0.9 of the translated list's best) overtakes 3 (0.25), not 2 (1.0)
    assert BACK_WEIGHT < 1.0
    assert out["lexical_en"] == [(2, 4.0), (5, 1.0)]
    # nothing found backwards: unchanged; no translation at all: the backward list stands in
    assert reorder_english([own, ("lexical_en", en)], []) == [own, ("lexical_en", en)]
    assert dict(reorder_english([own], back))["lexical_en"] == back


BOATS = (
    "---\nid: act\ntitle: Regulation on patrols\nlanguage: en\n---\n# Regulation on patrols\n\n"
    "## Article 3\n\nSupport: equipment for surveillance at the borders may be purchased with "
    "the support of the instrument.\n\n"
    "## Article 4\n\nBoats for patrols at sea may be purchased with the support of the "
    "instrument.\n\n"
    "## Article 5\n\nStaff costs may be covered by the support.\n"
)
GUIDE = (
    "---\nid: guide\ntitle: Vägledning\nlanguage: sv\n---\n# Vägledning\n\n## Inköp\n\n"
    "Inköp av utrustning ska redovisas i ansökan om stöd.\n"
)


def test_a_swedish_word_reaches_english_articles_through_the_dictionary_read_backwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing in this small index keeps a sense of "fartyg" (the bridge keeps a sense only when
    the English text uses it three times), so the translated query misses it; read backwards,
    the article's "boats" is "fartyg", and the backward search finds Article 4."""
    from helpers import build_hash_index

    import assistant.retrieval as R
    from assistant import quotes
    from assistant.config import load_settings
    from assistant.crossmatch import backward_doc, backward_query
    from assistant.language import pseudo_translate, stemmer
    from assistant.lexical import LevelView
    from assistant.pipeline import Pipeline

    assert "fartyg" in backward_doc([stemmer("en").stemWord("boats")])
    assert "fartyg" in backward_query("Får vi köpa fartyg?")
    data = build_hash_index(tmp_path, {"act.md": BOATS, "guide.md": GUIDE})
    # The quote choice reads units backwards too (`quotes.BACKWARD`), and the second ranking by
    # best sentence uses it: off here, so that this is the search alone.
    monkeypatch.setattr(quotes, "BACKWARD", False)
    pipe = Pipeline(load_settings(embeddings="hash", data_dir=data, _env_file=None))
    q = "Får vi köpa fartyg med stödet?"
    lex = pipe.retriever.lexical  # type: ignore[attr-defined]
    view = lex.view("public")
    scores = view.backward_scores(q)
    by_section = {lex.chunks[i].section: float(scores[i]) for i in range(len(lex.chunks))}
    assert by_section["Article 4"] > max(by_section["Article 3"], by_section["Article 5"])
    assert by_section["Inköp"] == 0.0  # Swedish text is not read backwards
    assert "boat" not in pseudo_translate(q, with_glossary=False).lower()

    def translated_list() -> list[str]:
        seen: list[list[str]] = []

        def record(lists: list[tuple[str, list[tuple[int, float]]]]) -> dict[int, float]:
            seen.extend(
                [lex.chunks[i].section for i, _s in r] for n, r in lists if n == "lexical_en"
            )
            return fuse(lists)

        with monkeypatch.context() as mp:
            mp.setattr(R, "fuse", record)
            pipe.retrieve(q, k=3)
        return seen[0]

    # The translated query ("support") puts the short Article 5 before Article 4; read
    # backwards, the question's "fartyg" is in Article 4, which moves up; the first stays first.
    assert translated_list() == ["Article 3", "Article 4", "Article 5"]
    monkeypatch.setattr(LevelView, "backward_scores", lambda self, q: 0 * scores)
    assert translated_list() == ["Article 3", "Article 5", "Article 4"]


@pytest.mark.parametrize(
    ("question", "stems"),
    [
        # a compound's parts, a linking s dropped; the word itself stays
        ("säkerhetsanläggningar", {"säkerhetsanläggning", "säkerhet", "anläggning"}),
        # the parts of a word joined by "-"
        ("ISF-pengar", {"isf", "peng"}),
        # a headword the stemmer does not reach
        ("programmet", {"programmet", "program"}),
    ],
)
def test_a_swedish_question_is_read_for_the_backward_search_by_its_words_and_their_parts(
    question: str, stems: set[str]
) -> None:
    from assistant.crossmatch import backward_query

    assert set(backward_query(question)) == stems
    assert backward_query("och i för det") == []  # no content words


def test_an_english_question_gets_the_swedish_words_its_index_uses() -> None:
    """`swedish_query`: each English word's Swedish dictionary words (read backwards), only
    those the index uses, at most SV_SENSES each, the most used first; nothing the index lacks."""
    from assistant.language import swedish_query

    used = {"utrustning": 5, "apparatur": 1, "inredning": 0, "utgift": 9, "kost": 4}
    assert swedish_query("What does the equipment cost?", used).split() == [
        "utrustning",
        "apparatur",
        "utgift",
        "kosta",  # "kosta" and the index's "kost" are one stem
    ]
    assert swedish_query("What does the equipment cost?", {}) == ""


LEDGER = (
    "---\nid: rutin\ntitle: Rutin för utbetalningar\nlanguage: sv\n---\n# Rutin\n\n"
    "## Fordon\n\nFordon som köps i projektet förs in i inventarieförteckningen.\n\n"
    "## Lön\n\nLön till personal i projektet redovisas varje månad.\n\n"
    "## Skulder\n\nEn skuld till myndigheten får dras av från nästa utbetalning.\n"
)


def test_an_english_question_reaches_a_swedish_passage_through_its_dictionary_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No English word of the question is in the Swedish text, so its own BM25 finds nothing
    there; its Swedish dictionary words ("debt": skuld) find the section that answers."""
    from helpers import build_hash_index

    import assistant.retrieval as R
    from assistant.config import load_settings
    from assistant.pipeline import Pipeline

    data = build_hash_index(tmp_path, {"rutin.md": LEDGER, "act.md": BOATS})
    pipe = Pipeline(load_settings(embeddings="hash", data_dir=data, _env_file=None))
    lex = pipe.retriever.lexical  # type: ignore[attr-defined]
    seen: dict[str, list[str]] = {}

    def record(lists: list[tuple[str, list[tuple[int, float]]]]) -> dict[int, float]:
        seen.update({n: [lex.chunks[i].section for i, _s in r] for n, r in lists})
        return fuse(lists)

    monkeypatch.setattr(R, "fuse", record)
    q = "Can a debt to the authority be deducted from a later payment?"
    pipe.retrieve(q, k=3)
    assert seen["lexical_sv"][0] == "Skulder"
    assert "Skulder" not in seen["lexical"]
    # a Swedish question has no such list (its pseudo-query goes the other way)
    seen.clear()
    pipe.retrieve("Får en skuld dras av från nästa utbetalning?", k=3)
    assert "lexical_sv" not in seen


def test_a_question_about_an_abbreviation_no_document_uses_is_declined(tmp_path: Path) -> None:
    from helpers import build_hash_index

    from assistant.config import load_settings
    from assistant.pipeline import Pipeline

    data = build_hash_index(tmp_path, {"rutin.md": LEDGER})
    pipe = Pipeline(load_settings(embeddings="hash", data_dir=data, _env_file=None))
    declined = pipe.ask("Får en skuld för VAT dras av från nästa utbetalning?")
    assert declined.abstained and not declined.citations
    answered = pipe.ask("Får en skuld dras av från nästa utbetalning?")
    assert not answered.abstained and answered.citations


def test_whether_the_documents_use_a_word_is_read_with_the_whole_dictionary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bridge keeps only senses an index uses three times; whether the index uses a word at
    all is read with every sense the dictionary gives it, or its verb for a present participle:
    "invånare" is "inhabitant", "återstående" is "återstå" (remain)."""
    from assistant.documents import Chunk
    from assistant.language import translate
    from assistant.language.bridge import derived_bases
    from assistant.lexical import LexicalIndex

    translate.use_bridge(None)  # no index's bridge: the hand list and the dictionary only
    text = "The remaining resources shall be allocated per inhabitant."
    chunks = [Chunk(chunk_id="d#0", doc_id="d", text=text, section="Annex I", heading_path="",
                    start=0, end=len(text), metadata={"language": "en"})]
    view = LexicalIndex(chunks, generation=1).view("public")
    q = "återstående invånare"
    assert view.unknown_share(q) == 0.0
    assert derived_bases("återstående") == ["återstå"]
    assert derived_bases("fördelande") == ["fördela"] and derived_bases("tidigaste") == ["tidig"]
    monkeypatch.setattr(translate, "WHOLE_DICTIONARY", False)
    assert view.unknown_share(q) == 1.0


def test_a_glossary_name_the_documents_write_out_is_no_unknown_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "BMVI" stands in no document that writes "the Border Management and Visa Instrument": the
    glossary says they are one thing, so the question is not about something the documents leave
    out. A name none of whose spellings the index holds stays unknown."""
    from assistant import glossary_terms
    from assistant.documents import Chunk
    from assistant.lexical import LexicalIndex

    text = "The Border Management and Visa Instrument shall support the monitoring committee."
    chunks = [Chunk(chunk_id="d#0", doc_id="d", text=text, section="Article 1", heading_path="",
                    start=0, end=len(text), metadata={"language": "en"})]
    view = LexicalIndex(chunks, generation=1).view("public")
    assert view.unknown_share("the monitoring committee of BMVI") == 0.0
    assert view.unknown_share("the monitoring committee of AMIF") > 0.3
    monkeypatch.setattr(glossary_terms, "SPELLED_OUT", False)
    assert view.unknown_share("the monitoring committee of BMVI") > 0.3
