"""Shared fixtures: a clean environment per test, settings, and the real documents when present."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests draw the same examples on every run, so CI cannot pass on one run and fail on
# the next; HYPOTHESIS_PROFILE=explore draws new ones (for looking for bugs, not for CI).
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REALDOCS = SHARED / "realdocs"


@pytest.fixture(scope="session")
def embed_cache_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedding cache for the whole session, so a real model embeds each text once."""
    return tmp_path_factory.mktemp("embed-cache") / "vectors.sqlite3"


@pytest.fixture(autouse=True)
def clean_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embed_cache_path: Path
) -> Iterator[Path]:
    """No SLACK_* / ASSISTANT_* from the developer's shell or .env; data goes to a temp folder.

    A test that means to read a .env passes `_env_file=` to Settings explicitly.
    """
    for name in list(os.environ):
        if name.startswith(("SLACK_", "ASSISTANT_")):
            monkeypatch.delenv(name, raising=False)
    from assistant.config import Settings, get_settings

    monkeypatch.setitem(Settings.model_config, "env_file", None)
    data = tmp_path / "data"
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data))
    monkeypatch.setenv("ASSISTANT_EMBED_CACHE", str(embed_cache_path))
    # Test documents are mostly written without a classification and asked about at public;
    # the fail-closed default (internal) is tested on its own in test_ingest.py.
    monkeypatch.setenv("ASSISTANT_DEFAULT_CLASSIFICATION", "public")
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


@pytest.fixture
def hash_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """ASSISTANT_EMBEDDINGS=hash for code that reads the environment itself (the CLI)."""
    monkeypatch.setenv("ASSISTANT_EMBEDDINGS", "hash")


@pytest.fixture
def settings(tmp_path: Path) -> Callable[..., Any]:
    """Factory: `settings(embeddings="hash", data_dir=...)` → validated Settings.

    Keywords are field names (data_dir, embeddings, chroma_url, …); anything not given comes from
    the environment, which `clean_env` has already pointed at a temp folder.
    """
    from assistant.config import load_settings

    def make(**overrides: Any) -> Any:
        overrides.setdefault("embeddings", "hash")
        overrides.setdefault("data_dir", tmp_path / "data")
        return load_settings(**overrides)

    return make


@pytest.fixture
def realdocs() -> Path:
    """../shared/realdocs (official EU and Swedish texts); the test is skipped without it."""
    if not REALDOCS.is_dir() or not any(REALDOCS.glob("*.md")):
        pytest.skip(f"{REALDOCS} is not present")
    return REALDOCS


@pytest.fixture
def no_bridge() -> Iterator[None]:
    """No index's dictionary bridge or term aligner registered: each test of the Swedish →
    English bridge registers its own vocabulary, and none leaks into other tests."""
    from assistant import language as L
    from assistant.language import translate as T

    saved = dict(T._BRIDGE.items), dict(T._TERMS.items)
    L.use_bridge(None)
    yield
    T._BRIDGE.items = saved[0]
    T._TERMS.items = saved[1]
