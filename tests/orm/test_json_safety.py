"""``to_json_dict()`` is JSON-safe for every attribute type (``json.dumps`` takes it as is;
exact decimals as strings, ints as ints), and values nested deeper than DynamoDB allows are
refused by ``to_json_dict()`` and ``replicate()`` with a library error, never a
``RecursionError``."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.errors import MarshallingError
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.orm.concerns.change_tracking import snapshot
from dynamodb_tooling.schema import Registry


class Color(Enum):
    RED = "red"
    BLUE = "blue"


class Size(IntEnum):
    S = 1
    L = 3


@pytest.fixture
def models() -> dict[str, Any]:
    registry = Registry(validate_config())

    class Everything(Model, registry=registry, timestamps=True):
        name: str
        count: int = 0
        ratio: float | None = None
        total: Decimal | None = None
        whole: Decimal | None = None
        active: bool = True
        born: date | None = None
        seen: datetime | None = None
        blob: bytes | None = None
        color: Color = Color.RED
        size: Size | None = None
        tags: set[str] = attribute(default_factory=set)
        scores: set[Decimal] = attribute(default_factory=set)
        blobs: set[bytes] = attribute(default_factory=set)
        meta: dict[str, Any] = attribute(default_factory=dict)
        lines: list[Any] = attribute(default_factory=list)
        secret: str | None = attribute(hidden=True, default=None)

    class Doc(Model, registry=registry):
        meta: dict[str, Any] = attribute(default_factory=dict)
        items: list[Any] = attribute(default_factory=list)

    return {"Everything": Everything, "Doc": Doc}


def nest(levels: int, leaf: Any = None) -> Any:
    value: Any = {} if leaf is None else leaf
    for _ in range(levels):
        value = {"a": value}
    return value


def test_every_attribute_type_dumps_to_json(models: dict[str, Any]) -> None:
    Everything = models["Everything"]
    made = Everything(
        name="n",
        count=3,
        ratio=0.5,
        total=Decimal("10.10"),
        whole=Decimal("7"),
        born=date(2026, 1, 2),
        seen=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        blob=b"\x00\x01",
        color=Color.BLUE,
        size=Size.L,
        tags={"b", "a"},
        scores={Decimal("2.5"), Decimal("1")},
        blobs={b"y", b"x"},
        meta={"n": Decimal("1.5"), "i": 2, "when": date(2026, 1, 1), "deep": [{"d": Decimal("3")}]},
        lines=[{"qty": Decimal("1.5")}, (1, Decimal("0.1")), {"c": Color.RED}],
        secret="TOPSECRET",
    )
    # As read back: numbers in maps and lists are ints or Decimals.
    loaded = Everything.from_item(made.to_item())
    for instance in (made, loaded):
        data = instance.to_json_dict()
        text = json.dumps(data)  # no default=: every value is a JSON type
        assert "TOPSECRET" not in text
        assert "secret" not in data
        assert json.loads(text) == data
        assert data["total"] == "10.10"  # exact, never a float
        assert data["whole"] == "7"  # a Decimal attribute stays a decimal string
        assert data["count"] == 3
        assert isinstance(data["count"], int)
        assert data["ratio"] == 0.5
        assert data["born"] == "2026-01-02"
        assert data["seen"] == "2026-01-02T03:04:05+00:00"
        assert data["blob"] == "AAE="
        assert (data["color"], data["size"]) == ("blue", 3)
        assert data["tags"] == ["a", "b"]
        assert data["scores"] == ["1", "2.5"]
        assert data["blobs"] == ["eA==", "eQ=="]
        assert data["meta"]["n"] == "1.5"
        assert data["meta"]["i"] == 2
        assert data["meta"]["deep"] == [{"d": "3"}]
        assert data["lines"][0] == {"qty": "1.5"}
        assert data["lines"][1] == [1, "0.1"]
        assert data["lines"][2] == {"c": "red"}
    assert loaded.to_json_dict()["meta"]["when"] == "2026-01-01"
    assert isinstance(loaded.to_json_dict()["created_at"], str | None)


def test_nesting_to_dynamodbs_limit_serialises(models: dict[str, Any]) -> None:
    Doc = models["Doc"]
    ok = Doc(meta=nest(31, {"leaf": Decimal("1.5")}))  # meta is level 1: 32 maps in all
    dumped = json.dumps(ok.to_json_dict())
    assert '"leaf": "1.5"' in dumped
    assert ok.replicate().meta == ok.meta


@pytest.mark.parametrize("levels", [32, 40, 5000])
def test_deeper_values_are_refused_naming_the_attribute(
    models: dict[str, Any], levels: int
) -> None:
    Doc = models["Doc"]
    deep = Doc(meta=nest(levels))
    with pytest.raises(MarshallingError) as caught:
        deep.to_json_dict()
    message = str(caught.value)
    assert message.startswith("Doc.meta: value nested more than 32 levels deep at meta.a.a")
    assert "DynamoDB allows at most 32 levels" in message
    with pytest.raises(MarshallingError, match=r"^Doc\.meta: value nested more than 32 levels"):
        deep.replicate()


def test_deep_lists_are_refused_too(models: dict[str, Any]) -> None:
    Doc = models["Doc"]
    value: Any = []
    for _ in range(3000):
        value = [value]
    deep = Doc(items=value)
    with pytest.raises(MarshallingError, match=r"Doc\.items: .* at items\[0\]\[0\]"):
        deep.to_json_dict()
    with pytest.raises(MarshallingError, match=r"Doc\.items: .*32 levels"):
        deep.replicate()


def test_a_self_referencing_value_is_refused_not_recursed(models: dict[str, Any]) -> None:
    Doc = models["Doc"]
    loop: dict[str, Any] = {}
    loop["self"] = loop
    doc = Doc(meta=loop)
    with pytest.raises(MarshallingError, match="32 levels"):
        doc.to_json_dict()
    with pytest.raises(MarshallingError, match="32 levels"):
        doc.replicate()


def test_snapshot_copies_deeply_and_keeps_types() -> None:
    original: dict[str, Any] = {
        "m": {"a": [1, {"b": {2, 3}}], "t": (1, [2])},
        "s": {"x"},
        "n": Decimal("1.5"),
        "e": Color.RED,
    }
    copied = snapshot(original, "Doc")
    assert copied == original
    assert copied["m"] is not original["m"]
    assert copied["m"]["a"][1]["b"] is not original["m"]["a"][1]["b"]
    assert copied["m"]["t"][1] is not original["m"]["t"][1]
    assert isinstance(copied["m"]["t"], tuple)
    assert copied["s"] is not original["s"]
    assert copied["e"] is Color.RED
