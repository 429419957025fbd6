"""A managed local server: a DynamoDB-compatible engine run as a detached background process.

``dbtooling start|stop|status|logs|reset`` drive a :class:`LocalServer`. The server runs moto
behind the embedded engine's serialising wrapper (``python -m dynamodb_tooling.engine``: one
request at a time, transaction tokens honoured) or AWS's DynamoDB Local
(``java -jar DynamoDBLocal.jar``) on 127.0.0.1,
in its own session so it outlives the command that started it. Files in the state directory
(``.dbtooling/`` by default) let any later process find it again:

- ``server.json``: pid, port, engine, start time and the exact command line;
- ``server.log``: the server's stdout and stderr (start-up, failures);
- ``requests.jsonl`` (moto only): one JSON line per request served, with operation, table,
  status, error and duration (see :mod:`dynamodb_tooling.engine._request_log`). DynamoDB Local
  logs no requests: ``dbtooling logs`` shows its ``server.log`` instead.

>>> server = LocalServer(port=8000, state_dir=".dbtooling")
>>> server.start().endpoint  # doctest: +SKIP
'http://127.0.0.1:8000'
"""

from __future__ import annotations

import json
import shlex
import shutil
import socket
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

import botocore.session
from botocore.config import Config as BotocoreConfig
from botocore.exceptions import BotoCoreError, ClientError

from dynamodb_tooling.config import LocalConfig
from dynamodb_tooling.engine._processes import pid_alive, runs_command, spawn_detached, terminate
from dynamodb_tooling.engine._request_records import RequestFilter, RequestRecord, read_request_log
from dynamodb_tooling.engine.embedded import EMBEDDED_CREDENTIALS, LOOPBACK
from dynamodb_tooling.errors import EngineError

LocalEngine = Literal["moto", "dynamodb-local"]

STATE_FILE = "server.json"
LOG_FILE = "server.log"
REQUEST_LOG_FILE = "requests.jsonl"
#: The file DynamoDB Local keeps all tables in when run with ``-sharedDb``.
SHARED_DB_FILE = "shared-local-instance.db"
DYNAMODB_LOCAL_DOWNLOAD = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
    "DynamoDBLocal.DownloadingAndRunning.html"
)


class EngineNotRunningError(EngineError):
    """The local server is not running and the operation would not start it."""


@dataclass(frozen=True)
class ServerInfo:
    """What ``server.json`` records about a started server."""

    pid: int
    port: int
    engine: LocalEngine
    started_at: datetime
    command: tuple[str, ...]
    #: DynamoDB Local's data directory; ``None`` when data lives in memory (always for moto).
    db_path: str | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def to_json(self) -> dict[str, Any]:
        return {
            "pid": self.pid,
            "port": self.port,
            "engine": self.engine,
            "started_at": self.started_at.isoformat(),
            "command": list(self.command),
            "db_path": self.db_path,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ServerInfo:
        engine = data["engine"]
        if engine not in ("moto", "dynamodb-local"):
            raise ValueError(f"unknown engine {engine!r}")
        return cls(
            pid=int(data["pid"]),
            port=int(data["port"]),
            engine=cast(LocalEngine, engine),
            started_at=datetime.fromisoformat(data["started_at"]),
            command=tuple(str(part) for part in data["command"]),
            db_path=data.get("db_path"),
        )


@dataclass(frozen=True)
class ServerStatus:
    """The state of the local server, as ``dbtooling status`` reports it."""

    running: bool
    pid: int | None
    port: int
    engine: LocalEngine
    endpoint: str
    #: Seconds since the server started; ``None`` when not running.
    uptime: float | None
    #: True when the server answered a ``ListTables`` call.
    healthy: bool
    table_count: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "pid": self.pid,
            "port": self.port,
            "engine": self.engine,
            "endpoint": self.endpoint,
            "uptime": self.uptime,
            "healthy": self.healthy,
            "table_count": self.table_count,
        }


