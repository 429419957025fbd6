"""``dbtooling start|stop|status|logs|reset``: the local DynamoDB-compatible server.

Each command builds a :class:`LocalServer` from the ``[local]`` configuration (flags of ``start``
override it) and reports what happened in a line or two.
"""

from __future__ import annotations

import codecs
import json
import time
from collections import deque
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from dynamodb_tooling.cli._app import EXIT_NOT_RUNNING
from dynamodb_tooling.config import LocalConfig, get_config
from dynamodb_tooling.engine import LocalEngine, LocalServer, ServerInfo, ServerStatus

# soft_wrap: paths, URLs and commands are printed whole, never broken for copying.
_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the local-server commands to the root ``dbtooling`` app."""
    app.command("start", help="Start the local DynamoDB-compatible server in the background.")(
        start
    )
    app.command("stop", help="Stop the local server.")(stop)
    app.command("status", help="Show whether the local server runs and answers.")(status)
    app.command("logs", help="Show the local server's log.")(logs)
    app.command("reset", help="Delete every table and item in the local server.")(reset)


def _server(overrides: dict[str, Any] | None = None) -> LocalServer:
    """The server of the ``[local]`` configuration, with ``overrides`` (from flags) applied."""
    local: LocalConfig = get_config().local
    return LocalServer.from_config(local.model_copy(update=overrides or {}))


def start(
    port: Annotated[
        int | None, typer.Option("--port", "-p", min=1, max=65535, help="port on 127.0.0.1")
    ] = None,
    engine: Annotated[
        LocalEngine | None, typer.Option("--engine", "-e", help="server to run")
    ] = None,
    jar: Annotated[
        Path | None, typer.Option("--jar", help="DynamoDBLocal.jar (for --engine dynamodb-local)")
    ] = None,
    in_memory: Annotated[
        bool, typer.Option("--in-memory", help="dynamodb-local: keep data in memory only")
    ] = False,
    db_path: Annotated[
        Path | None, typer.Option("--db-path", help="dynamodb-local: keep data in this directory")
    ] = None,
    wait: Annotated[
        float, typer.Option("--wait", min=0.0, help="seconds to wait for the server to answer")
    ] = 15.0,
) -> None:
    """Start the local DynamoDB-compatible server in the background."""
    if in_memory and db_path is not None:
        _err.print("[bold red]error:[/] choose either --in-memory or --db-path, not both")
        raise typer.Exit(1)
    flags: dict[str, Any] = {"port": port, "engine": engine, "jar_path": jar and str(jar)}
    overrides = {name: value for name, value in flags.items() if value is not None}
    if in_memory:
        overrides |= {"in_memory": True, "db_path": None}
    elif db_path is not None:
        overrides |= {"in_memory": False, "db_path": str(db_path)}
    server = _server(overrides)
    running = server.info()
    info = server.start(wait)
    if running is not None:
        _out.print(f"Already running: {_describe(info)}.")
        _note_ignored_flags(info, port, engine)
    else:
        _out.print(f"[green]Started[/] {_describe(info)}.")
        _print_usage_hint(info)


def stop() -> None:
    """Stop the local server."""
    server = _server()
    info = server.info()
    stopped = server.stop()
    if stopped and info is not None:
        _out.print(f"Stopped {info.engine} on {info.endpoint} (pid {info.pid}).")
    else:
        _out.print("No local server was running.")


def status(
    as_json: Annotated[bool, typer.Option("--json", help="print the status as JSON")] = False,
) -> None:
    """Show whether the local server runs and answers ``ListTables``.

    Exits 0 when it runs and answers, 1 when it runs but does not answer, 3 when it is not
    running (with --json too).
    """
    server = _server()
    state = server.status()
    if as_json:
        typer.echo(json.dumps(state.to_dict(), indent=2))
    else:
        _print_status(server, state)
    if not state.running:
        raise typer.Exit(EXIT_NOT_RUNNING)  # scripts: `dbtooling status || dbtooling start`
    if not state.healthy:
        raise typer.Exit(1)


def _print_status(server: LocalServer, state: ServerStatus) -> None:
    if not state.running:
        _out.print(
            f"[dim]○[/] not running (state in {escape(str(server.state_dir))}); "
            "start it with `dbtooling start`"
        )
        return
    uptime = _duration(state.uptime or 0.0)
    head = f"{state.engine} on {state.endpoint} (pid {state.pid}, up {uptime})"
    if state.healthy:
        tables = "table" if state.table_count == 1 else "tables"
        _out.print(f"[green]●[/] running: {head}, healthy, {state.table_count} {tables}")
    else:
        _out.print(
            f"[yellow]●[/] running: {head}, but not answering ListTables; see `dbtooling logs`"
        )


def logs(
    lines: Annotated[int, typer.Option("--lines", "-n", min=0, help="lines to show")] = 50,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="keep printing new lines until the server stops")
    ] = False,
) -> None:
    """Show the local server's log (``--follow`` until Ctrl-C or the server stops)."""
    server = _server()
    if not server.log_path.exists():
        _err.print(f"No log at {escape(str(server.log_path))} yet; start a server first.")
        return
    if not follow:
        for line in server.logs(lines):
            typer.echo(line)
        return
    with suppress(KeyboardInterrupt):  # Ctrl-C is how following ends
        _follow(server, lines)


def reset() -> None:
    """Delete every table and item (starts the server when it is not running)."""
    server = _server()
    running = server.info()
    info = server.reset()
    if running is None:
        _out.print(f"Nothing was running; [green]started[/] {_describe(info)} (empty).")
        _print_usage_hint(info)
    else:
        _out.print(f"Reset {_describe(info)}: every table and item deleted.")


def _note_ignored_flags(info: ServerInfo, port: int | None, engine: LocalEngine | None) -> None:
    if (port is not None and port != info.port) or (engine is not None and engine != info.engine):
        _out.print(
            "[yellow]note:[/] --port/--engine were not applied to the running server; "
            "run `dbtooling stop` first to start another one."
        )


def _describe(info: ServerInfo) -> str:
    return f"{info.engine} on [bold]{info.endpoint}[/] (pid {info.pid})"


def _print_usage_hint(info: ServerInfo) -> None:
    env = "DBTOOLING_ENGINE=local"
    if info.port != get_config().local.port:
        env += f" DBTOOLING_LOCAL__PORT={info.port}"
    _out.print(
        f"Point the library at it with [bold]{env}[/], or in dbtooling.toml "
        f'[bold]endpoint = "{info.endpoint}"[/].'
    )
    _out.print("Stop it with `dbtooling stop`; watch requests with `dbtooling logs -f`.")


def _duration(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def _follow(server: LocalServer, lines: int, interval: float = 0.25) -> None:
    """Print the last ``lines`` lines, then new output as it is written, like ``tail -f``."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    with server.log_path.open("rb") as log:
        tail = deque(log, maxlen=lines) if lines else deque[bytes]()
        _write(decoder.decode(b"".join(tail)))
        while True:
            if server.log_path.stat().st_size < log.tell():
                log.seek(0)  # a new server truncated the log
            _write(decoder.decode(log.read()))
            if server.info() is None:
                return
            time.sleep(interval)


def _write(text: str) -> None:
    if text:
        typer.echo(text, nl=False)  # like the non-follow path: drops colour codes unless a tty
