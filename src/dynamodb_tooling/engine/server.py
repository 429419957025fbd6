"""A managed local server: a DynamoDB-compatible engine run as a detached background process.

``dbtooling start|stop|status|logs|reset`` drive a :class:`LocalServer`. The server runs moto
behind the embedded engine's serialising wrapper (``python -m dynamodb_tooling.engine``: one
request at a time, transaction tokens honoured) or AWS's DynamoDB Local
(``java -jar DynamoDBLocal.jar``) on 127.0.0.1,
in its own session so it outlives the command that started it. Two files in the state directory
(``.dbtooling/`` by default) let any later process find it again:

- ``server.json``: pid, port, engine, start time and the exact command line;
- ``server.log``: the server's stdout and stderr.

>>> server = LocalServer(port=8000, state_dir=".dbtooling")
>>> server.start().endpoint  # doctest: +SKIP
'http://127.0.0.1:8000'
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

import botocore.session
from botocore.config import Config as BotocoreConfig
from botocore.exceptions import BotoCoreError, ClientError

from dynamodb_tooling.config import LocalConfig
from dynamodb_tooling.engine.embedded import EMBEDDED_CREDENTIALS, LOOPBACK
from dynamodb_tooling.errors import EngineError

LocalEngine = Literal["moto", "dynamodb-local"]

STATE_FILE = "server.json"
LOG_FILE = "server.log"
#: The file DynamoDB Local keeps all tables in when run with ``-sharedDb``.
SHARED_DB_FILE = "shared-local-instance.db"
DYNAMODB_LOCAL_DOWNLOAD = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
    "DynamoDBLocal.DownloadingAndRunning.html"
)


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


def moto_command(port: int, python: str = sys.executable) -> list[str]:
    """The command line that serves the embedded engine (moto, serialised) on ``127.0.0.1:port``.

    Not ``python -m moto.server``: bare moto serves requests concurrently and loses writes.
    """
    return [python, "-m", "dynamodb_tooling.engine", "--host", LOOPBACK, "--port", str(port)]


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
    def endpoint(self) -> str:
        """The endpoint of this object's port (a running server's own port may differ)."""
        return f"http://{LOOPBACK}:{self.port}"

    # -- lifecycle -------------------------------------------------------------------------

    def info(self) -> ServerInfo | None:
        """The running server's record, or ``None``; a stale record (process gone) is removed."""
        info = self._read_state()
        if info is not None and not _is_our_server(info):
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
        _terminate(info.pid, timeout)
        self._clear_state()
        return True

    def reset(self, wait: float = 15.0) -> ServerInfo:
        """Delete every table and item; starts the server when it is not running."""
        info = self.info()
        if info is None:
            return self.start(wait)
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
        """The last ``lines`` lines of the server's log (without line endings)."""
        return _tail(self.log_path, lines)

    # -- internals -------------------------------------------------------------------------

    def _command(self) -> tuple[list[str], str | None]:
        if self.engine == "moto":
            return moto_command(self.port), None
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
        pid = _spawn_detached(command, self.log_path)
        info = ServerInfo(pid, port, engine, datetime.now(UTC), tuple(command), db_path)
        self._write_state(info)
        self._wait_until_ready(info, wait)
        return info

    def _wait_until_ready(self, info: ServerInfo, wait: float) -> None:
        deadline = time.monotonic() + wait
        with DynamoDBProbe(info.endpoint, timeout=1.0) as probe:
            while True:
                if not _pid_alive(info.pid):
                    self._clear_state()
                    raise self._startup_error(info, "exited during start-up")
                try:
                    probe.table_count()
                except EngineError:
                    if time.monotonic() >= deadline:
                        _terminate(info.pid, timeout=5.0)
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


# -- processes -----------------------------------------------------------------------------


def _proc_file(pid: int, name: str) -> bytes | None:
    """``/proc/<pid>/<name>``, or ``None`` where there is no procfs (macOS) or no such process."""
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return None


def _spawn_detached(command: Sequence[str], log_path: Path) -> int:
    """Start ``command`` in its own session with output to ``log_path``; returns its pid.

    No ``Popen`` object is kept: the server is meant to outlive this process (``dbtooling
    start`` exits at once), and :func:`_pid_alive` reaps it if it was our child.
    """
    with log_path.open("wb") as log, open(os.devnull, "rb") as devnull:
        actions = [
            (os.POSIX_SPAWN_DUP2, devnull.fileno(), 0),
            (os.POSIX_SPAWN_DUP2, log.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, log.fileno(), 2),
        ]
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        return os.posix_spawnp(
            command[0], list(command), environment, file_actions=actions, setsid=True
        )


def _pid_alive(pid: int) -> bool:
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)  # our exited child: collect it
        if reaped == pid:
            return False
    except ChildProcessError:
        pass  # not our child (started by another process): ask the kernel below
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = _proc_file(pid, "stat")
    # A zombie (exited, not yet reaped by its parent) still has a pid but serves nothing.
    return stat is None or stat.rpartition(b")")[2].split()[:1] != [b"Z"]


def _is_our_server(info: ServerInfo) -> bool:
    """The recorded pid is alive and, where procfs can tell, still runs the recorded command
    (so a pid reused by an unrelated process is never signalled)."""
    if not _pid_alive(info.pid):
        return False
    cmdline = _proc_file(info.pid, "cmdline")
    if cmdline is None:
        return True
    args = [part.decode(errors="replace") for part in cmdline.split(b"\0") if part]
    # Compare without argv[0]: launchers (java) may re-exec themselves under another path.
    expected = list(info.command[1:])
    return args[-len(expected) :] == expected if expected else bool(args)


def _signal_group(pid: int, signum: signal.Signals) -> None:
    try:
        os.killpg(pid, signum)  # the server leads its own session and process group
        return
    except (ProcessLookupError, PermissionError):
        pass
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _wait_for_exit(pid: int, timeout: float) -> bool:
    return _poll_until(lambda: not _pid_alive(pid), timeout)


def _poll_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _terminate(pid: int, timeout: float) -> None:
    _signal_group(pid, signal.SIGTERM)
    if _wait_for_exit(pid, timeout):
        return
    _signal_group(pid, signal.SIGKILL)
    if not _wait_for_exit(pid, 5.0):
        raise EngineError(
            f"the local server (pid {pid}) did not exit after SIGTERM and SIGKILL; "
            f"stop it by hand (kill -9 {pid})"
        )
