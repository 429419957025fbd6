"""Driver registration: built-in drivers, ``register_driver``, config and entry points.

Lookup order for a name: drivers registered in this process, then ``Config.drivers``
(``name = "package.module:factory"``), then the ``dynamodb_tooling.drivers`` entry-point group.
A factory takes the :class:`Config` and returns a :class:`Driver`.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import cast

from dynamodb_tooling.config import Config, get_config
from dynamodb_tooling.drivers.base import Driver
from dynamodb_tooling.drivers.botocore_driver import BotocoreDriver
from dynamodb_tooling.drivers.lean_driver import LeanDriver
from dynamodb_tooling.errors import ConfigError, DriverError

ENTRY_POINT_GROUP = "dynamodb_tooling.drivers"

DriverFactory = Callable[[Config], Driver]

_lock = threading.Lock()
_factories: dict[str, DriverFactory] = {"botocore": BotocoreDriver, "lean": LeanDriver}
_BUILT_IN = frozenset(_factories)


def register_driver(name: str, factory: DriverFactory, *, replace: bool = False) -> None:
    """Register ``factory`` under ``name`` (``replace=True`` to override an existing one)."""
    if not name or not name.replace("-", "_").isidentifier():
        raise DriverError(f"driver name {name!r} must be a non-empty identifier like 'my_driver'")
    with _lock:
        if name in _factories and not replace:
            raise DriverError(
                f"a driver named {name!r} is already registered; pass replace=True to override"
            )
        _factories[name] = factory


def unregister_driver(name: str) -> None:
    """Remove a registered driver (built-in drivers cannot be removed)."""
    if name in _BUILT_IN:
        raise DriverError(f"{name!r} is a built-in driver and cannot be unregistered")
    with _lock:
        _factories.pop(name, None)


def _import(path: str, origin: str) -> DriverFactory:
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
        return cast(DriverFactory, getattr(module, attribute))
    except (ImportError, AttributeError) as exc:
        raise DriverError(f"cannot load driver factory {path!r} from {origin}: {exc}") from exc


def _discover(name: str, config: Config) -> DriverFactory | None:
    if name in config.drivers:
        return _import(config.drivers[name], f"config drivers.{name}")
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name == name:
            return cast(DriverFactory, point.load())
    return None


def available_drivers(config: Config | None = None) -> list[str]:
    """Names of every driver that ``get_driver`` can build, sorted."""
    config = config or get_config()
    found = set(_factories) | set(config.drivers)
    found |= {p.name for p in entry_points(group=ENTRY_POINT_GROUP)}
    return sorted(found)


def get_driver(name: str | None = None, config: Config | None = None) -> Driver:
    """A new driver instance: ``name`` or ``config.driver`` (default ``"botocore"``)."""
    config = config or get_config()
    name = name or config.driver
    with _lock:
        factory = _factories.get(name)
    if factory is None:
        factory = _discover(name, config)
    if factory is None:
        known = ", ".join(available_drivers(config))
        raise DriverError(
            f"no driver named {name!r} (available: {known}); register it with "
            "register_driver(name, factory) or the 'dynamodb_tooling.drivers' entry point"
        )
    driver = factory(config)
    problems = driver.validate_config(config)
    if problems:
        raise ConfigError(problems)
    return driver
