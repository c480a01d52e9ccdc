"""`assistant ingest` and `assistant status`."""

from __future__ import annotations

import argparse

from ..config import Settings


def run_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from ..ingest import ingest_command

    return ingest_command(args, settings)


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    from ..ingest import status_command

    return status_command(args, settings)
