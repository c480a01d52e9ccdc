"""Fetch URL sources into a local cache, revalidating with ETag / Last-Modified.

A cached copy keeps ingest working offline: when the server cannot be reached (or answers 5xx)
the last copy is used and the caller gets a warning to show. Each URL is cached as
`<hash>.<suffix>` (the body) beside `<hash>.json` (URL, validators, content type, fetch time).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from .documents import Document
from .errors import LoaderError
from .loaders import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, load_file, yaml_load

USER_AGENT = "Fondassistenten/0.1 (+ingest of public EU fund documents)"

_CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
}


@dataclass(frozen=True)
class FetchResult:
    path: Path  # the cached body; load it with loaders.load_file
    from_cache: bool  # True when the body was not downloaded this time (304 or offline)
    warning: str | None  # set when a stale copy was used because the server was unreachable
    content_type: str


def check_url(url: str) -> str:
    """The URL stripped, or LoaderError unless it is an absolute http(s) URL."""
    url = url.strip() if isinstance(url, str) else ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise LoaderError(
            f"{url or '(empty)'}: only http:// and https:// URLs can be fetched "
            "(give the full address, or ingest a local file instead)"
        )
    return url


def _key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]


def _suffix_for(content_type: str, url: str, body: bytes) -> str | None:
    mime = content_type.split(";")[0].strip().lower()
    if mime in _CONTENT_TYPES:
        return _CONTENT_TYPES[mime]
    # Servers often send application/octet-stream; trust the URL, then the bytes.
    url_suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if url_suffix in SUPPORTED_SUFFIXES:
        return url_suffix
    if body.startswith(b"%PDF"):
        return ".pdf"
    return None


def _atomic_write(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder, so a crash never leaves a half-written copy."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_sidecar(cache_dir: Path, key: str) -> dict[str, Any] | None:
    """The cache record when both it and the body it names exist, else None."""
    sidecar = cache_dir / f"{key}.json"
    try:
        record = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("file"), str):
        return None
    if not (cache_dir / record["file"]).is_file():
        return None
    return record


def _stale(url: str, record: dict[str, Any], cache_dir: Path, reason: str) -> FetchResult:
    fetched = str(record.get("fetched_at") or "an unknown date")
    return FetchResult(
        path=cache_dir / record["file"],
        from_cache=True,
        warning=f"could not reach {url} ({reason}); using the copy cached on {fetched}",
        content_type=str(record.get("content_type") or ""),
    )


def _unreachable(url: str, reason: str) -> LoaderError:
    return LoaderError(
        f"{url}: could not fetch ({reason}) and there is no cached copy "
        "(check the network connection, or download the file into a folder and ingest that folder)"
    )


def fetch_url(
    url: str,
    cache_dir: Path,
    timeout: float = 20.0,
    client: httpx.Client | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> FetchResult:
    """Download url into cache_dir, or reuse the cached copy (304, or server unreachable)."""
    url = check_url(url)
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = _key(url)
    record = _read_sidecar(cache_dir, key)

    headers = {"User-Agent": USER_AGENT}
    if record and record.get("etag"):
        headers["If-None-Match"] = str(record["etag"])
    if record and record.get("last_modified"):
        headers["If-Modified-Since"] = str(record["last_modified"])

    own_client = client is None
    http = client or httpx.Client(follow_redirects=True)
    try:
        with http.stream("GET", url, headers=headers, timeout=timeout) as response:
            status = response.status_code
            if status == 304 and record:
                return FetchResult(
                    cache_dir / record["file"], True, None, str(record.get("content_type") or "")
                )
            if status >= 500 or status == 304:
                reason = f"server answered HTTP {status}"
                if record:
                    return _stale(url, record, cache_dir, reason)
                raise _unreachable(url, reason)
            if status >= 400:
                raise LoaderError(
                    f"{url}: server answered HTTP {status} "
                    "(check the URL in the sources file, or remove the entry)"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise LoaderError(
                        f"{url}: response is over the {max_bytes // (1024 * 1024)} MB limit "
                        "(download the file, split it and ingest the parts)"
                    )
                chunks.append(chunk)
            body = b"".join(chunks)
            content_type = response.headers.get("content-type", "")
            etag = response.headers.get("etag")
            last_modified = response.headers.get("last-modified")
    except httpx.HTTPError as exc:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if record:
            return _stale(url, record, cache_dir, reason)
        raise _unreachable(url, reason) from exc
    finally:
        if own_client:
            http.close()

    suffix = _suffix_for(content_type, url, body)
    if suffix is None:
        raise LoaderError(
            f"{url}: unsupported content type '{content_type or 'none'}' "
            "(link to an HTML, PDF, DOCX, Markdown or text version instead)"
        )
    body_path = cache_dir / f"{key}{suffix}"
    _atomic_write(body_path, body)
    if record and record["file"] != body_path.name:
        (cache_dir / record["file"]).unlink(missing_ok=True)  # the type changed since last time
    new_record = {
        "url": url,
        "file": body_path.name,
        "etag": etag,
        "last_modified": last_modified,
        "content_type": content_type,
        "fetched_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    _atomic_write(cache_dir / f"{key}.json", json.dumps(new_record, indent=2).encode("utf-8"))
    return FetchResult(body_path, False, None, content_type)


def url_document_id(url: str) -> str:
    """Default id for a URL source without `id`: host and path, final extension removed, query
    kept. The one rule: ingest, `load_url` and the duplicate check of sources.yaml all use it."""
    parts = urlsplit(check_url(url))
    path = PurePosixPath(parts.path or "/")
    if path.suffix:
        path = path.with_suffix("")
    text = parts.netloc.lower() + str(path).rstrip("/")
    return text + (f"?{parts.query}" if parts.query else "")


def load_url(
    entry: dict[str, Any] | str,
    cache_dir: Path,
    *,
    timeout: float = 20.0,
    client: httpx.Client | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[Document, str | None]:
    """Fetch a URL source (a sources.yaml entry or a bare URL) and load it as a Document.

    Returns the document and the stale-cache warning, if any. The document's source is the URL
    and its id the entry's `id`, else `url_document_id(url)`."""
    meta: dict[str, Any] = {"url": entry} if isinstance(entry, str) else dict(entry)
    url = check_url(str(meta.get("url") or ""))
    meta["url"] = url
    if not meta.get("id"):
        meta["id"] = url_document_id(url)
    result = fetch_url(url, cache_dir, timeout, client, max_bytes=max_bytes)
    try:
        document = load_file(result.path, None, meta, max_bytes=max_bytes)
    except LoaderError as exc:
        # The cache file name is a hash; the user knows the document by its URL.
        raise LoaderError(f"{url}: {exc}") from exc
    document.source = url
    if document.metadata.get("title") == result.path.stem:
        document.metadata["title"] = url
    return document, result.warning


