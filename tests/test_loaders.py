"""Loaders against real files generated in tmp_path (and ../shared/realdocs when present)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.documents import Document
from assistant.errors import LoaderError
from assistant.language import document_language
from assistant.loaders import (
    SUPPORTED_SUFFIXES,
    document_id,
    is_ignored,
    load_file,
    load_manifest,
)
from assistant.periods import stated_period

REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"

SWEDISH = (
    "Fonden för inre säkerhet ska bidra till att säkerställa en hög säkerhetsnivå i unionen, "
    "särskilt genom att förebygga och bekämpa terrorism och radikalisering, grov och "
    "organiserad brottslighet samt it-brottslighet. Polismyndigheten är förvaltande myndighet "
    "för fonden och ansvarar för att projekten följer reglerna."
)
ENGLISH = (
    "The Internal Security Fund shall contribute to ensuring a high level of security in the "
    "Union, in particular by preventing and combating terrorism and radicalisation, serious and "
    "organised crime and cybercrime, and by assisting and protecting victims of crime."
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def page_of(doc: Document, offset: int) -> int:
    return max(number for start, number in doc.pages if start <= offset)


# ----------------------------------------------------------------------------- PDF


def make_pdf(path: Path, pages: list[str], title: str | None = None) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def test_pdf_pages_and_offsets(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "report.pdf",
        ["Article 1 Subject matter. " + ENGLISH, "Article 2 Definitions. " + ENGLISH, "Annex I"],
        title="ISF report",
    )
    doc = load_file(path, tmp_path)
    assert doc.fmt == "pdf"
    assert doc.doc_id == "report"
    assert [n for _, n in doc.pages] == [1, 2, 3]
    assert doc.pages[0][0] == 0
    assert page_of(doc, doc.text.index("Article 1")) == 1
    assert page_of(doc, doc.text.index("Article 2")) == 2
    assert page_of(doc, doc.text.index("Annex I")) == 3
    # Pages are joined by exactly one blank line.
    assert doc.text[doc.pages[1][0] - 2 : doc.pages[1][0]] == "\n\n"
    assert doc.metadata["title"] == "ISF report"
    assert doc.metadata["language"] == "en"


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)  # a drawing, no text: what a scan looks like to a text extractor
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(LoaderError, match=r"scan\.pdf: .*run OCR first"):
        load_file(tmp_path / "scan.pdf", tmp_path)


# ----------------------------------------------------------------------------- DOCX


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = ""
    document.add_heading("Projektguide för medfinansierade projekt", level=1)
    document.add_paragraph(SWEDISH)
    document.add_heading("Ansökan", level=2)
    document.add_paragraph("Ansökan lämnas till förvaltande myndighet.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Fond"
    table.cell(0, 1).text = "Period"
    table.cell(1, 0).text = "BMVI"
    table.cell(1, 1).text = "2021-2027"
    document.add_paragraph("Första punkten", style="List Bullet")
    document.save(str(path))
    return path


def test_docx_headings_tables_and_lists(tmp_path: Path) -> None:
    doc = load_file(make_docx(tmp_path / "guide.docx"), tmp_path)
    assert doc.fmt == "docx"
    lines = doc.text.splitlines()
    assert "# Projektguide för medfinansierade projekt" in lines
    assert "## Ansökan" in lines
    assert "Fond | Period" in lines
    assert "BMVI | 2021-2027" in lines
    assert "- Första punkten" in lines
    assert doc.metadata["title"] == "Projektguide för medfinansierade projekt"
    assert doc.metadata["language"] == "sv"
    for offset, level, text in doc.headings:
        assert doc.text[offset:].startswith("#" * level + " " + text)
    assert [level for _, level, _ in doc.headings] == [1, 2]


# ----------------------------------------------------------------------------- HTML

HTML_PAGE = """<!DOCTYPE html>
<html lang="sv-SE"><head><title>EIBM | Regeringen</title><style>p {color: red}</style>
<script>var tracking = 1;</script></head>
<body>
<header><a href="/">Startsida</a> Sök på webbplatsen</header>
<nav><ul><li><a href="/a">Menyval ett</a></li><li>Menyval två</li></ul></nav>
<main>
  <h1>Ny nationell gränsstrategi</h1>
  <p>Regeringen har beslutat om en <b>ny</b> nationell strategi
     för integrerad gränsförvaltning.</p>
  <h2>Bakgrund</h2>
  <ul><li>Gränskontroll</li><li>Återvändande</li></ul>
  <table><tr><th>Fond</th><th>Period</th></tr><tr><td>BMVI</td><td>2021–2027</td></tr></table>
  <p>Rad ett<br>rad två</p>
