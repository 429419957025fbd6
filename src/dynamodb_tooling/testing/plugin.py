"""pytest fixtures: a DynamoDB-compatible endpoint, a client for it, and throwaway tables.

``dynamodb_endpoint`` is the URL of ``DYNAMODB_ENDPOINT`` when set (DynamoDB Local, a
``dbtooling start`` server, ...) and otherwise of an embedded moto server on 127.0.0.1 started
once per test session. An endpoint that is not on this machine (127.0.0.0/8, ``localhost``,
``::1``) is refused unless ``DBTOOLING_TEST_ALLOW_REMOTE=1``: fixtures create and delete tables.

- ``dynamodb_table``: for ORM tests. A fresh, uniquely named table built from the models of
  ``dynamodb_registry`` (by default ``get_registry()``), and the active configuration pointed
  at it and at the test endpoint for the test (``Model.create``, ``find``, ``where``,
  ``get_client()`` all use it); afterwards the table is deleted and the configuration is
  exactly what it was.
- ``make_table``: for raw-client tests (``dynamodb_client``). Plain ``pk``/``sk`` tables with
  unique names, deleted afterwards; it does not touch the configuration, so the ORM does *not*
  use these tables.

None of the fixtures read ``engine``, ``endpoint``, ``profile`` or credentials from the
project's ``dbtooling.toml`` or the AWS shared config files when the endpoint is local.
``DBTOOLING_DRIVER`` (e.g. ``lean``) picks the driver of ``dynamodb_client`` and of the ORM,
so the same suite runs on every driver. ``DBTOOLING_TEST_EXECUTION=async`` runs it in its async
form: every sync call goes through the driver's async face (see
:mod:`dynamodb_tooling.testing.async_face`).
"""

from __future__ import annotations

import contextlib
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from dynamodb_tooling.config import Config, is_loopback_endpoint, use_config, validate_config
from dynamodb_tooling.drivers import BotocoreDriver, DynamoDBClient, LeanDriver, get_driver
from dynamodb_tooling.drivers.base import Driver
from dynamodb_tooling.drivers.recording import RecordedRequests, record_requests
from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS, EmbeddedEngine
from dynamodb_tooling.errors import ConfigError, ResourceNotFoundError
from dynamodb_tooling.orm.loading import load_models
from dynamodb_tooling.schema.registry import Registry, get_registry
from dynamodb_tooling.testing.app_table import CLEANUP_MODES, AppTable, Cleanup, isolated_names
from dynamodb_tooling.testing.async_face import (
    SUFFIX,
    AsyncFaceDriver,
    inner_driver_name,
    register_async_face_drivers,
)
from dynamodb_tooling.testing.clock import FrozenClock, freeze_time
from dynamodb_tooling.testing.seeding import seed
from dynamodb_tooling.testing.stub import StubExecutor, use_executor

ENDPOINT_VARIABLE = "DYNAMODB_ENDPOINT"
ALLOW_REMOTE_VARIABLE = "DBTOOLING_TEST_ALLOW_REMOTE"
DRIVER_VARIABLE = "DBTOOLING_DRIVER"
EXECUTION_VARIABLE = "DBTOOLING_TEST_EXECUTION"

TableFactory = Callable[..., str]


