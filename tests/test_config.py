"""Settings: every kind of bad value stops the start with a message naming the variable and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings, get_settings, load_settings
from assistant.errors import AssistantError, ConfigError

FIX = "Fix the variable in your environment or .env (see .env.example)."
LEVELS = "public, internal, restricted"

BAD_VALUES = [
    # integers with bounds
    ("ASSISTANT_TOP_K", "0", "greater than or equal to 1"),
    ("ASSISTANT_TOP_K", "51", "less than or equal to 50"),
    ("ASSISTANT_EMBED_BATCH_SIZE", "0", "greater than or equal to 1"),
    ("ASSISTANT_MAX_QUESTION_CHARS", "5", "greater than or equal to 10"),
    ("ASSISTANT_MAX_DOCUMENT_CHARS", "10", "greater than or equal to 1000"),
    ("ASSISTANT_MAX_CHUNKS_PER_DOCUMENT", "0", "greater than or equal to 1"),
    ("ASSISTANT_WORKERS", "65", "less than or equal to 64"),
    ("ASSISTANT_QUEUE_SIZE", "-1", "greater than or equal to 0"),
    ("ASSISTANT_RATE_LIMIT_PER_MINUTE", "0", "greater than or equal to 1"),
    # not a number at all
    ("ASSISTANT_WORKERS", "four", "valid integer"),
    ("ASSISTANT_ABSTAIN_THRESHOLD", "high", "valid number"),
    # seconds that must be positive
    ("ASSISTANT_LLM_TIMEOUT", "0", "greater than 0"),
    ("ASSISTANT_CHROMA_TIMEOUT", "-5", "greater than 0"),
    # names and levels
    ("ASSISTANT_COLLECTION", "ab", "must be 3-512 characters"),
    ("ASSISTANT_DEFAULT_CLASSIFICATION", "secret", f"must be one of {LEVELS}"),
    ("ASSISTANT_DEFAULT_CLASSIFICATION", "Public", f"must be one of {LEVELS}"),
    ("SLACK_DEFAULT_CLASSIFICATION", "open", f"must be one of {LEVELS}"),
    ("SLACK_DM_CLASSIFICATION", "secret", f"must be one of {LEVELS}"),
    # the channel map
    ("SLACK_CHANNEL_CLASSIFICATION", "{C0123: internal}", 'must be a JSON object like {"C0123"'),
    ("SLACK_CHANNEL_CLASSIFICATION", '["C0123"]', 'must be a JSON object like {"C0123"'),
    ("SLACK_CHANNEL_CLASSIFICATION", '{"C0123": "secret"}', "unknown levels {'C0123': 'secret'}"),
    # server addresses
    ("ASSISTANT_CHROMA_URL", "localhost:8000", "must start with http:// or https://"),
    ("ASSISTANT_LLM_BASE_URL", "127.0.0.1:8080/v1", "must start with http:// or https://"),
]


@pytest.mark.parametrize(("variable", "value", "problem"), BAD_VALUES)
def test_a_bad_value_names_the_variable_the_problem_and_the_fix(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert isinstance(info.value, AssistantError)  # the CLI prints it without a traceback
    lines = message.splitlines()
    assert lines[0] == "Invalid settings:"
    assert lines[1].startswith(f"  {variable}: ")
    assert problem in lines[1]
    assert lines[1].endswith(f"(got {value!r})")
    assert lines[-1] == FIX
    assert len(lines) == 3  # only the bad variable is named


def test_every_bad_value_is_listed_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_TOP_K", "0")
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "localhost:8000")
    monkeypatch.setenv("SLACK_DM_CLASSIFICATION", "secret")
    with pytest.raises(ConfigError) as info:
        load_settings()
    named = sorted(line.split(":")[0].strip() for line in str(info.value).splitlines()[1:-1])
    assert named == ["ASSISTANT_CHROMA_URL", "ASSISTANT_TOP_K", "SLACK_DM_CLASSIFICATION"]


def test_a_bad_value_given_by_field_name_still_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"ASSISTANT_TOP_K: .*greater than or equal to 1"):
        load_settings(top_k=0)
    with pytest.raises(ConfigError, match=r"ASSISTANT_CHROMA_URL: .*http://"):
        load_settings(chroma_url="chroma:8000")


def test_a_bad_value_in_the_env_file_is_named_the_same(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("ASSISTANT_WORKERS=many\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ASSISTANT_WORKERS: .*valid integer.*'many'"):
        load_settings(_env_file=env)


def test_get_settings_raises_the_same_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_COLLECTION", "x")
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match="ASSISTANT_COLLECTION: .*3-512 characters"):
        get_settings()


def test_good_values_are_read_and_tidied(monkeypatch: pytest.MonkeyPatch, clean_env: Path) -> None:
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "http://127.0.0.1:8000/")
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "")
    monkeypatch.setenv("SLACK_CHANNEL_CLASSIFICATION", '{"C1": "internal", "C2": "restricted"}')
    monkeypatch.setenv("SLACK_ALLOWED_TEAMS", " T1, ,T2 ")
    monkeypatch.setenv("ASSISTANT_TOP_K", "50")
    s = load_settings()
    assert s.chroma_url == "http://127.0.0.1:8000"  # no trailing slash
    assert s.llm_base_url is None  # empty means not set
    assert s.channel_levels() == {"C1": "internal", "C2": "restricted"}
    assert s.allowed_teams() == {"T1", "T2"} and s.allowed_channels() == set()
    assert s.top_k == 50
    assert s.data_dir == clean_env
    assert s.chroma_path == clean_env / "chroma"


def test_an_empty_path_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ASSISTANT_EMBED_CACHE=` (empty) is the default cache, not the current folder.

    Path("") is "."; SQLite cannot open a folder, so ingest failed with "unable to open database
    file" and no hint at the setting.
    """
    monkeypatch.setenv("ASSISTANT_EMBED_CACHE", "")
    s = load_settings()
    assert s.embed_cache is None
    assert s.embed_cache_path == s.data_dir / "embedding-cache.sqlite3"
    monkeypatch.setenv("ASSISTANT_DATA_DIR", " ")
    assert load_settings().data_dir == Settings.model_fields["data_dir"].default == Path("data")
