"""Imports point one way (DESIGN §4): a lower layer never imports a higher one."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "dynamodb_tooling"

#: layer → the packages it must not import.
_TOP = ("factories", "seeders", "migrations", "transfer", "cli", "testing")
FORBIDDEN = {
    "expressions": ("requests", "drivers", "schema", "query", "orm", *_TOP),
    "requests": ("drivers", "schema", "query", "orm", *_TOP),
    "drivers": ("schema", "query", "orm", *_TOP),
    "schema": ("drivers", "query", "orm", *_TOP),
    "query": ("drivers", "orm", *_TOP),
    "orm": _TOP,
    "factories": ("migrations", "cli", "testing"),
    "seeders": ("migrations", "cli", "testing"),
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_no_higher_layer(layer: str) -> None:
    offenders = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for module in imported_modules(path):
            for higher in FORBIDDEN[layer]:
                if module == f"dynamodb_tooling.{higher}" or module.startswith(
                    f"dynamodb_tooling.{higher}."
                ):
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offenders == []