</main>
<footer>Kontakta oss · Cookies</footer>
</body></html>
"""


def test_html_main_content_headings_lists_tables(tmp_path: Path) -> None:
    doc = load_file(write(tmp_path / "page.html", HTML_PAGE), tmp_path)
    text = doc.text
    assert doc.fmt == "html"
    for boilerplate in ("Startsida", "Menyval", "Kontakta", "tracking", "color"):
        assert boilerplate not in text
    lines = text.splitlines()
    assert lines[0] == "# Ny nationell gränsstrategi"
    assert "## Bakgrund" in lines
    assert (
        "Regeringen har beslutat om en ny nationell strategi för integrerad gränsförvaltning."
        in lines
    )
    assert "- Gränskontroll\n- Återvändande" in text
    assert "Fond | Period\nBMVI | 2021–2027" in text
    assert "Rad ett\nrad två" in text
    assert doc.metadata["title"] == "Ny nationell gränsstrategi"
    assert doc.metadata["language"] == "sv"  # from <html lang>
    assert [(level, h) for _, level, h in doc.headings] == [
        (1, "Ny nationell gränsstrategi"),
        (2, "Bakgrund"),
    ]


def test_html_without_main_drops_page_chrome(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Only title</title></head><body><header>Site header</header>"
        "<nav>Menu</nav><div><h2>Article 3</h2><p>" + ENGLISH + "</p></div>"
        "<aside>Related links</aside><footer>Footer text</footer></body></html>"
    )
    doc = load_file(write(tmp_path / "plain.htm", page), None)
    assert doc.text.startswith("## Article 3\n\n")
    for chrome in ("Site header", "Menu", "Related", "Footer"):
        assert chrome not in doc.text
    assert doc.metadata["title"] == "Only title"
    assert doc.metadata["language"] == "en"


def test_deeply_nested_html_does_not_crash(tmp_path: Path) -> None:
    page = "<html><body><main>" + "<div>" * 5000 + "deep text" + "</div>" * 5000
    page += "<p>after the nesting</p></main></body></html>"
    doc = load_file(write(tmp_path / "deep.html", page), tmp_path)
    assert "deep text" in doc.text
    assert "after the nesting" in doc.text


# ----------------------------------------------------------------------------- Markdown

MARKDOWN = """---
id: sfs-2021-846
rubrik: "Förordning om förvaltning av fonden"
fund: ISF, BMVI
valid_from: 2021-11-01
beteckning: 2021:846
classification: Internal
ELI_LINE
---
<article data-ikraft="2021-11-01">

# Förordning (2021:846)

<section id="1" class="paragraf">

### 1 §

