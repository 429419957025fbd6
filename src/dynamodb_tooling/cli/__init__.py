"""The ``dbtooling`` command line. Each command group lives in ``cli/commands/<name>.py`` and
registers itself on the root app with ``register(app)``."""

from __future__ import annotations

from dynamodb_tooling.cli._app import app
from dynamodb_tooling.cli.commands import ci as ci_commands
from dynamodb_tooling.cli.commands import console as console_commands
from dynamodb_tooling.cli.commands import data as data_commands
from dynamodb_tooling.cli.commands import db as db_commands
from dynamodb_tooling.cli.commands import demo, engine, migrate, schema
from dynamodb_tooling.cli.commands import env as env_commands
from dynamodb_tooling.cli.commands import make_model as make_model_commands
from dynamodb_tooling.cli.commands import models as models_commands
from dynamodb_tooling.cli.commands import query as query_commands
from dynamodb_tooling.cli.commands import seed as seed_commands
from dynamodb_tooling.cli.commands import table as table_commands
from dynamodb_tooling.cli.commands import transfer as transfer_commands

for _module in (demo, engine, migrate, schema):
    _module.register(app)
seed_commands.register(app)
make_model_commands.register(app)
table_commands.register(app)
query_commands.register(app)
data_commands.register(app)
models_commands.register(app)
console_commands.register(app)
transfer_commands.register(app)
env_commands.register(app)
ci_commands.register(app)
db_commands.register(app)


def main() -> None:
    """Entry point of the ``dbtooling`` console script (errors and exit codes: ``cli._app``)."""
    app()


__all__ = ["app", "main"]
