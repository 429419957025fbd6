"""HTTP/1.1 keep-alive for the engine's werkzeug server, as DynamoDB itself serves.

werkzeug's development server answers ``Connection: close`` to every request (it cannot tell
where one request's body ends and the next request begins), so every client would open a new
TCP connection per operation, which DynamoDB never makes them do. :class:`KeepAliveRequestHandler`
serves the same WSGI app over persistent connections:

- the request body is read through a stream bounded by ``Content-Length`` (or werkzeug's
  de-chunking reader), and whatever the app left unread is drained up to that bound only, so
  the next request on the connection is never eaten;
- the app's answer is buffered (DynamoDB answers are small) and sent with its
  ``Content-Length`` in one write, headers and body together (no Nagle/delayed-ACK stall);
- the connection stays open unless the client asked to close it (``Connection: close``,
  HTTP/1.0), the request had an unreadable length, or the app failed;
- an idle connection is closed after :attr:`KeepAliveRequestHandler.idle_timeout` seconds, or
  as soon as the server is closed, so a stopped engine does not keep answering on old
  connections.
"""

from __future__ import annotations

import io
import select
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.exceptions import InternalServerError

#: Response headers the handler writes itself.
_OWN_HEADERS = frozenset({"content-length", "connection", "transfer-encoding"})


class _BoundedBody(io.RawIOBase):
    """At most ``length`` bytes of ``stream``: the body of one request."""

    def __init__(self, stream: Any, length: int) -> None:
        super().__init__()
        self._stream = stream
        self.left = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.left <= 0:
            return 0
        data = self._stream.read(min(len(buffer), self.left))
        size = len(data)
        buffer[:size] = data
        self.left = self.left - size if size else 0
        return size

    def drain(self) -> None:
        """Read and drop what the app did not read (never past this request's body)."""
        while self.left > 0:
            if not self._stream.read(min(self.left, 1 << 20)):
                self.left = 0


class KeepAliveRequestHandler(MotoRequestHandler):
    """moto's request handler over persistent HTTP/1.1 connections (see the module doc)."""

    protocol_version = "HTTP/1.1"
    # Answers go out at once: with Nagle's algorithm a small answer can wait for the ACK of
    # the previous one (about 40 ms with delayed ACKs).
    disable_nagle_algorithm = True
    #: Seconds an idle connection is kept open.
    idle_timeout = 60.0
    #: How often an idle connection checks whether the server was closed.
    poll_interval = 0.5

    def handle(self) -> None:
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection and self._next_request_arrives():
            self.handle_one_request()

    def _next_request_arrives(self) -> bool:
        waited = 0.0
        while waited < self.idle_timeout:
            if self.server.socket.fileno() == -1:  # the server was closed
                return False
            readable, _, _ = select.select([self.connection], [], [], self.poll_interval)
            if readable:
                return self.server.socket.fileno() != -1
            waited += self.poll_interval
        return False

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError) as exc:
            self.close_connection = True
            self.connection_dropped(exc)

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.environ = self.make_environ()
        body: _BoundedBody | None = None
        if not environ.get("wsgi.input_terminated"):  # not chunked: Content-Length bounds it
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = 0
                self.close_connection = True  # where this body ends is unknown
            body = _BoundedBody(self.rfile, max(length, 0))
            environ["wsgi.input"] = io.BufferedReader(body)
        try:
            status, headers, content = _call(self.server.app, environ)
        except Exception as exc:
            self.close_connection = True
            self.log_error("error on request: %r", exc)
            status, headers, content = _call(InternalServerError(), environ)
        if body is not None:
            body.drain()
        else:
            environ["wsgi.input"].read()  # the rest of a chunked body
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason)
        for name, value in headers:
            if name.lower() not in _OWN_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        if self.close_connection:
            self.send_header("Connection", "close")
        # Headers and body in one write.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(content)
        self.flush_headers()


class QuietKeepAliveRequestHandler(KeepAliveRequestHandler):
    """:class:`KeepAliveRequestHandler` without the per-request access log."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _call(
    app: Callable[..., Iterable[bytes]], environ: dict[str, Any]
) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run a WSGI app to completion: its status, headers and whole body."""
    started: list[Any] = []
    written: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        started[:] = [status, headers]
        return written.append

    result = app(environ, start_response)
    try:
        written.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if not started:
        raise RuntimeError("the WSGI app returned without calling start_response")
    return started[0], started[1], b"".join(written)
