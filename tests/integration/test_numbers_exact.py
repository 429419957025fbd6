"""Numbers round-trip exactly through the engine: a Decimal keeps every digit, an int stays an
int, numbers inside maps, lists and number sets keep their exact value, and only a declared
``float`` reads back as a float — through the model layer and through the raw client."""

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model
from dynamodb_tooling.schema import Registry

pytestmark = pytest.mark.integration

PRECISE = Decimal("-6442539352.1150042112")  # 20 significant digits; a float keeps 17
BIG = 2**62 + 1  # above 2**53: a float detour turns it into 4611686018427387904
TINY = Decimal("0.000000000000000000000000000000000001")


def nested() -> dict[str, Any]:
    return {"d": PRECISE, "i": BIG, "deeper": {"l": [TINY, BIG, {"x": PRECISE}]}}


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"num-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Measure(Model, registry=registry):
        amount: Decimal
        count: int
        ratio: float
        data: dict[str, Any]
        readings: list[Any]
        marks: set[Decimal]

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Measure": Measure, "table": config.default_table_name}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def assert_exact(values: dict[str, Any]) -> None:
    assert values["amount"] == PRECISE
    assert type(values["amount"]) is Decimal
    assert values["count"] == BIG
    assert type(values["count"]) is int
    assert values["data"] == nested()
    assert type(values["data"]["i"]) is int
    assert type(values["data"]["d"]) is Decimal
    assert type(values["data"]["deeper"]["l"][0]) is Decimal
    assert values["readings"][:3] == [PRECISE, BIG, {"n": TINY}]
    assert [type(v) for v in values["readings"][:2]] == [Decimal, int]
    assert values["marks"] == {PRECISE, Decimal(BIG)}


def test_numbers_read_back_exactly_through_the_model_and_the_raw_client(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Measure, table = app["Measure"], app["table"]
    made = Measure.create(
        amount=PRECISE,
        count=BIG,
        ratio=0.1,
        data=nested(),
        readings=[PRECISE, BIG, {"n": TINY}],
        marks={PRECISE, Decimal(BIG)},
    )

    found = Measure.find(made.id)
    assert found is not None
    assert_exact(_values(found))
    assert found.ratio == 0.1
    assert type(found.ratio) is float

    key = {"pk": f"MEASURE#{made.id}", "sk": f"MEASURE#{made.id}"}
    wire = dynamodb_client.get_item(table, key, consistent_read=True)["Item"]
    assert wire["amount"] == {"N": "-6442539352.1150042112"}
    assert wire["count"] == {"N": "4611686018427387905"}
    raw = unmarshall_item(wire)
    assert_exact(raw)
    assert raw["ratio"] == Decimal("0.1")  # undeclared at this level: exact, never float


def test_read_modify_write_keeps_every_digit(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Measure, table = app["Measure"], app["table"]
    made = Measure.create(
        amount=PRECISE,
        count=BIG,
        ratio=2.5,
        data=nested(),
        readings=[PRECISE, BIG, {"n": TINY}],
        marks={PRECISE, Decimal(BIG)},
    )
    loaded = Measure.find(made.id)
    assert loaded is not None
    loaded.data = {**_values(loaded)["data"], "added": Decimal("0.3")}
    loaded.readings = [*_values(loaded)["readings"], 7]
    loaded.count = _values(loaded)["count"] + 2
    loaded.save()
    # A whole-item write of everything that was read, too.
    Measure.find(made.id).update(amount=_values(loaded)["amount"], ratio=_values(loaded)["ratio"])

    again = _values(Measure.find(made.id))
    assert again["count"] == BIG + 2
    assert type(again["count"]) is int
    again["count"] = BIG
    assert again["data"].pop("added") == Decimal("0.3")
    assert again["readings"].pop() == 7
    assert_exact(again)
    key = {"pk": f"MEASURE#{made.id}", "sk": f"MEASURE#{made.id}"}
    wire = dynamodb_client.get_item(table, key, consistent_read=True)["Item"]
    assert wire["amount"] == {"N": "-6442539352.1150042112"}
    assert wire["data"]["M"]["i"] == {"N": "4611686018427387905"}
    assert wire["data"]["M"]["d"] == {"N": "-6442539352.1150042112"}


def _values(model: Any) -> dict[str, Any]:
    return {
        name: getattr(model, name)
        for name in ("amount", "count", "ratio", "data", "readings", "marks")
    }