def moto_command(
    port: int, python: str = sys.executable, request_log: Path | None = None
) -> list[str]:
    """The command line that serves the embedded engine (moto, serialised) on ``127.0.0.1:port``.

    Not ``python -m moto.server``: bare moto serves requests concurrently and loses writes.
    With ``request_log``, requests go to that file as JSON lines instead of HTTP access lines
    on stdout.
    """
    command = [python, "-m", "dynamodb_tooling.engine", "--host", LOOPBACK, "--port", str(port)]
    if request_log is not None:
        command += ["--quiet", "--request-log", str(request_log)]
    return command


def dynamodb_local_command(
    jar: Path, port: int, java: str = "java", db_path: Path | None = None
) -> list[str]:
    """The command line that runs DynamoDB Local on ``port``, in memory unless ``db_path`` is set.

    DynamoDB Local has no documented option to choose the interface it listens on; moto is
    bound to 127.0.0.1 explicitly.
    """
    storage = ["-dbPath", str(db_path)] if db_path is not None else ["-inMemory"]
    return [
        java,
        f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar),
        "-port",
        str(port),
        *storage,
        "-sharedDb",
    ]


class LocalServer:
    """Start, stop and inspect the local DynamoDB-compatible server recorded in ``state_dir``.

    Any :class:`LocalServer` with the same ``state_dir`` sees the same server, from any process.
    Relative paths are resolved against the current directory when the object is created.
    """

    def __init__(
        self,
        *,
        engine: LocalEngine = "moto",
        port: int = 8000,
        state_dir: str | Path = ".dbtooling",
        jar_path: str | Path | None = None,
        java_path: str = "java",
        in_memory: bool = True,
        db_path: str | Path | None = None,
    ) -> None:
        self.engine: LocalEngine = engine
        self.port = port
        self.state_dir = Path(state_dir).expanduser().resolve()
        self.jar_path = Path(jar_path).expanduser().resolve() if jar_path else None
        self.java_path = java_path
        self.in_memory = in_memory
        self.db_path = Path(db_path).expanduser().resolve() if db_path else None

    @classmethod
    def from_config(cls, config: LocalConfig) -> LocalServer:
        """A server with the ``[local]`` settings; a ``db_path`` means data is kept on disk."""
        return cls(
            engine=config.engine,
            port=config.port,
            state_dir=config.state_dir,
            jar_path=config.jar_path,
            java_path=config.java_path,
            in_memory=config.in_memory and config.db_path is None,
            db_path=config.db_path,
        )

    @property
    def state_path(self) -> Path:
        return self.state_dir / STATE_FILE

    @property
    def log_path(self) -> Path:
        return self.state_dir / LOG_FILE

    @property
    def request_log_path(self) -> Path:
        return self.state_dir / REQUEST_LOG_FILE

    @property
    def endpoint(self) -> str:
        """The endpoint of this object's port (a running server's own port may differ)."""
        return f"http://{LOOPBACK}:{self.port}"

    # -- lifecycle -------------------------------------------------------------------------

    def info(self) -> ServerInfo | None:
        """The running server's record, or ``None``; a stale record (process gone) is removed."""
        info = self._read_state()
        if info is not None and not runs_command(info.pid, info.command):
            self._clear_state()
            return None
        return info

    def start(self, wait: float = 15.0) -> ServerInfo:
        """Start the server in the background and wait until it answers; idempotent."""
        running = self.info()
        if running is not None:
            return running
        self._prepare_state_dir()
        command, db_path = self._command()
        return self._launch(command, self.port, self.engine, db_path, wait)

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop the recorded server (SIGTERM, then SIGKILL); ``False`` if none was running."""
        info = self.info()
        if info is None:
            return False
        terminate(info.pid, timeout)
        self._clear_state()
        return True

    def reset(self, wait: float = 15.0, *, start: bool = False) -> ServerInfo:
        """Delete every table and item of the running server.

        A stopped server is not started (:class:`EngineNotRunningError`) unless ``start`` is
        true: then it is started and reset (DynamoDB Local on disk keeps data between runs).
        """
        info = self.info()
        if info is None:
            if not start:
                raise EngineNotRunningError(
                    f"no local server is running (state in {self.state_dir}), so there is "
                    "nothing to reset; start one with `dbtooling start` (or reset(start=True) / "
                    "`dbtooling reset --start`)"
                )
            info = self.start(wait)
        if info.engine == "moto":
            _post_moto_reset(info.endpoint)
            return info
        self.stop()
        if info.db_path is not None:
            (Path(info.db_path) / SHARED_DB_FILE).unlink(missing_ok=True)
        return self._launch(list(info.command), info.port, info.engine, info.db_path, wait)

    def status(self, timeout: float = 2.0) -> ServerStatus:
        """Whether the server runs and answers ``ListTables``, with its table count."""
        info = self.info()
        if info is None:
            return ServerStatus(
                running=False,
                pid=None,
                port=self.port,
                engine=self.engine,
                endpoint=self.endpoint,
                uptime=None,
                healthy=False,
                table_count=None,
            )
        try:
            with DynamoDBProbe(info.endpoint, timeout) as probe:
                tables: int | None = probe.table_count()
        except EngineError:
            tables = None
        uptime = (datetime.now(UTC) - info.started_at).total_seconds()
        return ServerStatus(
            running=True,
            pid=info.pid,
            port=info.port,
            engine=info.engine,
            endpoint=info.endpoint,
            uptime=uptime,
            healthy=tables is not None,
            table_count=tables,
        )

    def logs(self, lines: int = 50) -> list[str]:
        """The last ``lines`` lines of the server's own output (without line endings)."""
        return _tail(self.log_path, lines)

    def requests(self, lines: int = 50, only: RequestFilter | None = None) -> list[RequestRecord]:
        """The last ``lines`` requests the server logged that ``only`` matches (moto only)."""
        return read_request_log(self.request_log_path, lines, only)

    # -- internals -------------------------------------------------------------------------

    def _command(self) -> tuple[list[str], str | None]:
        if self.engine == "moto":
            return moto_command(self.port, request_log=self.request_log_path), None
        jar = self._checked_jar()
        java = self._checked_java()
        db_path = None if self.in_memory else (self.db_path or self.state_dir / "data")
        if db_path is not None:
            db_path.mkdir(parents=True, exist_ok=True)
        return dynamodb_local_command(jar, self.port, java, db_path), _str_or_none(db_path)

    def _checked_jar(self) -> Path:
        if self.jar_path is None:
            raise EngineError(
                "the dynamodb-local engine needs DynamoDBLocal.jar: pass --jar PATH or set "
                f"local.jar_path (download it from {DYNAMODB_LOCAL_DOWNLOAD}), or use --engine moto"
            )
        if not self.jar_path.is_file():
            raise EngineError(
                f"DynamoDB Local jar not found at {self.jar_path}: check --jar / local.jar_path "
                f"(download it from {DYNAMODB_LOCAL_DOWNLOAD}), or use --engine moto"
            )
        return self.jar_path

    def _checked_java(self) -> str:
        java = shutil.which(self.java_path)
        if java is None:
            raise EngineError(
                f"Java runtime {self.java_path!r} not found on PATH; DynamoDB Local runs on Java: "
                "install a JRE (17+ for DynamoDB Local 2.x) or set local.java_path, "
                "or use --engine moto"
            )
        return java

    def _launch(
        self,
        command: Sequence[str],
        port: int,
        engine: LocalEngine,
        db_path: str | None,
        wait: float,
    ) -> ServerInfo:
        _ensure_port_free(port)
        self._prepare_state_dir()
        self.request_log_path.unlink(missing_ok=True)  # a new server, a new request log
        pid = spawn_detached(command, self.log_path)
        info = ServerInfo(pid, port, engine, datetime.now(UTC), tuple(command), db_path)
        self._write_state(info)
        self._wait_until_ready(info, wait)
        return info

    def _wait_until_ready(self, info: ServerInfo, wait: float) -> None:
        deadline = time.monotonic() + wait
        with DynamoDBProbe(info.endpoint, timeout=1.0) as probe:
            while True:
                if not pid_alive(info.pid):
                    self._clear_state()
                    raise self._startup_error(info, "exited during start-up")
                try:
                    probe.table_count()
                except EngineError:
                    if time.monotonic() >= deadline:
                        terminate(info.pid, timeout=5.0)
                        self._clear_state()
                        raise self._startup_error(
                            info, f"did not answer within {wait:g}s and was stopped"
                        ) from None
                    time.sleep(0.1)
                else:
                    return

    def _startup_error(self, info: ServerInfo, what: str) -> EngineError:
        tail = "\n".join(f"  | {line}" for line in self.logs(15)) or "  (the log is empty)"
        return EngineError(
            f"the {info.engine} server on {info.endpoint} {what}.\n"
            f"Command: {shlex.join(info.command)}\nLast lines of {self.log_path}:\n{tail}"
        )

    def _prepare_state_dir(self) -> None:
        # Only a directory we create gets the .gitignore: state_dir may be an existing folder.
        if not self.state_dir.exists():
            self.state_dir.mkdir(parents=True)
            # The state directory holds pids and logs: never worth committing.
            (self.state_dir / ".gitignore").write_text("*\n")

    def _read_state(self) -> ServerInfo | None:
        try:
            data = json.loads(self.state_path.read_text())
            return ServerInfo.from_json(data)
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            # Unreadable (half-written, edited by hand): nothing we could safely stop.
            self._clear_state()
            return None

    def _write_state(self, info: ServerInfo) -> None:
        partial = self.state_path.with_suffix(".json.tmp")
        partial.write_text(json.dumps(info.to_json(), indent=2) + "\n")
        partial.replace(self.state_path)

    def _clear_state(self) -> None:
        self.state_path.unlink(missing_ok=True)


