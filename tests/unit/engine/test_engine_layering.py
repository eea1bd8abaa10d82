"""The engine's parts see the core only through ``engine/book.py``'s protocols."""

import ast
from pathlib import Path

import arbig.engine

ENGINE = Path(arbig.engine.__file__).parent
# The core itself; the close desk goes to the core behind the contract package.
MAY_IMPORT_THE_CORE = {"core.py", "closing.py"}


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def test_no_part_of_the_engine_but_the_core_imports_the_core() -> None:
    importers = sorted(
        str(path.relative_to(ENGINE))
        for path in ENGINE.rglob("*.py")
        if path.name not in MAY_IMPORT_THE_CORE and "arbig.engine.core" in imported_modules(path)
    )
    assert importers == []


def test_the_engine_takes_plain_values_not_the_settings() -> None:
    importers = sorted(
        str(path.relative_to(ENGINE))
        for path in ENGINE.rglob("*.py")
        if "arbig.config" in imported_modules(path)
    )
    assert importers == []
