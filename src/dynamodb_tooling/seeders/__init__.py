"""Seeders: classes that fill the table with data, run in dependency order (Laravel's).

See :mod:`.seeder` (the base class, ``call``, ``depends_on``) and :mod:`.runner`
(``run_seeders``, discovery from ``query_builder.seeders_path``), and ``docs/factories.md``.
"""

from dynamodb_tooling.factories.errors import SeederError
from dynamodb_tooling.seeders.runner import (
    DEFAULT_SEEDER,
    arun_seeders,
    load_seeders,
    run_seeders,
)
from dynamodb_tooling.seeders.seeder import (
    Seeder,
    SeederResult,
    SeederRun,
    forget_seeders,
    registered_seeders,
)

__all__ = [
    "DEFAULT_SEEDER",
    "Seeder",
    "SeederError",
    "SeederResult",
    "SeederRun",
    "arun_seeders",
    "forget_seeders",
    "load_seeders",
    "registered_seeders",
    "run_seeders",
]
