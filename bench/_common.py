"""What the benchmarks share: one engine in a separate process, and their docs section."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_engine() -> tuple[subprocess.Popen[bytes], str]:
    """``python -m dynamodb_tooling.engine`` on a free port, as a separate process (so the
    CPU a benchmark measures is the client's alone); returns it and its endpoint."""
    port = free_port()
    engine = subprocess.Popen(
        [sys.executable, "-m", "dynamodb_tooling.engine", "--port", str(port), "--quiet"],
        stdout=subprocess.PIPE,
    )
    assert engine.stdout is not None
    ready = engine.stdout.readline().decode()
    if "127.0.0.1" not in ready:
        engine.kill()
        raise SystemExit(f"the engine did not start: {ready!r}")
    return engine, f"http://127.0.0.1:{port}"


def stop_engine(engine: subprocess.Popen[bytes]) -> None:
    engine.terminate()
    try:
        engine.wait(timeout=10)
    except subprocess.TimeoutExpired:
        engine.kill()
        engine.wait()


def replace_section(section: str, text: str) -> None:
    """Replace the part of docs/benchmarks.md that starts with ``section`` (a ``## `` heading
    prefix) by ``text``, or append it; every other section is kept."""
    DOCS.parent.mkdir(exist_ok=True)
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    start = current.find(f"\n{section}")
    if start == -1:
        updated = current.rstrip("\n") + "\n\n" + text
    else:
        end = current.find("\n## ", start + len(section) + 2)
        tail = "" if end == -1 else "\n" + current[end + 1 :]
        updated = current[: start + 1] + text + tail
    DOCS.write_text(updated, encoding="utf-8")
