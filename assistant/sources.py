"""What to ingest: files, folders (with their manifest.yaml metadata), URLs and sources.yaml
files, expanded into one `SourceItem` per document before anything is parsed."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import fetch, loaders
from .config import Settings
from .errors import LoaderError


@dataclass
class SourceItem:
    """One document to ingest: a local file (maybe fetched from a URL) and its metadata."""

    path: Path | None
    root: Path | None
    folder: str
    display: str
    extra_meta: dict[str, Any] = field(default_factory=dict)
    url: str | None = None
    error: str | None = None


def _is_url(s: str) -> bool:
    return s.startswith(("http://", "https://"))


def _folder_key(path: Path) -> str:
    return path.resolve().as_posix()


def collect_sources(
    paths: Sequence[str | Path],
    settings: Settings,
    warnings: list[str] | None = None,
    known_ids: Collection[str] = (),
) -> tuple[list[SourceItem], list[str]]:
    """Expand folders, files, URLs and sources.yaml files into items; also the folders ingested.
    Manifest warnings (names matched ignoring case, entries that match no file) go to `warnings`.
    `known_ids`: document ids already in the index (a URL indexed under its id of an earlier
    version keeps that id)."""
    items: list[SourceItem] = []
    folders: list[str] = []
    cache = settings.data_dir / "url-cache"
    for raw in paths:
        s = str(raw)
        if _is_url(s):
            items.append(_url_item(s, {}, cache, known_ids))
            continue
        p = Path(s)
        if not p.exists():
            items.append(SourceItem(None, None, "", s, error=f"{s}: no such file or folder"))
            continue
        if p.is_file() and p.suffix.lower() in (".yaml", ".yml"):
            try:
                entries = fetch.load_sources_yaml(p)
            except LoaderError as e:
                items.append(SourceItem(None, None, "", s, error=str(e)))
                continue
            for entry in entries:
                meta = {k: v for k, v in entry.items() if k != "url"}
                items.append(_url_item(str(entry["url"]), meta, cache, known_ids))
            continue
        if p.is_file():
            items.append(SourceItem(p, p.parent, "", str(p)))
            continue
        folders.append(_folder_key(p))
        items.extend(_folder_items(p, warnings if warnings is not None else []))
    return items, folders


def _folder_items(root: Path, warnings: list[str]) -> list[SourceItem]:
    """Every document under root, with the metadata of the manifest.yaml files above it (the
    nearest wins), and an error item for each folder that cannot be read."""
    key = _folder_key(root)
    errors: list[SourceItem] = []
    manifests: dict[Path, dict[str, dict[str, Any]]] = {}
    files: list[Path] = []

    def unreadable(e: OSError) -> None:
        where = Path(e.filename) if e.filename else root
        errors.append(
            SourceItem(
                where,
                root,
                key,
                str(where),
                error=f"{where}: cannot read the folder ({e.strerror or e}); make it readable "
                "or move it out of the ingested folder. Its documents keep their indexed version.",
            )
        )

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(("_", ".")))
        if loaders.MANIFEST_NAME in filenames:
            try:
                manifests[here] = loaders.load_manifest(here)
            except LoaderError as e:
                errors.append(
                    SourceItem(None, None, key, str(here / loaders.MANIFEST_NAME), error=str(e))
                )
        files.extend(here / name for name in filenames if not loaders.is_ignored(here / name))
    used: set[tuple[Path, str]] = set()
    items: list[SourceItem] = []
    for f in sorted(files):
        if not f.is_file():
            continue
        meta: dict[str, Any] = {}
        warning = None
        # From the root's manifest down to the file's own folder: nearer entries override.
        for folder in reversed([f.parent, *f.parent.parents]):
            if folder != root and not folder.is_relative_to(root):
                continue
            entries = manifests.get(folder)
            if not entries:
                continue
            rel = f.relative_to(folder).as_posix()
            name = rel if rel in entries else _casefold_match(rel, entries)
            if name is None:
                continue
            used.add((folder, name))
            meta.update(entries[name])
            if name != rel:
                warning = (
                    f"{folder / loaders.MANIFEST_NAME}: entry '{name}' matched the file '{rel}' "
                    "ignoring letter case; write the name exactly as the file is spelled"
                )
        item = SourceItem(f, root, key, str(f), meta)
        if warning:
            item.extra_meta["_warning"] = warning
        items.append(item)
    for folder, entries in sorted(manifests.items()):
        for name in sorted(entries):
            if (folder, name) not in used:
                warnings.append(
                    f"{folder / loaders.MANIFEST_NAME}: entry '{name}' matches no file in "
                    f"{folder} (fix the path or remove the entry; its metadata applies to nothing)"
                )
    return errors + items


def _casefold_match(rel: str, entries: dict[str, Any]) -> str | None:
    folded = [name for name in entries if name.casefold() == rel.casefold()]
    return folded[0] if len(folded) == 1 else None


def _url_item(
    url: str, meta: dict[str, Any], cache: Path, known_ids: Collection[str] = ()
) -> SourceItem:
    try:
        res = fetch.fetch_url(url, cache)
    except LoaderError as e:
        return SourceItem(None, None, "", url, meta, url=url, error=str(e))
    meta = dict(meta)
    meta.setdefault("url", url)
    meta.setdefault("id", url_id(url, known_ids))
    item = SourceItem(res.path, None, "", url, meta, url=url)
    if res.warning:
        item.extra_meta["_warning"] = res.warning
    return item


def url_id(url: str, known_ids: Collection[str] = ()) -> str:
    """The id of a URL source that names none: `fetch.url_document_id`, the one rule for it.
    Earlier versions indexed URLs under another id (`_legacy_url_id`); a URL already in the index
    under that id keeps it, so re-ingesting finds it instead of adding it a second time."""
    new = fetch.url_document_id(url)
    if new not in known_ids:
        old = _legacy_url_id(url)
        if old in known_ids:
            return old
    return new


def _legacy_url_id(url: str) -> str:
    """How ingest named URL sources before `fetch.url_document_id` was its rule: host and path
    with "/" as "_" (the query left out). Only read, to find documents indexed that way."""
    from urllib.parse import urlparse

    u = urlparse(url)
    return (u.netloc + u.path).strip("/").replace("/", "_") or hashlib.sha1(
        url.encode()
    ).hexdigest()[:12]
