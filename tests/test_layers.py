"""The package's imports point down the pipeline.

base (errors, schema, athletes, sports, days, fmt, registry, files) -> io -> store -> load -> pain
-> model (model, checks) -> report -> cli.  A module imports runback modules of its own layer or of layers to its
left only, and never inside a function to dodge a cycle (the CLI alone imports lazily, so that
``runback --help`` does not load polars).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "runback"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("runback.errors", "runback.schema", "runback.athletes", "runback.sports", "runback.days",
     "runback.fmt", "runback.registry", "runback.files", "runback._version", "runback.samples",
     "runback.summaries", "runback.workers"),
    ("runback.io",),
    ("runback.store",),
    ("runback.load",),
    ("runback.pain",),
    ("runback.checks", "runback.model", "runback.cohort"),
    ("runback.report", "runback.distributed"),
    ("runback.cli", "runback.serve", "runback.__main__"),
)


def layer_of(module: str) -> int:
    for i, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS (and to the README's diagram)")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_submodule(name: str) -> bool:
    return (SRC / f"{name}.py").exists() or (SRC / name / "__init__.py").exists()


def runback_imports(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str, bool]]:
    """(line, imported runback module, inside a function) for every import of runback code."""
    out: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                out.extend((child.lineno, a.name, inner) for a in child.names if a.name.split(".")[0] == "runback")
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.split(".") if is_package else module.split(".")[:-1]
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if target.split(".")[0] == "runback":
                    # `from runback import schema` imports the submodule
                    names = [
                        f"{target}.{a.name}" if target == "runback" and _is_submodule(a.name) else target
                        for a in child.names
                    ]
                    out.extend((child.lineno, n, inner) for n in names)
            visit(child, inner)

    visit(tree, False)
    return out


FILES = sorted(p for p in SRC.rglob("*.py") if p.name != "__init__.py" or p.parent != SRC)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down(path: Path) -> None:
    module = module_name(path)
    mine = layer_of(module)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    wrong = []
    for line, target, in_function in runback_imports(tree, module, path.name == "__init__.py"):
        if target == "runback":
            wrong.append(f"{path.name}:{line}: imports the top-level package")
            continue
        if layer_of(target) > mine:
            wrong.append(f"{path.name}:{line}: {module} (layer {mine}) imports {target} (layer {layer_of(target)})")
        if in_function and mine < layer_of("runback.cli"):
            wrong.append(f"{path.name}:{line}: import of {target} inside a function")
    assert not wrong, "\n".join(wrong)


def test_every_module_has_a_layer() -> None:
    for path in FILES:
        layer_of(module_name(path))


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    tree = ast.parse("from runback.report import runner\ndef f():\n    from runback import store\n")
    found = runback_imports(tree, "runback.load.metrics", False)
    assert found == [(1, "runback.report", False), (3, "runback.store", True)]
    assert layer_of("runback.report") > layer_of("runback.load.metrics")
