"""The root ``dbtooling`` Typer application and its global options."""

from __future__ import annotations

from typing import Annotated

import typer

from dynamodb_tooling.config import load_config, set_config

app = typer.Typer(
    name="dbtooling",
    help="DynamoDB single-table tooling: local engine, tables, models, migrations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _global_options(
    env: Annotated[
        str | None,
        typer.Option("--env", envvar="DBTOOLING_ENV", help="named environment ([env.NAME])"),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option("--config", envvar="DBTOOLING_CONFIG", help="path to dbtooling.toml"),
    ] = None,
) -> None:
    """Load configuration once for every command (files, environment, .env)."""
    set_config(load_config(config, env=env))
