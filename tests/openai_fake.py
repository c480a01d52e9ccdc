"""A local OpenAI-compatible chat server for tests: scripted replies, recorded requests.

`POST /v1/chat/completions` answers with the next reply in its queue, either as one JSON object
or, when the request has `"stream": true`, as server-sent events in the `chat.completion.chunk`
format ending with `data: [DONE]`. A reply can be slow (delay before the first byte, delay between
tokens) or fail with an HTTP status. Every request body is recorded, so a test can check what
reached the model.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted reply. `tokens` splits the content for streaming (default: word by word)."""

    content: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before the first byte
    token_delay: float = 0.0  # seconds between streamed tokens
    tokens: list[str] | None = None

    def pieces(self) -> list[str]:
        if self.tokens is not None:
            return list(self.tokens)
        # Words with their following whitespace: the pieces join back to the content exactly.
        return re.findall(r"\S+\s*|\s+", self.content)


class FakeOpenAI:
    """`with FakeOpenAI() as srv: srv.enqueue("… [1]."); …; srv.requests[0]["messages"]`."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- control ---------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def enqueue(self, content: str = "", **options: Any) -> Reply:
        reply = Reply(content, **options)
        with self._lock:
            self.replies.append(reply)
        return reply

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()  # cuts short any reply that is still sleeping
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _next(self) -> Reply:
        with self._lock:
            if self.replies:
                return self.replies.popleft()
        return Reply("no scripted reply: call FakeOpenAI.enqueue() first", status=500)

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless the server is closing; True when the reply should go on."""
        return seconds <= 0 or not self._closing.wait(seconds)

    # -- HTTP ------------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
                pass

            def do_POST(self) -> None:  # noqa: N802 - stdlib name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": f"no route {self.path}"}})
                    return
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    self._json(400, {"error": {"message": "body is not JSON"}})
                    return
                with fake._lock:
                    fake.requests.append(body)
                reply = fake._next()
                if not fake._sleep(reply.delay):
                    return
                try:
                    if reply.status != 200:
                        self._json(
                            reply.status,
                            {
                                "error": {
                                    "message": reply.content or "scripted failure",
                                    "type": "server_error",
                                    "code": None,
                                }
                            },
                        )
                    elif body.get("stream"):
                        self._stream(body, reply)
                    else:
                        self._json(200, _completion(body, reply.content))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to do

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                model = str(body.get("model") or "fake-model")

                def event(delta: dict[str, Any], finish: str | None = None) -> None:
                    self.wfile.write(
                        b"data: " + json.dumps(_chunk(model, delta, finish)).encode() + b"\n\n"
                    )
                    self.wfile.flush()

                event({"role": "assistant", "content": ""})
                for i, piece in enumerate(reply.pieces()):
                    if i and not fake._sleep(reply.token_delay):
                        return
                    event({"content": piece})
                event({}, "stop")
                if (body.get("stream_options") or {}).get("include_usage"):
                    usage = _chunk(model, {}, None)
                    usage["choices"] = []
                    usage["usage"] = _usage(reply.content)
                    self.wfile.write(b"data: " + json.dumps(usage).encode() + b"\n\n")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler


def _usage(content: str) -> dict[str, int]:
    n = len(content.split())
    return {"prompt_tokens": 1, "completion_tokens": n, "total_tokens": n + 1}


def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": str(body.get("model") or "fake-model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(content),
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
