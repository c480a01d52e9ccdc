"""A folder's manifest.yaml: metadata for files that cannot carry their own."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ..errors import LoaderError
from .text import YamlLoader, yaml_line, yaml_load

MANIFEST_NAME = "manifest.yaml"


def load_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """Entries of `folder/manifest.yaml` keyed by their POSIX path relative to the folder."""
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return {}
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoaderError(
            f"{where}: could not read the manifest ({exc}) (save it as UTF-8)"
        ) from exc
    try:
        data = yaml_load(raw)
        root_node = yaml.compose(raw, Loader=YamlLoader)
    except yaml.YAMLError as exc:
        line = yaml_line(exc)
        raise LoaderError(
            f"{where}: not valid YAML{f' on line {line}' if line else ''} (fix the YAML syntax)"
        ) from exc
    except ValueError as exc:  # a date-like value that is no date: `valid_to: 2020-13-45`
        raise LoaderError(
            f"{where}: a value is not a valid date ({exc}); write dates as YYYY-MM-DD"
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("documents", []), list):
        raise LoaderError(
            f"{where}: expected 'documents:' followed by a list of entries with 'path:' "
            "(see corpus/manifest.yaml for an example)"
        )
    entries = data.get("documents") or []
    lines = _sequence_lines(root_node, "documents")
    result: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        at = f"{where} line {line}" if line else f"{where} entry {index + 1}"
        if not isinstance(entry, dict):
            raise LoaderError(
                f"{at}: each document entry must be a mapping with 'path:' and metadata"
            )
        rel = entry.get("path")
        if not isinstance(rel, str) or not rel.strip():
            raise LoaderError(
                f"{at}: entry has no 'path:' (add the file's path relative to {folder})"
            )
        posix = PurePosixPath(rel.strip().replace("\\", "/"))
        if posix.is_absolute() or ".." in posix.parts:
            raise LoaderError(f"{at}: path '{rel}' must be relative to the folder, without '..'")
        key = str(posix)
        if key in result:
            raise LoaderError(f"{at}: '{key}' is listed twice (keep one entry per file)")
        result[key] = {str(k): v for k, v in entry.items()}
    return result


def _sequence_lines(root: yaml.Node | None, key: str) -> list[int]:
    """1-based line of each item of the top-level `key:` sequence, for error messages."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key_node, value_node in root.value:
        if getattr(key_node, "value", None) == key and isinstance(value_node, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value_node.value]
    return []
