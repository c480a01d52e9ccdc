"""`assistant serve`: the Slack bot."""

from __future__ import annotations

import argparse

from ..config import Settings


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    from ..bot import serve_command

    return serve_command(args, settings)
