"""The data files the language code reads; they ship inside the `assistant` package."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

# The files stay at the package's top (assistant/*.yaml, assistant/data/*): pyproject.toml's
# package-data names them there.
PACKAGE = "assistant"


def read_text(name: str) -> str:
    """A data file's text; `name` is relative to the assistant package ("data/x.tsv")."""
    return resources.files(PACKAGE).joinpath(name).read_text("utf-8")


def read_yaml(name: str) -> Any:
    return yaml.safe_load(read_text(name))
