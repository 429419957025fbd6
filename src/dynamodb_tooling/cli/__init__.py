"""The ``dbtooling`` command line. Each command group lives in ``cli/commands/<name>.py`` and
registers itself on the root app with ``register(app)``."""

from __future__ import annotations

import sys

from dynamodb_tooling.cli._app import app
from dynamodb_tooling.cli.commands import demo, engine, migrate, schema
from dynamodb_tooling.cli.commands import seed as seed_commands
from dynamodb_tooling.errors import DynamoDBToolingError

for _module in (demo, engine, migrate, schema):
    _module.register(app)
seed_commands.register(app)


def main() -> None:
    """Entry point of the ``dbtooling`` console script: library errors print cleanly."""
    try:
        app()
    except DynamoDBToolingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)


__all__ = ["app", "main"]
