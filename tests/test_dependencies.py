"""pyproject.toml's dependencies: every runtime package is used by the shipped code, test-only ones are not.

Issue #10 item 6: no dead dependency, and packages only the tests use live in the ``test`` extra.
"""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("bot", "handlers", "jobs", "storage")

# Runtime packages the code never imports by name, each with the reason it is still needed.
INDIRECT = {
    "psycopg": "SQLAlchemy's postgresql+psycopg driver, loaded from DATABASE_URL",
    "tzdata": "zoneinfo's time-zone data where the system has none",
    "sniffio": "imported by httpcore on every request; a failed import each time is slow",
}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0]


def _import_names(distribution: str) -> set[str]:
    wanted = distribution.lower().replace("_", "-")
    names = {top for top, dists in packages_distributions().items() if any(d.lower() == wanted for d in dists)}
    return names or {wanted.replace("-", "_")}


def _shipped_imports() -> set[str]:
    found: set[str] = set()
    for folder in SHIPPED:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module.split(".")[0])
    return found


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_runtime_dependency_is_used_by_the_shipped_code() -> None:
    imported = _shipped_imports()
    unused = [
        name
        for name in map(_name, _project()["dependencies"])
        if name not in INDIRECT and not _import_names(name) & imported
    ]
    assert unused == []


def test_test_only_packages_are_not_imported_by_the_shipped_code() -> None:
    imported = _shipped_imports()
    test_extra = [_name(r) for r in _project()["optional-dependencies"]["test"]]
    assert "openpyxl" in test_extra
    assert [name for name in test_extra if _import_names(name) & imported] == []


def test_pandas_is_gone() -> None:
    """Decided in #10 item 6: the tables are clearer with Counter and the half-up helpers."""
    assert "pandas" not in map(_name, _project()["dependencies"])
    assert "pandas" not in _shipped_imports()
