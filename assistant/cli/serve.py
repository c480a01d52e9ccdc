"""`assistant serve [--http --port N --host H]`: the Slack bot, over HTTP or in Socket Mode."""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from ..audit import AuditStore
from ..bot import BOLT_LOGGER, authenticate, build_app, check_bot_token, make_client
from ..config import Settings
from ..errors import ConfigError
from ..slack.handler import SlackBot
from ..slack.http import make_http_server

logger = logging.getLogger(__name__)


def check_serve_settings(settings: Settings, http: bool) -> None:
    """The tokens `serve` needs for its mode, or a ConfigError that says where to get them."""
    check_bot_token(settings)
    if http and not settings.slack_signing_secret:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: copy it from api.slack.com/apps → Basic Information "
            "→ App Credentials → Signing Secret, or run without --http (Socket Mode)"
        )
    if not http:
        token = settings.slack_app_token
        if not token:
            raise ConfigError(
                "SLACK_APP_TOKEN is not set: create an app-level token with connections:write, "
                "or run with --http (api.slack.com/apps → Basic Information → App-Level Tokens)"
            )
        if not token.startswith("xapp-"):
            raise ConfigError(
                "SLACK_APP_TOKEN must be an app-level token (starts with xapp-) with "
                "connections:write, or run with --http"
            )


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Check the tokens, load the pipeline, then serve until interrupted."""
    http = bool(getattr(args, "http", False))
    check_serve_settings(settings, http)
    # Bolt and slack_sdk log request bodies at DEBUG; bodies hold raw questions.
    for name in ("slack_bolt", "slack_sdk", BOLT_LOGGER):
        lg = logging.getLogger(name)
        lg.setLevel(max(lg.getEffectiveLevel(), logging.INFO))

    client = make_client(settings)
    authenticate(client)  # fail fast, before the pipeline loads its models
    from ..pipeline import Pipeline

    audit = AuditStore(settings.db_url)
    pipeline = Pipeline(settings)
    # Load the model and the indexes now: the first question should not wait for them, and a
    # store that cannot be opened should stop start-up with its message, not fail per question.
    pipeline.warm()
    app = build_app(settings, pipeline, audit, client, verify_requests=http)
    bot: SlackBot = app.assistant_bot  # type: ignore[attr-defined]
    try:
        if http:
            server = make_http_server(app, args.host, args.port)
            logger.info(
                "serving Slack events on http://%s:%d/slack/events", args.host, server.server_port
            )
            try:
                server.serve_forever()
            finally:
                server.server_close()
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(app, settings.slack_app_token)
            connect: Callable[[], None] = handler.connect  # slack_bolt leaves it untyped
            try:
                connect()
            except SlackApiError as e:
                raise ConfigError(
                    f"Slack refused SLACK_APP_TOKEN ({e.response.get('error')}): create an "
                    "app-level token with connections:write, or run with --http"
                ) from None
            logger.info("connected to Slack in Socket Mode")
            threading.Event().wait()
    finally:
        bot.close()
        audit.close()
    return 0
