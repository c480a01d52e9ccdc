"""README, .env.example and --help agree with the code."""

from __future__ import annotations

from pathlib import Path

from assistant.cli import build_parser
from assistant.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def _aliases() -> list[str]:
    return [f.alias for f in Settings.model_fields.values() if f.alias]


def test_every_setting_is_documented_in_readme_and_env_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    missing = [a for a in _aliases() if a not in readme or a not in example]
    assert not missing, f"settings missing from README.md or .env.example: {missing}"


def test_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"assistant {name}" in readme, name


def test_readme_first_screen_shows_the_two_commands() -> None:
    first = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:20])
    assert "make run" in first and "make test" in first
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
