"""`assistant ingest` and `assistant status`: run the library (`assistant.ingest`) and print."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..ingest import DEFAULT_SOURCE, ingest_paths, status

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


def run_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    paths = args.paths or [DEFAULT_SOURCE]
    bar = ProgressBar(console) if not args.no_progress and console.is_terminal else None
    try:
        report = ingest_paths(
            paths,
            settings,
            rebuild=args.rebuild,
            dry_run=args.dry_run,
            progress=bar,
            wait=args.wait,
        )
    finally:
        if bar is not None:
            bar.stop()
    title = "Plan (dry run, nothing changed)" if report.dry_run else "Ingest summary"
    table = Table(title=title)
    for col in ("added", "updated", "unchanged", "removed", "failed", "chunks", "seconds"):
        table.add_column(col, justify="right")
    table.add_row(
        str(len(report.added)),
        str(len(report.updated)),
        str(len(report.unchanged)),
        str(len(report.removed)),
        str(len(report.failed)),
        str(report.chunks_written),
        f"{report.seconds:.1f}",
    )
    out = Console()
    if report.dry_run:
        for label, ids in (
            ("add", report.added),
            ("update", report.updated),
            ("remove", report.removed),
        ):
            for i in ids:
                out.print(f"would {label}: {i}")
    out.print(table)
    for w in report.warnings:
        console.print(f"[yellow]warning:[/] {w}")
    if report.default_classified:
        console.print(
            f"[yellow]no classification:[/] {len(report.default_classified)} document(s) name no "
            f"classification and are indexed as {settings.default_classification} "
            "(ASSISTANT_DEFAULT_CLASSIFICATION); add `classification:` to their metadata:"
        )
        for doc_id in report.default_classified:
            console.print(f"  {doc_id}")
    for src, err in report.failed:
        # Loader messages start with the file's name already; add the path only when they don't.
        named = err.startswith((src, Path(src).name))
        console.print(f"[red]failed:[/] {src}: {err.split(': ', 1)[-1] if named else err}")
    return 0 if report.ok else 1


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    info = status(settings)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    c = Console()
    c.print(f"store: {info['store']} ({info['mode']}, collection {info['collection']})")
    c.print(f"embedding model: {info['embedding_model']} ({info['dimension']}-d)")
    c.print(
        f"documents: {info['documents']}   chunks: {info['chunks']}   "
        f"last ingest: {info['last_ingest'] or 'never'}"
    )
    if not info["documents"]:
        c.print("The index is empty: run `assistant ingest corpus/` (or `make run`).")
        return 0
    t = Table()
    for col in ("doc_id", "format", "lang", "class", "chunks", "ingested"):
        t.add_column(col)
    for d in info["per_document"]:
        t.add_row(
            d["doc_id"],
            d["format"],
            str(d["language"] or ""),
            str(d["classification"] or ""),
            str(d["chunks"]),
            d["ingested_at"],
        )
    c.print(t)
    return 0


class ProgressBar:
    """The terminal's progress bar (transient), fed by `ingest_paths(progress=...)`."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __call__(self, source: str, done: int, total: int) -> None:
        if done >= total:  # every source is in: the summary follows
            self.stop()
            return
        if self.bar is None or self.task is None:
            self.bar = _progress(self.console)
            self.task = self.bar.add_task("ingest", total=total)
            self.bar.start()
        self.bar.update(self.task, description=_short(source), completed=done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
        self.bar = self.task = None


def _short(s: str, n: int = 40) -> str:
    return s if len(s) <= n else "…" + s[-(n - 1) :]


def _progress(console: Console) -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
