"""The Swedish → English bridge: the dictionary filtered by an index, compounds, aligned terms."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from helpers import english_vocabulary

from assistant import language as L
from assistant.chunking import chunk_document
from assistant.documents import Chunk, Document
from assistant.language import translate as T
from assistant.language.bridge import adjective_bases

pytestmark = pytest.mark.usefixtures("no_bridge")


def _vocabulary(text: str) -> tuple[Counter[str], Counter[str], int]:
    """English stem counts of a text taken as one chunk per line (as the lexical index keeps)."""
    return english_vocabulary(text)[:3]


ENGLISH = """\
The Fund may support a patrol boat for the border police.
A boat used for surveillance of the sea border is eligible.
Member States shall report on each boat purchased.
The office of the managing authority keeps the records.
An office may be rented with support from the Fund.
Costs of the liaison office are eligible.
Training on the holiday rules is not eligible.
The Commission shall adopt delegated acts.
The programme shall set out the specific objectives.
The national programme shall be evaluated.
A programme may be amended.
"""


def test_lexicon_senses_are_clean_and_in_dictionary_order() -> None:
    lex = L.load_lexicon()
    assert len(lex) > 15000
    assert lex["bidrag"][0] == "contribution"
    # Explanations in parentheses or brackets are dropped, synonyms become senses.
    assert all("(" not in s and "[" not in s for senses in lex.values() for s in senses)
    assert lex["personal"] == ("staff", "personnel")


def test_bridge_keeps_only_senses_the_index_uses() -> None:
    bridge = L.build_bridge(*_vocabulary(ENGLISH))
    # "fartyg" → boat: the English text uses "boat" often enough.
    assert bridge.lookup("fartyg") == ["boat"]
    # "kontor" → office (three times); an inflected form reaches it through the Swedish stem.
    assert bridge.lookup("kontoret") == ["office"]
    # "program" → programme: Swedish doubles the final consonant before an ending, and the
    # stemmer leaves "programmet" whole; the stem without the ending and one "m" reaches it.
    assert bridge.lookup("programmet") == ["programme"]
    # "förvaring" → storage: not in the text, so no translation at all.
    assert bridge.lookup("förvaring") is None
    # A sense must occur MIN_OCCURRENCES times: "holiday" once is not enough.
    assert bridge.lookup("semester") is None
    # "hyra" → rent, rental, hire: only the senses the text uses, at most MAX_SENSES.
    rent = L.build_bridge(*_vocabulary(ENGLISH + "Rent and hire.\nRent, hire.\nRent; hire.\n"))
    assert rent.lookup("hyra") == ["rent", "hire"]


def test_an_adjective_is_found_from_its_neuter_and_plural_forms() -> None:
    """The dictionary lists an adjective in its common gender ("oanmäld" → unannounced); the
    neuter "oanmält" and the plural "oanmälda" reach it, as the stemmer leaves them apart."""
    text = "Unannounced visits, unannounced checks and unannounced evaluations.\n"
    bridge = L.build_bridge(*_vocabulary(ENGLISH + text))
    assert bridge.lookup("oanmäld") == ["unannounced"]
    assert bridge.lookup("oanmält") == ["unannounced"]
    assert bridge.lookup("oanmälda") == ["unannounced"]
    assert adjective_bases("oanmält") == ["oanmäld", "oanmäl"]
    assert "stor" in adjective_bases("stort") and adjective_bases("stora") == ["stor"]


def test_a_verbal_noun_the_dictionary_lacks_is_read_as_its_verb(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The dictionary lists "registrera" (register) but not "registrering": the noun, in any
    inflection, reads as its verb, after every other way has failed (a compound, the hand
    list). "-ning" nouns are made from verbs in "-a" ("granskning" of "granska")."""
    from assistant.language import bridge as B

    text = "Each record shall be registered.\nThe data registered in the register.\n"
    text += "Registered persons and registered data.\n"
    bridge = L.build_bridge(*_vocabulary(ENGLISH + text))
    assert bridge.lookup("registrering") is None  # not a headword
    assert bridge.verbal("registreringen") == ["register"]
    assert B.nominal_verbs("granskning") == ["granska"]
    assert B.nominal_verbs("registrering") == ["registrera"]
    L.use_bridge(bridge)
    assert "register" in L.pseudo_translate("Om registreringen", False, cognates=True).split()
    monkeypatch.setattr(B, "NOMINALS", False)
    assert "register" not in L.pseudo_translate("Om registreringen", False, cognates=True).split()


