"""The lean driver's sync HTTP transport: keep-alive connections, answers parsed by llhttp.

Connections are made by ``http.client`` (the standard library's HTTP/1.1 client, which urllib3
and so botocore build on): TCP, the proxy's ``CONNECT`` tunnel and TLS with certificate and
host name checks. On a made connection each request is one ``sendall`` of a head this module
writes (a ``POST`` with the signed headers, ``Content-Length``) and the body, and the answer
is parsed by ``httptools`` (bindings to llhttp, Node.js's HTTP parser, which aiohttp and
uvicorn use too). Per request that measured about 70 µs of CPU against a local engine, where
``http.client``'s own request and response handling (its header parsing goes through the
``email`` package) took about 185 µs, urllib3's pool 340 µs and httpx's transport 500 µs
(docs/benchmarks.md). Around it:

- a pool of at most ``max_connections`` connections, idle ones reused last-in first-out; a
  request that finds every connection busy waits up to the connect timeout
  (:class:`~._http.PoolExhaustedError` after that);
- an idle connection the server closed (its socket turned readable: end of file) is dropped
  before it is used, never sent on; an answer with ``Connection: close`` drops it after;
- the connect timeout bounds making a connection (TCP, the proxy's ``CONNECT``, TLS), the read
  timeout every wait for the engine after that;
- TLS with the caller's :class:`ssl.SSLContext` (certificates and host name verified);
- an ``http://`` proxy from the environment: ``CONNECT`` tunnels to ``https://`` endpoints,
  absolute-form requests to ``http://`` ones, ``Proxy-Authorization`` from the proxy URL.
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
import weakref

import httptools

from dynamodb_tooling.drivers._http import (
    Answer,
    ConnectFailedError,
    Endpoint,
    PoolExhaustedError,
    Proxy,
    SendFailedError,
    TimedOutError,
    describe,
    request_head,
    request_target,
)
from dynamodb_tooling.errors import DriverError


class SyncTransport:
    """Sends ``POST`` requests to one endpoint on pooled keep-alive connections; thread-safe."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        timeout: float,
        connect_timeout: float,
        max_connections: int,
        keep_alive: bool = True,
        proxy: Proxy | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        if endpoint.scheme == "https" and tls is None:
            raise DriverError(f"{endpoint.url}: an https:// endpoint needs a TLS context")
        if proxy is not None and proxy.scheme != "http":
            raise DriverError(
                f"the proxy {proxy.url!r} is an https:// URL: the lean driver talks to proxies "
                "in plain HTTP (tunnelling TLS to the endpoint through CONNECT); give its "
                "http:// address, or use the botocore driver"
            )
        self.endpoint = endpoint
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.keep_alive = keep_alive
        self.proxy = proxy
        self.tls = tls
        self._idle: list[http.client.HTTPConnection] = []
        self.max_connections = max_connections
        self._slots = threading.BoundedSemaphore(max_connections)
        self._lock = threading.Lock()
        #: Bumped by ``close``: connections checked out before it are closed when returned.
        self._epoch = 0
        # Idle connections are closed when the transport is dropped or at exit (the list is
        # only ever changed in place).
        weakref.finalize(self, _close_all, self._idle)
        #: Connections made so far (tests check reuse with it).
        self.connections_made = 0
        self._plain_proxy = proxy is not None and endpoint.scheme == "http"
        self._target, self._extra = request_target(endpoint, proxy)
        self._proxy_headers: dict[str, str] = {}  # for CONNECT tunnels
        if proxy is not None and proxy.authorization:
            self._proxy_headers["Proxy-Authorization"] = proxy.authorization

    # The pool.

    def _checkout(self) -> tuple[http.client.HTTPConnection, int]:
        while True:
            with self._lock:
                epoch = self._epoch
                connection = self._idle.pop() if self._idle else None
            if connection is None:
                return self._connect(), epoch
            if _usable(connection):
                return connection, epoch
            connection.close()

    def _checkin(self, connection: http.client.HTTPConnection, epoch: int) -> None:
        with self._lock:
            if epoch == self._epoch:
                self._idle.append(connection)
                return
        connection.close()

    def _connect(self) -> http.client.HTTPConnection:
        endpoint, proxy = self.endpoint, self.proxy
        host, port = (
            (proxy.host, proxy.port) if proxy is not None else (endpoint.host, endpoint.port)
        )
        connection: http.client.HTTPConnection
        if endpoint.scheme == "https":
            connection = http.client.HTTPSConnection(
                host, port, timeout=self.connect_timeout, context=self.tls
            )
            if proxy is not None:
                connection.set_tunnel(endpoint.host, endpoint.port, headers=self._proxy_headers)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.connect_timeout)
        try:
            connection.connect()
            sock = connection.sock
            sock.settimeout(self.timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.keep_alive:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            raise ConnectFailedError(describe(exc)) from exc
        self.connections_made += 1
        return connection

    # Requests.

    def send(self, headers: dict[str, str], body: bytes) -> Answer:
        """``POST`` ``body`` with ``headers`` (``Host`` included) and read the whole answer."""
        if not self._slots.acquire(timeout=self.connect_timeout):
            raise PoolExhaustedError(
                f"all {self.max_connections} pooled connections stayed busy for "
                f"{self.connect_timeout:g}s"
            )
        try:
            request = self._head(headers, len(body)) + body
            connection, epoch = self._checkout()
            try:
                answer, keep = _exchange(connection.sock, request)
            except TimeoutError as exc:
                connection.close()
                raise TimedOutError(describe(exc)) from exc
            except (OSError, httptools.HttpParserError, SendFailedError) as exc:
                connection.close()
                if isinstance(exc, SendFailedError):
                    raise
                raise SendFailedError(describe(exc)) from exc
            if keep:
                self._checkin(connection, epoch)
            else:
                connection.close()
            return answer
        finally:
            self._slots.release()

    def _head(self, headers: dict[str, str], length: int) -> bytes:
        return request_head(self._target, headers, self._extra, length)

    def close(self) -> None:
        """Close the idle connections; busy ones close when their request ends. The transport
        stays usable: a later request opens a new connection."""
        with self._lock:
            self._epoch += 1
            idle = self._idle[:]
            self._idle.clear()
        _close_all(idle)


class _Reader:
    """Collects one answer from llhttp's callbacks."""

    __slots__ = ("body", "complete", "headers", "started")

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.started = False
        self.complete = False

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        known = self.headers.get(key)
        self.headers[key] = text if known is None else f"{known}, {text}"

    def on_headers_complete(self) -> None:
        self.started = True

    def on_body(self, chunk: bytes) -> None:
        self.body.append(chunk)

    def on_message_complete(self) -> None:
        self.complete = True

    def finished(self) -> bool:
        """Whether the whole answer was parsed (the callbacks set it during ``feed_data``)."""
        return self.complete


def _exchange(sock: socket.socket, request: bytes) -> tuple[Answer, bool]:
    """Send ``request`` on ``sock`` and read one answer: it and whether the connection may
    carry another request."""
    sock.sendall(request)
    reader = _Reader()
    parser = httptools.HttpResponseParser(reader)
    while not reader.finished():
        data = sock.recv(65536)
        if not data:
            headers = reader.headers
            if (
                reader.started
                and "content-length" not in headers
                and "chunked" not in headers.get("transfer-encoding", "").lower()
            ):
                break  # a body that ends with the connection
            raise SendFailedError("the connection closed before the whole answer arrived")
        parser.feed_data(data)
        if reader.finished() and parser.get_status_code() < 200:  # 1xx: the answer follows
            reader = _Reader()
            parser = httptools.HttpResponseParser(reader)
    headers = reader.headers
    answer = Answer(parser.get_status_code(), headers, b"".join(reader.body))
    tokens = headers.get("connection", "").lower()
    # HTTP/1.1 keeps the connection unless told to close it; HTTP/1.0 only when asked to.
    old_http = parser.get_http_version() == "1.0"
    keep = "keep-alive" in tokens if old_http else "close" not in tokens
    return answer, reader.complete and keep


def _close_all(connections: list[http.client.HTTPConnection]) -> None:
    for connection in connections[:]:
        connection.close()
    connections.clear()


def _usable(connection: http.client.HTTPConnection) -> bool:
    """An idle connection is usable while its socket has nothing to read: a readable idle
    socket means the server closed it (or sent something unasked for)."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
