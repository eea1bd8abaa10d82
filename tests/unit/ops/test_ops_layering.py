"""What the web layer imports of ``arbig.ops`` stays clear of the kernel and storage."""

import ast
from pathlib import Path

import arbig.ops

OPS = Path(arbig.ops.__file__).parent
# The modules arbig.web imports: the registry and the notifier (their settings are
# arbig.opsconfig, part of the configuration). .importlinter checks the same, chains too.
SERVED_TO_WEB = ("metrics.py", "notify.py")
KERNEL = ("arbig.engine", "arbig.storage", "arbig.ticks", "arbig.gateways", "arbig.runtime")


def arbig_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("arbig")}


def test_the_modules_the_web_layer_imports_know_nothing_of_the_kernel() -> None:
    for name in SERVED_TO_WEB:
        reaching = {m for m in arbig_imports(OPS / name) if m.startswith(KERNEL)}
        assert reaching == set(), f"{name} imports {reaching}"
        for module in arbig_imports(OPS / name):
            if module.startswith("arbig.ops."):
                assert module.removeprefix("arbig.ops.") + ".py" in SERVED_TO_WEB, module


def test_the_web_layer_imports_only_those_of_ops() -> None:
    web = OPS.parent / "web"
    used = {
        module
        for path in web.rglob("*.py")
        for module in arbig_imports(path)
        if module.startswith("arbig.ops.")
    }
    assert {m.removeprefix("arbig.ops.") + ".py" for m in used} <= set(SERVED_TO_WEB), used
