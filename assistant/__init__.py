"""Fondassistenten: cited answers about EU home-affairs funds (ISF, BMVI, AMIF) for the border
police section. Public API: `Pipeline` answers, `ingest_paths` builds the index."""

from .config import Settings, load_settings
from .documents import Answer, Chunk, Citation, Document, Passage

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "Chunk",
    "Citation",
    "Document",
    "Passage",
    "Settings",
    "load_settings",
    "__version__",
]
