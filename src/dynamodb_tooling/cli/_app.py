"""The root ``dbtooling`` Typer application, its global options and how errors end a command.

Exit codes, for every command:

* ``0`` — done;
* ``1`` — a user or library error (bad input, a model that does not validate, a table that
  does not exist, an engine that cannot be reached, a refused production environment, a
  declined confirmation), printed as one line ``error: ...`` on stderr;
* ``2`` — a usage error (unknown option, missing argument), reported by Typer/Click;
* ``3`` — the local engine is not running (``dbtooling status``; ``reset`` without ``--start``).

Tracebacks are printed only with ``--debug``; without it an unexpected exception is one line
too, naming its type and saying to rerun with ``--debug``.
"""

from __future__ import annotations

from importlib import metadata
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from dynamodb_tooling import __version__
from dynamodb_tooling.config import load_config, set_config
from dynamodb_tooling.errors import DynamoDBToolingError

#: The exit code of ``dbtooling status`` and ``reset`` when no engine runs (LSB's "program is
#: not running").
EXIT_NOT_RUNNING = 3

_err = Console(stderr=True, highlight=False, soft_wrap=True)


def report_error(message: str) -> None:
    """Print ``error: message`` on stderr, the one way every command reports a failure."""
    _err.print(f"[bold red]error:[/] {escape(message)}")


class ReportingGroup(TyperGroup):
    """The root command group: a library error becomes one line and exit code 1 (under
    ``CliRunner`` too, which calls the group rather than ``main()``); ``--debug`` lets the
    exception through with its traceback."""

    # ``ctx`` is Typer's vendored click Context (``typer._click``), private to Typer.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # usage errors (exit 2), exits and aborts: Typer reports them
        except DynamoDBToolingError as exc:
            if ctx.params.get("debug"):
                raise
            report_error(str(exc))
            raise typer.Exit(1) from exc
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            report_error(
                f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for the traceback)"
            )
            raise typer.Exit(1) from exc


app = typer.Typer(
    name="dbtooling",
    cls=ReportingGroup,
    help=(
        "DynamoDB single-table tooling: local engine, tables, models, data, migrations. "
        "Exit codes: 0 ok, 1 error, 2 usage error, 3 engine not running (status, reset)."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: docstrings and option help are shown as written
    pretty_exceptions_enable=False,
    add_completion=False,
)


def version() -> str:
    """The installed version of dynamodb-tooling."""
    try:
        return metadata.version("dynamodb-tooling")
    except metadata.PackageNotFoundError:  # a source checkout that is not installed
        return __version__


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"dbtooling {version()}")
        raise typer.Exit()


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
    debug: Annotated[
        bool, typer.Option("--debug", help="show tracebacks instead of one-line errors")
    ] = False,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="print the version and exit",
        ),
    ] = False,
) -> None:
    """Load configuration once for every command (files, environment, .env)."""
    set_config(load_config(config, env=env))
