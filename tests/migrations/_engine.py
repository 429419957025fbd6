"""Helpers of the migration tests: a client that records what it sends to the real engine,
and an environment (configuration, registry, table) per test."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from dynamodb_tooling.config import Config, use_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.requests import Concurrently, Flow, Request, Sleep, drive
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.stacks import register_stacks_model

T = TypeVar("T")

#: Operations that change a table or its items.
WRITES = frozenset(
    {
        "CreateTable",
        "UpdateTable",
        "DeleteTable",
        "UpdateTimeToLive",
        "UpdateContinuousBackups",
        "UpdateContributorInsights",
        "TagResource",
        "UntagResource",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
    }
)


class RecordingClient(DynamoDBClient):
    """A real client (same driver, same engine) that also records every request it sends."""

    def __init__(self, inner: DynamoDBClient, config: Config) -> None:
        super().__init__(inner.driver, config=config)
        self.sent: list[Request] = []

    def execute(self, request: Request) -> Any:
        self.sent.append(request)
        return self.driver.execute(request)

    def run(self, flow: Flow[T]) -> T:
        return drive(flow, self._perform)

    async def arun(self, flow: Flow[T]) -> T:
        return await asyncio.to_thread(self.run, flow)

    def _perform(self, step: Request | Concurrently | Sleep) -> Any:
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            return None
        if isinstance(step, Request):
            return self.execute(step)
        results: list[Any] = []
        for request in step.requests:
            try:
                results.append(self.execute(request))
            except Exception as exc:
                if not step.return_exceptions:
                    raise
                results.append(exc)
        return results

    def operations(self) -> list[str]:
        return [r.operation for r in self.sent]

    def writes(self) -> list[str]:
        return [r.operation for r in self.sent if r.operation in WRITES]

    def clear(self) -> None:
        self.sent.clear()


def endpoint_options(config: Config, table: str) -> dict[str, Any]:
    key, secret = EMBEDDED_CREDENTIALS
    return {
        "endpoint": config.endpoint,
        "engine": "auto",
        "credentials": {"access_key_id": key, "secret_access_key": secret},
        "profile": None,
        "region": config.region,
        "driver": config.driver,
        "default_table_name": table,
        "table_name_prefix": "",
        "table_name_suffix": "",
        "deletion_protection": False,
    }


def registry_of(*models: Mapping[str, Any]) -> Registry:
    """A registry following the active configuration, with these Stacks-style models."""
    registry = Registry()
    for model in models:
        register_stacks_model(model, registry)
    return registry


class MigrationEnv:
    """One test's table on the engine: ``configure(...)`` activates options over the test's."""

    def __init__(self, base: Config, inner: DynamoDBClient) -> None:
        self.base = base
        self.inner = inner
        self.table = f"test-mig-{uuid.uuid4().hex[:12]}"
        self._stack = contextlib.ExitStack()

    @contextlib.contextmanager
    def configure(self, **overrides: Any) -> Iterator[RecordingClient]:
        """Activate the test's options plus ``overrides``; yields a recording client on the
        test's driver (a new driver when ``endpoint`` is overridden, e.g. a fault proxy)."""
        options = {**endpoint_options(self.base, self.table), **overrides}
        with use_config(**options) as config:
            inner = self.inner
            if "endpoint" in overrides:
                inner = DynamoDBClient(config=config)
            yield RecordingClient(inner, config)

    def drop(self) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            self.inner.delete_table(self.table)
