"""``dbtooling ci:validate|migrate|test``: the checks a CI pipeline runs, non-interactive.

* ``ci:validate`` loads the models (``--models`` or ``query_builder.models_path``) into a
  registry of their own and checks, in order, that every model loads and builds its class,
  that the registry resolves (relations, GSI slots, keys), that the table definition builds
  and that the access patterns are derived. Every problem is reported; exit 1 when any.
* ``ci:migrate`` runs ``migrations.migrate()`` without prompts and prints its result as JSON;
  exit 1 when it fails, including a plan with destructive changes and no ``--force``.
* ``ci:test`` runs ``pytest`` in a subprocess: the dbtooling pytest plugin's
  ``dynamodb_app_table`` gives the tests a uniquely named table of their own, on the embedded
  engine (``DYNAMODB_ENDPOINT`` is cleared) or on ``--endpoint``. Arguments after ``--`` go to
  pytest; the exit code is pytest's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from dynamodb_tooling.cli.commands._common import JsonOption, ModelsOption, out, print_json
from dynamodb_tooling.config import get_config
from dynamodb_tooling.drivers import get_client
from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.migrations import DestructiveChangeError, RunOptions, migrate
from dynamodb_tooling.orm import load_models
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.discovery import load_definitions

#: The variable the pytest plugin reads for its endpoint (``testing.plugin``).
ENDPOINT_VARIABLE = "DYNAMODB_ENDPOINT"


def register(app: typer.Typer) -> None:
    """Add ``ci:validate``, ``ci:migrate`` and ``ci:test`` to the root app."""
    app.command("ci:validate")(validate)
    app.command("ci:migrate")(ci_migrate)
    app.command(
        "ci:test", context_settings={"allow_interspersed_args": False}, no_args_is_help=False
    )(ci_test)


def _models_folder(models: Path | None) -> Path:
    return models if models is not None else Path(get_config().query_builder.models_path)


def validation_report(models: Path | None) -> dict[str, Any]:
    """What ``ci:validate`` prints: the models, the table and every problem found."""
    folder = _models_folder(models)
    registry = Registry(get_config())
    report: dict[str, Any] = {"models_path": str(folder), "models": [], "problems": []}

    def check(stage: str, step: Callable[[], None]) -> bool:
        try:
            step()
        except Exception as exc:  # every problem is reported, whatever raised it
            report["problems"].append({"stage": stage, "error": _message(exc)})
            return False
        return True

    def load() -> None:
        if not folder.is_dir():
            raise DynamoDBToolingError(
                f"models folder {str(folder)!r} does not exist; pass --models PATH or set "
                "query_builder.models_path"
            )
        report["models"] = sorted(cls.__name__ for cls in load_models(folder, registry=registry))
        if not report["models"]:
            raise DynamoDBToolingError(f"no models found under {str(folder)!r}")

    def table() -> None:
        definition = registry.table_definition()
        report["table"] = definition["TableName"]
        report["gsis"] = [i["IndexName"] for i in definition.get("GlobalSecondaryIndexes", [])]
        report["lsis"] = [i["IndexName"] for i in definition.get("LocalSecondaryIndexes", [])]
        report["tables"] = list(registry.table_definitions())  # models with table= have theirs

    def patterns() -> None:
        report["access_patterns"] = len(registry.access_patterns())

    stages = (
        ("load", load),
        ("resolve", lambda: _touch(registry.schema)),
        ("table", table),
        ("access_patterns", patterns),
    )
    for stage, step in stages:
        if not check(stage, step):
            break  # each stage needs the one before it
    report["ok"] = not report["problems"]
    return report


def _touch(value: object) -> None:
    """Reading a lazily derived registry property is what resolves it."""


def _message(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, DynamoDBToolingError):
        return text
    return f"{type(exc).__name__}: {text}"


def validate(models: ModelsOption = None, as_json: JsonOption = False) -> None:
    """Check that the models load, the registry resolves and the table builds (exit 1 if not).

    Stages, each needing the one before: load (models import and build), resolve (relations,
    GSI slots, keys), table (the CreateTable definition), access_patterns.
    """
    report = validation_report(models)
    if as_json:
        print_json(report)
    elif report["ok"]:
        out.print(
            f"ok: {len(report['models'])} model(s) ({', '.join(report['models'])}), "
            f"table {report['table']} with {len(report['gsis'])} GSI(s), "
            f"{report['access_patterns']} access pattern(s)"
        )
    else:
        for problem in report["problems"]:
            out.print(f"problem ({problem['stage']}): {problem['error']}", markup=False)
    if not report["ok"]:
        raise typer.Exit(1)


def ci_migrate(
    models: ModelsOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="apply destructive changes (GSI drops...)")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="send nothing; report the plan")
    ] = False,
    backfill: Annotated[
        bool, typer.Option("--backfill/--no-backfill", help="backfill existing items")
    ] = True,
) -> None:
    """Migrate without prompts and print the result as JSON (exit 1 on failure)."""
    registry = Registry(get_config())
    load_definitions(_models_folder(models), registry=registry)
    try:
        result = migrate(
            registry,
            client=get_client(),
            dry_run=dry_run,
            force=force,
            backfill=backfill,
            options=RunOptions(),
        )
    except DynamoDBToolingError as exc:
        destructive = isinstance(exc, DestructiveChangeError)
        print_json(
            {
                "ok": False,
                "error": str(exc),
                "destructive": destructive,
                "hint": "rerun with --force to apply destructive changes" if destructive else None,
            }
        )
        raise typer.Exit(1) from exc
    failed = [s for one in result.tables.values() for s in one.steps if s.status == "failed"]
    print_json(
        {"ok": not failed, "changed": result.changed, "summary": result.summary()}
        | result.to_dict()
    )
    if failed:
        raise typer.Exit(1)


def pytest_command(
    pytest_args: list[str], *, endpoint: str | None, models: Path | None
) -> tuple[list[str], dict[str, str]]:
    """The ``pytest`` command line and environment ``ci:test`` runs."""
    command = [sys.executable, "-m", "pytest"]
    if models is not None:
        command += ["-o", f"dynamodb_models={models}"]
    environ = dict(os.environ)
    environ.pop(ENDPOINT_VARIABLE, None)
    if endpoint:
        environ[ENDPOINT_VARIABLE] = endpoint
    return [*command, *pytest_args], environ


def ci_test(
    pytest_args: Annotated[
        list[str] | None,
        typer.Argument(help="arguments for pytest, after -- (e.g. -- -x tests/unit)"),
    ] = None,
    endpoint: Annotated[
        str | None,
        typer.Option(
            "--endpoint",
            help="engine for the test table (default: an embedded engine); a non-local one "
            "also needs DBTOOLING_TEST_ALLOW_REMOTE=1",
        ),
    ] = None,
    models: Annotated[
        Path | None,
        typer.Option(
            "--models", help="models folder for the test table (pytest's dynamodb_models)"
        ),
    ] = None,
) -> None:
    """Run the project's tests on a throwaway table; exits with pytest's exit code.

    pytest runs in a subprocess; the dbtooling pytest plugin's dynamodb_app_table gives the
    tests a uniquely named table, deleted afterwards, on an embedded engine or --endpoint.
    """
    command, environ = pytest_command(pytest_args or [], endpoint=endpoint, models=models)
    done = subprocess.run(command, env=environ, check=False)
    raise typer.Exit(done.returncode)
