"""``dbtooling start|stop|status|logs|reset``: the local DynamoDB-compatible server.

Each command builds a :class:`LocalServer` from the ``[local]`` configuration (flags of ``start``
override it) and reports what happened in a line or two.
"""

from __future__ import annotations

import codecs
import json
import time
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dynamodb_tooling.cli._app import EXIT_NOT_RUNNING
from dynamodb_tooling.config import LocalConfig, get_config
from dynamodb_tooling.engine import (
    LocalEngine,
    LocalServer,
    RequestFilter,
    RequestLogFollower,
    RequestRecord,
    ServerInfo,
    ServerStatus,
)

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
    app.command("logs")(logs)  # help: the docstrings
    app.command("reset")(reset)


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
            f"[yellow]●[/] running: {head}, but not answering ListTables; "
            "see `dbtooling logs --server-log`"
        )


def logs(
    lines: Annotated[int, typer.Option("--lines", "-n", min=0, help="requests to show")] = 50,
    follow: Annotated[
        bool,
        typer.Option("--follow", "-f", help="keep printing new requests until the server stops"),
    ] = False,
    table: Annotated[
        str | None, typer.Option("--table", "-t", help="only requests to this table")
    ] = None,
    operation: Annotated[
        str | None,
        typer.Option("--operation", "-o", help="only this operation, e.g. PutItem"),
    ] = None,
    errors: Annotated[
        bool, typer.Option("--errors", help="only failed requests (HTTP status 400 and above)")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="print the log's JSON lines as written")
    ] = False,
    server_log: Annotated[
        bool,
        typer.Option(
            "--server-log", help="show the server's own output (start-up, failures) instead"
        ),
    ] = False,
) -> None:
    """Show the requests the local server served: operation, table, status, error, time.

    A table on a terminal, one line per request when piped or with --follow (until Ctrl-C
    or the server stops), the log's JSON lines with --json. The moto engine logs every
    request; DynamoDB Local logs none, so for it (and with --server-log) this shows the
    server's own output.
    """
    server = _server()
    only = RequestFilter(table=table, operation=operation, errors=errors)
    filtered = only != RequestFilter()
    if server_log or (not server.request_log_path.exists() and server.log_path.exists()):
        if filtered or as_json:
            reason = "--server-log shows the server's output" if server_log else None
            _err.print(
                "[bold red]error:[/] --table, --operation, --errors and --json need the request "
                f"log, and {reason or _why_no_request_log(server)}"
            )
            raise typer.Exit(1)
        if not server_log:
            _err.print(f"[dim]{_why_no_request_log(server)}; showing its output:[/]")
        _show_server_log(server, lines, follow)
        return
    if not server.request_log_path.exists():
        _err.print(
            f"No request log at {escape(str(server.request_log_path))} yet; start a server "
            "with `dbtooling start`."
        )
        return
    records = server.requests(lines, only)
    if follow:
        with suppress(KeyboardInterrupt):  # Ctrl-C is how following ends
            _follow_requests(server, records, only, as_json)
    elif as_json:
        for record in records:
            typer.echo(record.raw)
    elif records:
        console = Console(highlight=False)
        if console.is_terminal:
            console.print(_requests_table(records))
        else:  # piped: one line per request, for grep and friends
            for record in records:
                typer.echo(request_line(record))
    else:
        what = "matches the filters" if filtered else "has been logged yet"
        _err.print(f"No request {what}.")


def _why_no_request_log(server: LocalServer) -> str:
    info = server.info()
    engine = info.engine if info is not None else server.engine
    if engine == "dynamodb-local":
        return "DynamoDB Local logs no requests (the moto engine does)"
    return f"the server wrote no request log ({server.request_log_path.name})"


def _show_server_log(server: LocalServer, lines: int, follow: bool) -> None:
    if not server.log_path.exists():
        _err.print(f"No log at {escape(str(server.log_path))} yet; start a server first.")
        return
    if not follow:
        for line in server.logs(lines):
            typer.echo(line)
        return
    with suppress(KeyboardInterrupt):  # Ctrl-C is how following ends
        _follow(server, lines)


