"""A loopback fault-injecting proxy for DynamoDB's wire protocol (stdlib only).

It sits between the library and any DynamoDB-compatible engine and, per request, may answer
with throttling, fail with HTTP 500 before or after forwarding (the write applied, the answer
lost), drop the connection after forwarding, delay, or process only part of a BatchWriteItem
(the rest comes back as ``UnprocessedItems``). Tests use it to prove claims about retries,
idempotency and error reports on the embedded engine and on any ``DYNAMODB_ENDPOINT``.

Bounded: it binds 127.0.0.1 only, forwards only to the upstream it was given (which must be a
loopback URL too), and shuts itself down after ``max_seconds``.

>>> with FaultProxy("http://127.0.0.1:8000") as proxy:             # doctest: +SKIP
...     proxy.inject(Fault("error_after", rate=0.2, operations={"UpdateItem"}))
...     client = DynamoDBClient(config=validate_config(endpoint=proxy.endpoint, ...))
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from dynamodb_tooling.config import is_loopback_endpoint

FaultKind = Literal["throttle", "error_before", "error_after", "drop_after", "delay", "partial"]

_AMZ_JSON = "application/x-amz-json-1.0"


@dataclass(frozen=True)
class Fault:
    """Inject ``kind`` into a share ``rate`` of the matching requests.

    ``operations`` limits it to those DynamoDB operations (``None``: all); ``limit`` caps how
    many times it fires; ``seconds`` is the extra latency of ``delay``.

    Kinds: ``throttle`` (400 ProvisionedThroughputExceededException, nothing forwarded),
    ``error_before`` (500, nothing forwarded), ``error_after`` (forwarded and applied, then 500),
    ``drop_after`` (forwarded and applied, then the connection is closed without an answer),
    ``delay`` (forwarded after ``seconds``), ``partial`` (BatchWriteItem: about half the writes
    are forwarded, the rest returned as ``UnprocessedItems``).
    """

    kind: FaultKind
    rate: float = 1.0
    operations: frozenset[str] | None = None
    limit: int | None = None
    seconds: float = 0.0

    def __init__(
        self,
        kind: FaultKind,
        rate: float = 1.0,
        operations: set[str] | frozenset[str] | None = None,
        limit: int | None = None,
        seconds: float = 0.0,
    ) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "rate", rate)
        object.__setattr__(
            self, "operations", None if operations is None else frozenset(operations)
        )
        object.__setattr__(self, "limit", limit)
        object.__setattr__(self, "seconds", seconds)


def _check_loopback(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if not is_loopback_endpoint(url):
        raise ValueError(f"the fault proxy only forwards to loopback addresses, not {url!r}")
    return parts


class FaultProxy:
    """The proxy: ``start()`` (or ``with``) gives ``endpoint``; ``inject()`` sets faults."""

    def __init__(self, upstream: str, *, seed: int = 7, max_seconds: float = 900.0) -> None:
        self.upstream = _check_loopback(upstream)
        self.max_seconds = max_seconds
        self.injected: Counter[str] = Counter()
        self.operations: Counter[str] = Counter()
        #: The most requests the proxy held at one time (proof that callers overlapped).
        self.max_in_flight = 0
        self._in_flight = 0
        self._faults: list[Fault] = []
        self._fired: Counter[int] = Counter()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._timer: threading.Timer | None = None

    @property
    def endpoint(self) -> str:
        if self._server is None:
            raise RuntimeError("the fault proxy is not running; call start()")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def inject(self, *faults: Fault) -> None:
        """Replace the active faults (checked in order; the first that fires wins)."""
        with self._lock:
            self._faults = list(faults)
            self._fired.clear()

    def clear(self) -> None:
        self.inject()

    def entered(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def left(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def choose(self, operation: str) -> Fault | None:
        with self._lock:
            self.operations[operation] += 1
            for index, fault in enumerate(self._faults):
                if fault.operations is not None and operation not in fault.operations:
                    continue
                if fault.limit is not None and self._fired[index] >= fault.limit:
                    continue
                if self._rng.random() < fault.rate:
                    self._fired[index] += 1
                    self.injected[fault.kind] += 1
                    return fault
        return None

    def split(self, writes: list[Any]) -> tuple[list[Any], list[Any]]:
        """Writes to forward and writes to hand back as unprocessed (at least one of each)."""
        with self._lock:
            keep = [w for w in writes if self._rng.random() < 0.5]
        if not keep:
            keep = writes[:1]
        if len(keep) == len(writes):
            keep = writes[:-1]
        held = [w for w in writes if not any(w is k for k in keep)]
        return keep, held

    def start(self) -> str:
        proxy = self

        class Handler(_ProxyHandler):
            owner = proxy

        server = _QuietServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name="fault-proxy", daemon=True).start()
        self._server = server
        self._timer = threading.Timer(self.max_seconds, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self.endpoint

    def stop(self) -> None:
        server, self._server = self._server, None
        if self._timer is not None:
            self._timer.cancel()
        if server is not None:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> FaultProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _error_body(kind: str, message: str) -> bytes:
    return json.dumps(
        {"__type": f"com.amazonaws.dynamodb.v20120810#{kind}", "message": message}
    ).encode()


class _QuietServer(ThreadingHTTPServer):
    request_queue_size = 128  # many clients connect at once (concurrency tests)

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None  # a client that hung up (a timeout, a dropped connection) is expected


class _ProxyHandler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"
    # Small writes go out at once: with Nagle's algorithm and delayed ACKs each answer would
    # wait ~40 ms, which would swamp the latency the tests inject on purpose.
    disable_nagle_algorithm = True
    wbufsize = -1

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        self.owner.entered()
        try:
            self._post()
        finally:
            self.owner.left()

    def _post(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        target = self.headers.get("X-Amz-Target", "")
        operation = target.rsplit(".", 1)[-1]
        fault = self.owner.choose(operation)
        kind = fault.kind if fault is not None else None
        if kind == "throttle":
            self._answer(400, _error_body("ProvisionedThroughputExceededException", "injected"))
            return
        if kind == "error_before":
            self._answer(500, _error_body("InternalServerError", "injected before apply"))
            return
        if fault is not None and kind == "delay":
            time.sleep(fault.seconds)
        if kind == "partial" and operation == "BatchWriteItem":
            self._partial(body)
            return
        status, headers, answer = self._forward(body)
        if kind == "error_after":
            self._answer(500, _error_body("InternalServerError", "injected after apply"))
            return
        if kind == "drop_after":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)  # the client sees the connection reset
            return
        self._answer(status, answer, headers)

    def do_GET(self) -> None:
        status, headers, answer = self._forward(b"", method="GET")
        self._answer(status, answer, headers)

    def _partial(self, body: bytes) -> None:
        request = json.loads(body)
        pairs = [(t, w) for t, ws in request["RequestItems"].items() for w in ws]
        keep, held = self.owner.split(pairs)
        forwarded: dict[str, list[Any]] = {}
        for table, write in keep:
            forwarded.setdefault(table, []).append(write)
        status, headers, answer = self._forward(
            json.dumps({**request, "RequestItems": forwarded}).encode()
        )
        if status != 200:
            self._answer(status, answer, headers)
            return
        response = json.loads(answer)
        unprocessed: dict[str, list[Any]] = response.get("UnprocessedItems") or {}
        for table, write in held:
            unprocessed.setdefault(table, []).append(write)
        response["UnprocessedItems"] = unprocessed
        self._answer(200, json.dumps(response).encode(), headers)

    def _forward(self, body: bytes, method: str = "POST") -> tuple[int, dict[str, str], bytes]:
        upstream = self.owner.upstream
        connection = http.client.HTTPConnection(
            upstream.hostname or "127.0.0.1", upstream.port or 80, timeout=60
        )
        try:
            connection.connect()
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # http.client sets Content-Length for the (possibly rewritten) body.
            skip = {"host", "content-length"}
            headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
            headers["Host"] = upstream.netloc
            connection.request(method, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            kept = {
                k: v
                for k, v in response.getheaders()
                if k.lower() in ("content-type", "x-amzn-requestid", "x-amz-crc32")
            }
            return response.status, kept, answer
        finally:
            connection.close()

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        sent = {k.lower() for k in headers or {}}
        for name, value in (headers or {}).items():
            if name.lower() == "x-amz-crc32" and status == 200:
                continue  # the body may have been rewritten; botocore checks the CRC
            self.send_header(name, value)
        if "content-type" not in sent:
            self.send_header("Content-Type", _AMZ_JSON)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
