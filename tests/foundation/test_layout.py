"""The layout's rules, read from the source with :mod:`ast`, so a newcomer's import cannot quietly break them.

Every import counts, at the top of a module or inside a function (a lazy import still ties the two
modules together); only ``if TYPE_CHECKING:`` blocks are left out, because they never run.

The rules (each failure names the edge or the line):

* the import graph of ``bot``, ``handlers``, ``conversations`` and ``storage`` has no cycle;
* ``bot.domain`` imports nothing of ours but ``bot.domain`` (pure rules: no I/O, no Telegram);
* ``storage`` imports nothing of ours but ``storage`` and ``bot.domain`` — the domain's types and
  pure helpers (roles, regions, NIK masking) are what the tables hold, and the domain cannot import
  back, so this never makes a cycle;
* ``handlers`` and ``conversations`` do not import each other, in either direction; what both
  need lives below them in ``bot/`` (widgets, presenters, registries);
* product code does not import the development tooling ``bot.dev``, except the CLI commands that
  start it, lazily and marked ``# noqa: TID251`` (the same rule ruff enforces);
* only ``storage`` holds SQL or imports ``aiosqlite`` / ``sqlite3``.
"""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "conversations", "storage")
TOOLING = "bot.dev"
SQL_DRIVERS = ("aiosqlite", "sqlite3")


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    lazy: bool
    marked_tid251: bool

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported} (line {self.line})"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_files() -> dict[str, Path]:
    files = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            files[module_name(path)] = path
    return files


MODULES = product_files()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Every node that runs, with whether it sits inside a function; ``if TYPE_CHECKING:`` bodies are skipped."""

    def walk(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.AST, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for orelse in child.orelse:
                    yield orelse, in_function
                    yield from walk(orelse, in_function)
                continue
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            yield child, in_function
            yield from walk(child, inner)

    yield from walk(tree, False)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str, source: str, is_package: bool = False) -> list[Import]:
    """What ``module`` imports, naming the submodule in ``from package import submodule``."""
    lines = source.splitlines()
    found = []
    for node, lazy in _runtime_nodes(ast.parse(source)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        text = " ".join(lines[node.lineno - 1 : (node.end_lineno or node.lineno)])
        for target in dict.fromkeys(targets):
            found.append(Import(module, target, node.lineno, lazy, "noqa: TID251" in text))
    return found


def _ours(name: str) -> str | None:
    """The product module an import runs, or None for the standard library and third parties."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def all_imports() -> list[Import]:
    found = []
    for module, path in MODULES.items():
        found += imports_of(module, path.read_text(encoding="utf-8"), path.name == "__init__.py")
    return found


IMPORTS = all_imports()


def import_graph(imports: list[Import]) -> dict[str, dict[str, Import]]:
    """Module -> the modules it runs. Importing ``a.b.c`` also runs the packages ``a.b`` and ``a``
    unless the importer is already inside them."""
    graph: dict[str, dict[str, Import]] = {m: {} for m in MODULES}
    for imp in imports:
        target = _ours(imp.imported)
        if target is None:
            continue
        parts = target.split(".")
        for depth in range(1, len(parts) + 1):
            ran = ".".join(parts[:depth])
            if ran in MODULES and ran != imp.importer and not _within(imp.importer, ran):
                graph[imp.importer].setdefault(ran, imp)
    return graph


def find_cycle(graph: dict[str, dict[str, Import]]) -> list[Import] | None:
    """One cycle as its edges, or None (an iterative depth-first search)."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if start in state:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                ring = [*path[path.index(child) :], child]
                return [graph[a][b] for a, b in itertools.pairwise(ring)]
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))
    return None


# SQL: a statement's shape, not a keyword alone — "Pilih dari daftar" or "update" in a sentence is no SQL.
SQL = re.compile(
    r"\bSELECT\s+(?:DISTINCT\s+)?[\w*(][^;]*?\bFROM\s+\w"
    r"|\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+\w"
    r"|\bUPDATE\s+\w+\s+SET\s+\w"
    r"|\bDELETE\s+FROM\s+\w"
    r"|\bCREATE\s+(?:TEMP(?:ORARY)?\s+)?(?:TABLE|INDEX|UNIQUE\s+INDEX|TRIGGER|VIEW)\b"
    r"|\bPRAGMA\s+\w+",
    re.DOTALL,
)


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def sql_strings(source: str) -> list[tuple[int, str]]:
    """String constants (docstrings aside) that look like SQL statements, with their line."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    skip |= {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # a formatted value stands for a name: f"... FROM {table}"
            text = "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
        else:
            continue
        if SQL.search(text):
            found.append((node.lineno, " ".join(text.split())[:80]))
    return found


def test_no_import_cycle() -> None:
    cycle = find_cycle(import_graph(IMPORTS))
    assert cycle is None, "import cycle: " + " ; ".join(map(str, cycle or []))


def upward(imports: list[Import], package: str, allowed: tuple[str, ...]) -> list[Import]:
    """Imports from ``package`` of our modules outside ``allowed`` (the bare ``bot`` package is empty)."""
    return [imp for imp in imports if _within(imp.importer, package) and (t := _ours(imp.imported))
            and t != "bot" and not any(_within(t, ok) for ok in allowed)]


