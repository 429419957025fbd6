"""``dbtooling demo``: the blog example app, end to end, on an engine of its own.

Loads :mod:`dynamodb_tooling.examples.blog` (never your models or registry), prints the
single-table design derived from it, migrates (creates the table), seeds a few hundred items
with factories and seeders, runs every access pattern of the registry with its requests and
timing, compares lazy and eager loading, explains a good query and a bad one, and sums up.

It runs on a fresh embedded engine (moto on a free 127.0.0.1 port, stopped at the end)
unless ``--use-config`` asks for the configured engine (with a table of its own, deleted
at the end unless ``--keep``). :mod:`._demo_run` runs the steps of :mod:`._demo_tour` on the
target of :mod:`._demo_target` and prints them with :mod:`._demo_render`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dynamodb_tooling.cli.commands._common import JsonOption

__all__ = ["demo", "register"]


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


UseConfigOption = Annotated[
    bool,
    typer.Option(
        "--use-config",
        help="run on the configured engine (files, DBTOOLING_*, --env) with a new table of "
        "its own instead of a fresh embedded engine; on AWS this creates a real table",
    ),
]
KeepOption = Annotated[
    bool,
    typer.Option(
        "--keep",
        help="keep the demo's table afterwards (with --use-config; the embedded engine "
        "stops at the end, taking its tables with it)",
    ),
]


def demo(
    use_config: UseConfigOption = False, keep: KeepOption = False, json: JsonOption = False
) -> None:
    """Run the blog example app on an engine of its own: design, migrate, seed, queries.

    Every access pattern with its requests and timing, lazy vs eager loading, explain() of
    a good and a bad query. By default on a fresh embedded engine: your configured endpoint
    and table are never touched."""
    # Imported here: the blog app (its models, factories, Faker) loads when the demo runs,
    # not with every dbtooling command.
    from dynamodb_tooling.cli.commands._demo_run import run_demo

    run_demo(use_config=use_config, keep=keep, json=json)
