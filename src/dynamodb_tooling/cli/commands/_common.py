"""What the table, data, models and console commands share: output, models, guards."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from dynamodb_tooling.config import full_table_name, get_config
from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.orm import Model, get_model, load_models
from dynamodb_tooling.schema import get_registry

# soft_wrap: names, keys and JSON are printed whole, never broken for copying.
out = Console(highlight=False, soft_wrap=True, emoji=False)  # data is printed as it is

JsonOption = Annotated[bool, typer.Option("--json", help="print JSON (for scripts)")]
TableOption = Annotated[
    str | None,
    typer.Option("--table", "-t", help="table name (default: the configured table)"),
]
ModelsOption = Annotated[
    Path | None,
    typer.Option("--models", help="models folder (default: query_builder.models_path)"),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="do not ask; also required in a production environment")
]


def table_name(table: str | None) -> str:
    """``--table`` as given, else the configured table with its prefix and suffix."""
    return table or full_table_name()


def load_project_models(models: Path | None = None) -> None:
    """Register the project's models: ``--models`` (which must exist), else the configured
    ``query_builder.models_path`` when that folder exists."""
    if models is not None:
        load_models(models)
        return
    folder = Path(get_config().query_builder.models_path)
    if folder.is_dir():
        load_models(folder)


def model_class(name: str, models: Path | None = None) -> type[Model]:
    """The registered model ``name`` after loading the project's models (the error lists the
    known names)."""
    load_project_models(models)
    if name not in get_registry():
        known = ", ".join(m.name for m in get_registry().models) or "none"
        where = models or get_config().query_builder.models_path
        raise DynamoDBToolingError(
            f"no model named {name!r} (models loaded from {str(where)!r}: {known}); "
            "pass --models PATH or set query_builder.models_path"
        )
    return get_model(name)


def parse_json(text: str, what: str, option: str) -> Any:
    """JSON from the command line, numbers kept exact (``Decimal``, never a float)."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise DynamoDBToolingError(
            f"{option} is not valid JSON ({exc.msg} at column {exc.colno}); "
            f'give {what} as a JSON object in single quotes, e.g. \'{{"name": "Ada"}}\''
        ) from None


def parse_json_object(text: str, what: str, option: str) -> dict[str, Any]:
    value = parse_json(text, what, option)
    if not isinstance(value, dict):
        raise DynamoDBToolingError(
            f"{option} must be a JSON object ({{...}}), got {type(value).__name__}"
        )
    return value


def _jsonable(value: Any) -> Any:
    """Python values of items → JSON types: exact decimals stay numbers when a float reads
    back as the same value, else a string; sets become sorted lists, bytes base64."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in value), key=repr)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(data: Any) -> str:
    """``data`` as indented JSON text (item values converted by :func:`_jsonable`)."""
    return json.dumps(data, indent=2, default=_jsonable, ensure_ascii=False)


def print_json(data: Any) -> None:
    out.print(dumps(data), markup=False)


def confirm_destructive(action: str, force: bool) -> None:
    """Refuse a production environment without ``--force``; otherwise ask unless ``--force``.

    ``action`` completes "refusing to ...": ``"delete table MainTable"``.
    """
    if force:
        return
    config = get_config()
    if config.is_production:
        raise DynamoDBToolingError(
            f"refusing to {action} in the production environment "
            f"{config.environment or '(production = true)'!r} without --force"
        )
    if not typer.confirm(f"Really {action}?", default=False, err=True):
        raise DynamoDBToolingError(f"did not {action}: not confirmed (pass --force to skip)")