def test_bridge_drops_senses_every_chunk_uses() -> None:
    text = "\n".join(f"The fund pays a boat for item {i}." for i in range(6))
    bridge = L.build_bridge(*_vocabulary(text))
    assert bridge.lookup("fartyg") is None  # "boat" is in every chunk: it tells nothing apart


def test_pseudo_translate_uses_the_registered_bridge() -> None:
    question = "Får vi köpa ett fartyg till kontoret?"
    before = L.pseudo_translate(question, with_glossary=False)
    assert "boat" not in before and "office" not in before
    L.use_bridge(L.build_bridge(*_vocabulary(ENGLISH)))
    after = L.pseudo_translate(question, with_glossary=False).split()
    assert "boat" in after and "office" in after
    # Question words are looked up in the filtered dictionary for coverage too.
    forms = L.question_word_forms(question)
    assert any("boat" in f for f in forms)


def test_the_index_senses_come_before_the_hand_list() -> None:
    """The dictionary, filtered by the index, is the base; the hand list speaks only where the
    index keeps no sense for the word (its own words, or a small index's rare domain words)."""
    hand = T.hand_lookup("ansökan")
    assert hand and "submission" not in hand
    assert T._lookup("ansökan") == hand  # no index registered: the hand list alone
    L.use_bridge(L.Bridge({"ansökan": ("submission",)}, {}))
    assert T._lookup("ansökan") == ["submission"]
    assert "submission" in L.pseudo_translate("Hur gör vi en ansökan?", with_glossary=False)
    # A word the index has no sense for still gets the hand list's.
    assert T._lookup("driftsstöd") == T.hand_lookup("driftsstöd") == ["operating support"]


def test_the_quote_choice_reads_a_compound_first_part_the_hand_list_does_not_know() -> None:
    """ "landgränser": the hand list gives the tail (gränser → borders) and not the head; in
    the quote choice the index's dictionary reads the head too (land → land), the word that
    tells "38 % for external land borders" from "45 % for external sea borders". The search
    keeps the tail alone."""
    L.use_bridge(L.Bridge({"land": ("land", "country")}, {}))
    assert T.hand_lookup("gränser") and not T.hand_lookup("land")
    assert T._translated("landgränser", general=True) == T.hand_lookup("gränser")
    assert T._translated("landgränser", general=True, cognates=True) == [
        "land", "country", *T.hand_lookup("gränser")
    ]
    assert "land" in L.pseudo_translate("Hur stor andel för landgränser?", False, cognates=True)


def test_compounds_split_on_the_dictionary() -> None:
    assert T._split_compound("gränsfartyg") is None  # without the index, "fartyg" is unknown
    L.use_bridge(L.build_bridge(*_vocabulary(ENGLISH)))
    # gräns (hand list) + fartyg (dictionary, filtered): both parts are translated.
    out = L.pseudo_translate("Får vi köpa gränsfartyg?", with_glossary=False).split()
    assert "border" in out and "boat" in out
    # Both parts must be known: an unknown head is not dropped silently.
    assert T._split_compound("qwxzfartyg") is None