def load_sources_yaml(path: Path) -> list[dict[str, Any]]:
    """Entries of a `sources:` list (each with `url`, optional `id`, `title`, other metadata)."""
    path = Path(path)
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise LoaderError(f"{where}: file not found (check the path)") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise LoaderError(f"{where}: could not read it ({exc}) (save it as UTF-8)") from exc
    try:
        data = yaml_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" on line {mark.line + 1}" if mark is not None else ""
        raise LoaderError(f"{where}: not valid YAML{line} (fix the YAML syntax)") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise LoaderError(
            f"{where}: expected 'sources:' followed by a list of entries, each with 'url:' "
            "(e.g. sources:\\n  - url: https://…\\n    id: isf-2021)"
        )
    entries: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(data["sources"], start=1):
        at = f"{where}: sources entry {index}"
        if not isinstance(entry, dict):
            raise LoaderError(f"{at} is not a mapping (write it as '- url: …' with metadata keys)")
        url = entry.get("url")
        if not isinstance(url, str) or not url.strip():
            raise LoaderError(f"{at} has no 'url:' (add the address of the document)")
        try:
            url = check_url(url)
        except LoaderError as exc:
            raise LoaderError(f"{at}: {exc}") from exc
        item = {str(k): v for k, v in entry.items()}
        item["url"] = url
        ident = str(item.get("id") or url_document_id(url))
        if ident in seen:
            raise LoaderError(
                f"{at} has the same id '{ident}' as entry {seen[ident]} (give each source its own id)"
            )
        seen[ident] = index
        entries.append(item)
    return entries
