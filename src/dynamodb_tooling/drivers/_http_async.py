"""The lean driver's async HTTP transport: an ``aiohttp`` session with a keep-alive pool.

aiohttp parses HTTP with its C parser (llhttp) and runs straight on asyncio; per request it
measured well under half of httpx's async stack (anyio, httpcore, h11) here (see
docs/benchmarks.md). One :class:`AsyncTransport` serves one event loop: its session is made
on the loop of the first request (aiohttp binds sessions to a loop) and made again if it was
closed.

- ``max_connections`` pooled keep-alive connections (``TCPConnector(limit=...)``); a request
  that finds all busy waits within the connect timeout;
- the connect timeout bounds getting a connection (pool wait, TCP, proxy, TLS), the read
  timeout every wait for the engine's bytes after sending (``sock_read``);
- TLS with the caller's :class:`ssl.SSLContext`; an ``http://`` or ``https://`` proxy from
  the environment, its credentials sent as ``Proxy-Authorization``;
- no cookies, no redirects, no decompression, no headers of aiohttp's own beyond ``Host``
  and ``Content-Length`` (the driver signs what it sends).
"""

from __future__ import annotations

import socket
import ssl
from typing import Any

import aiohttp
from yarl import URL

from dynamodb_tooling.drivers._http import (
    Answer,
    ConnectFailedError,
    Endpoint,
    Proxy,
    SendFailedError,
    TimedOutError,
)

_SKIPPED = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")


class AsyncTransport:
    """Sends ``POST`` requests to one endpoint on an event loop's pooled connections."""

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
        self.endpoint = endpoint
        self.max_connections = max_connections
        self.keep_alive = keep_alive
        self.tls = tls
        self._url = URL(endpoint.origin + endpoint.path, encoded=True)
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=connect_timeout, sock_connect=connect_timeout, sock_read=timeout
        )
        self._proxy = URL(proxy.url) if proxy is not None else None
        self._proxy_headers = (
            {"Proxy-Authorization": proxy.authorization}
            if proxy is not None and proxy.authorization
            else None
        )
        self._session: aiohttp.ClientSession | None = None

    def _new_session(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self.max_connections,
            ssl=self.tls if self.tls is not None else False,
            socket_factory=_keep_alive_socket if self.keep_alive else None,
        )
        return aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            skip_auto_headers=_SKIPPED,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,  # the proxy was resolved from the environment already
        )

    @property
    def closed(self) -> bool:
        return self._session is None or self._session.closed

    async def send(self, headers: dict[str, str], body: bytes) -> Answer:
        """``POST`` ``body`` with ``headers`` (``Host`` included) and read the whole answer."""
        session = self._session
        if session is None or session.closed:
            session = self._session = self._new_session()
        try:
            response = await session.request(
                "POST",
                self._url,
                data=body,
                headers=headers,
                allow_redirects=False,
                proxy=self._proxy,
                proxy_headers=self._proxy_headers,
            )
            try:
                content = await response.read()
            finally:
                response.release()
        except (
            aiohttp.ClientConnectorError,
            aiohttp.ClientHttpProxyError,
            aiohttp.ConnectionTimeoutError,
        ) as exc:
            raise ConnectFailedError(_describe(exc)) from exc
        except TimeoutError as exc:  # aiohttp's ServerTimeoutError (sock_read) is one
            raise TimedOutError(_describe(exc)) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise SendFailedError(_describe(exc)) from exc
        return Answer(response.status, response.headers, content)

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()


def _keep_alive_socket(address: tuple[Any, ...]) -> socket.socket:
    """A socket with TCP keep-alive probes on (``http_options.keep_alive``)."""
    family, kind, protocol = address[0], address[1], address[2]
    sock = socket.socket(family=family, type=kind, proto=protocol)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    return sock


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
