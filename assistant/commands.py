"""One function per CLI command: read settings, call the public API, print."""

from __future__ import annotations

import argparse

from .config import get_settings


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest_command

    return ingest_command(args, get_settings())


def cmd_status(args: argparse.Namespace) -> int:
    from .ingest import status_command

    return status_command(args, get_settings())


def cmd_ask(args: argparse.Namespace) -> int:
    from .chat import ask_command

    return ask_command(args, get_settings())


def cmd_chat(args: argparse.Namespace) -> int:
    from .chat import chat_command

    return chat_command(args, get_settings())


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import eval_command

    return eval_command(args, get_settings())


def cmd_feedback(args: argparse.Namespace) -> int:
    from .evaluation import feedback_command

    return feedback_command(args, get_settings())


def cmd_serve(args: argparse.Namespace) -> int:
    from .bot import serve_command

    return serve_command(args, get_settings())
