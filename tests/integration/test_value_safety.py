"""Bad values are refused before anything is written, with library errors (never a raw
ValueError, OverflowError or decimal.InvalidOperation); what is read back serialises to JSON."""

import enum
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from dynamodb_tooling.config import Config, reset_config, set_config, validate_config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import MarshallingError, ModelValidationError
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.casts import AttributeCastError

pytestmark = pytest.mark.integration


class Status(enum.Enum):
    DRAFT = "draft"
    LIVE = "live"


@pytest.fixture
def app(dynamodb_config: Config, dynamodb_client: DynamoDBClient) -> Iterator[dict[str, Any]]:
    config = validate_config(dynamodb_config, default_table_name=f"val-{uuid.uuid4().hex[:10]}")
    set_config(config)
    registry = Registry(config)

    class Post(Model, registry=registry):
        title: str
        status: Status = Status.DRAFT

    class Item(Model, registry=registry):
        score: float | None = attribute(validation="nullable|in:1,2", default=None)
        kind: str | None = attribute(validation="nullable|required_if:score,1", default=None)
        meta: dict[str, Any] = attribute(default_factory=dict)

    class Invoice(Model, registry=registry):
        number: str
        total: Decimal
        lines: list[dict[str, Any]] = attribute(default_factory=list)

    dynamodb_client.create_table(registry.table_definition())
    dynamodb_client.wait_for_table_active(config.default_table_name, interval=0.1)
    yield {"Post": Post, "Item": Item, "Invoice": Invoice, "table": config.default_table_name}
    dynamodb_client.delete_table(config.default_table_name)
    reset_config()


def stored(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    return [unmarshall_item(i) for i in client.scan_all(table, consistent_read=True).items]


def test_an_enum_refuses_non_members_before_writing(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Post, table = app["Post"], app["table"]
    with pytest.raises(AttributeCastError, match=r"Post\.status must be a Status .*'bogus'"):
        Post.create(title="t", status="bogus")
    assert stored(dynamodb_client, table) == []
    post = Post.create(title="ok", status="live")
    assert Post.find_or_fail(post.id).status is Status.LIVE
    with pytest.raises(AttributeCastError, match=r"one of 'draft', 'live'"):
        post.update(status="nope")
    (item,) = stored(dynamodb_client, table)
    assert item["status"] == "live"
    # A value written by other code: reading it is a cast error naming the attribute.
    dynamodb_client.put_item(table, {**item, "status": "archived"})
    with pytest.raises(AttributeCastError) as caught:
        Post.find(post.id)
    assert "Post.status" in str(caught.value)
    assert "a value the Status enum does not have" in str(caught.value)
    with pytest.raises(AttributeCastError):
        Post.query().force_scan().get()


def test_non_finite_numbers_are_validation_or_marshalling_errors(
    app: dict[str, Any], dynamodb_client: DynamoDBClient
) -> None:
    Item, table = app["Item"], app["table"]
    for values in ({"score": float("inf")}, {"kind": "x", "score": float("-inf")}):
        with pytest.raises(ModelValidationError, match="must be one of"):
            Item.create(**values)
    item = Item.create()
    with pytest.raises(ModelValidationError):
        item.update(score=float("inf"))
    with pytest.raises(MarshallingError, match=r"at meta\.s: DynamoDB numbers must be finite"):
        Item.create(meta={"s": {Decimal("NaN"), Decimal(1)}})
    assert len(stored(dynamodb_client, table)) == 1


def test_what_is_read_back_dumps_to_json(app: dict[str, Any]) -> None:
    Invoice = app["Invoice"]
    made = Invoice.create(number="A-1", total=Decimal("10.10"), lines=[{"qty": 1.5, "n": 2}])
    data = Invoice.find_or_fail(made.id).to_json_dict()
    assert json.loads(json.dumps(data)) == {
        "id": made.id,
        "number": "A-1",
        "total": "10.10",
        "lines": [{"qty": "1.5", "n": 2}],
    }
