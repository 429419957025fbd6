"""Testing helpers that ship with the package: a pytest plugin, a stub executor, assertion
helpers, a frozen clock and seeding through factories (``docs/testing.md``).

Installing the package registers the pytest plugin (the ``pytest11`` entry point
``dynamodb_tooling``): its fixtures (``dynamodb_app_table``, ``seed``, ``dynamodb_stub``,
``frozen_clock``, ``dynamodb_table``, ...) need no conftest line.
"""

from dynamodb_tooling.testing.app_table import AppTable
from dynamodb_tooling.testing.assertions import (
    RequestAssertion,
    UncheckedAssertionWarning,
    assert_consumed_capacity,
    assert_inserted,
    assert_not_inserted,
    assert_queried,
    assert_request_count,
)
from dynamodb_tooling.testing.clock import FrozenClock, freeze_time
from dynamodb_tooling.testing.seeding import seed
from dynamodb_tooling.testing.stub import StubExecutor, use_executor

__all__ = [
    "AppTable",
    "FrozenClock",
    "RequestAssertion",
    "StubExecutor",
    "UncheckedAssertionWarning",
    "assert_consumed_capacity",
    "assert_inserted",
    "assert_not_inserted",
    "assert_queried",
    "assert_request_count",
    "freeze_time",
    "seed",
    "use_executor",
]
