"""Generate the DOCX, PDF and HTML documents of the corpus from our own text.

The sources live in corpus/_build/src/*.md (plain Markdown without front matter:
"#" title, "##"/"###" headings, paragraphs, "- " bullet lists). Their metadata is in
corpus/manifest.yaml. The ingest skips corpus/_build, so only the generated files are
indexed.

Run from the repository root:

    .venv/bin/python corpus/_build/build_formats.py

The output is deterministic (fixed timestamps), so re-running it on unchanged
sources gives files that differ at most in incidental container bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import sys
import zipfile
from pathlib import Path

import yaml

BUILD_DIR = Path(__file__).resolve().parent
CORPUS_DIR = BUILD_DIR.parent
SRC_DIR = BUILD_DIR / "src"

# source stem -> output format
TARGETS = {
    "isf-grans-2014-2020": "docx",
    "eibm-strategi-2021-2023": "pdf",
    "eu-funds-summary-en": "html",
}

FIXED_TIME = dt.datetime(2024, 9, 1, 12, 0, 0, tzinfo=dt.timezone.utc)


def parse_blocks(text: str) -> list[tuple[str, object]]:
    """Split our simple Markdown into ("h1"|"h2"|"h3"|"p"|"ul", content) blocks."""
    blocks: list[tuple[str, object]] = []
    para: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(("p", " ".join(para)))
            para.clear()
        if items:
            blocks.append(("ul", list(items)))
            items.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
        elif line.startswith("### "):
            flush()
            blocks.append(("h3", line[4:].strip()))
        elif line.startswith("## "):
            flush()
            blocks.append(("h2", line[3:].strip()))
        elif line.startswith("# "):
            flush()
            blocks.append(("h1", line[2:].strip()))
        elif line.startswith("- "):
            if para:
                blocks.append(("p", " ".join(para)))
                para.clear()
            items.append(line[2:].strip())
        else:
            if items:
                blocks.append(("ul", list(items)))
                items.clear()
            para.append(line.strip())
    flush()
    return blocks


def load_manifest() -> dict[str, dict]:
    data = yaml.safe_load((CORPUS_DIR / "manifest.yaml").read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in data["documents"]}


def build_docx(blocks, meta, out: Path) -> None:
    from docx import Document

    doc = Document()
    props = doc.core_properties
    props.title = meta["title"]
    props.author = "Nationella gränspolissektionen"
    props.language = meta.get("language", "sv")
    props.created = FIXED_TIME.replace(tzinfo=None)
    props.modified = FIXED_TIME.replace(tzinfo=None)
    props.last_modified_by = "build_formats.py"
    props.revision = 1
    for kind, content in blocks:
        if kind == "h1":
            doc.add_heading(content, level=1)
        elif kind == "h2":
            doc.add_heading(content, level=2)
        elif kind == "h3":
            doc.add_heading(content, level=3)
        elif kind == "p":
            doc.add_paragraph(content)
        elif kind == "ul":
            for item in content:
                doc.add_paragraph(item, style="List Bullet")
    buf = io.BytesIO()
    doc.save(buf)
    _write_zip_deterministic(buf.getvalue(), out)


def _write_zip_deterministic(data: bytes, out: Path) -> None:
    """Re-pack a zip container with fixed entry timestamps so rebuilds are byte-identical."""
    stamp = FIXED_TIME.timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))


def _latin1(text: str) -> str:
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    text = text.replace("\u20ac", "EUR")
    try:
        text.encode("latin-1")
    except UnicodeEncodeError as exc:  # keep the sources latin-1 safe
        raise SystemExit(f"PDF text is not latin-1 safe: {text!r} ({exc})")
    return text


def build_pdf(blocks, meta, out: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_title(_latin1(meta["title"]))
    pdf.set_author("Nationella granspolissektionen")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    sizes = {"h1": 16, "h2": 13, "h3": 11.5}
    for kind, content in blocks:
        if kind in sizes:
            # Headings stay on a line of their own so the loader can find them.
            pdf.ln(3 if kind != "h1" else 0)
            pdf.set_font("Helvetica", "B", sizes[kind])
            if pdf.get_string_width(_latin1(content)) > width:
                raise SystemExit(f"PDF heading does not fit on one line, shorten it: {content!r}")
            pdf.multi_cell(width, sizes[kind] * 0.5, _latin1(content), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif kind == "p":
            pdf.set_font("Helvetica", "", 10.5)
            pdf.multi_cell(width, 5.2, _latin1(content), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "ul":
            pdf.set_font("Helvetica", "", 10.5)
            for item in content:
                pdf.multi_cell(width, 5.2, _latin1("- " + item), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    pdf.output(str(out))


def build_html(blocks, meta, out: Path) -> None:
    lang = meta.get("language", "en")
    esc = html.escape
    body: list[str] = []
    for kind, content in blocks:
        if kind in ("h1", "h2", "h3"):
            body.append(f"    <{kind}>{esc(content)}</{kind}>")
        elif kind == "p":
            body.append(f"    <p>{esc(content)}</p>")
        elif kind == "ul":
            body.append("    <ul>")
            body.extend(f"      <li>{esc(item)}</li>" for item in content)
            body.append("    </ul>")
    page = f"""<!DOCTYPE html>
<html lang="{esc(lang)}">
<head>
  <meta charset="utf-8">
  <title>{esc(meta["title"])}</title>
</head>
<body>
  <header>
    <nav aria-label="Site">
      <a href="#">Home</a> | <a href="#">Border police section</a> | <a href="#">EU projects</a> | <a href="#">Contact</a>
    </nav>
    <div class="cookie-banner">This page uses only technically necessary cookies. <button>OK</button></div>
  </header>
  <main>
{chr(10).join(body)}
  </main>
  <aside class="related">
    <h2>Related pages</h2>
    <ul><li><a href="#">Press</a></li><li><a href="#">Careers</a></li></ul>
  </aside>
  <footer>
    <p>Published by the national border police section. Printed copies are uncontrolled.</p>
    <nav aria-label="Footer"><a href="#">Accessibility</a> | <a href="#">Privacy</a> | <a href="#">Site map</a></nav>
  </footer>
</body>
</html>
"""
    out.write_text(page, encoding="utf-8")


BUILDERS = {"docx": build_docx, "pdf": build_pdf, "html": build_html}


def main() -> int:
    manifest = load_manifest()
    for stem, fmt in TARGETS.items():
        src = SRC_DIR / f"{stem}.md"
        meta = manifest.get(stem)
        if meta is None:
            raise SystemExit(f"{stem}: no entry with this id in corpus/manifest.yaml")
        expected_path = f"{stem}.{fmt}"
        if meta.get("path") != expected_path:
            raise SystemExit(f"{stem}: manifest path is {meta.get('path')!r}, expected {expected_path!r}")
        blocks = parse_blocks(src.read_text(encoding="utf-8"))
        out = CORPUS_DIR / expected_path
        BUILDERS[fmt](blocks, meta, out)
        print(f"wrote corpus/{expected_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