def test_a_compound_is_split_only_into_dictionary_words() -> None:
    # The index keeps "boat" and "report" but not "frame", "holiday" or "advance".
    bridge = L.Bridge({"budget": ("budget",), "dag": ("day",), "skott": ("report",),
                       "för": ("for",), "upp": ("up",), "fartyg": ("boat",)}, {})
    # The last part's sense is not in the index: the first part still says what it is about.
    assert bridge.split("budgetramen") == ["budget"]
    # The first part's sense is not: "semesterdagar" is more than "days", so no translation
    # counts as the question's word; as a search term it may still be read as its last part.
    assert bridge.split("semesterdagar") is None
    assert bridge.split("semesterdagar", general=True) == ["day"]
    # A word the dictionary knows is never cut in pieces: "förskott" is not för + skott.
    assert bridge.split("förskott") is None
    # Nor is a verb with a particle: "upphävdes" is not "up".
    assert bridge.split("upphävdes") is None
    # Parts must be dictionary words, not accidental strings.
    assert bridge.split("qwxzfartyg") is None


def _fake_embedder(table: dict[str, list[float]]):  # type: ignore[no-untyped-def]
    def embed(text: str) -> list[float]:
        return table.get(text, [0.0, 0.0, 0.0, 1.0])

    return embed


def test_terms_align_only_clear_matches_the_dictionary_allows() -> None:
    terms = ["operating support", "third country", "Pre-financing", "third countries"]
    vecs = {
        "operating support": [1.0, 0.0, 0.0, 0.0],
        "third country": [0.0, 1.0, 0.0, 0.0],
        "third countries": [0.0, 0.99, 0.14, 0.0],
        "Pre-financing": [0.0, 0.0, 1.0, 0.0],
    }
    aligner = L.TermAligner.build(terms, lambda ts: [vecs[t] for t in ts])
    query = {
        # plomvarn: no translation anywhere; close to one term, far from the others.
        "plomvarn": [0.98, 0.0, 0.2, 0.0],
        # kvarnbult: close to two near-identical terms (one answer, not two rivals).
        "kvarnbult": [0.0, 1.0, 0.05, 0.0],
        # snirkel: close to "Pre-financing", but the dictionary says "scroll".
        "snirkel": [0.0, 0.0, 1.0, 0.0],
        # qwrtzik: equally close to two unrelated terms.
        "qwrtzik": [0.7, 0.0, 0.7, 0.0],
    }
    L.use_bridge(L.build_bridge(Counter(), Counter(), 0), aligner, _fake_embedder(query))
    assert L.aligned_terms("Vad är plomvarn?") == ["operating support"]
    assert L.aligned_terms("Gäller det kvarnbult?") == ["third country"]
    assert L.aligned_terms("Gäller det snirkel?") == []
    assert L.aligned_terms("Finns det qwrtzik?") == []
    assert "operating support" in L.pseudo_translate("Vad är plomvarn?")
    # Without a registered aligner nothing is aligned (and nothing is embedded).
    L.use_bridge(None)
    assert L.aligned_terms("Vad är plomvarn?") == []


def test_collect_terms_titles_defined_terms_and_phrases() -> None:
    def chunk(path: str, text: str, lang: str = "en") -> SimpleNamespace:
        return SimpleNamespace(heading_path=path, text=text, metadata={"language": lang})

    chunks = [
        chunk("CHAPTER II › Article 2 Definitions", "‘liaison officer’ means a representative."),
        chunk("Article 21 Operating support", "Operating support for the liaison officer."),
        chunk("Article 22 Operating support", "The liaison officer network of liaison officer."),
        chunk("5 § Driftsstöd", "Driftsstöd och sambandsman.", "sv"),
    ]
    terms = L.collect_terms(chunks)
    assert "Operating support" in terms and "Definitions" in terms
    assert "liaison officer" in terms  # defined, and recurring
    assert "CHAPTER II" not in terms
    assert not any("Driftsstöd" in t for t in terms)  # Swedish text gives no English terms


TABLE_DOC = """\
# Regulation X

## ANNEX I

Amounts per Member State (in EUR)

| **Member State** | **Fixed amount** | **Total** |
| --- | --- | --- |
{rows}
"""