Se [förordning (EU) 2021/1149](https://eur-lex.europa.eu/x?uri=celex(1)) och not[^1].

</section>
</article>

[^1]: En fotnot.
""".replace(
    "ELI_LINE", "eli" + ": https://example.org/eli/sfs/2021/846"  # built: our own fixture
)


def test_markdown_front_matter_and_tags(tmp_path: Path) -> None:
    doc = load_file(write(tmp_path / "sub" / "sfs.sv.md", MARKDOWN), tmp_path)
    meta = doc.metadata
    assert doc.doc_id == "sfs-2021-846"
    assert doc.fmt == "md"
    assert meta["title"] == "Förordning om förvaltning av fonden"
    assert meta["fund"] == ["ISF", "BMVI"]
    assert meta["valid_from"] == "2021-11-01"
    assert meta["valid_to"] is None
    assert meta["beteckning"] == "2021:846"
    assert meta["classification"] == "internal"
    assert meta["url"] == "https://example.org/eli/sfs/2021/846"
    assert meta["language"] == "sv"
    assert "<" not in doc.text and "selex" not in doc.text
    assert doc.text.startswith("# Förordning (2021:846)\n\n### 1 §\n\n")
    assert "Se förordning (EU) 2021/1149 och not[^1]." in doc.text
    assert "[^1]: En fotnot." in doc.text


def test_markdown_title_defaults(tmp_path: Path) -> None:
    doc = load_file(write(tmp_path / "a.md", "Intro\n\n## **Second** heading\n\ntext"), tmp_path)
    assert doc.metadata["title"] == "Second heading"
    doc = load_file(write(tmp_path / "notes.txt", ENGLISH), tmp_path)
    assert doc.metadata["title"] == "notes"
    assert doc.metadata["classification"] == "internal"  # fail closed: none given
    assert doc.metadata["classification_default"] is True
    assert doc.metadata["fund"] == [] and doc.metadata["sources"] == []


def test_front_matter_must_be_mapping(tmp_path: Path) -> None:
    path = write(tmp_path / "list.md", "---\n- a\n- b\n---\n# Title\n")
    with pytest.raises(LoaderError, match=r"list\.md: front matter must be a YAML mapping"):
        load_file(path, tmp_path)


def test_invalid_front_matter_yaml_names_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.md", "---\ntitle: ok\nfund: [ISF\n---\n# T\n")
    with pytest.raises(LoaderError, match=r"bad\.md: front matter is not valid YAML on line"):
        load_file(path, tmp_path)


def test_unknown_classification(tmp_path: Path) -> None:
    path = write(tmp_path / "c.md", "---\nclassification: secret\n---\n# T\n\ntext here")
    with pytest.raises(LoaderError, match="public, internal, restricted"):
        load_file(path, tmp_path)


def test_bad_date(tmp_path: Path) -> None:
    path = write(tmp_path / "d.md", "---\nvalid_to: next year\n---\n# T\n\ntext here")
    with pytest.raises(LoaderError, match=r"valid_to 'next year' is not a date.*YYYY-MM-DD"):
        load_file(path, tmp_path)


# ----------------------------------------------------------------------------- ids, language


def test_document_id_rule(tmp_path: Path) -> None:
    path = write(tmp_path / "sub" / "32021R1149_ISF.en.md", "# ISF\n\n" + ENGLISH)
    assert load_file(path, tmp_path).doc_id == "sub/32021R1149_ISF.en"
    assert load_file(path, None).doc_id == "32021R1149_ISF.en"
    assert document_id(path, tmp_path, {"id": "isf"}) == "isf"
    assert document_id(tmp_path / "noext", tmp_path) == "noext"


def test_language_detection(tmp_path: Path) -> None:
    assert document_language(SWEDISH) == "sv"
    assert document_language(ENGLISH) == "en"
    assert document_language("12 34") is None
    assert document_language("Article 1 a") is None  # too short to tell
    assert load_file(write(tmp_path / "kort.sv.md", "# 1 §"), tmp_path).metadata["language"] == "sv"
    assert load_file(write(tmp_path / "kort.md", "# 1 §"), tmp_path).metadata["language"] is None
    # Fixed seed: the same text always gives the same answer.
    assert {document_language("ISF BMVI projekt") for _ in range(5)} == {
        document_language("ISF BMVI projekt")
    }


def test_given_language_is_normalised(tmp_path: Path) -> None:
    path = write(tmp_path / "x.md", "---\nlanguage: sv-SE\n---\n" + ENGLISH)
    assert load_file(path, tmp_path).metadata["language"] == "sv"


def test_is_ignored() -> None:
    for name in ("_draft.md", ".hidden.md", "manifest.yaml", "x.yml", "README.md", "readme.MD", "SOURCES.md",
                 "image.png", "noext"):  # fmt: skip
        assert is_ignored(Path(name)), name
    for name in ("a.md", "b.PDF", "c.docx", "d.html", "e.htm", "f.txt", "g.markdown", "NOTES.md"):
        assert not is_ignored(Path(name)), name


# ----------------------------------------------------------------------------- manifest


def test_manifest_merge(tmp_path: Path) -> None:
    write(tmp_path / "guide.md", "---\ntitle: From the file\nfund: [AMIF]\n---\n# H\n\n" + SWEDISH)
    write(tmp_path / "sub" / "notes.txt", ENGLISH)
    write(
        tmp_path / "manifest.yaml",
        "documents:\n"
        "  - path: guide.md\n    title: From the manifest\n    doc_type: guide\n"
        "    valid_to: 2027-12-31\n"
        "  - path: ./sub/notes.txt\n    id: notes-en\n    fund: ISF\n",
    )
    manifest = load_manifest(tmp_path)
    assert set(manifest) == {"guide.md", "sub/notes.txt"}
    guide = load_file(tmp_path / "guide.md", tmp_path, manifest["guide.md"])
    # The file's own metadata wins; the manifest fills only what is missing.
    assert guide.metadata["title"] == "From the file"
    assert guide.metadata["fund"] == ["AMIF"]
    assert guide.metadata["doc_type"] == "guide"
    assert guide.metadata["valid_to"] == "2027-12-31"
    assert "path" not in guide.metadata
    notes = load_file(tmp_path / "sub" / "notes.txt", tmp_path, manifest["sub/notes.txt"])
    assert notes.doc_id == "notes-en"
    assert notes.metadata["fund"] == ["ISF"]


def test_manifest_absent_is_empty(tmp_path: Path) -> None:
    assert load_manifest(tmp_path) == {}


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        ("documents:\n  - path: a.md\n  - title: no path\n", r"line 3: entry has no 'path:'"),
        ("documents:\n  - path: a.md\n  - path: a.md\n", r"line 3: 'a.md' is listed twice"),
        ("documents:\n  - just a string\n", r"line 2: each document entry must be a mapping"),
        ("documents: [\n", r"not valid YAML on line"),
        ("- a\n- b\n", r"expected 'documents:'"),
        ("documents:\n  - path: ../x.md\n", r"must be relative"),
    ],
)
def test_manifest_errors(tmp_path: Path, content: str, pattern: str) -> None:
    write(tmp_path / "manifest.yaml", content)
    with pytest.raises(LoaderError, match=pattern):
        load_manifest(tmp_path)


# ----------------------------------------------------------------------------- bad inputs


def test_random_bytes_pdf_and_docx(tmp_path: Path) -> None:
    junk = os.urandom(4096)
    (tmp_path / "x.pdf").write_bytes(junk)
    (tmp_path / "x.docx").write_bytes(junk)
    (tmp_path / "fake.pdf").write_bytes(b"%PDF-1.7\n" + junk)
    with pytest.raises(LoaderError, match=r"x\.pdf: not a valid PDF .*re-export it or remove it"):
        load_file(tmp_path / "x.pdf", tmp_path)
    with pytest.raises(LoaderError, match=r"fake\.pdf: not a valid PDF"):
        load_file(tmp_path / "fake.pdf", tmp_path)
    with pytest.raises(LoaderError, match=r"x\.docx: not a valid Word document"):
        load_file(tmp_path / "x.docx", tmp_path)


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_empty_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(LoaderError, match=r"empty.*: the file is empty"):
        load_file(path, tmp_path)


def test_binary_text_file(tmp_path: Path) -> None:
    for name in ("bin.txt", "bin.md"):
        (tmp_path / name).write_bytes(b"abc\x00\x01\x02def")
        with pytest.raises(LoaderError, match=rf"{name}: looks like a binary file"):
            load_file(tmp_path / name, tmp_path)


def test_invalid_utf8_falls_back_to_cp1252(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_bytes("Förordning om fonden".encode("cp1252"))
    doc = load_file(tmp_path / "old.txt", tmp_path)
    assert doc.text == "Förordning om fonden"
    assert any("Windows-1252" in w for w in doc.metadata["load_warnings"])
    # Bytes undefined in cp1252 as well: a clear error, not a crash.
    (tmp_path / "worse.txt").write_bytes(b"abc \x81\x8d\x90 def \xff")
    with pytest.raises(LoaderError, match=r"worse\.txt: .*save it as UTF-8"):
        load_file(tmp_path / "worse.txt", tmp_path)


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    (tmp_path / "bom.md").write_bytes(b"\xef\xbb\xbf---\ntitle: BOM\n---\nHello world text")
    doc = load_file(tmp_path / "bom.md", tmp_path)
    assert doc.metadata["title"] == "BOM"
    assert doc.text == "Hello world text"


def test_oversize_file(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "x" * 5000)
    with pytest.raises(LoaderError, match=r"big\.txt: .*limit.*split the file"):
        load_file(path, tmp_path, max_bytes=1000)


def test_unsupported_and_missing(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match=r"x\.png: unsupported file type"):
        load_file(write(tmp_path / "x.png", "abc"), tmp_path)
    with pytest.raises(LoaderError, match=r"gone\.md: file not found"):
        load_file(tmp_path / "gone.md", tmp_path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=2048), suffix=st.sampled_from(sorted(SUPPORTED_SUFFIXES)))
def test_fuzz_any_bytes_load_or_loader_error(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        doc = load_file(path, tmp_path)
    except LoaderError as exc:
        assert str(exc).startswith(path.name)
    else:
        assert isinstance(doc, Document) and doc.text.strip()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=500), suffix=st.sampled_from([".md", ".html", ".txt"]))
def test_fuzz_any_text_load_or_loader_error(tmp_path: Path, text: str, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        doc = load_file(path, tmp_path)
    except LoaderError as exc:
        assert str(exc).startswith(path.name)
    else:
        assert doc.text.strip() and doc.metadata["classification"] == "internal"


# ----------------------------------------------------------------------------- real documents


@pytest.mark.skipif(not REALDOCS.is_dir(), reason="../shared/realdocs not present")
def test_realdocs_load() -> None:
    files = sorted(p for p in REALDOCS.iterdir() if p.is_file() and not is_ignored(p))
    assert files
    docs = {p.name: load_file(p, REALDOCS) for p in files}
    for name, doc in docs.items():
        assert doc.doc_id == name.rsplit(".", 1)[0]
        assert doc.metadata["title"], name
        assert not re.search(r"</?(section|article)\b", doc.text), name
        assert not re.search(r"\]\(https?://", doc.text), name  # link targets removed
        if name.endswith(".sv.md"):
            assert doc.metadata["language"] == "sv", name
        if name.endswith(".en.md"):
            assert doc.metadata["language"] == "en", name
    isf = docs.get("32021R1149_ISF_Internal-Security-Fund.en.md")
    if isf is not None:
        assert isf.metadata["title"].startswith("Regulation (EU) 2021/1149")
        assert isf.metadata["url"] == "http://data.europa.eu/eli/reg/2021/1149/oj"
        assert "#### Article 13" in isf.text or "Article 13" in isf.text
    sfs = docs.get("SFS-2021-846_forvaltning-ISF-BMVI.sv.md")
    if sfs is not None:
        assert sfs.metadata["title"].startswith("Förordning om förvaltning av fonden")
        assert sfs.metadata["beteckning"] == "2021:846"
        assert "### 1 §" in sfs.text.splitlines()


def test_an_act_without_a_period_in_its_metadata_gets_the_one_its_text_states(
    tmp_path: Path,
) -> None:
    """The act states its own period with dates; bare year spans name other periods (the one
    before it), and a period given in the front matter wins over the text."""
    act = (
        "# Regulation on the Example Fund\n\n## Article 1\n\nThis Regulation sets up the Fund "
        "for the period from 1 January 2021 to 31 December 2027. It follows the 2014-2020 fund "
        "and the 2014-2020 programmes.\n\n## Article 2\n\nThe budget for the period from "
        "1 January 2021 to 31 December 2027 is EUR 10.\n"
    )
    meta = load_file(write(tmp_path / "act.en.md", act), tmp_path).metadata
    assert meta["programme_period"] == "2021-2027" and meta["period_inferred"] is True
    given_period = "---\nprogramme_period: '2014-2020'\n---\n" + act
    meta = load_file(write(tmp_path / "given.en.md", given_period), tmp_path).metadata
    assert meta["programme_period"] == "2014-2020" and "period_inferred" not in meta


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Stödet gäller för perioden 1 januari 2014–31 december 2020.", "2014-2020"),
        ("Fonden gäller från den 1 januari 2021 till den 31 december 2027.", "2021-2027"),
        # two periods stated as often: no guess
        ("From 1 January 2014 to 31 December 2020; from 1 January 2021 to 31 December 2027.", None),
        # a three-year project is no programme period; bare year spans do not count
        ("The project ran from 1 January 2020 to 31 December 2022 under the 2014-2020 fund.", None),
    ],
)
def test_stated_period(text: str, period: str | None) -> None:
    assert stated_period(text) == period
