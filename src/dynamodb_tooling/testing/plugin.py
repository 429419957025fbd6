"""pytest fixtures: a DynamoDB-compatible endpoint for the session.

``dynamodb_endpoint`` is the URL of ``DYNAMODB_ENDPOINT`` when set (DynamoDB Local, a
``dbtooling start`` server, ...) and otherwise of an embedded moto server on 127.0.0.1 started
once per test session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from dynamodb_tooling.engine import EmbeddedEngine

ENDPOINT_VARIABLE = "DYNAMODB_ENDPOINT"


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """The endpoint every integration test talks to."""
    external = os.environ.get(ENDPOINT_VARIABLE)
    if external:
        yield external
        return
    engine = EmbeddedEngine()
    yield engine.start()
    engine.stop()
