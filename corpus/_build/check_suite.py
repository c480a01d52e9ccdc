"""Self-check for the corpus and its eval suite (evals/suites/corpus.yaml).

Checks, per document: required metadata fields and allowed values, non-empty
`sources` (each with title and cite), unique ids, `superseded_by` pointing at a
known id, heading rules (unique, no reserved legal prefixes), section length.

Checks, per suite question: unique id, known language, expected documents and
sections exist, `evidence` occurs verbatim (whitespace-normalised) inside the
named section of the expected document, every answer term occurs in the
evidence, abstain questions have no expectations; and the suite totals.

For DOCX/PDF/HTML the text is read from the sources in corpus/_build/src/; when
the generated file exists and its reader is installed (python-docx, pypdf,
beautifulsoup4), the evidence is also looked up in the generated file itself.

Run from the repository root:

    .venv/bin/python corpus/_build/check_suite.py

Exit status 0 when clean, 1 when any error was found.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

BUILD_DIR = Path(__file__).resolve().parent
CORPUS_DIR = BUILD_DIR.parent
REPO_DIR = CORPUS_DIR.parent
SUITE = REPO_DIR / "evals" / "suites" / "corpus.yaml"

REQUIRED = [
    "id", "title", "doc_type", "fund", "programme_period", "valid_from", "valid_to",
    "superseded_by", "language", "classification", "url", "sources",
]
DOC_TYPES = {"overview", "guide", "faq", "project", "strategy", "routine", "regulation-summary"}
CLASSES = {"public", "internal", "restricted"}
LANGS = {"sv", "en"}
PERIODS = {"2021-2027", "2014-2020"}
RESERVED = re.compile(r"^(article\s+\d|artikel\s+\d|\d+\s*§|\d+\s*kap\.|bilaga|annex|chapter)", re.I)
MAX_SECTION_CHARS = 1200
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")

errors: list[str] = []
warnings: list[str] = []


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def split_front_matter(text: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    meta = yaml.safe_load(text[3:end]) or {}
    body = text[end + 4:]
    return meta, body


def sections_of(body: str) -> dict[str, str]:
    """Heading text -> text under it (up to the next heading of any level)."""
    out: dict[str, str] = {}
    current = None
    buf: list[str] = []
    seen: list[str] = []

    def flush():
        if current is not None:
            out[current] = "\n".join(buf)

    for line in body.splitlines():
        m = HEADING.match(line)
        if m:
            flush()
            current = m.group(2).strip()
            seen.append(current)
            buf = []
        elif current is not None:
            buf.append(line)
    flush()
    dupes = {h for h in seen if seen.count(h) > 1}
    if dupes:
        out["__dupes__"] = "|".join(sorted(dupes))
    return out


def load_documents() -> dict[str, dict]:
    docs: dict[str, dict] = {}

    def add(meta: dict, body: str, origin: str, generated: Path | None):
        doc_id = meta.get("id")
        if not doc_id:
            errors.append(f"{origin}: no id")
            return
        if doc_id in docs:
            errors.append(f"{origin}: duplicate id {doc_id} (also {docs[doc_id]['origin']})")
            return
        docs[doc_id] = {"meta": meta, "body": body, "origin": origin, "generated": generated,
                        "sections": sections_of(body)}

    for path in sorted(CORPUS_DIR.rglob("*")):
        rel = path.relative_to(CORPUS_DIR)
        if any(part.startswith(("_", ".")) for part in rel.parts) or path.is_dir():
            continue
        if path.suffix == ".md" and path.name != "README.md":
            meta, body = split_front_matter(path.read_text(encoding="utf-8"))
            add(meta, body, str(rel), None)

    manifest = yaml.safe_load((CORPUS_DIR / "manifest.yaml").read_text(encoding="utf-8"))
    for entry in manifest.get("documents", []):
        rel = entry.get("path", "")
        generated = CORPUS_DIR / rel
        if not generated.exists():
            errors.append(f"manifest: {rel} does not exist (run corpus/_build/build_formats.py)")
        src = BUILD_DIR / "src" / (Path(rel).stem + ".md")
        if not src.exists():
            errors.append(f"manifest: no source {src.relative_to(REPO_DIR)} for {rel}")
            continue
        add(entry, src.read_text(encoding="utf-8"), f"manifest:{rel}", generated)
    return docs


def generated_text(path: Path) -> str | None:
    try:
        if path.suffix == ".docx":
            from docx import Document
            return "\n".join(p.text for p in Document(str(path)).paragraphs)
        if path.suffix == ".pdf":
            from pypdf import PdfReader
            return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
        if path.suffix in (".html", ".htm"):
            from bs4 import BeautifulSoup
            soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            main = soup.find("main") or soup
            return main.get_text("\n")
    except ImportError:
        return None
    return None


def check_documents(docs: dict[str, dict]) -> None:
    ids = set(docs)
    for doc_id, doc in docs.items():
        meta, origin = doc["meta"], doc["origin"]
        for field in REQUIRED:
            if field not in meta:
                errors.append(f"{origin}: missing field {field}")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", doc_id):
            errors.append(f"{origin}: id {doc_id!r} is not kebab-case")
        if meta.get("doc_type") not in DOC_TYPES:
            errors.append(f"{origin}: doc_type {meta.get('doc_type')!r}")
        if meta.get("classification") not in CLASSES:
            errors.append(f"{origin}: classification {meta.get('classification')!r}")
        if meta.get("language") not in LANGS:
            errors.append(f"{origin}: language {meta.get('language')!r}")
        if str(meta.get("programme_period")) not in PERIODS:
            errors.append(f"{origin}: programme_period {meta.get('programme_period')!r}")
        if not isinstance(meta.get("fund"), list) or not meta.get("fund"):
            errors.append(f"{origin}: fund must be a non-empty list")
        sup = meta.get("superseded_by")
        if sup is not None and sup not in ids:
            errors.append(f"{origin}: superseded_by {sup!r} is not a known id")
        if sup is not None and not meta.get("valid_to"):
            errors.append(f"{origin}: superseded but no valid_to")
        sources = meta.get("sources")
        if not sources:
            errors.append(f"{origin}: empty sources")
        else:
            for s in sources:
                if not s.get("title") or not s.get("cite") or "url" not in s:
                    errors.append(f"{origin}: source entry needs title, url (may be null) and cite: {s}")
        secs = doc["sections"]
        if "__dupes__" in secs:
            errors.append(f"{origin}: duplicate headings {secs.pop('__dupes__')}")
        for head, text in secs.items():
            if RESERVED.match(head):
                errors.append(f"{origin}: heading {head!r} starts with a reserved legal label")
            if len(norm(text)) > MAX_SECTION_CHARS:
                errors.append(f"{origin}: section {head!r} has {len(norm(text))} chars (> {MAX_SECTION_CHARS})")
        words = len(doc["body"].split())
        if not 300 <= words <= 1300:
            warnings.append(f"{origin}: {words} words (aim for ~400-1200)")
        if re.search(r"/(work|home|tmp|root|Users)/", doc["body"]):
            errors.append(f"{origin}: contains what looks like an absolute local path")


def check_suite(docs: dict[str, dict]) -> None:
    if not SUITE.exists():
        errors.append(f"missing suite {SUITE.relative_to(REPO_DIR)}")
        return
    suite = yaml.safe_load(SUITE.read_text(encoding="utf-8"))
    for key in ("name", "description", "questions"):
        if key not in suite:
            errors.append(f"suite: missing top-level {key}")
    qs = suite.get("questions") or []
    seen: set[str] = set()
    gen_cache: dict[str, str | None] = {}
    counts = {"sv": 0, "en": 0, "abstain": 0, "restricted_or_internal": 0, "superseded": 0}
    for q in qs:
        qid = q.get("id", "?")
        where = f"suite:{qid}"
        if qid in seen:
            errors.append(f"{where}: duplicate id")
        seen.add(qid)
        for key in ("id", "question", "lang", "expected", "answer_terms", "abstain", "evidence"):
            if key not in q:
                errors.append(f"{where}: missing {key}")
        lang = q.get("lang")
        if lang not in LANGS:
            errors.append(f"{where}: lang {lang!r}")
        else:
            counts[lang] += 1
        if q.get("abstain"):
            counts["abstain"] += 1
            if q.get("expected") or q.get("answer_terms") or q.get("evidence"):
                errors.append(f"{where}: abstain question must have empty expected/answer_terms/evidence")
            continue
        expected = q.get("expected") or []
        evidence = norm(q.get("evidence") or "")
        if not expected:
            errors.append(f"{where}: no expected documents")
        if not evidence:
            errors.append(f"{where}: empty evidence")
        for term in q.get("answer_terms") or []:
            if term.lower() not in evidence.lower():
                errors.append(f"{where}: answer term {term!r} not in evidence")
        found_any = False
        for exp in expected:
            doc = docs.get(exp.get("doc"))
            if doc is None:
                errors.append(f"{where}: unknown doc {exp.get('doc')!r}")
                continue
            meta = doc["meta"]
            if meta.get("classification") in ("internal", "restricted"):
                counts["restricted_or_internal"] += 1
            if meta.get("superseded_by"):
                counts["superseded"] += 1
            section = exp.get("section")
            if section is not None and section not in doc["sections"]:
                errors.append(f"{where}: section {section!r} not a heading of {exp['doc']}")
                continue
            haystack = norm(doc["sections"][section]) if section else norm(doc["body"])
            if evidence and evidence in haystack:
                found_any = True
            gen = doc["generated"]
            if gen is not None and gen.exists() and evidence:
                key = str(gen)
                if key not in gen_cache:
                    gen_cache[key] = generated_text(gen)
                text = gen_cache[key]
                if text is not None and evidence not in norm(text):
                    errors.append(f"{where}: evidence not found in generated {gen.name}")
        if evidence and not found_any:
            errors.append(f"{where}: evidence not found verbatim under the expected section(s)")
    total = len(qs)
    print(f"suite: {total} questions; sv={counts['sv']} en={counts['en']} abstain={counts['abstain']} "
          f"internal/restricted expectations={counts['restricted_or_internal']} "
          f"superseded-doc expectations={counts['superseded']}")
    if total < 60:
        errors.append(f"suite: {total} questions, need >= 60")
    if counts["sv"] < 40:
        errors.append(f"suite: {counts['sv']} Swedish questions, need >= 40")
    if counts["en"] < 15:
        errors.append(f"suite: {counts['en']} English questions, need >= 15")
    if counts["abstain"] < 8:
        errors.append(f"suite: {counts['abstain']} abstain questions, need >= 8")
    if counts["restricted_or_internal"] < 1:
        errors.append("suite: no question expects an internal/restricted document")
    if counts["superseded"] < 2:
        errors.append("suite: need at least two questions about superseded documents")


def main() -> int:
    docs = load_documents()
    check_documents(docs)
    print(f"documents: {len(docs)}")
    for doc_id, doc in sorted(docs.items()):
        m = doc["meta"]
        print(f"  {doc_id:40s} {Path(m.get('path', doc['origin'])).suffix[1:]:5s} "
              f"{m.get('language')} {m.get('classification'):10s} words={len(doc['body'].split())}")
    check_suite(docs)
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("ERROR:", e)
    print("clean" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
