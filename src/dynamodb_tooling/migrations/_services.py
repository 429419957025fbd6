"""Calls to AWS services other than DynamoDB (Application Auto Scaling), from migration flows.

A migration flow yields a :class:`ServiceCall` like any other step; :class:`ServiceExecutor`
wraps the DynamoDB executor (``client.run``/``arun``), answers service calls itself with a
botocore client of that service, and hands every other step to the wrapped executor one at a
time. The service client uses the same credentials and region as the DynamoDB connection, and
the same endpoint when it is a local or custom one (moto serves every service on one port and
routes by the SigV4 signature); on AWS (no endpoint, or an ``amazonaws.com`` one) the
service's own endpoint.

An engine that does not implement the service (DynamoDB Local, a DynamoDB-only proxy) answers
with an unknown-operation error, a 404/501, or moto's 500 "not implemented":
:class:`ServiceUnsupportedError`, so the runner can keep those steps *planned*.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import botocore.session
from botocore import xform_name
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers._endpoint import Connection, resolve_connection
from dynamodb_tooling.migrations.errors import MigrationError
from dynamodb_tooling.query.executor import Executor
from dynamodb_tooling.requests import Flow, Request, Step, adrive, drive

T = TypeVar("T")

#: Error codes (and message fragments) of an engine that does not implement an operation.
_UNSUPPORTED_CODES = frozenset(
    {
        "UnknownOperationException",
        "UnrecognizedClientException",
        "InvalidAction",
        "NotImplemented",
        "NotImplementedException",
        "404",
        "501",
    }
)
_UNSUPPORTED_TEXT = ("not been implemented", "not implemented", "unknown operation")


@dataclass(frozen=True)
class ServiceCall:
    """One call of another AWS service's API (``service`` as botocore names it)."""

    service: str
    operation: str
    params: Mapping[str, Any] = field(default_factory=dict)


class ServiceCallError(MigrationError):
    """A call to another AWS service failed (``code``: the service's error code)."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class ServiceUnsupportedError(ServiceCallError):
    """The engine does not implement the service or the operation."""


def send(call: ServiceCall) -> Flow[Response]:
    """The flow of one service call. Migration flows are typed as DynamoDB flows (their
    callers and executors are); the executor that runs them is a :class:`ServiceExecutor`,
    the one place that knows the extra step type."""
    response: Response = yield cast(Step, call)
    return response


def _one(step: Step) -> Flow[Any]:
    answer = yield step
    return answer


class ServiceExecutor:
    """An executor that answers :class:`ServiceCall` steps and passes the rest to ``inner``."""

    def __init__(
        self, inner: Executor, *, call: Callable[[ServiceCall], Response] | None = None
    ) -> None:
        """``call`` answers service calls instead of botocore (a test's fake service)."""
        self.inner = inner
        self._call = call
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def config(self) -> Config:
        return self.inner.config

    @property
    def driver(self) -> Any:
        """The wrapped executor's driver (``None`` for a stub), for endpoint checks."""
        return getattr(self.inner, "driver", None)

    def execute(self, request: Request) -> Response:
        return self.inner.execute(request)

    async def aexecute(self, request: Request) -> Response:
        return await self.inner.aexecute(request)

    def run(self, flow: Flow[T]) -> T:
        return drive(flow, self._perform)

    async def arun(self, flow: Flow[T]) -> T:
        return await adrive(flow, self._aperform)

    def _perform(self, step: Any) -> Any:
        if isinstance(step, ServiceCall):
            return self.call(step)
        return self.inner.run(_one(step))

    async def _aperform(self, step: Any) -> Any:
        if isinstance(step, ServiceCall):
            return await asyncio.to_thread(self.call, step)
        return await self.inner.arun(_one(step))

    def call(self, call: ServiceCall) -> Response:
        """Send ``call`` with the service's botocore client; errors as :class:`ServiceCallError`."""
        if self._call is not None:
            return self._call(call)
        client = self._client(call.service)
        try:
            response: dict[str, Any] = getattr(client, xform_name(call.operation))(**call.params)
        except ClientError as exc:
            raise _translate(exc, call) from exc
        except BotoCoreError as exc:
            raise ServiceCallError(
                f"{call.service} {call.operation} could not be sent ({type(exc).__name__}: "
                f"{exc}); check that the engine is reachable",
                code=type(exc).__name__,
            ) from exc
        response.pop("ResponseMetadata", None)
        return response

    def _client(self, service: str) -> Any:
        with self._lock:
            found = self._clients.get(service)
            if found is None:
                found = self._clients[service] = _make_client(service, self.inner)
            return found


def _connection(executor: Executor, session: Any) -> Connection:
    connection = getattr(getattr(executor, "driver", None), "connection", None)
    if isinstance(connection, Connection):
        return connection
    return resolve_connection(executor.config, session)


def service_endpoint(connection: Connection) -> str | None:
    """Where another service is reached: AWS's own endpoint when DynamoDB is AWS (no endpoint
    or an ``amazonaws.com`` one), otherwise the same endpoint (a local engine)."""
    endpoint = connection.endpoint
    if endpoint is None or ".amazonaws.com" in endpoint:
        return None
    return endpoint


def _make_client(service: str, executor: Executor) -> Any:
    config = executor.config
    session = botocore.session.get_session()
    if config.profile:
        session.set_config_variable("profile", config.profile)
    connection = _connection(executor, session)
    key, secret, token = connection.credentials or (None, None, None)
    return session.create_client(
        service,
        region_name=connection.region,
        endpoint_url=service_endpoint(connection),
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=BotoConfig(
            connect_timeout=config.http_options.connect_timeout,
            read_timeout=config.http_options.timeout,
            retries={"total_max_attempts": 3, "mode": "standard"},
        ),
    )


def _translate(exc: ClientError, call: ServiceCall) -> ServiceCallError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "")
    status = str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or "")
    message = str(error.get("Message") or exc)
    first_line = (message.splitlines() or [""])[0][:200]
    text = f"{message} {exc}".lower()
    if (
        code in _UNSUPPORTED_CODES
        or status in ("404", "501")
        or any(fragment in text for fragment in _UNSUPPORTED_TEXT)
        or (status == "500" and "<html" in text)
    ):
        return ServiceUnsupportedError(
            f"the engine does not support {call.service} {call.operation} ({code or status}: "
            f"{first_line})",
            code=code or status,
        )
    return ServiceCallError(
        f"{call.service} {call.operation} failed: {code}: {first_line}", code=code
    )
