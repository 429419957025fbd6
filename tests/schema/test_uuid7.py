"""UUIDv7 ids: version 7, RFC variant, time-ordered across milliseconds; chosen with
``uuid="v7"`` on a model or ``useUuid: "v7"`` in a Stacks model."""

import time
import uuid

import pytest

from dynamodb_tooling.config import use_config
from dynamodb_tooling.orm import Model, define_model
from dynamodb_tooling.schema import Registry, SchemaError
from dynamodb_tooling.schema.ids import uuid7


def test_uuid7_layout_and_order() -> None:
    first = uuid7()
    time.sleep(0.002)
    second = uuid7()
    assert first.version == 7
    assert first.variant == uuid.RFC_4122
    assert str(first) < str(second)  # later milliseconds sort later, as text too
    now_ms = time.time_ns() // 1_000_000
    assert abs((second.int >> 80) - now_ms) < 1000


def test_models_choose_uuid7_ids() -> None:
    with use_config():
        registry = Registry()

        class Event(Model, registry=registry, uuid="v7"):
            name: str

        class Ticket(Model, registry=registry, uuid=True):
            name: str

        Log = define_model({"name": "Log", "traits": {"useUuid": "v7"}}, registry=registry)
        assert uuid.UUID(Event(name="x").id).version == 7
        assert uuid.UUID(Ticket(name="x").id).version == 4
        assert uuid.UUID(Log().id).version == 7
        with pytest.raises(SchemaError, match="uuid='v5' must be True, 'v4' or 'v7'"):

            class Bad(Model, registry=registry, uuid="v5"):  # type: ignore[arg-type]
                name: str

        with pytest.raises(SchemaError, match="useUuid must be true, false, 'v4' or 'v7'"):
            define_model({"name": "Bad2", "traits": {"useUuid": "v9"}}, registry=registry)
