"""The lean driver's async HTTP transport: asyncio connections, answers parsed by llhttp.

Each pooled connection is an :class:`asyncio.Protocol` on the event loop's own transport
(TCP, TLS through the loop's ``ssl`` support): a request is one ``write`` of a head this module
writes (a ``POST`` with the signed headers, ``Content-Length``) and the body, and the answer is
fed by ``data_received`` to ``httptools`` (llhttp, the parser of the sync transport and of
aiohttp), which resolves one future when the answer is complete: per request one future and
no task or timer of its own (one read-timeout timer per connection is moved on instead). The
``aiohttp`` session it replaced cost about 150 µs of CPU more per ORM operation (its request
and response objects, a task and timers per request; docs/benchmarks.md). Around it:

- a pool of at most ``max_connections`` connections per transport (one transport per event
  loop: the driver makes one for each loop, and a transport used from another loop drops the
  connections of the first), idle ones reused last-in first-out; a request that finds every
  connection busy waits within the connect timeout (:class:`~._http.PoolExhaustedError`);
- an idle connection the server closed (end of file seen by the loop, or its socket readable
  when it is taken) is dropped before it is used, never sent on; an answer with
  ``Connection: close`` (or an HTTP/1.0 answer without keep-alive) drops it after;
- the connect timeout bounds getting a connection (pool wait, TCP, the proxy's ``CONNECT``,
  TLS), the read timeout every wait for the engine's bytes after sending (each chunk that
  arrives starts it again);
- TLS with the caller's :class:`ssl.SSLContext` (certificates and host name verified);
- an ``http://`` or ``https://`` proxy from the environment: ``CONNECT`` tunnels to
  ``https://`` endpoints (TLS inside the tunnel), absolute-form requests to ``http://`` ones,
  ``Proxy-Authorization`` from the proxy URL;
- a cancelled request (``asyncio.timeout`` around it, a cancelled task) closes its connection:
  its answer can no longer be told apart from the next one's.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import select
import socket
import ssl
from typing import Any

import httptools

from dynamodb_tooling.drivers._http import (
    Answer,
    ConnectFailedError,
    Endpoint,
    PoolExhaustedError,
    Proxy,
    SendFailedError,
    TimedOutError,
    TransportError,
    describe,
    request_head,
    request_target,
)
from dynamodb_tooling.errors import DriverError


class AsyncTransport:
    """Sends ``POST`` requests to one endpoint on pooled keep-alive connections of one event
    loop."""

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
        self.endpoint = endpoint
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.max_connections = max_connections
        self.keep_alive = keep_alive
        self.proxy = proxy
        self.tls = tls
        #: Connections made so far (tests check reuse with it).
        self.connections_made = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: list[_Connection] = []
        self._busy = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._closed = True
        #: Bumped by ``aclose``: connections busy then are closed when their request ends.
        self._epoch = 0
        self._target, self._extra = request_target(endpoint, proxy)
        self._proxy_lines = (
            f"Proxy-Authorization: {proxy.authorization}\r\n"
            if proxy is not None and proxy.authorization
            else ""
        )
        self._proxy_tls: ssl.SSLContext | None = None
        if proxy is not None and proxy.scheme == "https":
            self._proxy_tls = tls if tls is not None else _default_tls()

    @property
    def closed(self) -> bool:
        """Whether no connection is open (before the first request and after ``aclose``)."""
        return self._closed

    # Requests.

    async def send(self, headers: dict[str, str], body: bytes) -> Answer:
        """``POST`` ``body`` with ``headers`` (``Host`` included) and read the whole answer."""
        request = request_head(self._target, headers, self._extra, len(body)) + body

        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._rebind(loop)
        self._closed = False
        if self._busy < self.max_connections and not self._waiters:
            self._busy += 1
        else:
            await self._wait_for_slot(loop)
        epoch = self._epoch
        try:
            connection = self._checkout()
            if connection is None:
                connection = await self._connect(loop)
            try:
                answer, keep = await connection.exchange(request, self.timeout)
            except BaseException:
                connection.abort()
                raise
            if keep and epoch == self._epoch and connection.usable():
                self._idle.append(connection)
            else:
                connection.abort()
            return answer
        finally:
            self._release()

    async def aclose(self) -> None:
        """Close the idle connections; busy ones close when their request ends. The transport
        stays usable: a later request opens a new connection."""
        self._epoch += 1
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.abort()  # no TLS close_notify exchange: the loop may be closing
        self._closed = True
        await asyncio.sleep(0)  # the loop closes the aborted sockets in its next turn

    # The pool.

    def _rebind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Used from another event loop: the connections of the first one cannot serve it."""
        previous, self._loop = self._loop, loop
        idle, self._idle = self._idle, []
        if previous is not None and not previous.is_closed():
            for connection in idle:
                previous.call_soon_threadsafe(connection.abort)
        self._busy = 0
        self._waiters.clear()

    async def _wait_for_slot(self, loop: asyncio.AbstractEventLoop) -> None:
        waiter: asyncio.Future[None] = loop.create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(self.connect_timeout):
                await waiter
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                return  # the slot was handed over as the time ran out: it is this request's
            raise PoolExhaustedError(
                f"all {self.max_connections} pooled connections stayed busy for "
                f"{self.connect_timeout:g}s"
            ) from None
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._release()  # the slot was handed over: pass it on
            raise
        finally:
            if not waiter.done():
                waiter.cancel()
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def _release(self) -> None:
        """Hand the slot of a finished request to the first waiter, or free it."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot goes to it: ``_busy`` stays the same
                return
        if self._busy > 0:  # a request of a loop left behind (``_rebind``) frees nothing
            self._busy -= 1

    def _checkout(self) -> _Connection | None:
        idle = self._idle
        while idle:
            connection = idle.pop()
            if connection.usable() and connection.quiet():
                return connection
            connection.abort()
        return None

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> _Connection:
        try:
            async with asyncio.timeout(self.connect_timeout):
                connection = await self._open(loop)
        except TimeoutError as exc:
            raise ConnectFailedError(
                f"TimeoutError: no connection to {self.endpoint.origin} within "
                f"{self.connect_timeout:g}s"
            ) from exc
        except ConnectFailedError:
            raise
        except (OSError, ssl.SSLError, httptools.HttpParserError, TransportError) as exc:
            raise ConnectFailedError(describe(exc)) from exc
        self.connections_made += 1
        return connection

    async def _open(self, loop: asyncio.AbstractEventLoop) -> _Connection:
        endpoint, proxy = self.endpoint, self.proxy
        if proxy is None:
            _, connection = await loop.create_connection(
                lambda: _Connection(loop, self.keep_alive),
                endpoint.host,
                endpoint.port,
                ssl=self.tls,
                server_hostname=endpoint.host if self.tls is not None else None,
            )
            return connection
        _, connection = await loop.create_connection(
            lambda: _Connection(loop, self.keep_alive),
            proxy.host,
            proxy.port,
            ssl=self._proxy_tls,
            server_hostname=proxy.host if self._proxy_tls is not None else None,
        )
        if endpoint.scheme == "http":
            return connection  # absolute-form requests to the proxy
        try:
            await connection.tunnel(self._tunnel_request())
            await connection.start_tls(self.tls, endpoint.host)
        except BaseException:
            connection.abort()
            raise
        return connection

    def _tunnel_request(self) -> bytes:
        authority = self.endpoint.netloc
        if self.endpoint.port == (443 if self.endpoint.scheme == "https" else 80):
            authority = f"{authority}:{self.endpoint.port}"
        return (
            f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n{self._proxy_lines}\r\n"
        ).encode("latin-1")


class _Connection(asyncio.Protocol):
    """One keep-alive connection: writes a request, parses its answer with llhttp."""

    def __init__(self, loop: asyncio.AbstractEventLoop, keep_alive: bool) -> None:
        self.loop = loop
        self.keep_alive = keep_alive
        self.transport: asyncio.Transport | None = None
        self.lost = False
        # The request under way.
        self.waiter: asyncio.Future[Any] | None = None
        self.parser: Any = None
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.started = False
        # The read timeout: one timer per connection, moved on when data arrives.
        self.deadline = 0.0
        self.timeout = 0.0
        self.timer: asyncio.TimerHandle | None = None
        # The proxy's answer to CONNECT (raw bytes until the blank line).
        self.tunnelling = False
        self.buffer = b""

    # asyncio.Protocol.

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and self.keep_alive:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)

    def data_received(self, data: bytes) -> None:
        waiter = self.waiter
        if waiter is None or waiter.done():
            self.abort()  # unasked-for bytes: the connection cannot be trusted
            return
        if self.tunnelling:
            self.buffer += data
            if b"\r\n\r\n" in self.buffer:
                self.tunnelling = False
                waiter.set_result(self.buffer)
            return
        self.deadline = self.loop.time() + self.timeout
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(SendFailedError(describe(exc)))

    def eof_received(self) -> bool:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            if (
                self.started
                and "content-length" not in self.headers
                and "chunked" not in self.headers.get("transfer-encoding", "").lower()
            ):
                self._complete(keep=False)  # a body that ends with the connection
            elif self.tunnelling:
                self._fail(ConnectFailedError("the proxy closed the connection before the tunnel"))
            else:
                self._fail(SendFailedError("the connection closed before the whole answer arrived"))
        self.lost = True
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._stop_timer()
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            detail = describe(exc) if exc is not None else "the connection closed"
            error = ConnectFailedError(detail) if self.tunnelling else SendFailedError(detail)
            waiter.set_exception(error)

    # llhttp's callbacks.

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
        parser = self.parser
        if parser.get_status_code() < 200:  # 1xx: the answer follows (same parser)
            self.headers = {}
            self.body = []
            self.started = False
            return
        tokens = self.headers.get("connection", "").lower()
        # HTTP/1.1 keeps the connection unless told to close it; HTTP/1.0 only when asked to.
        if parser.get_http_version() == "1.0":
            keep = "keep-alive" in tokens
        else:
            keep = "close" not in tokens
        self._complete(keep)

    # Requests.

    def exchange(self, request: bytes, timeout: float) -> asyncio.Future[tuple[Answer, bool]]:
        """Write ``request``; the future gets the answer and whether the connection may
        carry another request."""
        waiter: asyncio.Future[tuple[Answer, bool]] = self.loop.create_future()
        if not self.usable():  # closed while it was being made: nothing is sent
            waiter.set_exception(ConnectFailedError("the connection closed before sending"))
            return waiter
        self.waiter = waiter
        self.parser = httptools.HttpResponseParser(self)
        self.headers = {}
        self.body = []
        self.started = False
        self._arm(timeout)
        assert self.transport is not None
        self.transport.write(request)
        return waiter

    def _complete(self, keep: bool) -> None:
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        answer = Answer(self.parser.get_status_code(), self.headers, b"".join(self.body))
        self.waiter = None
        self.parser = None
        waiter.set_result((answer, keep))

    def _fail(self, error: Exception) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        self.abort()

    async def tunnel(self, request: bytes) -> None:
        """Ask the proxy for a tunnel (``CONNECT``) and check its answer."""
        waiter: asyncio.Future[bytes] = self.loop.create_future()
        self.waiter = waiter
        self.tunnelling = True
        assert self.transport is not None
        self.transport.write(request)
        answer = await waiter
        self.waiter = None
        head, _, rest = answer.partition(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or parts[1] != "200":
            raise ConnectFailedError(f"the proxy refused the tunnel: {status_line!r}")
        if rest:
            raise ConnectFailedError("the proxy sent bytes before the tunnel was made")

    async def start_tls(self, tls: ssl.SSLContext | None, host: str) -> None:
        """TLS to the endpoint inside the tunnel."""
        assert self.transport is not None
        assert tls is not None
        transport = await self.loop.start_tls(self.transport, self, tls, server_hostname=host)
        if transport is None:
            raise ConnectFailedError("the TLS handshake inside the proxy's tunnel failed")
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    # The read timeout.

    def _arm(self, timeout: float) -> None:
        self.timeout = timeout
        self.deadline = self.loop.time() + timeout
        if self.timer is None:
            self.timer = self.loop.call_at(self.deadline, self._on_timer)

    def _on_timer(self) -> None:
        self.timer = None
        waiter = self.waiter
        if waiter is None or waiter.done():
            return  # idle: armed again by the next request
        now = self.loop.time()
        if now < self.deadline:
            self.timer = self.loop.call_at(self.deadline, self._on_timer)
            return
        self._fail(TimedOutError(f"no answer within {self.timeout:g}s"))

    def _stop_timer(self) -> None:
        timer, self.timer = self.timer, None
        if timer is not None:
            timer.cancel()

    # State.

    def usable(self) -> bool:
        transport = self.transport
        return not self.lost and transport is not None and not transport.is_closing()

    def quiet(self) -> bool:
        """An idle connection is usable while its socket has nothing to read: a readable idle
        socket means the server closed it (or sent something unasked for) and the loop has
        not seen it yet."""
        transport = self.transport
        sock = transport.get_extra_info("socket") if transport is not None else None
        if sock is None:
            return False
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    def close(self) -> None:
        self._stop_timer()
        self.lost = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        self._stop_timer()
        self.lost = True
        if self.transport is not None:
            self.transport.abort()


def _default_tls() -> ssl.SSLContext:
    """The proxy's certificate checked as an endpoint's would be (``AWS_CA_BUNDLE`` first)."""
    from dynamodb_tooling.drivers._http import ca_bundle, tls_context

    return tls_context(ca_bundle())
