"""A deterministic synthetic legal corpus: EU-style regulations and Swedish-statute-style documents.

EU acts have `CHAPTER` and `Article N` headings with numbered paragraphs; Swedish statutes have
`N kap.` and `N §` headings. Sizes are given in chunks: documents are added until the chunker (with
the hash embedder's token counter, which tracks the real model's within a few per cent) reaches the
target. Same seed → same bytes.

    python -m benchmarks.synth OUT_DIR --chunks 1000
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

EN = (
    "fund member state programme eligible expenditure beneficiary contribution union budget "
    "border surveillance equipment vessel aircraft national coordination centre situational "
    "picture return operation visa policy management authority audit authority payment "
    "application evaluation indicator objective specific measure implementing operation "
    "technical assistance emergency assistance thematic facility allocation commitment "
    "co-financing rate project partner procurement monitoring committee report annual "
    "performance irregularity recovery financial correction risk analysis vulnerability "
    "assessment integrated border management strategy liaison officer frontex agency "
    "information system interoperability training capacity building search rescue"
).split()
SV = (
    "fonden medlemsstat program stödberättigande utgifter stödmottagare bidrag unionens budget "
    "gränsövervakning utrustning fartyg flygplan nationella samordningscentret lägesbild "
    "återvändande insats viseringspolitik förvaltande myndighet revisionsmyndighet utbetalning "
    "ansökan utvärdering indikator mål särskild åtgärd genomförande tekniskt stöd "
    "katastrofbistånd tematisk tilldelning åtagande medfinansiering projekt partner "
    "upphandling övervakningskommitté rapport årlig prestation oegentlighet återkrav "
    "finansiell korrigering riskanalys sårbarhetsbedömning integrerad gränsförvaltning "
    "strategi sambandsman myndighet informationssystem utbildning kapacitet"
).split()
FUNDS = ("ISF", "BMVI", "AMIF", "EUROSUR", "NCC", "CIRAM", "EIBM", "ARLO", "RDO", "Frontex")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _sentence(rng: random.Random, words: list[str], lo: int = 10, hi: int = 28) -> str:
    n = rng.randint(lo, hi)
    ws = [rng.choice(words) for _ in range(n)]
    if rng.random() < 0.4:
        ws.insert(rng.randrange(len(ws)), rng.choice(FUNDS))
    if rng.random() < 0.3:
        ws.insert(rng.randrange(len(ws)), f"{rng.randint(5, 90)} %")
    return " ".join(ws).capitalize() + "."


def eu_regulation(rng: random.Random, n: int) -> str:
    year = 2021 + n % 7
    title = (
        f"Regulation (EU) {year}/{1000 + n} establishing the {rng.choice(FUNDS)} instrument ({n})"
    )
    out = [
        f'---\ntitle: "{title}"\nlanguage: en\nfund: [{rng.choice(FUNDS[:3])}]\n---\n',
        f"# {title}\n",
    ]
    art = 1
    for ch in range(rng.randint(2, 4)):
        out.append(f"## CHAPTER {ROMAN[ch]}\n\n{_sentence(rng, EN, 3, 6)}\n")
        for _ in range(rng.randint(3, 7)):
            out.append(f"### Article {art}\n\n{_sentence(rng, EN, 2, 5)}\n")
            for p in range(1, rng.randint(2, 5)):
                body = " ".join(_sentence(rng, EN) for _ in range(rng.randint(1, 4)))
                out.append(f"{p}. {body}\n")
            art += 1
    return "\n".join(out)


def sv_statute(rng: random.Random, n: int) -> str:
    title = (
        f"Förordning (20{21 + n % 5}:{100 + n}) om {rng.choice(SV)} inom {rng.choice(FUNDS)} ({n})"
    )
    out = [f'---\ntitle: "{title}"\nlanguage: sv\n---\n', f"# {title}\n"]
    para = 1
    for kap in range(1, rng.randint(2, 4)):
        out.append(f"## {kap} kap. {_sentence(rng, SV, 2, 4)[:-1]}\n")
        for _ in range(rng.randint(3, 8)):
            out.append(f"### {para} §\n")
            for _ in range(rng.randint(1, 3)):
                out.append(" ".join(_sentence(rng, SV) for _ in range(rng.randint(1, 4))) + "\n")
            para += 1
    return "\n".join(out)


def document(seed: int, n: int) -> tuple[str, str]:
    """(file name, text) of document n."""
    rng = random.Random(seed * 1_000_003 + n)
    if n % 3 == 2:
        return f"sfs-{n:06d}.sv.md", sv_statute(rng, n)
    return f"eu-{n:06d}.en.md", eu_regulation(rng, n)


def generate(out: Path, chunks: int, seed: int = 7) -> dict[str, int]:
    """Write documents into `out` until they hold about `chunks` chunks; returns the counts."""
    out.mkdir(parents=True, exist_ok=True)
    total = docs = 0
    while total < chunks:
        name, text = document(seed, docs)
        (out / name).write_text(text, "utf-8")
        total += _chunks_of(out / name)
        docs += 1
    return {
        "documents": docs,
        "chunks": total,
        "bytes": sum(p.stat().st_size for p in out.glob("*.md")),
    }


def _chunks_of(path: Path) -> int:
    from assistant.chunking import chunk_document
    from assistant.embeddings import HashEmbeddings
    from assistant.loaders import load_file

    doc = load_file(path, path.parent, {})
    return len(chunk_document(doc, count_tokens=HashEmbeddings().count_tokens, max_tokens=320))


def change(folder: Path, fraction: float, seed: int = 11) -> list[str]:
    """Edit `fraction` of the documents in place (one sentence appended); returns their names."""
    files = sorted(folder.glob("*.md"))
    rng = random.Random(seed)
    picked = rng.sample(files, max(1, round(len(files) * fraction)))
    for p in picked:
        p.write_text(p.read_text("utf-8") + f"\n{_sentence(rng, EN)}\n", "utf-8")
    return sorted(p.name for p in picked)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--chunks", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    print(generate(a.out, a.chunks, a.seed))


if __name__ == "__main__":
    main()
