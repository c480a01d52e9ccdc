"""URL sources against a real HTTP server on the loopback interface."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.errors import LoaderError
from assistant.fetch import check_url, fetch_url, load_sources_yaml, load_url, url_document_id

PAGE = (
    b"<html lang='en'><head><title>ISF page</title></head><body><nav>Menu</nav><main>"
    b"<h1>Internal Security Fund</h1><p>The Fund shall contribute to a high level of security "
    b"in the Union, in particular by preventing and combating terrorism.</p></main></body></html>"
)
ETAG = '"v1"'
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


class Server:
    """A page with validators; records request headers; can be told to fail."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.status = 200
        self.content_type = "text/html; charset=utf-8"
        self.body = PAGE
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append({k.lower(): v for k, v in self.headers.items()})
                if server.status != 200:
                    self.send_response(server.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == ETAG:
                    self.send_response(304)
                    self.send_header("ETag", ETAG)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", server.content_type)
                self.send_header("Content-Length", str(len(server.body)))
                self.send_header("ETag", ETAG)
                self.send_header("Last-Modified", LAST_MODIFIED)
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(timeout=5)
            self.running = False


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.stop()


@pytest.mark.integration
def test_fetch_stores_then_revalidates(server: Server, tmp_path: Path) -> None:
    url = server.url + "/isf"
    first = fetch_url(url, tmp_path, timeout=5)
    assert not first.from_cache and first.warning is None
    assert first.path.suffix == ".html" and first.path.parent == tmp_path
    assert first.path.read_bytes() == PAGE
    assert first.content_type.startswith("text/html")
    sidecar = json.loads(first.path.with_suffix(".json").read_text())
    assert sidecar["etag"] == ETAG and sidecar["last_modified"] == LAST_MODIFIED
    assert sidecar["url"] == url
    assert not list(tmp_path.glob("*.tmp"))  # atomic writes leave no temp files

    second = fetch_url(url, tmp_path, timeout=5)
    assert server.requests[-1]["if-none-match"] == ETAG
    assert server.requests[-1]["if-modified-since"] == LAST_MODIFIED
    assert second.from_cache and second.warning is None
    assert second.path == first.path
    assert len(server.requests) == 2


@pytest.mark.integration
def test_server_gone_uses_cache_with_warning(server: Server, tmp_path: Path) -> None:
    url = server.url + "/isf"
    fetch_url(url, tmp_path, timeout=5)
    server.stop()
    result = fetch_url(url, tmp_path, timeout=2)
    assert result.from_cache
    assert result.path.read_bytes() == PAGE
    assert result.warning is not None
    assert result.warning.startswith(f"could not reach {url}")
    assert "using the copy cached on" in result.warning


@pytest.mark.integration
def test_server_error_uses_cache(server: Server, tmp_path: Path) -> None:
    url = server.url + "/isf"
    fetch_url(url, tmp_path, timeout=5)
    server.status = 503
    result = fetch_url(url, tmp_path, timeout=5)
    assert result.from_cache and result.warning and "HTTP 503" in result.warning


@pytest.mark.integration
def test_no_cache_no_server(tmp_path: Path) -> None:
    srv = Server()
    url = srv.url + "/isf"
    srv.stop()  # the port is now closed: connection refused
    with pytest.raises(LoaderError, match="check the network.*download the file into a folder"):
        fetch_url(url, tmp_path / "cache", timeout=2)


@pytest.mark.integration
def test_not_found_and_server_error_without_cache(server: Server, tmp_path: Path) -> None:
    server.status = 404
    with pytest.raises(LoaderError, match=r"HTTP 404 .*check the URL"):
        fetch_url(server.url + "/missing", tmp_path, timeout=5)
    server.status = 500
    with pytest.raises(LoaderError, match="no cached copy"):
        fetch_url(server.url + "/broken", tmp_path, timeout=5)


@pytest.mark.integration
def test_content_type_and_size(server: Server, tmp_path: Path) -> None:
    server.content_type = "application/octet-stream"
    server.body = b"%PDF-1.4 not really"
    assert fetch_url(server.url + "/download", tmp_path, timeout=5).path.suffix == ".pdf"
    server.content_type = "image/png"
    server.body = b"\x89PNG"
    with pytest.raises(LoaderError, match="unsupported content type 'image/png'"):
        fetch_url(server.url + "/image", tmp_path, timeout=5)
    server.content_type = "text/plain"
    server.body = b"x" * 5000
    with pytest.raises(LoaderError, match="limit"):
        fetch_url(server.url + "/big", tmp_path, timeout=5, max_bytes=1000)


@pytest.mark.integration
def test_given_client_is_used_and_left_open(server: Server, tmp_path: Path) -> None:
    with httpx.Client() as client:
        fetch_url(server.url + "/isf", tmp_path, client=client)
        assert not client.is_closed


@pytest.mark.integration
def test_load_url_gives_document(server: Server, tmp_path: Path) -> None:
    url = server.url + "/isf.html"
    doc, warning = load_url({"url": url, "fund": ["ISF"]}, tmp_path, timeout=5)
    assert warning is None
    assert doc.source == url
    assert doc.doc_id == url_document_id(url) == f"127.0.0.1:{url.rsplit(':', 1)[1][:-9]}/isf"
    assert doc.metadata["title"] == "Internal Security Fund"
    assert doc.metadata["url"] == url
    assert doc.metadata["fund"] == ["ISF"]
    assert doc.metadata["language"] == "en"
    assert doc.text.startswith("# Internal Security Fund")
    assert "Menu" not in doc.text


def test_only_http_urls(tmp_path: Path) -> None:
    for url in ("file:///etc/passwd", "ftp://example.org/x", "example.org/x", ""):
        with pytest.raises(LoaderError, match="only http:// and https://"):
            fetch_url(url, tmp_path)
    assert check_url(" https://example.org/a ") == "https://example.org/a"


def test_url_document_id() -> None:
    assert url_document_id("https://Example.org/docs/isf.pdf") == "example.org/docs/isf"
    assert url_document_id("https://eur-lex.europa.eu/TXT/?uri=CELEX:32021R1149") == (
        "eur-lex.europa.eu/TXT?uri=CELEX:32021R1149"
    )


def test_sources_yaml(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        "  - url: https://eur-lex.europa.eu/eli/reg/2021/1149/oj\n"
        "    id: isf-2021\n    title: ISF\n    fund: [ISF]\n"
        "  - url: https://example.org/b.pdf\n",
        encoding="utf-8",
    )
    entries = load_sources_yaml(path)
    assert entries[0] == {
        "url": "https://eur-lex.europa.eu/eli/reg/2021/1149/oj",
        "id": "isf-2021",
        "title": "ISF",
        "fund": ["ISF"],
    }
    assert entries[1]["url"] == "https://example.org/b.pdf"


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        ("sources:\n  - id: a\n", r"sources entry 1 has no 'url:'"),
        ("sources:\n  - url: https://a.org\n  - url: ftp://b.org\n", r"entry 2: .*only http"),
        ("sources:\n  - just-a-string\n", r"entry 1 is not a mapping"),
        ("sources: [\n", r"not valid YAML on line"),
        ("documents: []\n", r"expected 'sources:'"),
        (
            "sources:\n  - url: https://a.org\n    id: x\n  - url: https://b.org\n    id: x\n",
            r"entry 2 has the same id 'x' as entry 1",
        ),
    ],
)
def test_sources_yaml_errors(tmp_path: Path, content: str, pattern: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LoaderError, match=pattern):
        load_sources_yaml(path)


def test_sources_yaml_missing(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match="file not found"):
        load_sources_yaml(tmp_path / "nope.yaml")
