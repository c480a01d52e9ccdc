"""The feedback buttons under an answer: store the vote in the audit log and thank the voter."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from ..audit import AuditStore
from ..texts import t
from . import blocks as slack_blocks

logger = logging.getLogger(__name__)

NOT_SAVED = t("sv", "slack_not_saved")

Allowed = Callable[[str | None, str | None, bool], bool]


def record_vote(
    audit: AuditStore | None,
    client: WebClient,
    allowed: Allowed,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Callable[..., Any],
) -> None:
    """A click on 👍 / 👎 / 📄: stored when the team and channel are allowed, then a thank-you
    only the voter sees."""
    vote = slack_blocks.VOTES[action["action_id"]]
    user = (body.get("user") or {}).get("id")
    team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    channel = str((body.get("channel") or {}).get("id") or "")
    if not allowed(team, channel, channel.startswith("D")):
        logger.info("ignored feedback: not enabled team=%s channel=%s", team, channel)
        return
    try:
        if audit is None:
            raise RuntimeError("no audit store")
        audit.record_feedback(action.get("value", ""), vote, user)
        text = slack_blocks.thanks_text(vote)
        logger.info("feedback vote=%s question_id=%s", vote, action.get("value"))
    except Exception:
        logger.exception("could not store feedback")
        text = NOT_SAVED
    _ephemeral_reply(client, body, respond, text)


def _ephemeral_reply(
    client: WebClient, body: dict[str, Any], respond: Callable[..., Any], text: str
) -> None:
    try:
        if body.get("response_url"):
            respond(text=text, response_type="ephemeral", replace_original=False)
        else:
            channel = str((body.get("channel") or {}).get("id") or "")
            user = str((body.get("user") or {}).get("id") or "")
            client.chat_postEphemeral(channel=channel, user=user, text=text)
    except Exception:
        logger.warning("could not thank for feedback", exc_info=True)
