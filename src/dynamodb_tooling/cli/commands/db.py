"""``dbtooling db:fresh``: wipe the configured table, migrate it from nothing and seed it.

The guards come before anything is changed, in this order: a production configuration
(``production = true``, or an environment named ``production``/``prod``) and an endpoint that
is not a local engine (embedded, 127.0.0.1, ``localhost``, ``::1``) are refused without
``--force``; then the command asks for confirmation unless ``--force``. The seeders are
imported before the table is dropped, so a broken seeder folder changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from dynamodb_tooling.cli.commands._common import (
    JsonOption,
    ModelsOption,
    load_project_models,
    out,
    print_json,
)
from dynamodb_tooling.config import get_config, get_endpoint
from dynamodb_tooling.drivers import get_client
from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.migrations import UnsafeEndpointError, fresh
from dynamodb_tooling.migrations.api import is_local_executor
from dynamodb_tooling.schema import get_registry
from dynamodb_tooling.seeders import SeederResult, load_seeders, run_seeders


def register(app: typer.Typer) -> None:
    """Add ``db:fresh`` to the root app."""
    app.command("db:fresh")(db_fresh)


def db_fresh(
    models: ModelsOption = None,
    classes: Annotated[
        list[str] | None,
        typer.Option("--class", "-c", help="seeder to run (repeatable; default DatabaseSeeder)"),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="no confirmation; allow a production or non-local configuration"
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Drop the table with every item, migrate from nothing, then run the seeders.

    Refuses a production configuration and an endpoint that is not a local engine unless
    --force; otherwise asks first unless --force.
    """
    load_project_models(models)
    registry = get_registry()
    if not registry.models:
        raise DynamoDBToolingError(
            "no models found; put them under query_builder.models_path or pass --models PATH"
        )
    table = ", ".join(registry.tables())  # every table of the models (table=) is wiped
    client = get_client()
    guard(table, is_local=is_local_executor(client), force=force)
    load_seeders()  # a seeder folder that does not import fails before anything is dropped
    result = fresh(registry, client=client, force=True)
    seeded = run_seeders(classes or None, discover=False)
    if as_json:
        print_json(
            {"table": table, "migration": result.to_dict(), "seeders": [_seeded(s) for s in seeded]}
        )
        return
    out.print(result.summary(), markup=False)
    for found in seeded:
        written = ", ".join(f"{k} {v}" for k, v in sorted(found.written.items())) or "nothing"
        out.print(f"seeded {found.name}: {written}", markup=False)
    if not seeded:
        out.print("no seeders found: the table is empty", markup=False)


def guard(table: str, *, is_local: bool, force: bool) -> None:
    """Refuse production and non-local endpoints without ``--force``, then ask (unless
    ``--force``); raises with what to do."""
    if force:
        return
    config = get_config()
    if config.is_production:
        raise DynamoDBToolingError(
            f"refusing to wipe table {table} in the production environment "
            f"{config.environment or '(production = true)'!r} without --force"
        )
    if not is_local:
        where = get_endpoint(config) or f"AWS ({config.region})"
        raise UnsafeEndpointError(
            f"refusing to wipe table {table}: the endpoint {where} is not a local engine "
            "(embedded, 127.0.0.1, localhost, ::1); pass --force if you really mean to wipe it"
        )
    if not typer.confirm(
        f"Drop table {table} with every item, migrate and seed it?", default=False, err=True
    ):
        raise DynamoDBToolingError(f"did not wipe table {table}: not confirmed (pass --force)")


def _seeded(result: SeederResult) -> dict[str, Any]:
    return {
        "seeder": result.name,
        "items": result.items,
        "written": dict(sorted(result.written.items())),
        "requests": result.requests,
    }
