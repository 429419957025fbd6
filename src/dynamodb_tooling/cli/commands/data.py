"""``dbtooling get|put|delete``: one item, by model and id or by its raw key.

* ``dbtooling get User 01H...`` is ``User.find("01H...")``; ``dbtooling get --key
  '{"pk": "USER#01H...", "sk": "USER#01H..."}'`` is a GetItem on ``--table`` (default the
  configured table) and shows the whole stored item, keys included.
* ``dbtooling put User '{"email": "ada@example.com", "name": "Ada"}'`` validates the values
  through the model (unknown or guarded attributes, types, validation rules, key values, item
  size — all before any request), then writes the item, replacing any at its id
  (``User.query().upsert(...)``: unique sentinels stay exact). ``dbtooling put --item
  '{...}'`` is a raw PutItem of the item as given.
* ``dbtooling delete User 01H...`` is ``User.find(...).delete()`` (a soft delete on models that
  use soft deletes; ``--permanently`` deletes for good); ``--key`` deletes a raw item. Both ask
  first unless ``--force``, and a production environment needs ``--force``.

JSON numbers stay exact (``Decimal``, never a float).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dynamodb_tooling.cli.commands._common import (
    ForceOption,
    JsonOption,
    ModelsOption,
    TableOption,
    confirm_destructive,
    dumps,
    model_class,
    out,
    parse_json_object,
    print_json,
    table_name,
)
from dynamodb_tooling.drivers import get_client
from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model

ModelArgument = Annotated[
    str | None, typer.Argument(help="model name (omit and use --key for a raw item)")
]
IdArgument = Annotated[str | None, typer.Argument(help="the item's id (primary key value)")]
KeyOption = Annotated[
    str | None,
    typer.Option("--key", "-k", help='raw key as JSON: \'{"pk": "...", "sk": "..."}\''),
]


def register(app: typer.Typer) -> None:
    """Add ``get``, ``put`` and ``delete`` to the root app."""
    app.command("get")(get)
    app.command("put")(put)
    app.command("delete")(delete)


def get(
    model: ModelArgument = None,
    item_id: IdArgument = None,
    key: KeyOption = None,
    table: TableOption = None,
    models: ModelsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one item, by model and id or by its raw --key.

    Exits 1 when there is no such item.
    """
    target = _target(model, item_id, key, table)
    if isinstance(target, tuple):
        found = _find(model_class(target[0], models), target[1])
        _show(found.to_json_dict(), as_json)
        return
    name = table_name(table)
    parsed = parse_json_object(target, "the key", "--key")
    response = get_client().get_item(name, parsed)
    if "Item" not in response:
        raise DynamoDBToolingError(f"no item at --key {key} in table {name!r}")
    _show(unmarshall_item(response["Item"]), as_json)


def put(
    model: Annotated[
        str | None, typer.Argument(help="model name (omit and use --item for a raw item)")
    ] = None,
    values: Annotated[
        str | None, typer.Argument(help="the model's values as a JSON object")
    ] = None,
    item: Annotated[
        str | None, typer.Option("--item", help="a raw item as JSON, keys included")
    ] = None,
    table: TableOption = None,
    models: ModelsOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write one item: a model's values, or a raw --item.

    A model's values are validated before any request; the item at its id is replaced.
    """
    if model is not None:
        if item is not None or table is not None:
            raise DynamoDBToolingError(
                "put MODEL VALUES writes through the model; --item/--table are for raw items"
            )
        if values is None:
            raise DynamoDBToolingError(
                f"put {model} needs its values as JSON: dbtooling put {model} '{{\"name\": ...}}'"
            )
        saved = _put_model(
            model_class(model, models),
            parse_json_object(values, f"the values of {model}", "VALUES"),
        )
        if as_json:
            print_json(saved.to_json_dict())
        else:
            primary_key = type(saved).__definition__.primary_key
            out.print(f"Put {model} [bold]{escape(str(getattr(saved, primary_key)))}[/].")
        return
    if item is None:
        raise DynamoDBToolingError(
            "put needs a model and its values (put User '{...}') or a raw --item '{...}'"
        )
    name = table_name(table)
    raw = parse_json_object(item, "the item", "--item")
    get_client().put_item(name, raw)
    if as_json:
        print_json(raw)
    else:
        out.print(f"Put 1 item into [bold]{name}[/].")


def _put_model(cls: type[Model], values: dict[str, Any]) -> Model:
    instance = cls(**values)  # unknown and guarded attributes, casts
    instance.validate()  # validation rules and @validator methods
    instance.to_item()  # keys (delimiters, sizes) and the item's size
    saved: Model = cls.query().upsert(instance.to_values())
    return saved


def delete(
    model: ModelArgument = None,
    item_id: IdArgument = None,
    key: KeyOption = None,
    table: TableOption = None,
    models: ModelsOption = None,
    permanently: Annotated[
        bool,
        typer.Option("--permanently", help="soft-deleting models: delete for good"),
    ] = False,
    force: ForceOption = False,
) -> None:
    """Delete one item, by model and id or by its raw --key.

    A model using soft deletes is soft-deleted (--permanently deletes it for good). Asks
    first unless --force; a production environment needs --force; exits 1 when there is
    no such item.
    """
    target = _target(model, item_id, key, table)
    if isinstance(target, tuple):
        found = _find(model_class(target[0], models), target[1], with_trashed=permanently)
        label = " ".join(target)
        confirm_destructive(f"delete {label}", force)
        if permanently:
            found.force_delete()
        else:
            found.delete()
        out.print(f"Deleted {escape(label)}.")
        return
    name = table_name(table)
    parsed = parse_json_object(target, "the key", "--key")
    confirm_destructive(f"delete the item at {key} in {name}", force)
    response = get_client().delete_item(name, parsed, return_values="ALL_OLD")
    if "Attributes" not in response:
        raise DynamoDBToolingError(f"no item at --key {key} in table {name!r}; nothing deleted")
    out.print(f"Deleted 1 item from [bold]{name}[/].")


def _target(
    model: str | None, item_id: str | None, key: str | None, table: str | None
) -> tuple[str, str] | str:
    """``(model, id)`` for MODEL ID, the JSON text for --key; anything else is a clear
    error."""
    if key is not None:
        if model is not None:
            raise DynamoDBToolingError(
                "give either MODEL ID or --key, not both (--key addresses a raw item)"
            )
        return key
    if model is None or item_id is None:
        raise DynamoDBToolingError(
            'name the item: MODEL ID (e.g. User 01H...) or --key \'{"pk": ..., "sk": ...}\''
        )
    if table is not None:
        raise DynamoDBToolingError("--table is for raw --key items; a model uses its own table")
    return model, item_id


def _find(cls: type[Model], item_id: str, *, with_trashed: bool = False) -> Model:
    query = cls.query().with_trashed() if with_trashed else cls.query()
    found = query.find(item_id)
    if found is None:
        raise DynamoDBToolingError(f"no {cls.__name__} with id {item_id!r}")
    return found


def _show(values: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(values)
        return
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, value in values.items():
        shown = value if isinstance(value, str) else dumps(value)
        grid.add_row(Text(name), Text(shown))
    out.print(grid)
