"""The lean driver: DynamoDB's JSON protocol over pooled keep-alive HTTP, sync and async.

Each operation is one signed ``POST`` (``X-Amz-Target: DynamoDB_20120810.<Operation>``,
``Content-Type: application/x-amz-json-1.0``). The body is written with orjson, signed with
SigV4 (:mod:`._sigv4`, signing key cached per day) and sent on pooled keep-alive connections:
``http.client``-made connections for ``execute`` (:mod:`._http_sync`) and asyncio connections
for ``aexecute`` (:mod:`._http_async`, a pool per event loop), both parsing answers with
llhttp (``httptools``), chosen by measured CPU per request
(docs/benchmarks.md). Everything else is shared with
the botocore driver: where requests go and with which static credentials
(:func:`resolve_connection`), botocore's credential chain (refreshable credentials are read per
request), the error table (:func:`~._errors.error_for`), the retry rules (:mod:`._retry`) and
the request defaults.

Choose it with ``driver = "lean"`` (or ``DBTOOLING_DRIVER=lean``).
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import threading
import time
import zlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import botocore.session
import orjson
from botocore.exceptions import ProfileNotFound

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config, get_config, is_local_mode
from dynamodb_tooling.drivers._endpoint import Connection, resolve_connection
from dynamodb_tooling.drivers._errors import error_for, lost, timed_out, unreachable
from dynamodb_tooling.drivers._http import (
    Answer,
    AsyncSend,
    ConnectFailedError,
    Endpoint,
    PoolExhaustedError,
    SyncSend,
    TimedOutError,
    TransportError,
    ca_bundle,
    proxy_for,
    tls_context,
)
from dynamodb_tooling.drivers._http_async import AsyncTransport
from dynamodb_tooling.drivers._http_sync import SyncTransport
from dynamodb_tooling.drivers._retry import RetryPolicy, asend_with_retries, send_with_retries
from dynamodb_tooling.drivers._sigv4 import Credentials, JsonPostSigner
from dynamodb_tooling.drivers._wire import decode, decode_binary, encode
from dynamodb_tooling.drivers.base import BaseDriver, DriverCapabilities, aws_config_problems
from dynamodb_tooling.errors import (
    DriverError,
    DynamoDBError,
    EndpointConnectionError,
)
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.defaults import apply_defaults

TARGET_PREFIX = "DynamoDB_20120810."
SERVICE = "dynamodb"


def _user_agent() -> str:
    try:
        return f"dynamodb-tooling/{importlib.metadata.version('dynamodb-tooling')} lean"
    except importlib.metadata.PackageNotFoundError:
        return "dynamodb-tooling lean"


USER_AGENT = _user_agent()


@dataclass(frozen=True, slots=True)
class _AsyncState:
    """The async transport of one event loop, and the generator that closes it with the
    loop."""

    loop: asyncio.AbstractEventLoop
    transport: AsyncSend
    keeper: AsyncGenerator[None, None]


@dataclass(frozen=True, slots=True)
class _Target:
    """Where and how requests are sent, resolved once by ``connect``."""

    connection: Connection
    endpoint: Endpoint
    host: str
    signer: JsonPostSigner
    static: Credentials | None
    refreshable: Any  # botocore Credentials when the chain supplies them

    def credentials(self) -> Credentials:
        if self.static is not None:
            return self.static
        frozen = self.refreshable.get_frozen_credentials()
        return Credentials(frozen.access_key, frozen.secret_key, frozen.token)


class LeanDriver(BaseDriver):
    """Executes requests with its own SigV4 and JSON over pooled keep-alive HTTP; thread-safe,
    one connection pool for ``execute`` and one per event loop for ``aexecute``.

    ``transport``/``async_transport`` replace the HTTP transports (anything with the
    :class:`~._http.SyncSend`/:class:`~._http.AsyncSend` methods; tests pass scripted ones).
    By default proxies come from the environment (``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``)
    and certificates from ``AWS_CA_BUNDLE`` or the profile's ``ca_bundle`` (else
    ``SSL_CERT_FILE``/``SSL_CERT_DIR``, else the bundle botocore uses).
    """

    name = "lean"

    def __init__(
        self,
        config: Config | None = None,
        *,
        session: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        transport: SyncSend | None = None,
        async_transport: AsyncSend | None = None,
    ) -> None:
        self.config = config or get_config()
        super().__init__(
            max_concurrency=min(16, self.config.http_options.max_pool_connections),
            sleep=sleep,
            async_sleep=async_sleep,
        )
        self._session = session or botocore.session.get_session()
        if self.config.profile and session is None:
            self._session.set_config_variable("profile", self.config.profile)
        self._transport = transport
        self._async_transport = async_transport
        self._target: _Target | None = None
        self._sync: SyncSend | None = None
        self._aclient: _AsyncState | None = None
        self._lock = threading.Lock()
        self._retry = RetryPolicy.from_config(self.config)
        self._closing: set[asyncio.Future[None]] = set()
        self._options: tuple[_Target, dict[str, Any]] | None = None

    # Connection.

    @property
    def connection(self) -> Connection:
        return self._connected().connection

    @property
    def endpoint(self) -> str:
        return self.connection.label

    def connect(self) -> None:
        self._sync_state()

    def _connected(self) -> _Target:
        target = self._target
        if target is not None:
            return target
        with self._lock:
            if self._target is None:
                self._target = self._resolve()
            return self._target

    def _sync_state(self) -> tuple[_Target, SyncSend]:
        target, state = self._target, self._sync
        if target is not None and state is not None:
            return target, state
        with self._lock:
            if self._target is None:
                self._target = self._resolve()
            if self._sync is None:
                self._sync = self._new_sync(self._target)
            return self._target, self._sync

    def _resolve(self) -> _Target:
        try:
            return self._resolve_with(self._session)
        except ProfileNotFound as exc:
            if self.config.profile is None and is_local_mode(self.config):
                # A local engine needs no AWS profile: one named by AWS_PROFILE that does not
                # exist must not stop it.
                self._session = botocore.session.Session(
                    session_vars={"profile": (None, None, None, None)}
                )
                return self._resolve_with(self._session)
            raise DriverError(
                f"the AWS profile {exc.kwargs.get('profile')!r} does not exist (it comes from "
                "`profile` in the configuration or the AWS_PROFILE variable); fix its name in "
                "~/.aws/config, unset AWS_PROFILE, or set credentials"
            ) from exc

    def _resolve_with(self, session: Any) -> _Target:
        connection = resolve_connection(self.config, session)
        static: Credentials | None = None
        refreshable: Any = None
        if connection.credentials is not None:
            static = Credentials(*connection.credentials)
        else:
            refreshable = session.get_credentials()
            if refreshable is None:
                raise DriverError(
                    f"no AWS credentials found for {connection.label}: set `credentials` or "
                    "`profile` in the configuration, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                    "or a profile in ~/.aws/credentials"
                )
        endpoint = Endpoint.parse(
            connection.endpoint or f"https://dynamodb.{connection.region}.amazonaws.com"
        )
        host = endpoint.netloc
        signer = JsonPostSigner(connection.region, SERVICE, host, endpoint.path)
        return _Target(connection, endpoint, host, signer, static, refreshable)

    def _transport_options(self, target: _Target) -> dict[str, Any]:
        """How the transports connect: timeouts, pool size, proxy and TLS. The environment's
        proxy and CA bundle are read once per connection (``connect`` after ``disconnect``
        reads them again), so a new event loop does not load the certificates again."""
        known = self._options
        if known is not None and known[0] is target:
            return known[1]
        endpoint = target.endpoint
        http = self.config.http_options
        bundle = ca_bundle(self._session)
        options = {
            "timeout": http.timeout,
            "connect_timeout": http.connect_timeout,
            "max_connections": http.max_pool_connections,
            "keep_alive": http.keep_alive,
            "proxy": proxy_for(endpoint),
            "tls": tls_context(bundle) if endpoint.scheme == "https" else None,
        }
        self._options = (target, options)
        return options

    def _new_sync(self, target: _Target) -> SyncSend:
        if self._transport is not None:
            return self._transport
        return SyncTransport(target.endpoint, **self._transport_options(target))

    async def _async_state(self) -> _AsyncState:
        loop = asyncio.get_running_loop()
        current = self._aclient
        if current is not None and current.loop is loop:
            return current
        target = self._connected()
        with self._lock:
            current = self._aclient
            if current is not None and current.loop is loop:
                return current
            transport = self._async_transport or AsyncTransport(
                target.endpoint, **self._transport_options(target)
            )
            state = _AsyncState(loop, transport, _closed_with_loop(transport))
            self._aclient = state
        # Started on this loop, the keeper is closed by the loop's shutdown_asyncgens()
        # (asyncio.run, asyncio.Runner), which closes the client before the loop goes away.
        await state.keeper.asend(None)
        if current is not None:
            self._close_async(current)
        return state

    def _close_async(self, state: _AsyncState) -> None:
        """Close an async transport on its own event loop, however that loop is doing."""
        loop = state.loop
        if loop.is_closed():
            return  # closed by the loop's shutdown_asyncgens()
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            task = loop.create_task(state.keeper.aclose())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        elif loop.is_running():
            asyncio.run_coroutine_threadsafe(state.keeper.aclose(), loop)
        else:
            loop.run_until_complete(state.keeper.aclose())

    def disconnect(self) -> None:
        super().disconnect()
        with self._lock:
            sync, self._sync = self._sync, None
            aclient, self._aclient = self._aclient, None
            self._target = None
        if sync is not None:
            sync.close()
        if aclient is not None:
            self._close_async(aclient)

    async def adisconnect(self) -> None:
        """``disconnect`` from async code: the async transport of this loop is closed
        (awaited)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            state = self._aclient
            if state is not None and state.loop is loop:
                self._aclient = None
        if state is not None and state.loop is loop:
            await state.keeper.aclose()
        self.disconnect()

    # Requests.

    def execute(self, request: Request) -> Response:
        """Send ``request`` (with the configured request defaults), retrying as
        :mod:`~dynamodb_tooling.drivers._retry` describes."""
        return send_with_retries(
            self._send, apply_defaults(request, self.config), self._retry, self._sleep
        )

    async def aexecute(self, request: Request) -> Response:
        """The async twin of :meth:`execute`, on this event loop's transport."""
        return await asend_with_retries(
            self._asend, apply_defaults(request, self.config), self._retry, self._async_sleep
        )

    def _prepare(self, target: _Target, request: Request) -> tuple[dict[str, str], bytes]:
        operation = request.operation
        body = encode(request.params, operation)
        headers = target.signer.headers(target.credentials(), TARGET_PREFIX + operation, body)
        headers["Host"] = target.host
        headers["User-Agent"] = USER_AGENT
        return headers, body

    def _send(self, request: Request) -> Response:
        target, transport = self._sync_state()
        headers, body = self._prepare(target, request)
        try:
            answer = transport.send(headers, body)
        except TransportError as exc:
            raise self._transport_error(exc, request.operation) from exc
        return self._answer(request.operation, answer)

    async def _asend(self, request: Request) -> Response:
        state = self._aclient
        if state is None or state.loop is not asyncio.get_running_loop():
            state = await self._async_state()
        target = self._target
        headers, body = self._prepare(target if target is not None else self._connected(), request)
        try:
            answer = await state.transport.send(headers, body)
        except TransportError as exc:
            raise self._transport_error(exc, request.operation) from exc
        return self._answer(request.operation, answer)

    def _answer(self, operation: str, answer: Answer) -> Response:
        content = answer.body
        crc = answer.headers.get("x-amz-crc32")
        if crc is not None and crc.isdigit() and int(crc) != zlib.crc32(content):
            raise lost(operation, self.endpoint, "the answer arrived corrupted (CRC32 mismatch)")
        status = answer.status
        if status == 200:
            try:
                return decode(operation, content)
            except (orjson.JSONDecodeError, ValueError) as exc:
                raise lost(operation, self.endpoint, f"unreadable answer: {exc}") from exc
        raise parse_error(operation, status, answer.headers, content)

    def _transport_error(self, error: TransportError, operation: str) -> EndpointConnectionError:
        detail = str(error) or type(error).__name__
        if isinstance(error, PoolExhaustedError):
            return unreachable(
                operation,
                self.endpoint,
                f"no pooled connection became free in time ({detail}); raise "
                "http_options.max_pool_connections or send fewer requests at once",
            )
        if isinstance(error, ConnectFailedError):
            return unreachable(operation, self.endpoint, detail)
        if isinstance(error, TimedOutError):
            return timed_out(operation, self.endpoint, detail)
        return lost(operation, self.endpoint, detail)

    def capabilities(self) -> DriverCapabilities:
        return DriverCapabilities(max_concurrency=self._max_concurrency)

    def validate_config(self, config: Config) -> list[tuple[str, str]]:
        return aws_config_problems(config, "lean")


