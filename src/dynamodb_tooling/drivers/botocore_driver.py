"""The default driver: botocore's DynamoDB client (credential chain, SigV4, retries, pooling)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.config import Config as BotoConfig
from botocore.exceptions import ProfileNotFound

from dynamodb_tooling._types import Response
from dynamodb_tooling.config import Config, get_config, is_local_mode
from dynamodb_tooling.drivers._endpoint import Connection, resolve_connection
from dynamodb_tooling.drivers._errors import translate
from dynamodb_tooling.drivers._retry import RetryPolicy, send_with_retries
from dynamodb_tooling.drivers.base import BaseDriver, DriverCapabilities, aws_config_problems
from dynamodb_tooling.errors import DriverError
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.defaults import apply_defaults


def botocore_config(config: Config) -> BotoConfig:
    """The botocore client settings for our configuration."""
    http = config.http_options
    return BotoConfig(
        region_name=config.region,
        connect_timeout=http.connect_timeout,
        read_timeout=http.timeout,
        tcp_keepalive=http.keep_alive,
        max_pool_connections=http.max_pool_connections,
        # One attempt per call: the driver retries itself (``_retry``), because only it knows
        # which requests are safe to send again after an unknown outcome. ``adaptive`` still
        # gets botocore's client-side rate limiter.
        retries={"total_max_attempts": 1, "mode": config.retry_mode},
    )


class BotocoreDriver(BaseDriver):
    """Executes requests with a botocore client; thread-safe, one connection pool per driver."""

    name = "botocore"

    def __init__(
        self,
        config: Config | None = None,
        *,
        session: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config or get_config()
        super().__init__(
            max_concurrency=min(16, self.config.http_options.max_pool_connections), sleep=sleep
        )
        self._session = session or botocore.session.get_session()
        if self.config.profile and session is None:
            self._session.set_config_variable("profile", self.config.profile)
        self._client: Any = None
        self._connection: Connection | None = None
        self._methods: dict[str, Callable[..., dict[str, Any]]] = {}
        self._connect_lock = threading.Lock()
        self._retry = RetryPolicy.from_config(self.config)

    @property
    def connection(self) -> Connection:
        self.connect()
        assert self._connection is not None
        return self._connection

    @property
    def endpoint(self) -> str:
        return self.connection.label

    def connect(self) -> None:
        if self._client is not None:
            return
        with self._connect_lock:
            if self._client is None:
                self._open()

    def _open(self) -> None:
        try:
            self._open_with(self._session)
        except ProfileNotFound as exc:
            if self.config.profile is None and is_local_mode(self.config):
                # A local engine needs no AWS profile: one named by AWS_PROFILE that does not
                # exist must not stop it.
                self._session = _profile_free_session()
                self._open_with(self._session)
                return
            raise DriverError(
                f"the AWS profile {exc.kwargs.get('profile')!r} does not exist (it comes from "
                "`profile` in the configuration or the AWS_PROFILE variable); fix its name in "
                "~/.aws/config, unset AWS_PROFILE, or set credentials"
            ) from exc

    def _open_with(self, session: Any) -> None:
        connection = resolve_connection(self.config, session)
        key, secret, token = connection.credentials or (None, None, None)
        self._client = session.create_client(
            "dynamodb",
            region_name=connection.region,
            endpoint_url=connection.endpoint,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=botocore_config(self.config),
        )
        self._connection = connection

    def disconnect(self) -> None:
        super().disconnect()
        with self._connect_lock:
            client, self._client = self._client, None
            self._methods.clear()
        if client is not None:
            client.close()

    def _method(self, operation: str) -> Callable[..., dict[str, Any]]:
        method = self._methods.get(operation)
        if method is None:
            self.connect()
            method = getattr(self._client, xform_name(operation))
            self._methods[operation] = method
        return method

    def execute(self, request: Request) -> Response:
        """Send ``request`` (with the configured request defaults), retrying as
        :mod:`~dynamodb_tooling.drivers._retry` describes."""
        return send_with_retries(
            self._send, apply_defaults(request, self.config), self._retry, self._sleep
        )

    def _send(self, request: Request) -> Response:
        method = self._method(request.operation)
        try:
            response = method(**request.params)
        except Exception as exc:
            mapped = translate(exc, request.operation, self.endpoint)
            if mapped is None:
                raise
            raise mapped from exc
        response.pop("ResponseMetadata", None)
        return response

    def capabilities(self) -> DriverCapabilities:
        return DriverCapabilities(max_concurrency=self._max_concurrency)

    def validate_config(self, config: Config) -> list[tuple[str, str]]:
        return aws_config_problems(config, "botocore")


def _profile_free_session() -> Any:
    """A botocore session that ignores AWS_PROFILE (for local engines)."""
    return botocore.session.Session(session_vars={"profile": (None, None, None, None)})
