"""Backfill benchmark: items/s and peak memory of ``migrations.backfill`` against the engine.

Run with ``.venv/bin/python bench/backfill.py --scale 1`` for 10,000 and 100,000 items with 1
and 4 segments (about 25 minutes on the moto engine); the default ``--scale 0.1`` (1,000 and
10,000 items) takes about three. ``--sizes``/``--segments`` choose other runs, ``--tracemalloc``
also reports the Python heap's peak. One engine (``python -m dynamodb_tooling.engine``) runs
as a separate process on a free port.

For every size and segment count a fresh table is loaded (BatchWriteItem) with ``User`` items
written *before* ``status`` was indexed: two thirds have a status (they need the new GSI keys),
one third has none (nothing to derive; the backfill reads them and writes nothing). Then a
separate child process runs one ``backfill`` of the table and reports: items read per second
(DynamoDB's ``ScannedCount`` over the backfill's wall time, verification scan included),
items written, the client's CPU per item read (``time.process_time``: the engine's own
work is in its process), and its peak resident memory during the run above its size before
the run (Linux ``VmHWM``, reset just before the run through ``/proc/self/clear_refs``) — the
figure that must stay flat as the table grows. Each measurement has a process of its own.
Nothing here is a test; no timing is asserted anywhere (DESIGN.md §6).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any

from _common import start_engine, stop_engine

from dynamodb_tooling.config import Config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.migrations.backfill import backfill
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.requests.batch import put
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.transformer import EntityTransformer

CREDENTIALS = {"access_key_id": "bench", "secret_access_key": "bench"}
REGION = "us-east-1"
STATUSES = ("active", "banned", None)
LOAD_CHUNK = 2_000


class OldUser(Model, registry=Registry(), name="User", soft_deletes=False):
    """``User`` before the change: ``status`` is a plain attribute."""

    name: str
    email: str
    age: int
    status: str | None = None


class NewUser(Model, registry=Registry(), name="User", soft_deletes=False):
    """``User`` after the change: ``status`` is indexed (GSI1), so old items need keys."""

    name: str
    email: str
    age: int
    status: str | None = attribute(index=True)


def config_for(endpoint: str, driver: str) -> Config:
    return validate_config(
        endpoint=endpoint,
        engine="auto",
        region=REGION,
        credentials=CREDENTIALS,
        profile=None,
        driver=driver,
        # moto re-walks the table from its start for every Scan page; on 100k items, with the
        # engine serving one request at a time, a page can wait longer than the default 30 s.
        http_options={"timeout": 300.0},
        table_name_prefix="",
        table_name_suffix="",
    )


def load(client: DynamoDBClient, table: str, size: int) -> None:
    """``size`` users in the old key scheme, ``LOAD_CHUNK`` at a time (concurrent batches)."""
    old = EntityTransformer(OldUser.__registry__)
    for start in range(0, size, LOAD_CHUNK):
        writes = []
        for n in range(start, min(size, start + LOAD_CHUNK)):
            values = {
                "id": f"u{n:08d}",
                "name": f"user {n}",
                "email": f"user{n}@example.com",
                "age": 20 + n % 50,
                "status": STATUSES[n % 3],
            }
            writes.append(put(old.to_item("User", values)))
        client.batch_write({table: writes})


def peak_rss_kib(*, reset: bool = False) -> int:
    """The process's peak resident memory in KiB (Linux ``VmHWM``, which ``reset`` sets back to
    the current size through ``/proc/self/clear_refs``); elsewhere ``ru_maxrss``, which cannot
    be reset."""
    try:
        if reset:
            Path("/proc/self/clear_refs").write_text("5")
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(args: argparse.Namespace) -> int:
    """One measured backfill (in its own process): prints its figures as JSON."""
    config = config_for(args.endpoint, args.driver)
    set_config(config)
    with DynamoDBClient(config=config) as client:
        client.describe_table(args.table)  # connected and warm before the baseline
        if args.tracemalloc:
            tracemalloc.start()
        base = peak_rss_kib(reset=True)
        started, cpu = time.perf_counter(), time.process_time()
        report = backfill(
            client,
            NewUser.__registry__,
            segments=args.child_segments,
            batch_size=args.batch_size,
            page_size=args.page_size or None,
            table_name=args.table,
            run_id="bench",
        )
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        peak = peak_rss_kib()
        heap = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    figures = {
        "scanned": report.scanned,
        "examined": report.examined,
        "updated": report.updated,
        "skipped": report.skipped,
        "missing_after": report.missing_after,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "rate": report.scanned / elapsed,
        "rss_base_kib": base,
        "rss_peak_kib": peak,
        "heap_peak_bytes": heap,
    }
    print(json.dumps(figures))
    return 0


def measure(endpoint: str, args: argparse.Namespace, size: int, segments: int) -> dict[str, Any]:
    config = config_for(endpoint, args.driver)
    table = f"bench-backfill-{uuid.uuid4().hex[:8]}"
    with DynamoDBClient(config=config) as client:
        client.create_table(NewUser.__registry__.table_definition(table))
        client.wait_for_table_active(table, interval=0.1)
        try:
            loading = time.perf_counter()
            load(client, table, size)
            loaded = time.perf_counter() - loading
            command = [
                sys.executable,
                __file__,
                "--child",
                "--endpoint",
                endpoint,
                "--table",
                table,
                "--child-segments",
                str(segments),
                "--batch-size",
                str(args.batch_size),
                "--page-size",
                str(args.page_size),
                "--driver",
                args.driver,
            ]
            if args.tracemalloc:
                command.append("--tracemalloc")
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"the measured backfill failed:\n{done.stderr}")
        finally:
            with contextlib.suppress(ResourceNotFoundError):
                client.delete_table(table)
    out = done.stdout
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    figures.update(size=size, segments=segments, load_seconds=loaded)
    return figures


def row(f: dict[str, Any]) -> str:
    growth = (f["rss_peak_kib"] - f["rss_base_kib"]) / 1024
    heap = "" if f["heap_peak_bytes"] is None else f" | {f['heap_peak_bytes'] / 2**20:.1f}"
    return (
        f"| {f['size']:,} | {f['segments']} | {f['updated']:,} | {f['skipped']:,} | "
        f"{f['seconds']:.1f} | {f['rate']:,.0f} | {f['cpu_seconds'] / f['scanned'] * 1e6:.0f} | "
        f"{growth:.1f} | {f['rss_peak_kib'] / 1024:.0f}"
        f"{heap} | {f['missing_after']} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1, help="multiply every size")
    parser.add_argument("--sizes", default="10000,100000", help="item counts, comma-separated")
    parser.add_argument("--segments", default="1,4", help="segment counts, comma-separated")
    parser.add_argument("--batch-size", type=int, default=25)
    parser.add_argument(
        "--page-size", type=int, default=1000, help="items per scan page (0: 1 MB pages)"
    )
    parser.add_argument("--driver", default="lean", choices=("lean", "botocore"))
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the Python heap")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--table", help=argparse.SUPPRESS)
    parser.add_argument("--child-segments", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    sizes = [max(1, round(int(s) * args.scale)) for s in args.sizes.split(",")]
    segment_counts = [int(s) for s in args.segments.split(",")]

    engine, endpoint = start_engine()
    results = []
    try:
        for size in sizes:
            for segments in segment_counts:
                figures = measure(endpoint, args, size, segments)
                results.append(figures)
                print(row(figures), flush=True)
    finally:
        stop_engine(engine)

    heap = " Python heap peak (MiB) |" if args.tracemalloc else ""
    print(
        f"\nbackfill on {platform.python_implementation()} {platform.python_version()}, "
        f"driver {args.driver}, batch_size {args.batch_size}, "
        f"page_size {args.page_size or '1 MB'}, engine: moto (serialised)\n"
    )
    print(
        "| items | segments | written | skipped | seconds | items/s | client CPU µs/item | "
        f"RSS growth (MiB) | peak RSS (MiB) |{heap} missing after |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if heap else "") + "---:|")
    for figures in results:
        print(row(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