def parse_error(
    operation: str, status: int, headers: Mapping[str, str], content: bytes
) -> DynamoDBError:
    """The typed error for a non-200 DynamoDB answer (JSON ``__type``/``message`` body)."""
    body: dict[str, Any] = {}
    if content:
        try:
            parsed = orjson.loads(content)
        except orjson.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            body = decode_binary(parsed)
    kind = str(body.get("__type") or headers.get("x-amzn-errortype") or "")
    code = kind.rsplit("#", 1)[-1].split(":", 1)[0] or str(status)
    message = body.get("message") or body.get("Message")
    if message is None:
        text = content[:200].decode("utf-8", "replace").strip()
        message = text or f"HTTP {status}"
    response = {k: v for k, v in body.items() if k not in ("__type", "message", "Message")}
    response["Error"] = {"Code": code, "Message": str(message)}
    response["ResponseMetadata"] = {
        "HTTPStatusCode": status,
        "RequestId": headers.get("x-amzn-requestid", ""),
    }
    return error_for(code, str(message), status, operation, response)


async def _closed_with_loop(transport: AsyncSend) -> AsyncGenerator[None, None]:
    """Suspended until closed, then closes ``transport``: the event loop tracks started async
    generators and closes them before it shuts down."""
    try:
        yield
    finally:
        await transport.aclose()
