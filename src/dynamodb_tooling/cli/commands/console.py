"""``dbtooling console``: an interactive Python shell with your project preloaded.

The namespace holds every registered model class under its name, ``config`` (the active
configuration), ``client`` (the connected :class:`DynamoDBClient`), ``registry``,
``record_requests``, ``get_model``, ``transaction`` and ``table_name``. The shell is IPython or
ptpython when installed (``--shell auto``), else Python's own ``code.interact``; ``--shell``
picks one.
"""

from __future__ import annotations

import code
import importlib
import importlib.util
from enum import StrEnum
from typing import Annotated, Any

import typer

from dynamodb_tooling.cli.commands._common import ModelsOption, load_project_models
from dynamodb_tooling.config import full_table_name, get_config
from dynamodb_tooling.drivers import get_client, record_requests
from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.orm import get_model, transaction
from dynamodb_tooling.schema import get_registry


class Shell(StrEnum):
    auto = "auto"
    ipython = "ipython"
    ptpython = "ptpython"
    python = "python"


_MODULES = {Shell.ipython: "IPython", Shell.ptpython: "ptpython"}


def register(app: typer.Typer) -> None:
    """Add ``console`` to the root app."""
    app.command("console")(console)


def console(
    models: ModelsOption = None,
    shell: Annotated[
        Shell, typer.Option("--shell", help="auto: IPython, else ptpython, else python")
    ] = Shell.auto,
) -> None:
    """Start an interactive shell with models, config and a connected client.

    Preloaded: every model class by name, config, client, registry, record_requests,
    get_model, transaction and table_name.
    """
    load_project_models(models)
    namespace = console_namespace()
    chosen = _choose(shell)
    banner = _banner(namespace)
    if chosen is Shell.ipython:
        print(banner)
        importlib.import_module("IPython").start_ipython(argv=["--no-banner"], user_ns=namespace)
    elif chosen is Shell.ptpython:
        print(banner)
        importlib.import_module("ptpython.repl").embed(globals=namespace, locals=namespace)
    else:
        code.interact(banner=banner, local=namespace, exitmsg="")


def console_namespace() -> dict[str, Any]:
    """What the shell starts with (see the module docstring)."""
    registry = get_registry()
    namespace: dict[str, Any] = {d.name: get_model(d.name) for d in registry.models}
    namespace |= {
        "config": get_config(),
        "client": get_client(),
        "registry": registry,
        "record_requests": record_requests,
        "get_model": get_model,
        "transaction": transaction,
        "table_name": full_table_name(),
    }
    return namespace


def _choose(shell: Shell) -> Shell:
    if shell is Shell.auto:
        for candidate in (Shell.ipython, Shell.ptpython):
            if importlib.util.find_spec(_MODULES[candidate]) is not None:
                return candidate
        return Shell.python
    if shell in _MODULES and importlib.util.find_spec(_MODULES[shell]) is None:
        raise DynamoDBToolingError(
            f"{shell.value} is not installed; pip install {shell.value}, or use --shell python"
        )
    return shell


def _banner(namespace: dict[str, Any]) -> str:
    models = sorted(n for n, v in namespace.items() if isinstance(v, type) and n[:1].isupper())
    return (
        f"dbtooling console: table {namespace['table_name']}\n"
        f"models: {', '.join(models) or '(none)'}\n"
        "also: config, client, registry, record_requests, get_model, transaction, table_name"
    )
