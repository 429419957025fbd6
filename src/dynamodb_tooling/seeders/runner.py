"""``run_seeders``: discover seeders and run them, dependencies first.

>>> run_seeders()                          # doctest: +SKIP
[SeederResult(name='UserSeeder', ...), SeederResult(name='DatabaseSeeder', ...)]
>>> run_seeders(["PostSeeder"], path="database/seeders")   # doctest: +SKIP

Which seeders run: the ones named (classes or registered names), each after its
``depends_on``; with no names, ``DatabaseSeeder`` when there is one (Laravel's convention: it
``call``-s the others), else every registered seeder (by name, dependencies first). Before
running, the seeder modules under ``path`` (default ``query_builder.seeders_path``) are
imported, and the factory modules under ``query_builder.factories_path`` when that folder
exists, so their factories are ``Model.factory()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dynamodb_tooling.config import get_config
from dynamodb_tooling.factories import load_factories
from dynamodb_tooling.factories._imports import import_folder
from dynamodb_tooling.factories.errors import SeederError
from dynamodb_tooling.seeders.seeder import (
    Seeder,
    SeederResult,
    SeederRun,
    registered_seeders,
)

__all__ = ["DEFAULT_SEEDER", "arun_seeders", "load_seeders", "run_seeders"]

#: What runs when no seeder is named, when it exists.
DEFAULT_SEEDER = "DatabaseSeeder"

Names = Sequence[type[Seeder] | str] | None


def load_seeders(path: str | Path | None = None) -> dict[str, type[Seeder]]:
    """Import every seeder module under ``path`` (default ``query_builder.seeders_path``) and
    the factories of ``query_builder.factories_path`` (when that folder exists); returns the
    registered seeders by name."""
    config = get_config().query_builder
    factories = Path(config.factories_path)
    if factories.is_dir():
        load_factories(factories)
    folder = Path(config.seeders_path if path is None else path)
    import_folder(folder, what="seeders", setting="query_builder.seeders_path", error=SeederError)
    return registered_seeders()


def _chosen(names: Names, path: str | Path | None, discover: bool) -> list[type[Seeder] | str]:
    if discover:
        load_seeders(path)
    if names:
        return list(names)
    known = registered_seeders()
    if DEFAULT_SEEDER in known:
        return [DEFAULT_SEEDER]
    return [*sorted(known)]


def _run() -> SeederRun:
    return SeederRun(get_config().single_table_design.entity_type_attribute)


def run_seeders(
    names: Names = None, *, path: str | Path | None = None, discover: bool | None = None
) -> list[SeederResult]:
    """Run seeders (see the module docstring); returns what ran, in order, with its counts.

    ``discover`` (default: when ``path`` is given or a name is a string, or no name is given)
    imports the seeder folder first.
    """
    run = _run()
    run.run_each(_chosen(names, path, _discovering(names, path, discover)))
    return run.results


async def arun_seeders(
    names: Names = None, *, path: str | Path | None = None, discover: bool | None = None
) -> list[SeederResult]:
    """The async twin of :func:`run_seeders` (each seeder's ``arun``)."""
    run = _run()
    await run.arun_each(_chosen(names, path, _discovering(names, path, discover)))
    return run.results


def _discovering(names: Names, path: str | Path | None, discover: bool | None) -> bool:
    if discover is not None:
        return discover
    return path is not None or not names or any(isinstance(n, str) for n in names)
