"""The bot's small parts and its start-up checks, without HTTP where none is needed."""

from __future__ import annotations

import argparse
import os
import threading
import time

import pytest
from slack_fake import FakePipeline, SlackFake

from assistant.bot import (
    BoundedExecutor,
    QueueFullError,
    RateLimiter,
    Throttled,
    build_app,
    serve_command,
    strip_mentions,
)
from assistant.config import Settings
from assistant.errors import AssistantError, ConfigError


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for k in list(os.environ):
        if k.startswith(("SLACK_", "ASSISTANT_")):
            monkeypatch.delenv(k, raising=False)


def settings(tmp_path, **kw) -> Settings:
    return Settings(_env_file=None, ASSISTANT_DATA_DIR=str(tmp_path), **kw)


def args(http: bool = False) -> argparse.Namespace:
    return argparse.Namespace(http=http, port=0, host="127.0.0.1")


def test_missing_bot_token_names_where_to_get_it(tmp_path):
    with pytest.raises(ConfigError, match=r"SLACK_BOT_TOKEN is not set: install the app from slack-manifest.yaml.*xoxb-"):
        serve_command(args(), settings(tmp_path))


def test_wrong_kind_of_bot_token(tmp_path):
    with pytest.raises(ConfigError, match="xoxb-"):
        serve_command(args(), settings(tmp_path, SLACK_BOT_TOKEN="xapp-1"))


def test_missing_app_token_suggests_http(tmp_path):
    with pytest.raises(ConfigError, match=r"SLACK_APP_TOKEN is not set: create an app-level token with connections:write, or run with --http"):
        serve_command(args(), settings(tmp_path, SLACK_BOT_TOKEN="xoxb-1"))
    with pytest.raises(ConfigError, match="xapp-"):
        serve_command(args(), settings(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xoxb-2"))


def test_http_needs_signing_secret(tmp_path):
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set"):
        serve_command(args(http=True), settings(tmp_path, SLACK_BOT_TOKEN="xoxb-1"))


def test_refused_bot_token_stops_start_up(tmp_path):
    fake = SlackFake()
    fake.bad_tokens.add("xoxb-revoked")
    try:
        s = settings(tmp_path, SLACK_BOT_TOKEN="xoxb-revoked", SLACK_SIGNING_SECRET="x",
                     SLACK_API_URL=fake.api_url)
        with pytest.raises(ConfigError, match=r"Slack refused SLACK_BOT_TOKEN \(invalid_auth\)"):
            serve_command(args(http=True), s)
        assert issubclass(ConfigError, AssistantError)
    finally:
        fake.close()


def test_unreachable_api_url(tmp_path):
    s = settings(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_API_URL="http://127.0.0.1:9/api/")
    with pytest.raises(ConfigError, match="SLACK_API_URL"):
        build_app(s, FakePipeline(), None)


def test_rate_limiter_window():
    now = [0.0]
    rl = RateLimiter(2, clock=lambda: now[0])
    assert rl.allow("u") and rl.allow("u") and not rl.allow("u")
    assert rl.allow("other")
    now[0] = 59.9
    assert not rl.allow("u")
    now[0] = 60.0
    assert rl.allow("u")


def test_throttled_updates():
    now = [0.0]
    sent: list[str] = []
    t = Throttled(sent.append, interval=1.2, clock=lambda: now[0])
    for i in range(10):
        now[0] = i * 0.5  # a token every 0.5 s for 4.5 s
        t(f"{i} ")
    assert sent == ["0 1 2 3 ", "0 1 2 3 4 5 6 ", "0 1 2 3 4 5 6 7 8 9 "]

    def boom(_text: str) -> None:
        raise RuntimeError("slack down")

    t2 = Throttled(boom, interval=0, clock=lambda: now[0])
    t2("x")  # a failing interim update is swallowed


def test_bounded_executor_refuses_beyond_queue():
    gate = threading.Event()
    ex = BoundedExecutor(workers=1, queue_size=2)
    futures = [ex.submit(gate.wait) for _ in range(3)]
    with pytest.raises(QueueFullError):
        ex.submit(gate.wait)
    gate.set()
    for f in futures:
        f.result(5)
    time.sleep(0.05)
    ex.submit(lambda: None).result(5)  # slots are released again
    ex.shutdown()


def test_strip_mentions():
    assert strip_mentions("<@UBOT>  Hur  stor är <@U1|anna> ISF?") == "Hur stor är ISF?"
