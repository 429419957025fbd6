from collections.abc import Iterator

import pytest

from tests.fault_proxy import FaultProxy

pytest_plugins = ["dynamodb_tooling.testing.plugin"]


@pytest.fixture
def fault_proxy(dynamodb_endpoint: str) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the test engine (no faults until ``inject``)."""
    with FaultProxy(dynamodb_endpoint) as proxy:
        yield proxy
