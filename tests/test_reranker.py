"""The optional cross-encoder reranker, with a tiny BERT the test builds itself (no download)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.documents import Chunk, Passage

WORDS = "co financing rate union budget project equipment ceiling isf bmvi the of a 75 % shall".split()


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    folder = tmp_path_factory.mktemp("tiny-cross-encoder")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizer(vocab_file=str(folder / "vocab.txt"))
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=128, num_labels=1,
    )
    transformers.BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _passage(i: int, text: str) -> Passage:
    chunk = Chunk(f"d::{i}", "d", text, f"Article {i}", f"Article {i}", 0, len(text),
                  metadata={"title": "T", "language": "en", "classification": "public"})
    return Passage(chunk, score=1.0 / (i + 1))


def test_reranker_orders_by_the_cross_encoder_scores(tiny_cross_encoder: Path) -> None:
    from assistant.retrieval import CrossEncoderReranker

    rr = CrossEncoderReranker(str(tiny_cross_encoder))
    passages = [_passage(i, t) for i, t in enumerate(
        ["the co financing rate shall be 75 %", "equipment ceiling of the project",
         "union budget of the isf", "bmvi project equipment"])]
    question = "co financing rate isf"
    ranked = rr.rerank(question, passages)
    expected = rr.model.predict(
        [(question, f"{p.chunk.heading_path}\n{p.chunk.text}") for p in passages],
        show_progress_bar=False,
    )
    want = [p.chunk.chunk_id for _s, p in sorted(zip(expected, passages, strict=True),
                                                  key=lambda x: -float(x[0]))]
    assert [p.chunk.chunk_id for p in ranked] == want
    assert sorted(p.chunk.chunk_id for p in ranked) == sorted(p.chunk.chunk_id for p in passages)


def test_pipeline_uses_the_configured_reranker(tiny_cross_encoder: Path, tmp_path: Path) -> None:
    from assistant.config import load_settings
    from assistant.ingest import ingest_paths
    from assistant.pipeline import Pipeline

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("---\nid: a\ntitle: A\nlanguage: en\n---\n# A\n\n## Article 1\n\n"
                               "The co financing rate shall be 75 % of the project.\n", "utf-8")
    (docs / "b.md").write_text("---\nid: b\ntitle: B\nlanguage: en\n---\n# B\n\n## Article 2\n\n"
                               "Equipment ceiling of the project under the isf.\n", "utf-8")
    settings = load_settings(data_dir=tmp_path / "data", embeddings="hash",
                             reranker=str(tiny_cross_encoder), abstain_threshold=0.0)
    assert ingest_paths([docs], settings, progress=False).failed == []
    ans = Pipeline(settings).ask("co financing rate of the project")
    assert "rerank_ms" in ans.timings_ms
    assert {p.chunk.doc_id for p in ans.retrieved} == {"a", "b"}


def test_unloadable_reranker_names_the_setting(tmp_path: Path) -> None:
    from assistant.errors import ConfigError
    from assistant.retrieval import CrossEncoderReranker

    with pytest.raises(ConfigError, match="ASSISTANT_RERANKER"):
        CrossEncoderReranker(str(tmp_path / "no-such-model"))
