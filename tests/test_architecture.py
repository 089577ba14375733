"""The house keeps its shape: no import cycle among the product's modules, and handlers
reach the bot only through their Context. (The layers themselves are checked by
``lint-imports``, in ``make lint``, from the contract in pyproject.toml.)"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage", "config")


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every set of modules that import each other round, in a circle (Tarjan's SCC)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            circle = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                circle.append(member)
                if member == module:
                    break
            if len(circle) > 1:
                found.append(sorted(circle))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_round_a_circle() -> None:
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    assert len(graph.modules) > 90  # the whole product was read
    assert _cycles(graph) == []


def test_a_circle_closed_under_type_checking_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``if TYPE_CHECKING:`` imports count: the check above reads them (the first wave's
    seven-module circle was closed that way)."""
    package = tmp_path / "circled"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from circled.b import B\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\n"
                                  "if TYPE_CHECKING:\n    from circled.a import A\nB = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("circled", include_external_packages=False, cache_dir=None)
    assert _cycles(graph) == [["circled.a", "circled.b"]]


def test_handlers_never_reach_past_their_context() -> None:
    reached = [f"{path.name}:{number}"
               for path in sorted((ROOT / "handlers").glob("*.py"))
               for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if re.search(r"\bctx\.(core|services)\b", line)]
    assert reached == []


def test_a_running_bot_loads_the_document_libraries_only_when_it_writes_a_file() -> None:
    """python-docx and openpyxl (about 47 MB together) are imported by the renderers when a
    file is asked for, not by the handlers an idle bot holds (bench/results.md, idle RSS)."""
    code = ("import sys, handlers, bot.app.runtime; handlers.build_router(); "
            "loaded = sorted({'docx', 'openpyxl'} & set(sys.modules)); "
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