def checked_endpoint(endpoint: str, environ: Any = os.environ) -> str:
    """``endpoint`` if it is local or remote endpoints are explicitly allowed; else fail."""
    if is_loopback_endpoint(endpoint) or environ.get(ALLOW_REMOTE_VARIABLE) == "1":
        return endpoint
    pytest.fail(
        f"{ENDPOINT_VARIABLE}={endpoint} is not a local endpoint (127.0.0.1, localhost, ::1); "
        "the dynamodb_tooling fixtures create and delete tables there, so they refuse to run "
        f"against it. Point {ENDPOINT_VARIABLE} at DynamoDB Local or `dbtooling start`, or set "
        f"{ALLOW_REMOTE_VARIABLE}=1 if you really mean to test against {endpoint}.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """The endpoint every integration test talks to (refuses a non-local one unless allowed)."""
    external = os.environ.get(ENDPOINT_VARIABLE)
    if external:
        yield checked_endpoint(external)
        return
    engine = EmbeddedEngine()
    yield engine.start()
    engine.stop()


def engine_is_moto(endpoint: str) -> bool:
    """Whether ``endpoint`` is served by moto (it answers its ``/moto-api/`` management API)."""
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def dynamodb_engine_is_moto(dynamodb_endpoint: str) -> bool:
    """True when the test endpoint is moto, for marking its known deviations from DynamoDB."""
    return engine_is_moto(dynamodb_endpoint)


def _endpoint_options(endpoint: str) -> dict[str, Any]:
    """Options that send requests to ``endpoint``, whatever the project's files say
    (``engine = "aws"``, a profile, ...); a local endpoint gets the local key pair."""
    options: dict[str, Any] = {"endpoint": endpoint, "engine": "auto"}
    if is_loopback_endpoint(endpoint):
        key, secret = EMBEDDED_CREDENTIALS
        options["credentials"] = {"access_key_id": key, "secret_access_key": secret}
        options["profile"] = None
    return options


@pytest.fixture(scope="session")
def dynamodb_config(dynamodb_endpoint: str) -> Config:
    """A configuration pointing at ``dynamodb_endpoint``: built from the defaults only, never
    from the project's configuration files; the driver is ``DBTOOLING_DRIVER`` (default
    ``botocore``)."""
    driver = os.environ.get(DRIVER_VARIABLE) or "botocore"
    if execution_form() == "async":
        register_async_face_drivers(driver)
        driver += SUFFIX
    return validate_config(max_retries=2, driver=driver, **_endpoint_options(dynamodb_endpoint))


def execution_form(environ: Any = os.environ) -> str:
    """``"sync"`` (the default) or ``"async"``, from ``DBTOOLING_TEST_EXECUTION``."""
    form = environ.get(EXECUTION_VARIABLE) or "sync"
    if form not in ("sync", "async"):
        pytest.fail(
            f"{EXECUTION_VARIABLE}={form!r} is not a test execution form; use 'sync' (the "
            "default) or 'async' (every sync call goes through the driver's async face)",
            pytrace=False,
        )
    return str(form)


def _isolated_session() -> Any:
    """A botocore session that reads no AWS shared config or credentials file and no profile."""
    return botocore.session.Session(
        session_vars={
            "profile": (None, None, None, None),
            "config_file": (None, None, os.devnull, None),
            "credentials_file": (None, None, os.devnull, None),
        }
    )


#: Built-in drivers that take a botocore ``session`` (given an isolated one for local engines).
_SESSION_DRIVERS: dict[str, Callable[..., Driver]] = {
    "botocore": BotocoreDriver,
    "lean": LeanDriver,
}


def _driver_for(config: Config) -> Driver:
    """The configured driver; a built-in one gets a botocore session that reads no AWS
    files or profile when the endpoint is local."""
    inner = inner_driver_name(config.driver)
    if inner is not None:
        return AsyncFaceDriver(_driver_for(config.model_copy(update={"driver": inner})))
    local = config.endpoint is not None and is_loopback_endpoint(config.endpoint)
    factory = _SESSION_DRIVERS.get(config.driver)
    if factory is None or not local:
        return get_driver(config=config)
    driver = factory(config, session=_isolated_session())
    problems = driver.validate_config(config)
    if problems:
        raise ConfigError(problems)
    return driver


@pytest.fixture(scope="session")
def dynamodb_client(dynamodb_config: Config) -> Iterator[DynamoDBClient]:
    """A client for the test endpoint, on the configured driver (``DBTOOLING_DRIVER``)."""
    client = DynamoDBClient(_driver_for(dynamodb_config), config=dynamodb_config)
    yield client
    client.close()


def key_schema_table(name: str, *, gsi_count: int = 0, sort_key: bool = True) -> dict[str, Any]:
    """A pay-per-request CreateTable definition with ``pk``/``sk`` and ``GSI{n}`` indexes."""
    names = ["pk", "sk"] if sort_key else ["pk"]
    schema: list[dict[str, str]] = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if sort_key:
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
    indexes = []
    for n in range(1, gsi_count + 1):
        names += [f"gsi{n}pk", f"gsi{n}sk"]
        indexes.append(
            {
                "IndexName": f"GSI{n}",
                "KeySchema": [
                    {"AttributeName": f"gsi{n}pk", "KeyType": "HASH"},
                    {"AttributeName": f"gsi{n}sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        )
    definition: dict[str, Any] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": schema,
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in names],
    }
    if indexes:
        definition["GlobalSecondaryIndexes"] = indexes
    return definition


@pytest.fixture
def make_table(dynamodb_client: DynamoDBClient) -> Iterator[TableFactory]:
    """``make_table(gsi_count=0, sort_key=True) -> name``: a fresh table, deleted afterwards.

    For tests of the raw client (``dynamodb_client``): the configuration is left alone, so
    models do not write here. ORM tests use ``dynamodb_table``.
    """
    created: list[str] = []

    def factory(*, gsi_count: int = 0, sort_key: bool = True, prefix: str = "test") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        dynamodb_client.create_table(key_schema_table(name, gsi_count=gsi_count, sort_key=sort_key))
        created.append(name)
        dynamodb_client.wait_for_table_active(name, interval=0.1)
        return name

    yield factory
    for name in created:
        try:
            dynamodb_client.delete_table(name)
        except ResourceNotFoundError:
            continue


@pytest.fixture
def dynamodb_registry() -> Registry:
    """The models ``dynamodb_table`` builds its table from; override it to use another
    :class:`Registry` (one that follows the active configuration: ``Registry()``)."""
    return get_registry()


@pytest.fixture
def dynamodb_table(
    dynamodb_config: Config, dynamodb_client: DynamoDBClient, dynamodb_registry: Registry
) -> Iterator[str]:
    """A fresh table for the registry's models, with the ORM pointed at it; yields its name.

    For the test, the active configuration is the project's own (key names, GSI count, ...)
    with the endpoint and region of ``dynamodb_client`` (so it sees what the models write) and
    the full table name = a unique new table (``test-orm-<id>``, prefix and suffix cleared).
    Models with their own ``table=`` get theirs, unique the same way (``Audit-<id>``: the
    suffix is then ``-<id>``). The tables are deleted and the configuration restored exactly
    afterwards.
    """
    unique = uuid.uuid4().hex[:12]
    name = f"test-orm-{unique}"
    assert dynamodb_config.endpoint is not None
    options = {
        **_endpoint_options(dynamodb_config.endpoint),
        # The region of dynamodb_client: engines keep tables per region.
        "region": dynamodb_config.region,
        # The driver of the suite (DBTOOLING_DRIVER, and its async face in the async form).
        "driver": dynamodb_config.driver,
        "deletion_protection": False,
        **isolated_names("test-orm", unique, dynamodb_registry),
    }
    with use_config(**options) as config:
        if dynamodb_registry.config is not config:
            pytest.fail(
                "dynamodb_registry returned a Registry with its own configuration, which "
                "dynamodb_table cannot point at the test table; return Registry() (it follows "
                "the active configuration) or get_registry()",
                pytrace=False,
            )
        created: list[str] = []
        try:
            for table, definition in dynamodb_registry.table_definitions().items():
                dynamodb_client.create_table(definition)
                created.append(table)
            for table in created:
                dynamodb_client.wait_for_table_active(table, interval=0.1)
            yield name
        finally:
            for table in created:
                with contextlib.suppress(ResourceNotFoundError):
                    dynamodb_client.delete_table(table)


# The application's tests: one table per session, cleaned between tests.

MODELS_OPTION = "dynamodb_models"
CLEANUP_OPTION = "dynamodb_cleanup"
KEEP_DATA_MARKER = "dynamodb_keep_data"
_APP_TABLE = pytest.StashKey[AppTable]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        MODELS_OPTION,
        "folder of the application's models for dynamodb_app_table (relative to the rootdir; "
        "default: the models the tests import, else the configured models_path)",
        default="",
    )
    parser.addini(
        CLEANUP_OPTION,
        "how dynamodb_app_table is cleaned between tests: tracked (delete the keys the test "
        "wrote, the default) or scan (scan and delete everything)",
        default="tracked",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{KEEP_DATA_MARKER}: what the test writes to dynamodb_app_table stays until the end of "
        "its module (default: deleted after the test)",
    )


@pytest.fixture(scope="session")
def dynamodb_app_registry(pytestconfig: pytest.Config) -> Registry:
    """The application's models for ``dynamodb_app``: ``get_registry()`` once the folder of
    the ``dynamodb_models`` ini option is loaded (else, when the tests imported no model, the
    configured ``models_path`` when it exists). Override it to use another ``Registry()``."""
    registry = get_registry()
    folder = str(pytestconfig.getini(MODELS_OPTION) or "")
    if folder:
        path = Path(folder) if Path(folder).is_absolute() else pytestconfig.rootpath / folder
        if not path.is_dir():
            pytest.fail(
                f"{MODELS_OPTION} = {folder} is not a folder (looked in {path}); point it at "
                "the folder of your models, relative to the rootdir",
                pytrace=False,
            )
        load_models(path, registry=registry)
    elif not registry.models:
        configured = Path(registry.config.query_builder.models_path)
        if configured.is_dir():
            load_models(configured, registry=registry)
    if not registry.models:
        pytest.fail(
            "dynamodb_app_table found no models: import your models in conftest.py, set "
            f"`{MODELS_OPTION} = app/models` in the [pytest] ini options, or set models_path "
            "in dbtooling.toml",
            pytrace=False,
        )
    return registry


def _cleanup_mode(pytestconfig: pytest.Config) -> Cleanup:
    mode = str(pytestconfig.getini(CLEANUP_OPTION) or "tracked")
    if mode not in CLEANUP_MODES:
        pytest.fail(
            f"{CLEANUP_OPTION} = {mode} is not a cleanup mode; use tracked (delete what each "
            "test wrote) or scan (scan and delete everything)",
            pytrace=False,
        )
    return mode


@pytest.fixture(scope="session")
def dynamodb_app(
    request: pytest.FixtureRequest,
    dynamodb_config: Config,
    dynamodb_client: DynamoDBClient,
    dynamodb_app_registry: Registry,
) -> Iterator[AppTable]:
    """The session's :class:`AppTable`: one uniquely named table built from the application's
    models, with the configuration pointed at it for the whole session (restored exactly
    afterwards, and the table deleted). Its ``untracked()`` block writes session-long data."""
    assert dynamodb_config.endpoint is not None
    options = {
        **_endpoint_options(dynamodb_config.endpoint),
        "region": dynamodb_config.region,
        "driver": dynamodb_config.driver,
        "return_consumed_capacity": "TOTAL",
    }
    app = AppTable(
        dynamodb_client,
        dynamodb_app_registry,
        make_driver=_driver_for,
        options=options,
        cleanup=_cleanup_mode(request.config),
    )
    try:
        app.__enter__()
    except ConfigError as exc:
        pytest.fail(str(exc), pytrace=False)
    request.session.stash[_APP_TABLE] = app
    try:
        yield app
    finally:
        del request.session.stash[_APP_TABLE]
        app.__exit__(None, None, None)


@pytest.fixture
def dynamodb_app_table(dynamodb_app: AppTable) -> str:
    """The name of the session's app table, for a test that uses it: the ORM writes there,
    and what the test wrote is deleted after it (see ``dynamodb_keep_data``)."""
    return dynamodb_app.name


@pytest.fixture(autouse=True)
def _dynamodb_app_test_cleanup(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test, delete what it wrote to the app table (when the session has one)."""
    app = request.session.stash.get(_APP_TABLE, None)
    if app is not None:
        app.keep_for_module()  # written since the last test: module or class fixtures' data
    yield
    app = request.session.stash.get(_APP_TABLE, None)
    if app is None:
        return
    if request.node.get_closest_marker(KEEP_DATA_MARKER) is not None:
        app.keep_for_module()
    else:
        app.clean_test()


