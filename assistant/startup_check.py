"""Exit 0 when Slack tokens are configured (used by `make run` to pick bot or terminal chat)."""

import sys

from .config import get_settings

s = get_settings()
sys.exit(0 if s.slack_bot_token and (s.slack_app_token or s.slack_signing_secret) else 1)
