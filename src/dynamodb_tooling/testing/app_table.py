"""One table per test session for the application's models, cleaned between tests.

:class:`AppTable` is what the pytest fixtures ``dynamodb_app`` (session) and
``dynamodb_app_table`` (per test) are made of; it is usable without pytest too::

    with AppTable(client, get_registry()) as app:    # creates the table, points the ORM
        User.create(email="ada@example.com")
        app.clean_test()                                   # deletes what was written since

Cleanup modes (``cleanup=``):

- ``"tracked"`` (the default): the ORM's driver notes the key of every successful write to the
  table (:class:`~dynamodb_tooling.testing.tracking.WriteTracker`), and cleaning deletes those
  keys with concurrent BatchWriteItem requests: no Scan, nothing to do after a test that wrote
  nothing, and data other scopes wrote (a session-scoped seed) is left alone.
- ``"scan"``: cleaning scans the table (keys only, consistent) and deletes everything.

A PartiQL write to the table cannot be read for keys: the next cleaning is a full scan.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from dynamodb_tooling.config import Config, use_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.drivers.base import Driver
from dynamodb_tooling.drivers.registry import get_driver, register_driver
from dynamodb_tooling.errors import ConfigError, ResourceNotFoundError
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.batch import WriteRequest
from dynamodb_tooling.schema.registry import Registry
from dynamodb_tooling.testing.tracking import KeyId, WriteTracker, key_of

__all__ = ["CLEANUP_MODES", "AppTable", "Cleanup"]

Cleanup = Literal["tracked", "scan"]


def get_driver_for(config: Config) -> Driver:
    """The registered driver ``config.driver`` names (what ``get_client()`` would build)."""
    return get_driver(config=config)


CLEANUP_MODES: tuple[Cleanup, ...] = ("tracked", "scan")

#: Suffix of the driver name the app table's configuration uses (``botocore_tracked``).
TRACKED_SUFFIX = "_tracked"


class AppTable:
    """A uniquely named table built from ``registry``, with the ORM pointed at it.

    ``client`` is a client *not* tracked (the fixtures' ``dynamodb_client``): cleaning and
    reading back go through it. ``make_driver(config)`` builds the ORM's real driver;
    ``options`` are configuration options the ORM gets besides the table name (endpoint,
    region, credentials...: default, the client's endpoint and region).
    """

    def __init__(
        self,
        client: DynamoDBClient,
        registry: Registry,
        *,
        make_driver: Callable[[Config], Driver] = get_driver_for,
        options: Mapping[str, Any] | None = None,
        cleanup: Cleanup = "tracked",
        prefix: str = "test-app",
    ) -> None:
        if cleanup not in CLEANUP_MODES:
            raise ConfigError(
                [
                    (
                        "dynamodb_cleanup",
                        f"{cleanup!r} is not a cleanup mode; use 'tracked' or 'scan'",
                    )
                ]
            )
        self.client = client
        self.registry = registry
        self.cleanup: Cleanup = cleanup
        self.name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self._make_driver = make_driver
        self._options = dict(options) if options is not None else _client_options(client)
        self._stack = contextlib.ExitStack()
        self._tracker: WriteTracker | None = None
        #: Keys kept until the module ends: keep-marked tests' and module fixtures' writes.
        self._module_keys: set[KeyId] = set()
        self._module_unreadable = False
        self.config: Config | None = None

    # Lifecycle.

    def __enter__(self) -> AppTable:
        driver = f"{self._options.get('driver') or 'botocore'}{TRACKED_SUFFIX}"
        register_driver(driver, self._tracked_driver, replace=True)
        options: dict[str, Any] = {
            **self._options,
            "driver": driver,
            "default_table_name": self.name,
            "table_name_prefix": "",
            "table_name_suffix": "",
            "deletion_protection": False,
        }
        self.config = self._stack.enter_context(use_config(**options))
        if self.registry.config is not self.config:
            self._stack.close()
            raise ConfigError(
                [
                    (
                        "dynamodb_registry",
                        "the registry has its own configuration, which the app table cannot "
                        "point at the test table; use get_registry() or Registry() (they follow "
                        "the active configuration)",
                    )
                ]
            )
        definition = self.registry.table_definition()
        keys = tuple(str(part["AttributeName"]) for part in definition["KeySchema"])
        self._tracker = WriteTracker(self.name, keys)
        self.client.create_table(definition)
        self._stack.callback(self._drop)
        self.client.wait_for_table_active(self.name, interval=0.05)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stack.close()

    def _drop(self) -> None:
        with contextlib.suppress(ResourceNotFoundError):
            self.client.delete_table(self.name)

    def _tracked_driver(self, config: Config) -> Driver:
        assert config.driver.endswith(TRACKED_SUFFIX)
        inner = config.model_copy(update={"driver": config.driver[: -len(TRACKED_SUFFIX)]})
        driver = self._make_driver(inner)
        tracker = self._tracker
        return tracker.wrap(driver) if tracker is not None else driver

    # What the fixtures call between tests.

    @contextlib.contextmanager
    def untracked(self) -> Iterator[None]:
        """Writes inside the block are not cleaned up (data for the whole session)."""
        tracker = self._require_tracker()
        tracker.paused += 1
        try:
            yield
        finally:
            tracker.paused -= 1

    def keep_for_module(self) -> None:
        """What was written since the last cleaning stays until :meth:`clean_module`."""
        keys, unreadable = self._require_tracker().take()
        self._module_keys |= keys
        self._module_unreadable |= unreadable

    def forget_written(self) -> None:
        """What was written since the last cleaning stays for the session."""
        self._require_tracker().take()

    def clean_test(self) -> int:
        """Delete what was written since the last cleaning; returns how many deletes."""
        keys, unreadable = self._require_tracker().take()
        if self.cleanup == "scan" or unreadable:
            return self.truncate()
        return self.delete_keys(keys)

    def clean_module(self) -> int:
        """Delete what the module kept (and anything written since the last cleaning)."""
        self.keep_for_module()
        keys, unreadable = self._module_keys, self._module_unreadable
        self._module_keys, self._module_unreadable = set(), False
        if self.cleanup == "scan" or unreadable:
            return self.truncate()
        return self.delete_keys(keys)

    # Deleting.

    def delete_keys(self, keys: set[KeyId]) -> int:
        """Delete the items at ``keys`` (concurrent batches of 25)."""
        if not keys:
            return 0
        writes: list[WriteRequest] = [{"DeleteRequest": {"Key": key_of(key)}} for key in keys]
        return int(self.client.batch_write({self.name: writes}))

    def truncate(self) -> int:
        """Delete every item in the table (a consistent, keys-only Scan, then batches)."""
        tracker = self._require_tracker()
        keys: set[KeyId] = set()
        request: dict[str, Any] = {
            "TableName": self.name,
            "ConsistentRead": True,
            "ProjectionExpression": ", ".join(f"#k{n}" for n in range(len(tracker.key_names))),
            "ExpressionAttributeNames": {f"#k{n}": k for n, k in enumerate(tracker.key_names)},
        }
        for page in self.client.iter_pages(Request("Scan", request)):
            for item in page.get("Items", ()):
                keys.add(tuple((k, *next(iter(item[k].items()))) for k in tracker.key_names))
        return self.delete_keys(keys)

    def item_count(self) -> int:
        """How many items the table holds now (a consistent Scan with ``Select=COUNT``)."""
        request = {"TableName": self.name, "ConsistentRead": True, "Select": "COUNT"}
        return sum(int(p.get("Count", 0)) for p in self.client.iter_pages(Request("Scan", request)))

    def _require_tracker(self) -> WriteTracker:
        if self._tracker is None:
            raise RuntimeError("the app table is not open: use `with AppTable(...)` first")
        return self._tracker


def _client_options(client: DynamoDBClient) -> dict[str, Any]:
    config = client.config
    return {"endpoint": config.endpoint, "region": config.region, "driver": config.driver}


def models_path_of(rootpath: Path, ini_value: str) -> Path:
    """The ``dynamodb_models`` ini option as a folder (relative to the rootdir)."""
    path = Path(ini_value)
    return path if path.is_absolute() else rootpath / path
