"""One table per test session for the application's models, cleaned between tests.

Models with their own ``table=`` get their table too, named uniquely the same way: the app
table is ``<prefix>-<id>``, a model's ``table="Audit"`` is ``Audit-<id>`` (see
:func:`isolated_names`); every table is created, tracked, cleaned and dropped alike.

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
        self._unique = uuid.uuid4().hex[:12]
        self._prefix = prefix
        self.name = f"{prefix}-{self._unique}"
        #: Every table of the registry (the app table first), known once open.
        self.tables: tuple[str, ...] = (self.name,)
        self._trackers: dict[str, WriteTracker] = {}
        self._make_driver = make_driver
        self._options = dict(options) if options is not None else _client_options(client)
        self._stack = contextlib.ExitStack()
        self._tracker: WriteTracker | None = None
        #: Keys kept until the module ends: keep-marked tests' and module fixtures' writes.
        self._module_keys: dict[str, set[KeyId]] = {}
        self._module_unreadable: set[str] = set()
        self.config: Config | None = None

    # Lifecycle.

    def __enter__(self) -> AppTable:
        driver = f"{self._options.get('driver') or 'botocore'}{TRACKED_SUFFIX}"
        register_driver(driver, self._tracked_driver, replace=True)
        options: dict[str, Any] = {
            **self._options,
            "driver": driver,
            **isolated_names(self._prefix, self._unique, self.registry),
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
        definitions = self.registry.table_definitions()
        self.tables = tuple(definitions)
        for table, definition in definitions.items():
            keys = tuple(str(part["AttributeName"]) for part in definition["KeySchema"])
            self._trackers[table] = WriteTracker(table, keys)
        self._tracker = self._trackers[self.name]
        self._stack.callback(self._drop)
        for definition in definitions.values():
            self.client.create_table(definition)
        for table in self.tables:
            self.client.wait_for_table_active(table, interval=0.05)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stack.close()

    def _drop(self) -> None:
        for table in self.tables:
            with contextlib.suppress(ResourceNotFoundError):
                self.client.delete_table(table)

    def _tracked_driver(self, config: Config) -> Driver:
        assert config.driver.endswith(TRACKED_SUFFIX)
        inner = config.model_copy(update={"driver": config.driver[: -len(TRACKED_SUFFIX)]})
        driver = self._make_driver(inner)
        for tracker in self._trackers.values():  # each notes the writes to its table
            driver = tracker.wrap(driver)
        return driver

    # What the fixtures call between tests.

    @contextlib.contextmanager
    def untracked(self) -> Iterator[None]:
        """Writes inside the block are not cleaned up (data for the whole session)."""
        self._require_tracker()
        for tracker in self._trackers.values():
            tracker.paused += 1
        try:
            yield
        finally:
            for tracker in self._trackers.values():
                tracker.paused -= 1

    def keep_for_module(self) -> None:
        """What was written since the last cleaning stays until :meth:`clean_module`."""
        self._require_tracker()
        for table, tracker in self._trackers.items():
            keys, unreadable = tracker.take()
            self._module_keys.setdefault(table, set()).update(keys)
            if unreadable:
                self._module_unreadable.add(table)

    def forget_written(self) -> None:
        """What was written since the last cleaning stays for the session."""
        self._require_tracker()
        for tracker in self._trackers.values():
            tracker.take()

    def clean_test(self) -> int:
        """Delete what was written since the last cleaning; returns how many deletes."""
        self._require_tracker()
        deleted = 0
        for table, tracker in self._trackers.items():
            keys, unreadable = tracker.take()
            if self.cleanup == "scan" or unreadable:
                deleted += self.truncate(table)
            else:
                deleted += self.delete_keys(keys, table)
        return deleted

    def clean_module(self) -> int:
        """Delete what the module kept (and anything written since the last cleaning)."""
        self.keep_for_module()
        kept, unreadable = self._module_keys, self._module_unreadable
        self._module_keys, self._module_unreadable = {}, set()
        deleted = 0
        for table in self.tables:
            if self.cleanup == "scan" or table in unreadable:
                deleted += self.truncate(table)
            else:
                deleted += self.delete_keys(kept.get(table, set()), table)
        return deleted

    # Deleting.

    def delete_keys(self, keys: set[KeyId], table: str | None = None) -> int:
        """Delete the items at ``keys`` of ``table`` (default: the app table; concurrent
        batches of 25)."""
        if not keys:
            return 0
        writes: list[WriteRequest] = [{"DeleteRequest": {"Key": key_of(key)}} for key in keys]
        return int(self.client.batch_write({table or self.name: writes}))

    def truncate(self, table: str | None = None) -> int:
        """Delete every item in ``table`` (default: every table of the app; a consistent,
        keys-only Scan, then batches)."""
        if table is None:
            return sum(self.truncate(name) for name in self.tables)
        tracker = self._require_tracker(table)
        keys: set[KeyId] = set()
        request: dict[str, Any] = {
            "TableName": table,
            "ConsistentRead": True,
            "ProjectionExpression": ", ".join(f"#k{n}" for n in range(len(tracker.key_names))),
            "ExpressionAttributeNames": {f"#k{n}": k for n, k in enumerate(tracker.key_names)},
        }
        for page in self.client.iter_pages(Request("Scan", request)):
            for item in page.get("Items", ()):
                keys.add(tuple((k, *next(iter(item[k].items()))) for k in tracker.key_names))
        return self.delete_keys(keys, table)

    def item_count(self, table: str | None = None) -> int:
        """How many items ``table`` holds now (default: every table of the app; a consistent
        Scan with ``Select=COUNT``)."""
        if table is None:
            return sum(self.item_count(name) for name in self.tables)
        request = {"TableName": table, "ConsistentRead": True, "Select": "COUNT"}
        return sum(int(p.get("Count", 0)) for p in self.client.iter_pages(Request("Scan", request)))

    def _require_tracker(self, table: str | None = None) -> WriteTracker:
        if self._tracker is None:
            raise RuntimeError("the app table is not open: use `with AppTable(...)` first")
        return self._trackers[table] if table is not None else self._tracker


def isolated_names(base: str, unique: str, registry: Registry) -> dict[str, str]:
    """Configuration options naming every table of ``registry`` uniquely: the main table
    ``<base>-<unique>``; with models in their own table (``table=``), the suffix ``-<unique>``
    (``Audit-<unique>``), else (as always) no suffix and the full name as the table name."""
    if not any(model.table for model in registry.models):
        return {
            "default_table_name": f"{base}-{unique}",
            "table_name_prefix": "",
            "table_name_suffix": "",
        }
    return {
        "default_table_name": base,
        "table_name_prefix": "",
        "table_name_suffix": f"-{unique}",
    }


def _client_options(client: DynamoDBClient) -> dict[str, Any]:
    config = client.config
    return {"endpoint": config.endpoint, "region": config.region, "driver": config.driver}


def models_path_of(rootpath: Path, ini_value: str) -> Path:
    """The ``dynamodb_models`` ini option as a folder (relative to the rootdir)."""
    path = Path(ini_value)
    return path if path.is_absolute() else rootpath / path
