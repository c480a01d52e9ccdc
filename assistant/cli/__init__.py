"""Command line: parse arguments, run one command module, turn errors into exit codes.

One module per command (`ingest` and `status`, `ask` and `chat`, `eval` and `feedback`, `serve`);
each reads settings, calls the public API and prints. The stages never import this package."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Sequence

from ..errors import AssistantError
from .parser import build_parser

# command -> (module in this package, function taking (args, settings) and returning an exit code)
COMMANDS: dict[str, tuple[str, str]] = {
    "ingest": ("ingest", "run_ingest"),
    "status": ("ingest", "run_status"),
    "ask": ("ask", "run_ask"),
    "chat": ("ask", "run_chat"),
    "eval": ("eval", "run_eval"),
    "feedback": ("eval", "run_feedback"),
    "serve": ("serve", "run_serve"),
}

QUIET_LOGGERS = ("httpx", "chromadb", "urllib3", "sentence_transformers", "langdetect", "bm25s")

__all__ = ["COMMANDS", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        from ..config import get_settings

        module_name, func_name = COMMANDS[args.command]
        module = importlib.import_module(f"{__name__}.{module_name}")
        return int(getattr(module, func_name)(args, get_settings()) or 0)
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
