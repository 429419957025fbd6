"""``dbtooling models``: the registry — each model, its prefix, attributes, relations, traits."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from dynamodb_tooling.cli.commands._common import (
    JsonOption,
    ModelsOption,
    load_project_models,
    out,
    print_json,
)
from dynamodb_tooling.schema import ModelDefinition, get_registry
from dynamodb_tooling.schema.definitions import AttributeDefinition, RelationDefinition, Traits
from dynamodb_tooling.schema.naming import link_foreign_key

#: Relation kinds whose foreign key is an attribute of the child.
_LINKS = ("belongs_to", "has_one", "has_many")
#: Attribute flags worth showing, in this order.
_FLAGS = ("unique", "index", "nullable", "hidden", "guarded")


def register(app: typer.Typer) -> None:
    """Add ``models`` to the root app."""
    app.command("models")(models_command)


def models_command(models: ModelsOption = None, as_json: JsonOption = False) -> None:
    """List the registered models: prefix, attributes, relations and traits."""
    load_project_models(models)
    definitions = sorted(get_registry().models, key=lambda d: d.name)
    if as_json:
        print_json([describe(d) for d in definitions])
        return
    if not definitions:
        out.print("[dim]no models (query_builder.models_path, or pass --models PATH)[/]")
        return
    grid = Table("model", "prefix", "attributes", "relations", "traits", show_lines=True)
    for definition in definitions:
        grid.add_row(
            Text(definition.name),
            Text(definition.prefix),
            Text("\n".join(_attribute_line(a) for a in definition.attributes)),
            Text("\n".join(_relation_line(r) for r in definition.relations)),
            Text(", ".join(_traits(definition.traits))),
        )
    out.print(grid)


def describe(definition: ModelDefinition) -> dict[str, Any]:
    """One model as JSON-ready data (the ``--json`` output)."""
    return {
        "model": definition.name,
        "prefix": definition.prefix,
        "primary_key": definition.primary_key,
        "attributes": [
            {"name": a.name, "type": a.type, **{flag: getattr(a, flag) for flag in _FLAGS}}
            for a in definition.attributes
        ],
        "relations": [
            {
                "name": r.name,
                "kind": r.kind,
                "target": r.target,
                "foreign_key": _foreign_key(definition.name, r),
                "collection": r.collection,
                "derived": r.derived,
            }
            for r in definition.relations
        ],
        "traits": _traits(definition.traits),
    }


def _foreign_key(model: str, relation: RelationDefinition) -> str | None:
    """The attribute holding the parent's id (declared or derived), for one-to-one and
    one-to-many relations; ``None`` for the others (edges and morph links)."""
    if relation.kind in _LINKS:
        return link_foreign_key(model, relation)
    return relation.foreign_key or None


def _attribute_line(attribute: AttributeDefinition) -> str:
    flags = [flag for flag in _FLAGS if getattr(attribute, flag)]
    return f"{attribute.name}: {attribute.type}" + (f" ({', '.join(flags)})" if flags else "")


def _relation_line(relation: RelationDefinition) -> str:
    target = relation.target or "(any)"
    extra = " (collection)" if relation.collection else ""
    return f"{relation.name}: {relation.kind} {target}{extra}"


def _traits(traits: Traits) -> list[str]:
    """The traits in use: flags that are on, and the id strategy."""
    on = [f.name for f in fields(traits) if getattr(traits, f.name) is True]
    return [*on, f"ids: {traits.id_strategy}"]