def across(imports: list[Import], side: str, other: str) -> list[Import]:
    return [imp for imp in imports if _within(imp.importer, side) and _within(imp.imported, other)]


def tooling_imports(imports: list[Import]) -> list[Import]:
    """Product code importing bot.dev, but for the CLI's lazy, marked imports that start the tooling."""
    return [imp for imp in imports if not _within(imp.importer, TOOLING) and _within(imp.imported, TOOLING)
            and not (imp.importer == "bot.cli" and imp.lazy and imp.marked_tid251)]


def driver_imports(imports: list[Import]) -> list[Import]:
    return [imp for imp in imports if not _within(imp.importer, "storage")
            and any(_within(imp.imported, driver) for driver in SQL_DRIVERS)]


def test_domain_imports_only_domain() -> None:
    edges = upward(IMPORTS, "bot.domain", ("bot.domain",))
    assert not edges, "bot.domain imports upward: " + "; ".join(map(str, edges))


def test_storage_imports_only_storage_and_domain() -> None:
    edges = upward(IMPORTS, "storage", ("storage", "bot.domain"))
    assert not edges, "storage imports upward: " + "; ".join(map(str, edges))


@pytest.mark.parametrize(("side", "other"), [("handlers", "conversations"), ("conversations", "handlers")])
def test_handlers_and_conversations_do_not_import_each_other(side: str, other: str) -> None:
    edges = across(IMPORTS, side, other)
    assert not edges, f"{side} imports {other}: " + "; ".join(map(str, edges))


def test_product_code_does_not_import_tooling() -> None:
    edges = tooling_imports(IMPORTS)
    assert not edges, "product code imports bot.dev: " + "; ".join(map(str, edges))


def test_sql_only_in_storage() -> None:
    found = [f"{module}:{line}: {text}" for module, path in MODULES.items() if not _within(module, "storage")
             for line, text in sql_strings(path.read_text(encoding="utf-8"))]
    assert not found, "SQL outside storage/: " + "; ".join(found)


def test_sql_drivers_only_in_storage() -> None:
    edges = driver_imports(IMPORTS)
    assert not edges, "a SQL driver imported outside storage/: " + "; ".join(map(str, edges))


# The checks themselves: each catches a planted example and lets the innocent ones pass.

PLANTED = '''
"""A docstring may say SELECT count(*) FROM sasaran without being SQL."""
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from handlers import rekap
import aiosqlite
def later():
    from conversations import lapor
    return f"SELECT id FROM sasaran WHERE keluarga_id = {1}"
QUERY = """
    UPDATE sasaran
       SET status = ?
"""
'''


def test_checks_catch_planted_examples() -> None:
    found = imports_of("handlers.planted", PLANTED)
    assert [(i.imported, i.lazy) for i in found] == [("typing", False), ("aiosqlite", False),
                                                     ("conversations.lapor", True)]
    assert sorted(line for line, _ in sql_strings(PLANTED)) == [9, 10]
    for sql in ("INSERT INTO meta (key, value) VALUES (?, ?)", "DELETE FROM drafts WHERE id = ?",
                "PRAGMA integrity_check", "CREATE TABLE x (id INTEGER)", "SELECT value FROM meta"):
        assert SQL.search(sql), sql


@pytest.mark.parametrize("text", [
    "Pilih dari daftar di bawah.", "Data diperbarui (update) — silakan pilih lagi.",
    "Select the period from the buttons", "Kirim ulang: hapus dari daftar", "Update data set ibu",
])
def test_user_texts_are_not_sql(text: str) -> None:
    assert not SQL.search(text)


def test_cycle_search_names_the_edges() -> None:
    a, b = "bot.app", "handlers.privacy"
    ab, ba = Import(a, b, 3, False, False), Import(b, a, 7, True, False)
    assert find_cycle({a: {b: ab}, b: {a: ba}}) == [ab, ba]
    assert find_cycle({a: {b: ab}, b: {}}) is None


def test_import_rules_catch_planted_modules() -> None:
    def planted(module: str, source: str) -> list[Import]:
        return imports_of(module, source)

    assert upward(planted("bot.domain.planted", "from bot.settings import Settings\nfrom bot.domain import age"),
                  "bot.domain", ("bot.domain",)) != []
    assert upward(planted("storage.planted", "from bot.domain.roles import Role"), "storage",
                  ("storage", "bot.domain")) == []
    assert [i.imported for i in upward(planted("storage.planted", "def f():\n    from bot.services import Services"),
                                       "storage", ("storage", "bot.domain"))] == ["bot.services"]
    assert across(planted("conversations.planted", "from handlers import ibu"), "conversations", "handlers") != []
    assert tooling_imports(planted("bot.cli", "from bot.dev import seed")) != []  # at the top: not allowed
    assert tooling_imports(planted("bot.cli", "def f():\n    from bot.dev import seed  # noqa: TID251")) == []
    assert tooling_imports(planted("handlers.planted", "def f():\n    import bot.dev.seed  # noqa: TID251")) != []
    assert driver_imports(planted("bot.planted", "import sqlite3")) != []
    assert driver_imports(planted("storage.planted", "import aiosqlite")) == []
