"""Where ``dbtooling demo`` runs: its own embedded engine (the default), or the configured
engine (``--use-config``); a table of its own either way.

By default nothing of the user's configuration is read: the demo starts a fresh moto server
on a free 127.0.0.1 port, points a configuration built from the defaults at it (local
credentials, no profile, AWS files not read), and stops it at the end. With
``--use-config`` the active configuration (files, ``DBTOOLING_*``, ``--env``) is used with a
uniquely named table, deleted at the end unless ``--keep``.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import botocore.session

from dynamodb_tooling.config import (
    Config,
    full_table_name,
    get_config,
    use_config,
    validate_config,
)
from dynamodb_tooling.drivers import BotocoreDriver, get_client, register_driver, unregister_driver
from dynamodb_tooling.drivers.base import Driver
from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS, EmbeddedEngine
from dynamodb_tooling.errors import DynamoDBToolingError, ResourceNotFoundError

__all__ = ["DemoTarget", "demo_target"]

#: The driver of the embedded run: botocore with a session that reads no AWS files.
ISOLATED_DRIVER = "demo-botocore-isolated"


@dataclass(frozen=True)
class DemoTarget:
    """The engine and table a demo run uses, in words for the console."""

    engine: str
    table: str
    embedded: bool


def _isolated_botocore(config: Config) -> Driver:
    """botocore reading no shared config or credentials file and no profile: an
    ``AWS_PROFILE`` naming a missing profile must not break the demo."""
    session = botocore.session.Session(
        session_vars={
            "profile": (None, None, None, None),
            "config_file": (None, None, os.devnull, None),
            "credentials_file": (None, None, os.devnull, None),
        }
    )
    return BotocoreDriver(config, session=session)


def _table_name() -> str:
    return f"dbtooling-demo-{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def demo_target(*, configured: bool, keep: bool) -> Iterator[DemoTarget]:
    """Activate the demo's configuration for the block (restored exactly afterwards); the
    table is deleted at the end (kept with ``keep`` on the configured engine)."""
    if configured:
        with use_config(get_config(), default_table_name=_table_name()) as config:
            driver = get_client().driver  # the embedded engine starts here when configured
            endpoint = str(getattr(driver, "endpoint", None) or f"AWS ({config.region})")
            target = DemoTarget(f"the configured engine at {endpoint}", full_table_name(), False)
            with _dropped(target.table, keep=keep):
                yield target
        return
    engine = EmbeddedEngine()
    endpoint = engine.start()
    try:
        register_driver(ISOLATED_DRIVER, _isolated_botocore, replace=True)
        key, secret = EMBEDDED_CREDENTIALS
        config = validate_config(
            endpoint=endpoint,
            engine="auto",
            profile=None,
            credentials={"access_key_id": key, "secret_access_key": secret},
            driver=ISOLATED_DRIVER,
            default_table_name=_table_name(),
        )
        with use_config(config):
            target = DemoTarget(f"a fresh embedded engine at {endpoint}", full_table_name(), True)
            # moto keeps tables per process: drop it even though the engine stops.
            with _dropped(target.table, keep=False):
                yield target
    finally:
        unregister_driver(ISOLATED_DRIVER)
        engine.stop()


@contextlib.contextmanager
def _dropped(table: str, *, keep: bool) -> Iterator[None]:
    """Delete ``table`` after the block; when the block failed, its error is the one
    reported (a failed clean-up, e.g. an engine that went away, does not hide it)."""
    try:
        yield
    except BaseException:
        if not keep:
            with contextlib.suppress(DynamoDBToolingError):
                get_client().delete_table(table)
        raise
    if not keep:
        with contextlib.suppress(ResourceNotFoundError):
            get_client().delete_table(table)
