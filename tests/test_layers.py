"""The layers of ARCHITECTURE.md, read from the source: imports only point down, and settings come from the
environment at the edges only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "scripts" / "stepshot"
BOTTOM = {"settings", "checkout", "files", "errors", "locales", "schema", "reader", "manifest", "verified", "imagefile",
          "imagediff", "report_text", "personal", "lock", "loops", "interrupts", "sources"}
# Where the environment may be read: the command line, the MkDocs hooks, and programs the bench starts.
EDGES = {"cli.py", "settings.py", "site/hooks.py", "bench/floor.py"}  # settings.py: child_environment()


def read_modules() -> dict[str, ast.Module]:
    return {path.relative_to(PACKAGE).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
            for path in sorted(PACKAGE.rglob("*.py"))}


MODULES = read_modules()
TOP_LEVEL = {name.split("/")[0].removesuffix(".py") for name in MODULES}   # stepshot's modules and packages


def imported(name: str, tree: ast.Module) -> set[str]:
    """What a module imports, anywhere in the file: stepshot's top-level modules by name, and outside packages."""
    package = name.split("/")[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            path = [*package[:len(package) - node.level + 1], *(node.module or "").split(".")]
            path = [part for part in path if part]
            found |= {path[0]} if path else {alias.name for alias in node.names}
    return found


def stepshot_layer(module: str) -> str | None:
    if module not in TOP_LEVEL:
        return None
    return "bottom" if module in BOTTOM else "site" if module == "site" else "browser"


def wrong_imports(names, allowed: set[str]) -> list[str]:
    return [f"{name} imports {target}" for name in names for target in imported(name, MODULES[name])
            if target == "playwright" or stepshot_layer(target) not in (None, *allowed)]


def test_the_bottom_layer_imports_nothing_above_it_and_no_browser():
    bottom = [name for name in MODULES if name.removesuffix(".py") in BOTTOM]
    assert len(bottom) == len(BOTTOM)
    assert not wrong_imports(bottom, {"bottom"})


def test_the_site_never_imports_the_browser_side():
    site = [name for name in MODULES if name.startswith("site/")]
    assert not wrong_imports(site, {"bottom", "site"})


def test_a_browser_side_import_in_the_site_is_seen():
    tree = ast.parse("from ..walker import Walk\nfrom .. import capture\nfrom ..files import problem")
    assert imported("site/figures.py", tree) == {"walker", "capture", "files"}


def reads_environment(tree: ast.Module) -> list[int]:
    """Lines that touch os.environ in any way (a read, a copy for a child process) or call os.getenv."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (node.attr == "getenv" or (
                node.attr == "environ" and isinstance(node.value, ast.Name) and node.value.id == "os")):
            lines.append(node.lineno)
    return sorted(set(lines))


def test_only_the_edges_read_the_environment():
    wrong = [f"{name}:{line}" for name, tree in MODULES.items() if name not in EDGES
             for line in reads_environment(tree)]
    assert not wrong, wrong


@pytest.mark.parametrize("source, expected", [
    ("import os\nx = os.environ['A']", [2]),
    ("import os\nx = os.environ.get('A')", [2]),
    ("import os\nx = os.getenv('A')", [2]),
    ("import os\nenv = {**os.environ}", [2]),
    ("import os\nsettings = os.path.join('a')", []),
])
def test_the_environment_check_sees_each_way_of_reading(source, expected):
    assert reads_environment(ast.parse(source)) == expected
