"""What the lean driver's two HTTP transports share: the answer, the failures, the endpoint,
proxies from the environment and the TLS context.

A transport is bound to one endpoint and sends one signed ``POST`` per call:
:class:`~._http_sync.SyncTransport` (``http.client`` connections in a keep-alive pool) for
``execute``, :class:`~._http_async.AsyncTransport` (asyncio connections in a keep-alive pool
per event loop) for ``aexecute``; both parse answers with llhttp (``httptools``). Both raise
only the failures below, which tell the driver whether the request may have reached the
engine:

- :class:`ConnectFailedError` — no connection was made (refused, DNS, TLS, proxy, connect
  timeout, or no pooled connection free in time): nothing was sent;
- :class:`TimedOutError` — sent, but no answer came within the read timeout;
- :class:`SendFailedError` — the connection failed after the request was (partly) sent.
"""

from __future__ import annotations

import base64
import os
import ssl
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from dynamodb_tooling.errors import DriverError


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer: status, headers (lower-case names) and the whole body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class TransportError(Exception):
    """A request that got no HTTP answer."""


class ConnectFailedError(TransportError):
    """No connection could be made: the request was not sent."""


class PoolExhaustedError(ConnectFailedError):
    """Every pooled connection stayed busy for the whole connect timeout."""


class TimedOutError(TransportError):
    """The request was sent but no answer came in time."""


class SendFailedError(TransportError):
    """The connection failed after the request was sent."""


class SyncSend(Protocol):
    """What ``execute`` sends through: one ``POST`` of ``body`` with ``headers``."""

    def send(self, headers: dict[str, str], body: bytes) -> Answer: ...

    def close(self) -> None: ...


class AsyncSend(Protocol):
    """What ``aexecute`` sends through (one per event loop)."""

    def send(self, headers: dict[str, str], body: bytes) -> Awaitable[Answer]: ...

    def aclose(self) -> Awaitable[None]: ...


#: Makes the async transport of the running event loop for an endpoint.
AsyncFactory = Callable[["Endpoint"], AsyncSend]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where requests go, parsed once: scheme, host, port, the path signed and sent."""

    url: str
    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DriverError(f"endpoint {url!r} must be an http:// or https:// URL")
        if parts.query or parts.fragment:
            raise DriverError(f"endpoint {url!r} must not carry a query or a fragment")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise DriverError(f"endpoint {url!r} has an invalid port") from exc
        path = parts.path or "/"  # "http://host:port" is sent and signed as "/"
        return cls(url, parts.scheme, parts.hostname, port, path)

    @property
    def netloc(self) -> str:
        """``host[:port]`` as the ``Host`` header carries it (the default port left out)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.netloc}"


@dataclass(frozen=True, slots=True)
class Proxy:
    """An HTTP proxy: where it listens, and the ``Proxy-Authorization`` its URL implies."""

    url: str
    scheme: str
    host: str
    port: int
    authorization: str | None


def proxy_for(endpoint: Endpoint) -> Proxy | None:
    """The proxy the environment names for ``endpoint`` (``HTTPS_PROXY``/``HTTP_PROXY``/
    ``ALL_PROXY``, lower-case too), unless ``NO_PROXY`` exempts its host."""
    proxies = urllib.request.getproxies()
    if not proxies or urllib.request.proxy_bypass(endpoint.host):
        return None
    url = proxies.get(endpoint.scheme) or proxies.get("all")
    if not url:
        return None
    if "://" not in url:
        url = f"http://{url}"
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DriverError(
            f"the proxy {url!r} from the environment must be an http:// or https:// URL"
        )
    authorization = None
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        authorization = f"Basic {token}"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise DriverError(f"the proxy {url!r} from the environment has an invalid port") from exc
    return Proxy(url, parts.scheme, parts.hostname, port, authorization)


def ca_bundle(session: Any = None) -> str | None:
    """The CA bundle configured for AWS: ``AWS_CA_BUNDLE``, else ``ca_bundle`` in the
    profile (through the botocore ``session``); checked to be a file."""
    bundle = os.environ.get("AWS_CA_BUNDLE")
    if not bundle and session is not None:
        try:
            bundle = session.get_config_variable("ca_bundle")
        except Exception:  # a session without that variable (tests pass stand-ins)
            bundle = None
    if not bundle:
        return None
    if not os.path.isfile(bundle):
        raise DriverError(
            f"the CA bundle {bundle!r} (AWS_CA_BUNDLE or ca_bundle in the AWS profile) is not "
            "a file (a PEM certificate bundle)"
        )
    return str(bundle)


def tls_context(bundle: str | None) -> ssl.SSLContext:
    """Certificates verified against ``bundle``, else ``SSL_CERT_FILE``/``SSL_CERT_DIR``, else
    the bundle botocore uses (certifi when installed)."""
    if bundle:
        return ssl.create_default_context(cafile=bundle)
    cafile = os.environ.get("SSL_CERT_FILE")
    capath = os.environ.get("SSL_CERT_DIR")
    if cafile and os.path.isfile(cafile):
        return ssl.create_default_context(cafile=cafile)
    if capath and os.path.isdir(capath):
        return ssl.create_default_context(capath=capath)
    from botocore.httpsession import where  # certifi's bundle, or botocore's own

    return ssl.create_default_context(cafile=where())


def request_target(endpoint: Endpoint, proxy: Proxy | None) -> tuple[str, str]:
    """The request target and the extra header lines of a ``POST`` to ``endpoint``: through a
    proxy, a plain-HTTP request names the whole URL and carries the proxy's credentials; a
    tunnelled one (https) is an ordinary request inside the tunnel."""
    if proxy is None or endpoint.scheme != "http":
        return endpoint.path, ""
    extra = f"Proxy-Authorization: {proxy.authorization}\r\n" if proxy.authorization else ""
    return endpoint.origin + endpoint.path, extra


def request_head(target: str, headers: dict[str, str], extra: str, length: int) -> bytes:
    """The head of a ``POST`` (request line, ``headers``, ``extra`` lines, Content-Length);
    a header value holding a line break is refused (it could smuggle a header)."""
    lines = [f"POST {target} HTTP/1.1\r\n"]
    for name, value in headers.items():
        if "\n" in value or "\r" in value:
            raise DriverError(f"the {name} header holds a line break: {value!r}")
        lines.append(f"{name}: {value}\r\n")
    lines.append(f"{extra}Content-Length: {length}\r\n\r\n")
    return "".join(lines).encode("latin-1")


def describe(error: BaseException) -> str:
    """``Type: message`` of a low-level error, for the transport errors' text."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
