import os
from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest

from tests.fault_proxy import FaultProxy

# The plugin is installed as the `dynamodb_tooling` pytest11 entry point; list it here only
# when entry points are not loaded (PYTEST_DISABLE_PLUGIN_AUTOLOAD, or run from a checkout that
# is not installed): a plugin registered twice is an error.
pytest_plugins = (
    []
    if not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    and any(p.value == "dynamodb_tooling.testing.plugin" for p in entry_points(group="pytest11"))
    else ["dynamodb_tooling.testing.plugin"]
)


@pytest.fixture
def fault_proxy(dynamodb_endpoint: str) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the test engine (no faults until ``inject``)."""
    with FaultProxy(dynamodb_endpoint) as proxy:
        yield proxy
