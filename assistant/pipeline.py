"""The one pipeline behind `assistant ask`, the Slack bot and the eval runner."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from .config import Settings
from .documents import Answer, Passage

Method = Literal["hybrid", "dense", "lexical"]
Turn = tuple[str, str]  # (role "user" | "assistant", text)


class Pipeline:
    """Guard → retrieve (dense + lexical, fused) → filter → [rerank] → answer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def retrieve(
        self,
        question: str,
        *,
        k: int = 10,
        max_classification: str = "public",
        method: Method = "hybrid",
        funds: Sequence[str] | None = None,
        period: str | None = None,
    ) -> list[Passage]:
        """Ranked passages, best first, only from documents at or below max_classification."""
        raise NotImplementedError

    def ask(
        self,
        question: str,
        *,
        history: Sequence[Turn] | None = None,
        max_classification: str = "public",
        funds: Sequence[str] | None = None,
        period: str | None = None,
        on_token: Callable[[str], None] | None = None,
        use_llm: bool | None = None,
        method: Method = "hybrid",
        k: int | None = None,
    ) -> Answer:
        """Answer with numbered citations, or abstain. Raises QuestionRejectedError when the
        question is empty or too long (its message is for the asker)."""
        raise NotImplementedError
