"""``python -m dynamodb_tooling.engine --port N``: the serialised moto engine, in the foreground.

This is what ``dbtooling start`` runs in the background: the same app as the in-process
embedded engine (requests one at a time, ``ClientRequestToken`` honoured; see
:mod:`dynamodb_tooling.engine.embedded`), plus moto's ``/moto-api/`` (``dbtooling reset``).
It binds 127.0.0.1 only, keeps HTTP/1.1 connections alive as DynamoDB does (see
:mod:`dynamodb_tooling.engine._http11`), prints one line when it is ready and one per request
served (``--quiet`` drops those), and exits cleanly on SIGTERM or Ctrl-C. With
``--request-log PATH`` it appends one JSON line per request to PATH (operation, table, status,
error, duration; see :mod:`dynamodb_tooling.engine._request_log`): ``dbtooling start`` passes
it with ``--quiet``, and ``dbtooling logs`` reads it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from types import FrameType

from dynamodb_tooling.engine._http11 import KeepAliveRequestHandler, QuietKeepAliveRequestHandler
from dynamodb_tooling.engine._moto_app import engine_server
from dynamodb_tooling.engine.embedded import LOOPBACK


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m dynamodb_tooling.engine",
        description="Serve the embedded DynamoDB-compatible engine (moto, serialised).",
    )
    parser.add_argument("--port", "-p", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--host", "-H", default=LOOPBACK, choices=[LOOPBACK], help="always 127.0.0.1"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no line per request")
    parser.add_argument(
        "--request-log", metavar="PATH", help="append one JSON line per request to PATH"
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is not a port number (0-65535)")
    return args


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM/SIGINT; returns the exit status."""
    args = _parse(argv)
    os.environ.setdefault("MOTO_PORT", str(args.port))
    handler = QuietKeepAliveRequestHandler if args.quiet else KeepAliveRequestHandler
    try:
        server = engine_server(args.host, args.port, handler, args.request_log)
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"dynamodb-tooling engine (moto, serialised) on http://{args.host}:{server.port}")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except SystemExit:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
