"""The HTTP front of the bot (`assistant serve --http`): POST /slack/events and GET /healthz.

Signatures are checked over the raw bytes before any body is parsed or logged; oversized,
non-UTF-8 and malformed bodies are refused before Bolt sees them."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App

logger = logging.getLogger(__name__)

BODY_LIMIT = 1024 * 1024  # bytes; Slack's payloads are a few kB
READ_TIMEOUT = 10  # seconds a connection may sit idle (e.g. stalled after its headers)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def signature_ok(secret: str, raw: bytes, timestamp: str, signature: str) -> bool:
    """Slack's v0 request signature over the raw bytes (any bytes, UTF-8 or not), at most five
    minutes old."""
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    if age > 300:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    data = text.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


def _well_formed(body: str, content_type: str) -> bool:
    """An Events API / interactivity body Bolt can parse: a JSON object, or a form whose
    `payload` (if any) is a JSON object."""
    try:
        if "json" in content_type or body.lstrip().startswith("{"):
            return isinstance(json.loads(body), dict)
        form = parse_qs(body, keep_blank_values=True, strict_parsing=bool(body))
        if "payload" in form:
            return isinstance(json.loads(form["payload"][0]), dict)
        return True
    except ValueError:
        return False


def make_wsgi_app(app: App, *, body_limit: int = BODY_LIMIT, verify: bool = True) -> WsgiApp:
    """POST /slack/events and GET /healthz. Oversized bodies get 413, bad signatures 401 (the
    body is never logged), and bodies that are not UTF-8 or not a JSON object 400."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    handler = SlackRequestHandler(app)
    secret = getattr(app, "assistant_signing_secret", "") or ""
    check = verify and bool(secret)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz":
            return _plain(start_response, "200 OK", "ok")
        if path != "/slack/events" or method != "POST":
            return _plain(start_response, "404 Not Found", "not found")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain(start_response, "400 Bad Request", "bad Content-Length")
        if length > body_limit:
            return _plain(start_response, "413 Payload Too Large", "body too large")
        raw: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
        if check:
            ts = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
            sig = environ.get("HTTP_X_SLACK_SIGNATURE", "")
            if not signature_ok(secret, raw, ts, sig):
                logger.info("refused a request with a bad or stale signature (%d bytes)", len(raw))
                return _plain(start_response, "401 Unauthorized", "invalid request")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _plain(start_response, "400 Bad Request", "body is not UTF-8")
        if not _well_formed(body, (environ.get("CONTENT_TYPE") or "").lower()):
            return _plain(start_response, "400 Bad Request", "malformed body")
        environ = dict(environ, **{"wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw))})
        try:
            return handler(environ, start_response)
        except Exception as e:
            logger.error("request failed: %s", e.__class__.__name__)
            return _plain(start_response, "500 Internal Server Error", "error")

    return wsgi


class HttpServer:
    """waitress serving the Bolt app: a body limit, an idle timeout per connection (so stalled
    clients cannot pile up), a bounded number of connections, and no tracebacks in replies."""

    def __init__(
        self,
        wsgi: WsgiApp,
        host: str,
        port: int,
        *,
        body_limit: int = BODY_LIMIT,
        read_timeout: int = READ_TIMEOUT,
        threads: int = 8,
        connection_limit: int = 500,
    ) -> None:
        from waitress import wasyncore
        from waitress.server import create_server

        self._wasyncore = wasyncore
        self._map: dict[int, Any] = {}
        self._server = create_server(
            wsgi,
            map=self._map,
            host=host,
            port=port,
            threads=threads,
            max_request_body_size=body_limit,
            channel_timeout=read_timeout,
            cleanup_interval=max(1, read_timeout // 2),
            connection_limit=connection_limit,
            expose_tracebacks=False,
            ident="fondassistenten",
            asyncore_loop_timeout=1,
        )
        self.server_port: int = self._server.effective_port
        self._stop = threading.Event()
        self._stopped = threading.Event()

    def serve_forever(self) -> None:
        try:
            while not self._stop.is_set():
                self._wasyncore.loop(timeout=0.2, map=self._map, use_poll=True, count=1)
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        self._stop.set()
        self._stopped.wait(5)

    def server_close(self) -> None:
        self._server.task_dispatcher.shutdown()
        self._wasyncore.close_all(self._map)


def make_http_server(
    app: App,
    host: str = "127.0.0.1",
    port: int = 3000,
    *,
    body_limit: int = BODY_LIMIT,
    read_timeout: int = READ_TIMEOUT,
) -> HttpServer:
    """A production WSGI server (waitress) answering POST /slack/events and GET /healthz."""
    return HttpServer(
        make_wsgi_app(app, body_limit=body_limit),
        host,
        port,
        body_limit=body_limit,
        read_timeout=read_timeout,
    )
