"""Files that are too big once extracted, UTF-16 text, unreadable folders (issue 13)."""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import LoaderError
from assistant.ingest import ingest_paths
from assistant.loaders import load_file

pytestmark = pytest.mark.usefixtures("hash_env")


def docx_bomb(path: Path, paragraphs: int) -> Path:
    """A valid .docx whose document.xml repeats one paragraph: tiny on disk, large expanded."""
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("Bomb")
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    para = (
        b"<w:p><w:r><w:t>BMVI medfinansiering av gr\xc3\xa4ns\xc3\xb6vervakning.</w:t></w:r></w:p>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + para * paragraphs, 1)
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_docx_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    path = docx_bomb(tmp_path / "bomb.docx", 200_000)  # ~15 MB of XML
    assert path.stat().st_size < 1_000_000
    t = time.perf_counter()
    with pytest.raises(LoaderError, match="ASSISTANT_MAX_DOCUMENT_CHARS") as e:
        load_file(path, tmp_path, max_chars=100_000)
    assert time.perf_counter() - t < 5  # refused from the zip directory, not by parsing
    assert str(e.value).startswith("bomb.docx")


def test_extracted_text_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Gränsövervakning med stöd av BMVI. " * 400, "utf-8")  # ~14,000 chars
    with pytest.raises(LoaderError, match="over the limit of 10,000"):
        load_file(path, tmp_path, max_chars=10_000)
    assert load_file(path, tmp_path, max_chars=20_000).text.startswith("Gränsövervakning")


def test_ingest_limits_from_settings(tmp_path: Path, settings: Callable[..., Any]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "small.txt").write_text("BMVI stöder gränsförvaltning.", "utf-8")
    long = "\n\n".join(f"# Avsnitt {i}\n\n" + "Gränsövervakning och BMVI. " * 60 for i in range(40))
    (docs / "long.md").write_text(long, "utf-8")
    report = ingest_paths([docs], settings(max_document_chars=20_000), progress=False)
    assert report.added == ["small"]
    [(source, error)] = report.failed
    assert source.endswith("long.md") and "ASSISTANT_MAX_DOCUMENT_CHARS" in error
    report = ingest_paths([docs], settings(max_chunks_per_document=5), progress=False)
    [(source, error)] = report.failed
    assert "ASSISTANT_MAX_CHUNKS_PER_DOCUMENT" in error and "passages" in error
    assert "long" not in report.added


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_text_with_bom_is_read(tmp_path: Path, encoding: str) -> None:
    text = "---\ntitle: Rutin\nclassification: internal\n---\n# Rutin\n\nKontroll av BMVI-projekt."
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    for name in ("rutin.md", "rutin.txt"):
        (tmp_path / name).write_bytes(data)
        doc = load_file(tmp_path / name, tmp_path)
        assert "Kontroll av BMVI-projekt." in doc.text
    assert load_file(tmp_path / "rutin.md", tmp_path).metadata["classification"] == "internal"


@pytest.fixture
def locked_folder(tmp_path: Path) -> Iterator[Path]:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.txt").write_text("BMVI stöder gränsförvaltning.", "utf-8")
    (docs / "sub" / "b.txt").write_text("ISF gällde 2014-2020.", "utf-8")
    yield docs
    os.chmod(docs / "sub", 0o755)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_subfolder_is_reported_and_its_documents_stay(
    locked_folder: Path, settings: Callable[..., Any]
) -> None:
    s = settings()
    assert sorted(ingest_paths([locked_folder], s, progress=False).added) == ["a", "sub/b"]
    os.chmod(locked_folder / "sub", 0)
    report = ingest_paths([locked_folder], s, progress=False)
    assert not report.ok
    [(source, error)] = report.failed
    assert source == str(locked_folder / "sub") and "cannot read the folder" in error
    assert report.removed == []  # not mistaken for deleted documents


def test_unreadable_subfolder_is_reported_even_as_root(
    locked_folder: Path, settings: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same path without relying on permissions (root ignores them): the folder listing
    fails the way it does for an unreadable folder."""
    s = settings()
    assert sorted(ingest_paths([locked_folder], s, progress=False).added) == ["a", "sub/b"]
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:
        if Path(path) == locked_folder / "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = ingest_paths([locked_folder], s, progress=False)
    [(source, error)] = report.failed
    assert source == str(locked_folder / "sub") and "Permission denied" in error
    assert report.removed == [] and report.unchanged == ["a"]
    assert any("sub/b" in w and "kept the previously indexed" in w for w in report.warnings)
