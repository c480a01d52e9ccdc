"""Fondassistenten: cited answers about EU home-affairs funds (ISF, BMVI, AMIF) for the border
police section. Public API: `Pipeline` answers, `ingest_paths` builds the index,
`load_settings` reads the configuration.

`Pipeline` and `ingest_paths` are imported on first use, so `import assistant` stays light (no
Chroma, no model)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import Settings, load_settings
from .documents import Answer, Chunk, Citation, Document, Passage

if TYPE_CHECKING:
    from .ingest import ingest_paths
    from .pipeline import Pipeline

__version__ = "0.1.0"

_LAZY = {"Pipeline": ("pipeline", "Pipeline"), "ingest_paths": ("ingest", "ingest_paths")}

__all__ = [
    "Answer",
    "Chunk",
    "Citation",
    "Document",
    "Passage",
    "Pipeline",
    "Settings",
    "ingest_paths",
    "load_settings",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        return getattr(import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
