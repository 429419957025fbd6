"""``dbtooling schema`` and ``dbtooling access-patterns``: the design derived from your models.

Both discover models under ``--models`` (default ``query_builder.models_path``): Python modules,
JSON/YAML files and Stacks ``.ts``/``.js`` model files.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dynamodb_tooling.config import get_config
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.access_patterns import AccessPatterns
from dynamodb_tooling.schema.discovery import load_definitions

console = Console(soft_wrap=True)

ModelsOption = Annotated[
    Path | None, typer.Option("--models", help="models folder (default: query_builder.models_path)")
]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="write to this file")]


class PatternFormat(StrEnum):
    markdown = "markdown"
    json = "json"
    matrix = "matrix"
    summary = "summary"


class SchemaFormat(StrEnum):
    summary = "summary"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command("access-patterns")(access_patterns)
    app.command("schema")(schema)


def _registry(models: Path | None) -> Registry:
    registry = Registry(get_config())
    load_definitions(models, registry=registry)
    return registry


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        console.print(text, markup=False, highlight=False)
        return
    output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    console.print(f"wrote {output}")


def access_patterns(
    models: ModelsOption = None,
    output: OutputOption = None,
    fmt: Annotated[PatternFormat, typer.Option("--format", "-f")] = PatternFormat.markdown,
) -> None:
    """Every access pattern of your models: index, key condition, cost and an example."""
    patterns = _registry(models).access_patterns()
    if fmt is PatternFormat.json:
        text = patterns.to_json()
    elif fmt is PatternFormat.matrix:
        text = json.dumps(patterns.matrix(), indent=2, sort_keys=True)
    elif fmt is PatternFormat.summary:
        text = _pattern_summary(patterns)
    else:
        text = patterns.to_markdown()
    _emit(text, output)


def _pattern_summary(patterns: AccessPatterns) -> str:
    """One line per pattern, by entity: how it is served; then the warnings."""
    scans = sum(1 for p in patterns if p.is_scan)
    lines = [f"{len(patterns)} access patterns ({scans} need a Scan)"]
    for entity, served in patterns.matrix().items():
        lines.append(f"{entity}:")
        lines += [f"  {name}: {how}" for name, how in served.items()]
    lines += [f"warning: {w}" for w in patterns.warnings]
    return "\n".join(lines)


def schema(
    models: ModelsOption = None,
    output: OutputOption = None,
    fmt: Annotated[SchemaFormat, typer.Option("--format", "-f")] = SchemaFormat.summary,
    table: Annotated[str | None, typer.Option("--table", help="table name")] = None,
) -> None:
    """The table your models need: a readable summary, or the CreateTable request as JSON."""
    registry = _registry(models)
    if fmt is SchemaFormat.json and table is None and len(registry.tables()) > 1:
        # Models in their own table (table=): every CreateTable request, by table name.
        text = json.dumps(registry.table_definitions(), indent=2, sort_keys=True)
    elif fmt is SchemaFormat.json:
        text = json.dumps(registry.table_definition(table), indent=2, sort_keys=True)
    else:
        text = registry.summary()
    _emit(text, output)