def test_every_part_of_a_table_carries_its_header_and_caption() -> None:
    codes = list(L.COUNTRY_CODES)
    rows = "\n".join(
        f"| {c} | {1000 + i} 000 000 | {5000 + i} 000 000 |" for i, c in enumerate(codes)
    )
    doc = Document("x", TABLE_DOC.format(rows=rows), {"title": "Regulation X"}, "x.md", "md")
    chunks = chunk_document(doc, max_chars=300)
    parts = [c for c in chunks if c.section == "Annex I" and "|" in c.text]
    assert len(parts) > 3  # the table was split
    for c in parts:
        # The header row is in the part's text (the first part) or in its heading path.
        assert "Member State | Fixed amount | Total" in c.heading_path or (
            "**Member State**" in c.text
        )
        assert doc.text[c.start : c.end] == c.text  # the quoted text itself is unchanged
    later = [c for c in parts if not c.text.lstrip().startswith(("Amounts", "| **Member"))]
    assert later and all("Amounts per Member State (in EUR)" in c.heading_path for c in later)
    se = next(c for c in parts if "| SE |" in c.text)
    assert "Sweden" in se.heading_path and "Sverige" in se.heading_path
    at = next(c for c in parts if "| AT |" in c.text)
    assert "Sweden" not in at.heading_path or "| SE |" in at.text


def test_term_vectors_are_unit_length() -> None:
    aligner = L.TermAligner.build(["a b", "c d"], lambda ts: [[3.0, 4.0], [1.0, 0.0]])
    assert np.allclose(np.linalg.norm(aligner.vectors, axis=1), 1.0)
    assert L.TermAligner.build([], None).best([1.0, 0.0]) is None


def test_every_glossary_entry_names_its_source() -> None:
    groups = L.load_glossary()
    assert len(groups) > 40
    for g in groups:
        assert g.terms and g.source, g.terms
        assert len(g.patterns) == len(g.terms)
    isf = next(g for g in groups if g.terms[0] == "ISF")
    assert "2021/1149" in isf.source
    assert "Internal Security Fund" in L.expand_with_glossary("Vad gäller för ISF?")


class _FakeStore:
    """Just enough of the vector store for Retriever: chunks, hash vectors, cosine search."""

    def __init__(self, chunks: list[Chunk]) -> None:
        from assistant.embeddings import HashEmbeddings

        self.chunks = chunks
        self.embeddings = HashEmbeddings()
        self.vecs = np.asarray(self.embeddings.embed_documents([c.text for c in chunks]))

    def generation(self) -> int:
        return 1

    def iter_chunks(self) -> Iterator[Chunk]:
        return iter(self.chunks)

    def search(self, vec: list[float], k: int, where: object) -> list[tuple[str, float]]:
        sims = self.vecs @ np.asarray(vec)
        return [(self.chunks[i].chunk_id, float(sims[i])) for i in np.argsort(-sims)[:k]]