def _status_style(status: int) -> str:
    return "green" if status < 300 else "yellow" if status < 400 else "red"


def _requests_table(records: list[RequestRecord]) -> Table:
    """The records as a table; the index, error and capacity columns only when used."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("UTC", no_wrap=True)
    table.add_column("operation", min_width=11, overflow="fold")
    table.add_column("table", min_width=8, overflow="fold")
    table.add_column("status", justify="right", no_wrap=True)
    table.add_column("ms", justify="right", no_wrap=True)
    columns: list[Callable[[RequestRecord], str | Text]] = [
        lambda r: _clock(r.time),
        lambda r: r.operation,
        lambda r: r.table or "",
        lambda r: Text(str(r.status), style=_status_style(r.status)),
        lambda r: f"{r.ms:.1f}" if r.ms is not None else "",
    ]
    if any(r.index for r in records):
        table.add_column("index", min_width=5, overflow="fold")
        columns.append(lambda r: r.index or "")
    if any(r.capacity is not None for r in records):
        table.add_column("capacity", justify="right", no_wrap=True)
        columns.append(lambda r: f"{r.capacity:g}" if r.capacity is not None else "")
    if any(r.error for r in records):
        table.add_column("error", min_width=12, overflow="fold")
        columns.append(lambda r: Text(r.error or "", style="red"))
    for record in records:
        table.add_row(*(cell(record) for cell in columns))
    return table


def _clock(stamp: str) -> str:
    """``2026-11-29T23:01:02.345Z`` → ``23:01:02.345`` (the date is in --json)."""
    return stamp.partition("T")[2].rstrip("Z") or stamp


def request_line(record: RequestRecord) -> str:
    """One request as a line of ``dbtooling logs -f``."""
    where = record.table or "-"
    if record.index:
        where += f" ({record.index})"
    ms = f"{record.ms:.1f} ms" if record.ms is not None else ""
    parts = [_clock(record.time), str(record.status), f"{record.operation:<18}", f"{where:<24}"]
    parts.append(f"{ms:>9}")
    if record.capacity is not None:
        parts.append(f"{record.capacity:g} CU")
    if record.error:
        parts.append(record.error + (f": {record.message}" if record.message else ""))
    return " ".join(parts).rstrip()


def _follow_requests(
    server: LocalServer,
    tail: list[RequestRecord],
    only: RequestFilter,
    as_json: bool,
    interval: float = 0.25,
) -> None:
    """Print ``tail``, then each request as it is logged, until the server stops."""
    follower = RequestLogFollower(server.request_log_path, only)
    follower.start_at_end()
    try:
        records = tail
        while True:
            for record in records:
                typer.echo(record.raw if as_json else request_line(record))
            if server.info() is None:
                for record in follower.poll():  # what was written while it stopped
                    typer.echo(record.raw if as_json else request_line(record))
                return
            time.sleep(interval)
            records = follower.poll()
    finally:
        follower.close()


def reset(
    start: Annotated[
        bool, typer.Option("--start", help="start the server when it is not running, then reset")
    ] = False,
    wait: Annotated[
        float, typer.Option("--wait", min=0.0, help="seconds to wait for a started server")
    ] = 15.0,
) -> None:
    """Delete every table and item in the running local server.

    A stopped server is not started: reset says so and exits 3 (as status does), unless
    --start is given, which starts it and then resets it.
    """
    server = _server()
    running = server.info()
    if running is None and not start:
        _err.print(
            f"No local server is running (state in {escape(str(server.state_dir))}); nothing "
            "was reset. Start one with `dbtooling start`, or run `dbtooling reset --start`."
        )
        raise typer.Exit(EXIT_NOT_RUNNING)
    info = server.reset(wait, start=True)
    if running is None:
        _out.print(f"[green]Started[/] {_describe(info)} and reset it: no tables, no items.")
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
