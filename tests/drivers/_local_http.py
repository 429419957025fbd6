"""Loopback HTTP/1.1 servers for the lean driver's transport tests (stdlib only).

:class:`ScriptedServer` answers every request with a small JSON body over keep-alive
connections, remembers what it received and on which connection, and can be told to stall,
drop the connection after reading a request, hang up half way through an answer, close an
idle connection after answering, or answer ``Connection: close``; optionally over TLS.
:class:`ForwardProxy` is an HTTP proxy that tunnels ``CONNECT`` and forwards absolute-form
requests, recording the ``Proxy-Authorization`` it saw.
"""

from __future__ import annotations

import datetime
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

Behaviour = Literal["answer", "stall", "drop", "close", "half", "hangup"]


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    connection: int  # the client port: one per TCP connection


@dataclass
class _State:
    received: list[Received] = field(default_factory=list)
    behaviour: Behaviour = "answer"
    stall: float = 0.0
    answer: bytes = b'{"ok": true}'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    state: _State

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        state = self.state
        state.received.append(
            Received(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                body,
                self.client_address[1],
            )
        )
        if state.behaviour == "stall":
            time.sleep(state.stall)
        if state.behaviour == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        if state.behaviour == "half":  # promises more than it sends, then hangs up
            self.send_header("Content-Length", str(len(state.answer) + 100))
            self.end_headers()
            self.wfile.write(state.answer)
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_header("Content-Length", str(len(state.answer)))
        if state.behaviour == "close":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(state.answer)
        if state.behaviour == "hangup":  # looked like keep-alive, then closes while idle
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None


class ScriptedServer:
    """``with ScriptedServer() as server``: ``server.url``, ``server.received``."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        state = _State()
        handler = type("Handler", (_Handler,), {"state": state})
        self.state = state
        self._server = _Server(("127.0.0.1", 0), handler)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.port: int = self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.state.received

    def behave(self, behaviour: Behaviour, stall: float = 0.0) -> None:
        self.state.behaviour = behaviour
        self.state.stall = stall

    def __enter__(self) -> ScriptedServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str, str | None]]

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_CONNECT(self) -> None:
        self.seen.append(("CONNECT", self.path, self.headers.get("Proxy-Authorization")))
        host, _, port = self.path.rpartition(":")
        upstream = socket.create_connection((host, int(port)), timeout=10)
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        sockets = [self.connection, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 10)
                if not readable:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is self.connection else self.connection).sendall(data)
        finally:
            upstream.close()
            self.close_connection = True

    def do_POST(self) -> None:
        self.seen.append(("POST", self.path, self.headers.get("Proxy-Authorization")))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        target = self.path.split("://", 1)[1]
        netloc, _, path = target.partition("/")
        host, _, port = netloc.rpartition(":")
        upstream = socket.create_connection((host, int(port)), timeout=10)
        try:
            forwarded = [f"POST /{path} HTTP/1.1"]
            forwarded += [
                f"{k}: {v}" for k, v in self.headers.items() if k.lower() != "proxy-authorization"
            ]
            upstream.sendall("\r\n".join(forwarded).encode() + b"\r\n\r\n" + body)
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += upstream.recv(65536)
            head, _, rest = answer.partition(b"\r\n\r\n")
            size = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            while len(rest) < size:
                rest += upstream.recv(65536)
            self.wfile.write(head + b"\r\n\r\n" + rest)
        finally:
            upstream.close()


class ForwardProxy:
    """``with ForwardProxy() as proxy``: ``proxy.url``; ``proxy.seen`` lists
    (method, target, Proxy-Authorization)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str | None]] = []
        handler = type("Handler", (_ProxyHandler,), {"seen": self.seen})
        self._server = _Server(("127.0.0.1", 0), handler)
        self.port: int = self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ForwardProxy:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def self_signed(directory: Path) -> tuple[Path, ssl.SSLContext]:
    """A certificate for 127.0.0.1 (its PEM file is the CA bundle that trusts it) and a
    server TLS context serving it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    import ipaddress

    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return cert_path, context
