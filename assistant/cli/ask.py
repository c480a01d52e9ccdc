"""`assistant ask` and `assistant chat`: the pipeline in a terminal."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..config import Settings
from ..documents import Answer
from ..errors import QuestionRejectedError
from ..language import detect_language
from ..privacy import redact
from ..texts import t


def format_citation(c: Any) -> str:
    link = f"  {c.url}" if c.url else ""
    return f"[{c.n}] {c.label()}{link}"


def render(answer: Answer, console: Any) -> None:
    from rich.markup import escape

    for w in answer.warnings:
        console.print(f"[yellow]⚠ {escape(w)}[/]")
    console.print(escape(answer.text))
    if answer.citations:
        console.print(f"\n[bold]{t(answer.language, 'sources')}[/]")
        for c in answer.citations:
            console.print(escape(format_citation(c)))
    if answer.related:
        console.print("\n" + t(answer.language, "related"))
        for c in answer.related:
            console.print(escape(f"- {c.label()}"))


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console

    from ..pipeline import Pipeline

    pipe = Pipeline(settings)
    try:
        ans = pipe.ask(
            args.question,
            max_classification=args.level,
            funds=args.fund,
            period=args.period,
            use_llm=False if args.extractive else None,
        )
    except QuestionRejectedError as e:
        if args.json:
            # A refused question is echoed redacted, like every answered one.
            out = {"question": redact(args.question), "error": str(e)}
            print(json.dumps(out, ensure_ascii=False))
        else:
            Console(stderr=True).print(str(e))
        return 2
    if args.json:
        print(json.dumps(ans.to_json(), ensure_ascii=False, indent=2))
    else:
        render(ans, Console())
    return 0


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console
    from rich.markup import escape

    from ..pipeline import Pipeline

    console = Console()
    pipe = Pipeline(settings)
    console.print(escape(t("sv", "chat_banner")))
    with console.status(t("sv", "chat_loading")):
        pipe.warm()
    history: list[tuple[str, str]] = []
    while True:
        try:
            q = console.input(f"[bold cyan]{t('sv', 'chat_prompt')}[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return 0
        if not q:
            return 0
        try:
            with console.status(t(detect_language(q), "searching")):
                ans = pipe.ask(q, history=history, max_classification=args.level)
        except QuestionRejectedError as e:
            console.print(f"[yellow]{e}[/]")
            continue
        render(ans, console)
        console.print()
        history += [("user", ans.redacted_question), ("assistant", ans.text)]
        history = history[-6:]
