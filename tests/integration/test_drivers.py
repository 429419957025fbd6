"""Driver registry, connection resolution, health checks and the embedded engine."""

from collections.abc import Iterator

import pytest

from dynamodb_tooling.config import Config, validate_config
from dynamodb_tooling.drivers import (
    BotocoreDriver,
    DriverCapabilities,
    DynamoDBClient,
    available_drivers,
    get_driver,
    register_driver,
    unregister_driver,
)
from dynamodb_tooling.errors import ConfigError, DriverError, EndpointConnectionError

pytestmark = pytest.mark.integration


@pytest.fixture
def custom_driver() -> Iterator[str]:
    yield "recording"
    unregister_driver("recording")


def test_registered_driver_is_built_from_config(
    dynamodb_config: Config, custom_driver: str
) -> None:
    built: list[Config] = []

    def factory(config: Config) -> BotocoreDriver:
        built.append(config)
        return BotocoreDriver(config)

    register_driver(custom_driver, factory)
    with pytest.raises(DriverError, match="already registered"):
        register_driver(custom_driver, factory)
    driver = get_driver(custom_driver, dynamodb_config)
    assert built == [dynamodb_config]
    assert "recording" in available_drivers(dynamodb_config)
    assert driver.health_check().ok


def test_unknown_driver_lists_the_available_ones(dynamodb_config: Config) -> None:
    with pytest.raises(DriverError, match=r"no driver named 'nope' \(available: botocore"):
        get_driver("nope", dynamodb_config)


def test_driver_from_config_import_path(dynamodb_config: Config) -> None:
    config = validate_config(
        dynamodb_config, drivers={"viapath": "dynamodb_tooling.drivers:BotocoreDriver"}
    )
    assert isinstance(get_driver("viapath", config), BotocoreDriver)
    broken = validate_config(dynamodb_config, drivers={"broken": "no_such_module:factory"})
    with pytest.raises(DriverError, match="cannot load driver factory 'no_such_module:factory'"):
        get_driver("broken", broken)


def test_driver_config_problems_are_reported(dynamodb_config: Config) -> None:
    bad = validate_config(dynamodb_config, endpoint="localhost:8000")
    with pytest.raises(ConfigError, match="endpoint: 'localhost:8000' must start with http"):
        get_driver(config=bad)


def test_health_check_and_capabilities(dynamodb_config: Config, dynamodb_endpoint: str) -> None:
    driver = BotocoreDriver(dynamodb_config)
    status = driver.health_check()
    assert status.ok
    assert status.endpoint == dynamodb_endpoint
    assert status.latency_ms > 0
    assert driver.capabilities() == DriverCapabilities(max_concurrency=16)
    driver.disconnect()


def test_unreachable_endpoint_says_how_to_fix_it() -> None:
    config = validate_config(
        endpoint="http://127.0.0.1:9",
        max_retries=0,
        credentials={"access_key_id": "x", "secret_access_key": "y"},
        http_options={"connect_timeout": 1, "timeout": 1},
    )
    driver = BotocoreDriver(config)
    assert not driver.health_check().ok
    with pytest.raises(EndpointConnectionError, match="dbtooling start"):
        DynamoDBClient(driver, config=config).list_tables()


def test_embedded_engine_is_used_when_nothing_points_at_aws() -> None:
    driver = BotocoreDriver(validate_config(engine="embedded"))
    assert driver.connection.embedded
    assert driver.connection.endpoint is not None
    assert driver.connection.endpoint.startswith("http://127.0.0.1:")
    assert driver.health_check().ok


def test_concurrent_first_requests_share_one_connection(
    dynamodb_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.session

    from dynamodb_tooling.requests import Concurrently, Request

    session = botocore.session.get_session()
    created: list[object] = []
    original = session.create_client

    def counting(*args: object, **kwargs: object) -> object:
        client = original(*args, **kwargs)
        created.append(client)
        return client

    monkeypatch.setattr(session, "create_client", counting)
    driver = BotocoreDriver(dynamodb_config, session=session)

    def flow():  # type: ignore[no-untyped-def]
        return (yield Concurrently.of([Request("ListTables", {"Limit": 1})] * 8))

    assert len(driver.run(flow())) == 8
    assert len(created) == 1
    driver.disconnect()
