"""Detached server processes: spawn in their own session, check, signal and reap them.

Used by :class:`~dynamodb_tooling.engine.server.LocalServer`; nothing here knows what the
process serves.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from dynamodb_tooling.errors import EngineError


def _proc_file(pid: int, name: str) -> bytes | None:
    """``/proc/<pid>/<name>``, or ``None`` where there is no procfs (macOS) or no such process."""
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return None


def spawn_detached(command: Sequence[str], log_path: Path) -> int:
    """Start ``command`` in its own session with output to ``log_path``; returns its pid.

    No ``Popen`` object is kept: the server is meant to outlive this process (``dbtooling
    start`` exits at once), and :func:`pid_alive` reaps it if it was our child.
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


def pid_alive(pid: int) -> bool:
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


def runs_command(pid: int, command: Sequence[str]) -> bool:
    """``pid`` is alive and, where procfs can tell, still runs ``command`` (so a pid reused by
    an unrelated process is never signalled)."""
    if not pid_alive(pid):
        return False
    cmdline = _proc_file(pid, "cmdline")
    if cmdline is None:
        return True
    args = [part.decode(errors="replace") for part in cmdline.split(b"\0") if part]
    # Compare without argv[0]: launchers (java) may re-exec themselves under another path.
    expected = list(command[1:])
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
    return _poll_until(lambda: not pid_alive(pid), timeout)


def _poll_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def terminate(pid: int, timeout: float) -> None:
    _signal_group(pid, signal.SIGTERM)
    if _wait_for_exit(pid, timeout):
        return
    _signal_group(pid, signal.SIGKILL)
    if not _wait_for_exit(pid, 5.0):
        raise EngineError(
            f"the local server (pid {pid}) did not exit after SIGTERM and SIGKILL; "
            f"stop it by hand (kill -9 {pid})"
        )
