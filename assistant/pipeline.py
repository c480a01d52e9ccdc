"""The one pipeline behind `assistant ask`, the Slack bot and the eval runner."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from . import answer as A
from .config import Settings
from .crossmatch import PARTIAL, read_back, related
from .declining import Decline, declines
from .documents import Answer, Citation, Passage
from .errors import QuestionRejectedError
from .glossary_terms import fund_groups
from .langidf import language_idf
from .language import detect_language, expand_with_glossary, words
from .privacy import scan
from .protocols import Method, Turn
from .texts import AnswerWarning, decline_reason, warning

if TYPE_CHECKING:
    from .embeddings import AssistantEmbeddings
    from .lexical import LexicalIndex
    from .protocols import ChatModel, PassageRetriever, Reranker

__all__ = [
    "Method",
    "Pipeline",
    "Turn",
    "calibration",
    "fund_patterns_in",
    "make_llm",
    "standalone_query",
]

log = logging.getLogger(__name__)
# A Swedish question's coverage also reads English text backwards (`crossmatch.read_back`).
COVER_BACK = True

_FOLLOW_UP = re.compile(
    r"^(och|men|samt|även|också|hur är det med|vad gäller|gäller det|då|den|det|de|dem|samma|"
    r"and|but|also|what about|how about|same|it|that|those|they|then)\b",
    re.I,
)


@lru_cache(maxsize=1)
def calibration() -> dict[str, Any]:
    """Abstention thresholds per embedding model (see docs/ANSWERS.md for how they were set)."""
    text = resources.files("assistant").joinpath("calibration.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text) or {})


def standalone_query(question: str, history: Sequence[Turn] | None) -> str:
    """A follow-up ("och för BMVI?") borrows the previous question's subject."""
    if not history:
        return question
    previous = [
        text for role, text in history if role == "user" and text.strip() != question.strip()
    ]
    if not previous:
        return question
    short = len(words(question)) <= 8
    if _FOLLOW_UP.match(question.strip()) or (short and not expand_with_glossary(question)):
        before = previous[-1]
        if fund_patterns_in(question):
            # "Och för BMVI?" after an ISF question: keep the topic, swap the fund.
            for pat in _FUND_PATTERNS:
                before = pat.sub(" ", before)
        return re.sub(r"\s+", " ", f"{before} {question}").strip()
    return question


# The names of the funds, any case: a follow-up that names one replaces the fund asked before.
_FUND_PATTERNS = [re.compile(p.pattern, re.I) for g in fund_groups() for p in g.patterns]


def fund_patterns_in(text: str) -> bool:
    return any(p.search(text) for p in _FUND_PATTERNS)