@pytest.fixture(scope="module", autouse=True)
def _dynamodb_app_module_cleanup(request: pytest.FixtureRequest) -> Iterator[None]:
    """At the end of each module, delete what its fixtures and keep-marked tests wrote."""
    app = request.session.stash.get(_APP_TABLE, None)
    if app is not None:
        app.forget_written()  # written before the module started: session fixtures' data
    yield
    app = request.session.stash.get(_APP_TABLE, None)
    if app is not None:
        app.clean_module()


@pytest.fixture(name="seed")
def seed_fixture(dynamodb_app_table: str) -> Callable[..., Any]:
    """:func:`dynamodb_tooling.testing.seed` on the app table: ``seed(User, 5)``,
    ``seed(UserFactory().count(5))``; removed after the test like any other write."""
    return seed


@pytest.fixture
def dynamodb_requests() -> Iterator[RecordedRequests]:
    """Every request the test sends from its own thread and the library's fan-out workers
    (a ``record_requests()`` around the test), for ``assert_*(..., sent=dynamodb_requests)``."""
    with record_requests() as sent:
        yield sent


@pytest.fixture
def dynamodb_stub() -> Iterator[StubExecutor]:
    """Every model and query request of the test goes to a :class:`StubExecutor` (no server):
    script answers with ``dynamodb_stub.on("GetItem", {...})``, read ``.requests``."""
    with use_executor(StubExecutor()) as stub:
        yield stub


@pytest.fixture
def frozen_clock() -> Iterator[FrozenClock]:
    """The library's clock frozen at 2024-01-01T00:00:00Z for the test; move it with
    ``frozen_clock.tick(seconds)`` or ``frozen_clock.set(datetime)``."""
    with freeze_time() as clock:
        yield clock
