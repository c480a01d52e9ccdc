"""What the stages need of each other, as typing Protocols.

The concrete classes (`store.Store`, `retrieval.Retriever`, `retrieval.CrossEncoderReranker`,
`pipeline.Pipeline`, a LangChain chat model) satisfy these; tests pass small fakes. Nothing here
runs: importing this module costs nothing and pulls in no model, store or client library.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from .documents import Answer, Chunk, Passage
    from .embeddings import AssistantEmbeddings
    from .lexical import LexicalIndex
    from .pipeline import Pipeline
    from .retrieval import CrossEncoderReranker, Retriever
    from .store import DocRecord, Store

Method = Literal["hybrid", "dense", "lexical"]
Turn = tuple[str, str]  # (role "user" | "assistant", text)


class EmbeddingModel(Protocol):
    """An embedding model and what the store, chunker and caches need to know about it."""

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class ChunkSource(Protocol):
    """The read side of the store: what retrieval and the lexical index call."""

    @property
    def embeddings(self) -> EmbeddingModel: ...

    def generation(self) -> int: ...

    def iter_chunks(self) -> Iterator[Chunk]: ...

    def search(
        self, vector: Sequence[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]: ...


class IndexStore(ChunkSource, Protocol):
    """The whole store: what ingest, `status` and the pipeline call besides the read side."""

    @property
    def location(self) -> str: ...

    def meta(self) -> dict[str, Any]: ...

    def check_model(self, *, for_write: bool) -> None: ...

    def write_meta(self, **updates: Any) -> None: ...

    def registry(self) -> dict[str, DocRecord]: ...

    def set_doc(self, rec: DocRecord) -> None: ...

    def set_docs(self, recs: Sequence[DocRecord]) -> None: ...

    def remove_doc(self, doc_id: str) -> None: ...

    def add_documents(
        self,
        docs: Sequence[tuple[Sequence[Chunk], Sequence[Sequence[float]], str, dict[str, Any]]],
    ) -> None: ...

    def delete_chunks(self, *, doc_id: str, except_version: str | None = None) -> None: ...

    def chunk_versions(self) -> Iterator[tuple[str, str, str]]: ...

    def delete_ids(self, ids: Sequence[str]) -> None: ...

    def drop_all(self) -> None: ...


class Reranker(Protocol):
    """Re-orders retrieved passages (a cross-encoder); returns them best first."""

    def rerank(self, question: str, passages: list[Passage]) -> list[Passage]: ...


class PassageRetriever(Protocol):
    """What the pipeline calls on its retriever."""

    @property
    def store(self) -> ChunkSource: ...

    @property
    def lexical(self) -> LexicalIndex: ...

    def retrieve(
        self,
        question: str,
        *,
        k: int = 10,
        max_classification: str = "public",
        method: str = "hybrid",
        funds: Sequence[str] | None = None,
        period: str | None = None,
        timings: dict[str, float] | None = None,
    ) -> list[Passage]: ...


class ChatModel(Protocol):
    """The LLM client: a LangChain chat model, streamed with a list of (role, text) messages."""

    def stream(self, input: Any) -> Iterator[Any]: ...


class AskPipeline(Protocol):
    """What the Slack bot and the eval runner call on a pipeline (`pipeline.Pipeline.ask`)."""

    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] | None = ...,
        max_classification: str = ...,
        on_token: Callable[[str], None] | None = ...,
        method: Method = ...,
        k: int | None = ...,
    ) -> Answer: ...


if TYPE_CHECKING:  # mypy checks that the real components fit; nothing of this runs

    def _conforms(
        pipeline: Pipeline,
        retriever: Retriever,
        store: Store,
        reranker: CrossEncoderReranker,
        embeddings: AssistantEmbeddings,
    ) -> tuple[AskPipeline, PassageRetriever, IndexStore, Reranker, EmbeddingModel]:
        return pipeline, retriever, store, reranker, embeddings