class Pipeline:
    """Guard → retrieve (dense + lexical, fused) → filter → [rerank] → answer."""

    def __init__(
        self,
        settings: Settings,
        *,
        embeddings: AssistantEmbeddings | None = None,
        llm: ChatModel | None = None,
        reranker: Reranker | None = None,
    ) -> None:
        self.settings = settings
        self._embeddings = embeddings
        self._llm = llm
        self._reranker = reranker
        self._retriever: PassageRetriever | None = None
        self._lock = threading.Lock()
        self._warned_uncalibrated = False  # say it once, not on every question
        self._doc_texts: tuple[LexicalIndex, dict[str, str]] | None = None

    # -- components (opened on first use, once) -------------------------------------------------
    @property
    def retriever(self) -> PassageRetriever:
        with self._lock:
            if self._retriever is None:
                from .embeddings import get_embeddings
                from .retrieval import CrossEncoderReranker, Retriever
                from .store import Store

                emb = self._embeddings or get_embeddings(
                    self.settings.embeddings, self.settings.embed_batch_size
                )
                store = Store(self.settings, emb)
                store.check_model(for_write=False)
                reranker = self._reranker
                if reranker is None and self.settings.reranker:
                    reranker = CrossEncoderReranker(self.settings.reranker)
                self._retriever = Retriever(store, self.settings, reranker)
            return self._retriever

    @property
    def llm(self) -> ChatModel | None:
        if self._llm is None and self.settings.llm:
            self._llm = make_llm(self.settings)
        return self._llm

    def warm(self) -> None:
        """Open the store, load the model and the lexical index before the first question."""
        r = self.retriever
        _ = r.lexical
        r.store.embeddings.embed_query("uppvärmning")
        _ = self.llm  # importing the LLM client costs seconds: pay it at start, not on a question

    def calibration_entry(self) -> dict[str, Any] | None:
        """Abstention thresholds for the configured model; ASSISTANT_ABSTAIN_THRESHOLD overrides."""
        if self.settings.abstain_threshold is not None:
            return {"abstain_below": self.settings.abstain_threshold}
        model = self.retriever.store.embeddings.model_id
        entry = calibration().get("models", {}).get(model)
        if entry is None and not self._warned_uncalibrated:
            self._warned_uncalibrated = True
            log.warning(
                "no abstention calibration for %s: the assistant will not abstain; "
                "calibrate it (docs/ANSWERS.md) or set ASSISTANT_ABSTAIN_THRESHOLD",
                model,
            )
        return dict(entry) if entry else None

    # -- public API ------------------------------------------------------------------------------
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
        return list(
            self.retriever.retrieve(
                question,
                k=k,
                max_classification=max_classification,
                method=method,
                funds=funds,
                period=period,
            )
        )

    def guard(self, question: str) -> tuple[str, str, list[AnswerWarning]]:
        """(redacted question, language, warnings); rejects empty and over-long questions."""
        q = (question or "").strip()
        lang = detect_language(q) if q else "sv"
        if not q or not re.search(r"\w", q):
            raise QuestionRejectedError(A.t(lang, "empty"))
        if len(q) > self.settings.max_question_chars:
            raise QuestionRejectedError(
                A.t(lang, "too_long", n=len(q), max=self.settings.max_question_chars)
            )
        priv = scan(q, lang)
        return priv.redacted, lang, [priv.warning] if priv.warning else []

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
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        redacted, lang, warnings = self.guard(question)
        safe_history = [(role, scan(text).redacted) for role, text in history or []]
        query = standalone_query(redacted, safe_history)
        k = k or max(self.settings.top_k, 5)
        t = time.perf_counter()
        passages = self.retriever.retrieve(
            query,
            k=k,
            max_classification=max_classification,
            method=method,
            funds=funds,
            period=period,
            timings=timings,
        )
        timings["retrieve_ms"] = A.now_ms(t)
        ans = Answer(
            question=redacted,
            language=lang,
            text="",
            citations=[],
            abstained=False,
            warnings=warnings,
            retrieved=passages,
            redacted_question=redacted,
        )
        view = self.retriever.lexical.view(max_classification)  # what the asker may see
        df = view.df
        declined = self._should_abstain(query, passages, method, max_classification) or declines(
            query, passages, lang, self._doc_text, lambda s: df.get(s, 0) > 0
        )
        if declined:
            ans.abstained = True
            ans.declined_by = declined
            ans.text = A.t(lang, "abstain") + decline_reason(declined.code, declined.detail, lang)
            ans.related = self._related(passages, lang)
            timings["total_ms"] = A.now_ms(t0)
            ans.timings_ms = timings
            return ans
        t = time.perf_counter()
        draft = None
        # A chat model given to the constructor counts as configured, like ASSISTANT_LLM.
        configured = self.settings.llm is not None or self._llm is not None
        want_llm = configured if use_llm is None else use_llm
        if want_llm and self.llm is not None:
            draft = self._llm_answer(query, passages[: min(len(passages), 6)], lang, on_token)
            ans.mode = "llm" if draft and draft.citations else "extractive"
        if draft is None or not draft.citations:
            fallback_note = draft.warnings if draft else []
            draft = A.extractive_answer(
                query, passages, lang, idf=view.idf, idf_in=language_idf(view)
            )
            draft.warnings = fallback_note + draft.warnings
            ans.mode = "extractive"
        timings["answer_ms"] = A.now_ms(t)
        ans.text = draft.text
        ans.short_answer = draft.short_answer
        ans.citations = draft.citations
        ans.warnings.extend(draft.warnings)
        cited = [p for p in passages if any(c.chunk_id == p.chunk.chunk_id for c in ans.citations)]
        ans.warnings.extend(A.validity_warnings(cited, lang, self._titles(max_classification)))
        timings["total_ms"] = A.now_ms(t0)
        ans.timings_ms = timings
        return ans

    # -- parts -----------------------------------------------------------------------------------
    def _should_abstain(
        self,
        question: str,
        passages: Sequence[Passage],
        method: str,
        max_classification: str = "public",
    ) -> Decline | None:
        """Too weak evidence: the best passages are not close enough to the question; or they are
        only moderately close and hold little of what the question asks about; or much of what
        it asks about occurs in no document at all."""
        if not passages:
            return Decline("no_passages")
        if method == "lexical":
            return None  # no calibrated score: the lexical baseline answers when anything matched
        cal = self.calibration_entry()
        if cal is None:
            return None
        best = max((p.dense_score for p in passages[:3] if p.dense_score is not None), default=None)
        if best is None or best < float(cal["abstain_below"]):
            return Decline("weak_match")
        # Statistics over what the asker may see: hidden text must not decide a public answer.
        lex = self.retriever.lexical.view(max_classification)
        weak_cov = cal.get("weak_coverage")
        if weak_cov is not None and best < float(cal.get("weak_dense_below", 1.0)):
            ids = [p.chunk.chunk_id for p in passages[:3]]
            # An English question over Swedish text finds its words' Swedish relatives too
            # ("costs": kostnaderna), and a Swedish question over English text its words among
            # the English words' Swedish dictionary words ("fartyg": boats), as the quote
            # choice does.
            english = detect_language(question) == "en"
            back = read_back if COVER_BACK else None
            rel = (related, PARTIAL) if english else (back, PARTIAL)
            if lex.coverage(question, ids, *rel) < float(weak_cov):
                return Decline("weak_match")
        unknown = cal.get("unknown_share_at_least")
        # Half the question is about words no document uses: not covered.
        if (
            unknown is not None
            and best < float(cal.get("unknown_dense_below", 1.0))
            and lex.unknown_share(question) >= float(unknown)
        ):
            return Decline("weak_match")
        return None

    def _related(self, passages: Sequence[Passage], lang: str) -> list[Citation]:
        out: list[Citation] = []
        seen: set[str] = set()
        for p in passages:
            if p.chunk.doc_id in seen:
                continue
            seen.add(p.chunk.doc_id)
            out.append(A.make_citation(len(out) + 1, p, "", lang))
            if len(out) == 3:
                break
        return out

    def _doc_text(self, doc_id: str) -> str:
        """The whole text of an indexed document (for names a question mentions)."""
        lex = self.retriever.lexical
        cache = self._doc_texts
        if cache is None or cache[0] is not lex:
            parts: dict[str, list[str]] = {}
            for c in lex.chunks:
                parts.setdefault(c.doc_id, []).append(c.text)
            cache = (lex, {d: " ".join(t) for d, t in parts.items()})
            self._doc_texts = cache
        return cache[1].get(doc_id, "")

    def _titles(self, max_classification: str = "public") -> dict[str, str]:
        """Titles of the documents the asker may see (a hidden one is named by its id only)."""
        return self.retriever.lexical.titles(max_classification)

    def _llm_answer(
        self,
        question: str,
        passages: Sequence[Passage],
        lang: str,
        on_token: Callable[[str], None] | None,
    ) -> A.Draft | None:
        messages = A.build_llm_messages(question, passages, lang)
        try:
            raw = A.stream_llm(self.llm, messages, self.settings.llm_timeout, on_token)
        except Exception as e:  # timeouts, HTTP errors, refused connections: fall back
            log.warning(
                "LLM answer failed (%s: %s); using the extractive answer", type(e).__name__, e
            )
            return A.Draft("", [], [warning("llm_fallback", lang)])
        text, cites, warnings = A.check_llm_answer(raw, passages, lang)
        if not cites:
            return A.Draft("", [], warnings + [warning("llm_fallback", lang)])
        return A.Draft(text, cites, warnings)


def make_llm(settings: Settings) -> ChatModel:
    """A LangChain chat model from ASSISTANT_LLM ("provider:model", default provider openai,
    i.e. any OpenAI-compatible server such as vLLM, llama.cpp or Ollama at ASSISTANT_LLM_BASE_URL)."""
    from .errors import ConfigError

    spec = settings.llm or ""
    provider, _, model = spec.partition(":") if ":" in spec else ("openai", "", spec)
    if provider == "openai":
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            model=model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key or "not-needed",  # type: ignore[arg-type]
            timeout=settings.llm_timeout,
            max_retries=0,
            temperature=0,
            streaming=True,
        )
    try:
        from langchain.chat_models import init_chat_model

        return init_chat_model(model, model_provider=provider, timeout=settings.llm_timeout)
    except Exception as e:
        raise ConfigError(
            f"ASSISTANT_LLM={spec!r}: cannot create that chat model ({e}). Use "
            "'openai:MODEL' with ASSISTANT_LLM_BASE_URL for an OpenAI-compatible server, or "
            "install the LangChain integration package for that provider."
        ) from None
