"""Socket Mode against a local websocket fake: apps.connections.open → ws://127.0.0.1 → envelopes."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from aiohttp import WSMsgType, web
from slack_fake import BOT_USER, FakePipeline, SlackFake, event_envelope
from slack_sdk.errors import SlackApiError

from assistant.audit import AuditStore
from assistant.bot import build_app
from assistant.config import Settings

pytestmark = pytest.mark.integration  # starts servers on loopback


class SocketFake:
    """An aiohttp websocket server that pushes envelopes and records the acks it reads."""

    def __init__(self) -> None:
        self.acks: list[dict] = []
        self.connected = threading.Event()
        self._outbox: asyncio.Queue | None = None
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self._thread.start()
        started.wait(10)

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)

        async def link(request: web.Request) -> web.WebSocketResponse:
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            self._outbox = asyncio.Queue()
            await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                          "connection_info": {"app_id": "A0FOND"}}))
            self.connected.set()

            async def pump() -> None:
                assert self._outbox is not None
                while True:
                    await ws.send_str(await self._outbox.get())

            task = asyncio.ensure_future(pump())
            try:
                async for msg in ws:
                    if msg.type == WSMsgType.TEXT:
                        self.acks.append(json.loads(msg.data))
            finally:
                task.cancel()
            return ws

        async def start() -> None:
            app = web.Application()
            app.router.add_get("/link", link)
            self.runner = web.AppRunner(app)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            started.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    def push(self, envelope: dict) -> None:
        assert self._outbox is not None
        self.loop.call_soon_threadsafe(self._outbox.put_nowait, json.dumps(envelope))

    def close(self) -> None:
        fut = asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop)
        fut.result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    import os

    for k in list(os.environ):
        if k.startswith(("SLACK_", "ASSISTANT_")):
            monkeypatch.delenv(k, raising=False)


def test_socket_mode_answers_and_acks(tmp_path):
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    fake = SlackFake()
    ws = SocketFake()
    fake.ws_url = f"ws://127.0.0.1:{ws.port}/link"
    settings = Settings(_env_file=None, ASSISTANT_DATA_DIR=str(tmp_path), SLACK_BOT_TOKEN="xoxb-test",
                        SLACK_APP_TOKEN="xapp-test", SLACK_API_URL=fake.api_url)
    audit = AuditStore(settings.db_url)
    app = build_app(settings, FakePipeline(), audit)
    handler = SocketModeHandler(app, settings.slack_app_token)
    try:
        handler.connect()
        assert ws.connected.wait(10)
        open_call = fake.wait_for("apps.connections.open")[0]
        assert open_call.headers["authorization"] == "Bearer xapp-test"
        ts = fake.next_ts()
        event = {"type": "app_mention", "user": "U1", "text": f"<@{BOT_USER}> ISF medfinansiering?",
                 "ts": ts, "channel": "C1", "event_ts": ts}
        t0 = time.perf_counter()
        for attempt, eid in ((0, "env-1"), (1, "env-2")):  # the retry must be acked, not answered
            ws.push({"envelope_id": eid, "type": "events_api", "accepts_response_payload": False,
                     "retry_attempt": attempt, "retry_reason": "timeout" if attempt else "",
                     "payload": event_envelope(event, event_id="Ev1")})
        placeholder = fake.wait_for("chat.postMessage")[0]
        update = fake.wait_for("chat.update")[0]
        assert placeholder.body["thread_ts"] == ts
        assert "Article 12" in json.dumps(update.body["blocks"])
        deadline = time.monotonic() + 5
        while len(ws.acks) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert {a["envelope_id"] for a in ws.acks} == {"env-1", "env-2"}
        assert app.assistant_bot.drain(10)  # both deliveries acked: wait for what they started
        assert len(fake.of("chat.postMessage")) == 1
        assert len(fake.of("chat.update")) == 1
        print(f"\n[latency] socket mode first reply={(placeholder.t - t0) * 1000:.1f} ms")
    finally:
        handler.close()
        app.assistant_bot.close()
        ws.close()
        fake.close()
        audit.close()


def test_socket_mode_bad_app_token_is_reported(tmp_path):
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    fake = SlackFake()
    fake.bad_tokens.add("xapp-revoked")
    settings = Settings(_env_file=None, ASSISTANT_DATA_DIR=str(tmp_path), SLACK_BOT_TOKEN="xoxb-test",
                        SLACK_APP_TOKEN="xapp-revoked", SLACK_API_URL=fake.api_url)
    app = build_app(settings, FakePipeline(), None)
    handler = SocketModeHandler(app, settings.slack_app_token)
    try:
        with pytest.raises(SlackApiError):
            handler.connect()
    finally:
        handler.close()
        app.assistant_bot.close()
        fake.close()
