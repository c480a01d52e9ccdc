"""The package's shape: no import cycle, stages never import the edges, small modules.

Walks the source with `ast` (nothing is imported), so a lazy import inside a function counts as
much as one at the top; only imports under `if TYPE_CHECKING:` are left out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
MAX_LINES = 450
# The edges (DESIGN.md): command line, Slack, evaluation. Everything else is a stage and must not depend on them.
EDGES = (
    "assistant.cli",
    "assistant.bot",
    "assistant.slack",
    "assistant.evaluation",
    "assistant.__main__",
)


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    base = name.split(".") if is_pkg else name.split(".")[:-1]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    anchor = base[: len(base) - (child.level - 1)]
                    target = ".".join(anchor + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                for a in child.names:
                    sub = f"{target}.{a.name}"
                    found.add(sub if sub in known else target)
            visit(child)

    visit(tree)
    out = set()
    for imp in found:
        while imp and imp not in known:
            imp = imp.rpartition(".")[0]
        if imp and imp != name:
            out.add(imp)
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {name: _imports(name, path, known) for name, path in mods.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def _is_edge(name: str) -> bool:
    return any(name == e or name.startswith(e + ".") for e in EDGES)


def test_the_walker_sees_a_cycle_and_a_layer_break() -> None:
    """The checks below can fail: a made-up graph with a cycle and a stage importing the CLI."""
    fake = {"assistant.a": {"assistant.b"}, "assistant.b": {"assistant.a"}, "assistant.c": set()}
    assert _cycles(fake) == [["assistant.a", "assistant.b"]]
    assert _is_edge("assistant.cli.ask") and _is_edge("assistant.slack")
    assert not _is_edge("assistant.retrieval")


def test_the_walker_resolves_relative_imports() -> None:
    graph = _graph()
    assert "assistant.quotes" in graph["assistant.answer"]
    assert "assistant.config" in graph["assistant.cli"]


def test_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_stages_do_not_import_the_command_line_or_slack() -> None:
    bad = {
        name: sorted(d for d in deps if _is_edge(d))
        for name, deps in _graph().items()
        if not _is_edge(name)
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_only_the_command_line_parses_arguments() -> None:
    users = [
        name
        for name, path in _modules().items()
        if not name.startswith("assistant.cli") and "argparse" in path.read_text(encoding="utf-8")
    ]
    assert users == []


@pytest.mark.parametrize("name", sorted(_modules()))
def test_module_is_small(name: str) -> None:
    lines = len(_modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


@pytest.mark.integration
def test_the_public_api_is_importable_lazily() -> None:
    import subprocess
    import sys

    code = (
        "import sys, assistant; heavy = [m for m in ('chromadb', 'torch', 'assistant.pipeline') "
        "if m in sys.modules]; assert not heavy, heavy; "
        "from assistant import Pipeline, ingest_paths, load_settings; "
        "assert Pipeline.__name__ == 'Pipeline' and callable(ingest_paths) and callable(load_settings)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
