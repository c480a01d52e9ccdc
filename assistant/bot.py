"""The Slack bot's Bolt wiring: the Web API client, the token checks and the Bolt app whose
listeners stay thin. What they call lives in `assistant.slack` (the handler, the outbox, Block
Kit and the HTTP front)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware.assistant import Assistant
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from .audit import AuditStore
from .config import Settings
from .errors import ConfigError
from .slack import blocks as slack_blocks
from .slack.handler import SlackBot
from .slack.http import make_http_server as make_http_server  # re-export (tests/test_faults.py)
from .slack.job import AskPipeline
from .texts import t as _t

logger = logging.getLogger(__name__)

BOLT_LOGGER = "assistant.bot.bolt"

SUGGESTED_PROMPTS = [
    {
        "title": "Medfinansiering i ISF",
        "message": "Hur stor andel av kostnaderna kan EU stå för i ett ISF-projekt?",
    },
    {
        "title": "BMVI och utrustning",
        "message": "Vilka regler gäller för inköp av utrustning med BMVI-medel?",
    },
    {
        "title": "EUROSUR och NCC",
        "message": "Vad ska det nationella samordningscentret (NCC) göra enligt EUROSUR?",
    },
]
GREETING = _t("sv", "slack_greeting")


def make_client(settings: Settings) -> WebClient:
    """Web API client for SLACK_API_URL. It never sleeps on a 429's Retry-After: replies go
    through the bot's Outbox, which schedules the next try and keeps the workers free."""
    base = settings.slack_api_url.rstrip("/") + "/"
    return WebClient(
        token=settings.slack_bot_token,
        base_url=base,
        timeout=15,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def check_bot_token(settings: Settings) -> None:
    token = settings.slack_bot_token
    if not token:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: install the app from slack-manifest.yaml at "
            "api.slack.com/apps → OAuth & Permissions → Bot User OAuth Token (xoxb-…), "
            "and put it in .env"
        )
    if not token.startswith("xoxb-"):
        raise ConfigError(
            "SLACK_BOT_TOKEN must be the Bot User OAuth Token (starts with xoxb-): copy it from "
            "api.slack.com/apps → OAuth & Permissions"
        )


def authenticate(client: WebClient) -> dict[str, Any]:
    """auth.test: the bot's user id and bot id, or a ConfigError that says how to fix the token."""
    try:
        return dict(client.auth_test().data)  # type: ignore[arg-type]
    except SlackApiError as e:
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({e.response.get('error')}): reinstall the app at "
            "api.slack.com/apps and copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions"
        ) from None
    except (SlackClientError, OSError) as e:
        raise ConfigError(
            f"cannot reach the Slack Web API at {client.base_url} ({e}): check SLACK_API_URL "
            "and the network"
        ) from None


def retry_num(req: BoltRequest) -> int:
    values = req.headers.get("x-slack-retry-num") or ["0"]
    try:
        return int(values[0])
    except (TypeError, ValueError):
        return 0


def _no_request_bodies(record: logging.LogRecord) -> bool:
    """Logging filter: drop Bolt's 'Invalid request signature … body: …' lines."""
    return "body:" not in record.getMessage()


def build_app(
    settings: Settings,
    pipeline: AskPipeline,
    audit: AuditStore | None,
    client: WebClient | None = None,
    *,
    verify_requests: bool | None = None,
) -> App:
    """The Bolt app with every listener registered. Calls auth.test once (ConfigError if refused).

    Request signatures are checked whenever SLACK_SIGNING_SECRET is set (always for --http).
    """
    check_bot_token(settings)
    client = client or make_client(settings)
    auth = authenticate(client)
    if verify_requests is None:
        verify_requests = bool(settings.slack_signing_secret)
    bot = SlackBot(settings, pipeline, audit, client, auth["user_id"], auth.get("bot_id"))
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=verify_requests,
        token_verification_enabled=False,
        logger=logging.getLogger(BOLT_LOGGER),
        listener_executor=bot.listeners,  # so that bot.drain() also waits for the listeners
    )
    app.assistant_bot = bot  # type: ignore[attr-defined]  # tests and `assistant serve` close it
    # The HTTP front checks signatures itself, before any body is parsed or logged.
    app.assistant_signing_secret = settings.slack_signing_secret if verify_requests else ""  # type: ignore[attr-defined]

    # Bolt logs the whole body of a request whose signature fails (at INFO): never let it.
    logging.getLogger("slack_bolt.RequestVerification").addFilter(_no_request_bodies)

    @app.middleware
    def drop_duplicates(req: BoltRequest, resp: BoltResponse, next: Callable[[], None]) -> Any:
        # Slack re-sends an event when an ack was slow or lost, and may deliver one twice: the
        # event id decides, so a retry whose first delivery never arrived is still answered.
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if event_id and not bot.claim_event(str(event_id)):
            logger.info(
                "dropped duplicate delivery event_id=%s retry_num=%d", event_id, retry_num(req)
            )
            return BoltResponse(status=200, body="")
        next()

    assistant = Assistant(logger=logging.getLogger(BOLT_LOGGER))

    @assistant.thread_started
    def thread_started(say: Any, set_suggested_prompts: Any) -> None:
        say(GREETING)
        set_suggested_prompts(prompts=SUGGESTED_PROMPTS, title=_t("sv", "slack_prompts_title"))

    @assistant.user_message
    def assistant_message(payload: dict[str, Any], set_status: Any, context: Any) -> None:
        try:
            set_status(slack_blocks.SEARCHING)
        except SlackClientError:
            logger.debug("assistant.threads.setStatus failed", exc_info=True)
        bot.on_message(payload, context.team_id)

    app.use(assistant)

    @app.event("app_mention")
    def app_mention(event: dict[str, Any], context: Any) -> None:
        bot.on_mention(event, context.team_id)

    @app.event("message")
    def message(event: dict[str, Any], context: Any) -> None:
        bot.on_message(event, context.team_id)

    @app.command(settings.slack_slash_command)
    def slash(ack: Any, command: dict[str, Any], respond: Any) -> None:
        bot.on_slash(ack, command, respond)

    @app.action(re.compile(r"^feedback_(useful|wrong|wrong_source)$"))
    def feedback(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        ack()
        bot.on_feedback(body, action, respond)

    return app
