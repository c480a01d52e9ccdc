"""`assistant chat`: a terminal conversation on the same pipeline (driven through stdin)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import build_hash_index

pytestmark = pytest.mark.integration  # runs `python -m assistant chat` in a subprocess

DOCS = {
    "isf.md": "---\nid: isf\ntitle: ISF-förordningen\nlanguage: sv\nurl: https://example.org/isf\n"
    "---\n# ISF\n\n## Artikel 12\n\nMedfinansieringen från unionens budget får vara högst 75 "
    "procent av de stödberättigande kostnaderna.\n",
    "bmvi.md": "---\nid: bmvi\ntitle: BMVI-förordningen\nlanguage: sv\n---\n# BMVI\n\n"
    "## Artikel 12\n\nFör BMVI får medfinansieringen från unionens budget vara högst 75 procent.\n",
}


def _chat(tmp_path: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    data = build_hash_index(tmp_path, DOCS)
    env = dict(os.environ, ASSISTANT_DATA_DIR=str(data), ASSISTANT_EMBEDDINGS="hash",
               ASSISTANT_ABSTAIN_THRESHOLD="0", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "assistant", "chat"],
        input=stdin, capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
    )


def test_chat_answers_with_citations_and_ends_on_an_empty_line(tmp_path: Path) -> None:
    proc = _chat(tmp_path, "Hur hög är medfinansieringen i ISF?\nOch för BMVI?\n\nnot asked\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Källor" in out
    assert "[1] ISF-förordningen – Artikel 12" in out
    assert "75 procent" in out
    # The follow-up keeps the topic and swaps the fund.
    assert "[1] BMVI-förordningen – Artikel 12" in out


def test_chat_tells_the_user_about_personal_data(tmp_path: Path) -> None:
    proc = _chat(tmp_path, "Min kollega nås på 070-123 45 67, hur hög är medfinansieringen?\n")
    assert proc.returncode == 0, proc.stderr
    assert "personuppgifter" in proc.stdout
    assert "070-123 45 67" not in proc.stdout.split("fråga>", 2)[-1]
