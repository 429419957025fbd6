"""``dbtooling seed``, ``make:factory`` and ``make:seeder``: seed data and its scaffolding.

``seed`` imports the models (``query_builder.models_path``, when that folder exists), the
factories (``query_builder.factories_path``) and the seeders (``query_builder.seeders_path``
or ``--path``), runs ``--class NAME`` (repeatable) or ``DatabaseSeeder`` (else every seeder),
dependencies first, on the configured table, and prints what each wrote.

``make:factory NAME`` / ``make:seeder NAME`` write a module from a template into the
configured folder (or ``--path``); an existing file is kept unless ``--force``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dynamodb_tooling.config import get_config
from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.orm import get_model, load_models
from dynamodb_tooling.schema import get_registry
from dynamodb_tooling.seeders import SeederResult, run_seeders

_out = Console(highlight=False, soft_wrap=True)

PathOption = Annotated[
    Path | None, typer.Option("--path", help="folder (default: from the configuration)")
]
ForceOption = Annotated[bool, typer.Option("--force", help="overwrite an existing file")]


def register(app: typer.Typer) -> None:
    """Add ``seed``, ``make:factory`` and ``make:seeder`` to the root app."""
    app.command("seed", help="Run the seeders (DatabaseSeeder, or --class NAME).")(seed)
    app.command("make:factory", help="Write a model factory module from a template.")(make_factory)
    app.command("make:seeder", help="Write a seeder module from a template.")(make_seeder)


def _load_models() -> None:
    models = Path(get_config().query_builder.models_path)
    if models.is_dir():
        load_models(models)


def seed(
    classes: Annotated[
        list[str] | None, typer.Option("--class", "-c", help="seeder to run (repeatable)")
    ] = None,
    path: PathOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the results as JSON")] = False,
) -> None:
    """Run seeders on the configured table and report what each wrote."""
    _load_models()
    results = run_seeders(classes or None, path=path, discover=True)
    if as_json:
        _out.print(json.dumps([_as_dict(r) for r in results], indent=2), markup=False)
        return
    _out.print(_table(results))


def _as_dict(result: SeederResult) -> dict[str, Any]:
    return {
        "seeder": result.name,
        "items": result.items,
        "written": dict(sorted(result.written.items())),
        "requests": result.requests,
        "seconds": round(result.seconds, 3),
    }


def _table(results: list[SeederResult]) -> Table:
    table = Table(title=f"Seeded {get_config().default_table_name}")
    for column in ("seeder", "items written", "requests", "seconds"):
        table.add_column(column, justify="left" if column == "seeder" else "right")
    for result in results:
        written = ", ".join(f"{k} {v}" for k, v in sorted(result.written.items())) or "0"
        table.add_row(result.name, written, str(result.requests), f"{result.seconds:.2f}")
    return table


# Scaffolding.
_FACTORY = '''"""The factory of {model}: fake {model} models for tests and seeding."""

{stdlib}from typing import Any

from dynamodb_tooling.factories import Factory
{model_import}

class {name}(Factory[{model}]):
    """``{model}.factory()``: named states are methods returning ``self.state(...)``."""

    def definition(self) -> dict[str, Any]:
        return {{
{fields}        }}
'''

_SEEDER = '''"""{name}: seed data (``dbtooling seed --class {name}``)."""

from dynamodb_tooling.seeders import Seeder
{imports}

class {name}(Seeder):
    #: Seeders that must run first (classes or names).
    depends_on = ()

    def run(self) -> None:
        """Write the data, e.g. ``User.factory().count(10).create()``, or call other
        seeders with ``self.call(UserSeeder, PostSeeder)``."""
{body}'''

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _file_for(name: str, folder: Path, force: bool) -> Path:
    if not _NAME.match(name):
        raise DynamoDBToolingError(f"{name!r} is not a Python class name (letters, digits, _)")
    file = folder / f"{re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()}.py"
    if file.exists() and not force:
        raise DynamoDBToolingError(f"{file} exists; pass --force to overwrite it")
    folder.mkdir(parents=True, exist_ok=True)
    return file


def make_factory(
    name: Annotated[str, typer.Argument(help="class name, e.g. UserFactory")],
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="model (default: NAME without Factory)")
    ] = None,
    path: PathOption = None,
    force: ForceOption = False,
) -> None:
    """Write ``<factories_path>/<name>.py``: a Factory subclass for the model."""
    model_name = model or (name.removesuffix("Factory") or name)
    folder = path or Path(get_config().query_builder.factories_path)
    file = _file_for(name, folder, force)
    _load_models()
    file.write_text(factory_source(name, model_name), encoding="utf-8")
    _out.print(f"wrote {file}")


def factory_source(name: str, model: str) -> str:
    """The text of factory module ``name`` for ``model``: a definition line per attribute when
    the model is registered (``make:factory``, ``make:model --factory``)."""
    model_import, fields = _model_parts(model)
    stdlib = "import datetime\n" if "datetime.UTC" in fields else ""  # sorted before typing
    return _FACTORY.format(
        name=name, model=model, model_import=model_import, fields=fields, stdlib=stdlib
    )


def _model_parts(model: str) -> tuple[str, str]:
    """The import of ``model`` and a definition line per attribute (when it is registered)."""
    registry = get_registry()
    if model not in registry:
        how = f'\nfrom dynamodb_tooling import get_model\n\n{model} = get_model("{model}")\n'
        return how, '            # "name": self.faker.name(),\n'
    cls = get_model(model)
    module = cls.__module__
    if module.startswith("_") or module == "dynamodb_tooling.orm.define":
        how = f'\nfrom dynamodb_tooling import get_model\n\n{model} = get_model("{model}")\n'
    else:
        how = f"\nfrom {module} import {model}\n"
    attributes = registry.model(model).attributes
    lines = [
        f'            "{a.name}": {_unique(a.unique, _faker_call(a.name, a.type))},\n'
        for a in attributes
    ]
    return how, "".join(lines) or "            # no attributes\n"


def _faker_call(name: str, kind: str) -> str:
    by_type = {
        "integer": "self.faker.random_int(0, 100)",
        "number": "self.faker.pydecimal(left_digits=3, right_digits=2, positive=True)",
        "decimal": "self.faker.pydecimal(left_digits=3, right_digits=2, positive=True)",
        "boolean": "self.faker.pybool()",
        "datetime": "self.faker.date_time(tzinfo=datetime.UTC)",
        "date": "self.faker.date_object()",
        "list": "self.faker.words(3)",
        "map": '{"note": self.faker.word()}',
        "string_set": "set(self.faker.words(3, unique=True))",
        "number_set": "{self.faker.random_int(0, 100)}",
    }
    if kind in by_type:
        return by_type[kind]
    for fragment, call in (("email", "unique.email"), ("name", "name"), ("title", "sentence")):
        if fragment in name:
            return f"self.faker.{call}()"
    return "self.faker.word()"


def _unique(unique: bool, call: str) -> str:
    """Faker's ``unique`` proxy for a unique attribute: no two fakes collide on its sentinel."""
    if unique and call.startswith("self.faker.") and ".unique." not in call:
        return call.replace("self.faker.", "self.faker.unique.", 1)
    return call


def make_seeder(
    name: Annotated[str, typer.Argument(help="class name, e.g. UserSeeder")],
    path: PathOption = None,
    force: ForceOption = False,
) -> None:
    """Write ``<seeders_path>/<name>.py``: a Seeder subclass."""
    folder = path or Path(get_config().query_builder.seeders_path)
    file = _file_for(name, folder, force)
    file.write_text(seeder_source(name), encoding="utf-8")
    _out.print(f"wrote {file}")


def seeder_source(name: str, *, imports: str = "", body: str = "") -> str:
    """The text of seeder module ``name``; ``imports`` (lines) and ``body`` (statements of
    ``run``, indented 8 spaces) fill it in (``make:model --seeder`` seeds with the factory)."""
    return _SEEDER.format(name=name, imports=imports, body=body)
