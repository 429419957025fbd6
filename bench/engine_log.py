"""What the engine's request log costs: a PutItem loop against three engine processes.

``python -m dynamodb_tooling.engine`` is started three ways: ``--quiet`` (no log at all),
without ``--quiet`` (werkzeug's HTTP access line per request on stdout, what ``dbtooling
start`` used to run) and ``--quiet --request-log PATH`` (one JSON line per request, what it
runs now). Rounds of PutItems go to each in turn over one keep-alive connection (a plain
``http.client``, so the client's own cost is small and equal for all three); the script prints
the wall time per request and the engine process's CPU time per request (from /proc).

    .venv/bin/python bench/engine_log.py                  # 8 rounds of 500 PutItems (~1 min)
    .venv/bin/python bench/engine_log.py --rounds 3 --requests 200
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import free_port

TARGET = "DynamoDB_20120810."
HEADERS = {
    "Content-Type": "application/x-amz-json-1.0",
    "Authorization": (
        "AWS4-HMAC-SHA256 Credential=embedded/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=0"
    ),
}


def start(flags: list[str], output: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    with output.open("wb") as sink:
        engine = subprocess.Popen(
            [sys.executable, "-m", "dynamodb_tooling.engine", "--port", str(port), *flags],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while b"127.0.0.1" not in output.read_bytes():
        if engine.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the engine did not start: {output.read_text()!r}")
        time.sleep(0.05)
    return engine, port


def call(connection: http.client.HTTPConnection, operation: str, body: dict[str, Any]) -> None:
    connection.request(
        "POST", "/", json.dumps(body), {**HEADERS, "X-Amz-Target": TARGET + operation}
    )
    answer = connection.getresponse()
    payload = answer.read()
    if answer.status != 200:
        raise SystemExit(f"{operation} failed: {answer.status} {payload!r}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--requests", type=int, default=500, help="PutItems per round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        variants = {
            "--quiet (no log)": ["--quiet"],
            "access lines (old default)": [],
            "--quiet --request-log (new)": ["--quiet", "--request-log", str(folder / "r.jsonl")],
        }
        engines = {
            name: start(flags, folder / f"{i}.out")
            for i, (name, flags) in enumerate(variants.items())
        }
        connections = {
            name: http.client.HTTPConnection("127.0.0.1", port)
            for name, (_, port) in engines.items()
        }
        wall: dict[str, list[float]] = {name: [] for name in variants}
        cpu: dict[str, list[float]] = {name: [] for name in variants}
        try:
            for connection in connections.values():
                call(
                    connection,
                    "CreateTable",
                    {
                        "TableName": "bench",
                        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                        "BillingMode": "PAY_PER_REQUEST",
                    },
                )
            for round_ in range(args.rounds):
                for name, (engine, _) in engines.items():
                    before_cpu, before = cpu_seconds(engine.pid), time.perf_counter()
                    for n in range(args.requests):
                        item = {"pk": {"S": f"USER#{round_}-{n}"}, "name": {"S": "Ada"}}
                        call(connections[name], "PutItem", {"TableName": "bench", "Item": item})
                    wall[name].append((time.perf_counter() - before) / args.requests * 1e6)
                    cpu[name].append((cpu_seconds(engine.pid) - before_cpu) / args.requests * 1e6)
        finally:
            for connection in connections.values():
                connection.close()
            for engine, _ in engines.values():
                engine.terminate()
                engine.wait()
        for name in variants:
            print(
                f"{name:30} wall {statistics.median(wall[name]):6.0f} µs/request   "
                f"engine CPU {statistics.median(cpu[name]):6.0f} µs/request (medians)"
            )


if __name__ == "__main__":
    main()
