"""`assistant eval` and `assistant feedback export`."""

from __future__ import annotations

import argparse

from ..config import Settings


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from ..evaluation import eval_command

    return eval_command(args, settings)


def run_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from ..evaluation import feedback_command

    return feedback_command(args, settings)