def test_translated_query_ranks_english_passages_only(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.retrieval as R

    def chunk(i: int, lang: str, text: str) -> Chunk:
        return Chunk(
            f"d{lang}::{i}",
            f"d{lang}",
            text,
            f"Article {i}",
            f"Article {i}",
            0,
            1,
            metadata={"language": lang, "classification": "public"},
        )

    chunks = [
        chunk(1, "en", "The boat of the border police is eligible for support from the Fund."),
        chunk(2, "en", "Member States report on each boat purchased with the Fund."),
        chunk(3, "en", "A boat for sea border surveillance; boat crews are trained."),
        chunk(6, "en", "The Commission shall adopt delegated acts on the programme."),
        chunk(7, "en", "The managing authority keeps records of all projects."),
        chunk(8, "en", "Evaluation of the national programme takes place every year."),
        chunk(9, "en", "Technical assistance may cover staff costs of the authority."),
        chunk(4, "sv", "Polisens fartyg för gränsövervakning till sjöss, boat och båt."),
        chunk(5, "sv", "Fartyg som köps med stöd ska redovisas."),
    ]
    lists: dict[str, list[tuple[int, float]]] = {}
    real_fuse = R.fuse

    def spy(named: list[tuple[str, list[tuple[int, float]]]]) -> dict[int, float]:
        lists.update(dict(named))
        return real_fuse(named)

    monkeypatch.setattr(R, "fuse", spy)
    retriever = R.Retriever(_FakeStore(chunks), settings())
    passages = retriever.retrieve("Får vi köpa ett fartyg?", k=5)
    assert "fartyg" in L.load_lexicon() and retriever.lexical.bridge.lookup("fartyg") == ["boat"]
    lang = [c.metadata["language"] for c in retriever.lexical.chunks]
    # The Swedish question ranks both languages; its English translation only English text.
    assert {lang[i] for i, _s in lists["dense"]} == {"en", "sv"}
    assert lists["dense_en"] and {lang[i] for i, _s in lists["dense_en"]} == {"en"}
    assert lists["lexical_en"] and {lang[i] for i, _s in lists["lexical_en"]} == {"en"}
    assert {p.chunk.doc_id for p in passages} == {"den", "dsv"}


def test_the_bridge_a_question_uses_is_built_from_what_the_asker_may_see(settings: Any) -> None:
    """English words that occur only in restricted text translate nothing for a public asker."""
    import assistant.retrieval as R

    def chunk(i: int, level: str, text: str) -> Chunk:
        return Chunk(
            f"d{i}::1",
            f"d{i}",
            text,
            "Article 1",
            "Article 1",
            0,
            1,
            metadata={"language": "en", "classification": level},
        )

    public = [
        chunk(i, "public", f"The programme report number {i} is sent each year.") for i in range(6)
    ]
    hidden = [
        chunk(10 + i, "restricted", "The boat of the border police was bought.") for i in range(4)
    ]
    retriever = R.Retriever(_FakeStore(public + hidden), settings())
    retriever.retrieve("Får vi köpa ett fartyg?", k=3, max_classification="public")
    assert "boat" not in L.pseudo_translate("Får vi köpa ett fartyg?").split()
    retriever.retrieve("Får vi köpa ett fartyg?", k=3, max_classification="restricted")
    assert "boat" in L.pseudo_translate("Får vi köpa ett fartyg?").split()


# -- pseudo_translate with the hand list alone (no index registered) ---------------------------


def test_a_swedish_question_becomes_the_english_words_the_hand_list_gives() -> None:
    out = L.pseudo_translate(
        "Får vi söka bidrag för en ansökan om driftsstöd?", with_glossary=False
    )
    # bidrag → contribution; ansökan → application, request; driftsstöd → operating support.
    assert out == "contribution application request operating support"
    # Stop words ("får", "vi", "för", "en", "om") and unknown words ("söka") give nothing.
    # A multi-word entry is matched before single words: "stå för" is not "stå" + "för".
    assert L.pseudo_translate("Vem ska stå för kostnaden?", with_glossary=False).split(" ")[:5] == [
        "contribution",
        "from",
        "the",
        "Union",
        "budget",
    ]


def test_acronyms_and_numbers_are_kept_as_written() -> None:
    out = L.pseudo_translate("Vad gäller för ISF 2021?", with_glossary=False).split()
    assert out == ["applies", "ISF", "2021"]


def test_glossary_terms_are_added_but_not_swedish_ones() -> None:
    question = "Vad gäller för ISF?"
    out = L.pseudo_translate(question)
    assert out == "applies ISF Internal Security Fund"
    # The glossary group also names "Fonden för inre säkerhet": Swedish, so not in the query.
    assert "Fonden för inre säkerhet" in L.expand_with_glossary(question)
    assert "inre" not in out and "säkerhet" not in out
    assert "Internal Security Fund" not in L.pseudo_translate(question, with_glossary=False)


def test_an_english_question_is_left_alone() -> None:
    for question in ("What is the co-financing rate?", "Can we get operating support for a boat?"):
        # The retriever translates only Swedish questions; word by word nothing English is
        # taken for Swedish.
        assert L.question_language(question) == "en"
        assert L.pseudo_translate(question, with_glossary=False) == ""


def test_compounds_split_on_the_hand_list() -> None:
    # The longest known tail first, the head translated too (a linking "s" dropped).
    assert T._split_compound("utbetalningsansökningarna") == ["payment", "applications"]
    assert T._split_compound("projektansökan") == ["project", "application", "request"]
    assert L.pseudo_translate("Hur fungerar förskottsbetalningen?", with_glossary=False) == (
        "pre-financing payment"
    )
    # No word is reduced to an accidental tail: "personal" is not "pers" + "onal".
    assert T._split_compound("personal") is None
    assert L.pseudo_translate("personalkostnader", with_glossary=False) == "staff costs expenditure"


# -- which language a text is in ---------------------------------------------------------------


def test_question_language_counts_hint_words() -> None:
    assert L.question_language("Vad gäller för ISF?") == "sv"
    assert L.question_language("What is the co-financing rate?") == "en"
    # A tie goes to Swedish: staff ask in Swedish.
    assert L.question_language("vad what") == "sv"
    # No hint word at all: langdetect decides, anything but English is Swedish.
    assert L.question_language("Medfinansiering?") == "sv"
    assert L.detect_language is L.question_language  # the old name callers use


def test_document_language_says_unknown_below_a_sentence() -> None:
    assert L.document_language("12 34 https://example.org/a-long-path-with-letters") is None
    assert L.document_language("Article 1 a") is None
    assert L.document_language("Fonden ska bidra till en hög säkerhetsnivå i unionen.") == "sv"
    assert L.normalize_language("sv-SE") == "sv" and L.normalize_language("Engelska") == "en"


def test_one_rule_for_every_question_also_one_exported_from_feedback() -> None:
    assert not hasattr(L, "suite_entry_language")
    assert L.question_language("Vad gäller för ISF?") == "sv"
    assert L.question_language("Medfinansiering?") == "sv"
    assert L.question_language("ISF och BMVI") == "sv"
    assert L.question_language("What is the co-financing rate?") == "en"


def test_an_english_word_has_its_swedish_dictionary_words_as_forms() -> None:
    """Whether a Swedish passage holds what an English question asks (abstention's coverage):
    "costs" is found as "kostnad", "sums" as "belopp"."""
    from assistant.language.tokens import stemmer

    sv = stemmer("sv")
    costs, sums = L.question_word_forms("costs sums")
    assert sv.stemWord("kostnad") in costs and sv.stemWord("belopp") in sums
    # A Swedish word keeps its own forms and its English translation.
    [kostnader] = L.question_word_forms("kostnader")
    assert sv.stemWord("kostnader") in kostnader and "cost" in kostnader


def test_a_word_read_backwards_weighs_no_more_than_the_english_word_it_is_read_from() -> None:
    """ "skicka" is among the Swedish words of "state" (skick), which stands in nearly every
    sentence of an EU act ("Member State"): read through it, the Swedish word counts no more
    than "state" itself weighs. A rare English word ("boats" → fartyg) still carries it."""
    from assistant import crossmatch
    from assistant.crossmatch import PARTIAL, backward_overlap, question_words
    from assistant.language import stemmer, words

    def stems(text: str) -> set[str]:
        return set(stemmer("en").stemWords(words(text)))

    def weight(_t: str) -> float:
        return 4.0

    def base(t: str) -> float:
        return 0.3 if t in {"state", "member"} else 4.0

    send = question_words("När ska vi skicka svaret?")
    state = stems("The Member State concerned is listed.")
    assert backward_overlap(send, state, weight, base) == pytest.approx(PARTIAL * 0.3)
    boats = question_words("Får vi köpa fartyg?")
    assert backward_overlap(boats, stems("Boats may be bought."), weight, base) == pytest.approx(
        PARTIAL * 4.0
    )
    # the passage ranking reads whole passages and leaves it uncapped
    assert backward_overlap(send, state, weight, base, cap=False) == pytest.approx(PARTIAL * 4.0)
    crossmatch.BACKWARD_CAP = False
    try:
        assert backward_overlap(send, state, weight, base) == pytest.approx(PARTIAL * 4.0)
    finally:
        crossmatch.BACKWARD_CAP = True