class DynamoDBProbe:
    """A short-timeout botocore client that asks an endpoint for ``ListTables``.

    >>> with DynamoDBProbe("http://127.0.0.1:8000") as probe:  # doctest: +SKIP
    ...     probe.table_count()
    0
    """

    def __init__(self, endpoint: str, timeout: float = 2.0) -> None:
        self.endpoint = endpoint
        access_key, secret_key = EMBEDDED_CREDENTIALS
        try:
            self._client: Any = botocore.session.get_session().create_client(
                "dynamodb",
                region_name="us-east-1",
                endpoint_url=endpoint,
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
                config=BotocoreConfig(
                    connect_timeout=timeout,
                    read_timeout=timeout,
                    retries={"total_max_attempts": 1},
                ),
            )
        except BotoCoreError as exc:  # e.g. AWS_PROFILE names a profile that does not exist
            raise EngineError(f"could not create a DynamoDB client for {endpoint}: {exc}") from exc

    def table_count(self) -> int:
        """How many tables the endpoint lists; raises :class:`EngineError` if it does not answer."""
        count = 0
        request: dict[str, Any] = {}
        try:
            while True:
                page = self._client.list_tables(**request)
                count += len(page.get("TableNames", []))
                if "LastEvaluatedTableName" not in page:
                    return count
                request["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]
        except (BotoCoreError, ClientError) as exc:
            raise EngineError(f"{self.endpoint} did not answer ListTables: {exc}") from exc

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> DynamoDBProbe:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _str_or_none(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((LOOPBACK, port)) == 0


def _ensure_port_free(port: int) -> None:
    if _port_in_use(port):
        raise EngineError(
            f"port {port} on {LOOPBACK} is already in use by another process (not a server "
            f"recorded in this state directory): stop it, or choose another port with --port "
            f"(or local.port)"
        )


def _post_moto_reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", data=b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5.0) as response:
            response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise EngineError(
            f"could not reset the moto server at {endpoint}: {exc}; "
            "check `dbtooling status`, or restart it with `dbtooling stop` and `dbtooling start`"
        ) from exc


def _tail(path: Path, lines: int) -> list[str]:
    if lines <= 0:
        return []
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return [line.rstrip("\r\n") for line in deque(handle, maxlen=lines)]
    except FileNotFoundError:
        return []
