"""transaction(): writes across models gathered into one TransactWriteItems."""

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import (
    CancellationReason,
    QueryError,
    RequestValidationError,
    ResourceNotFoundError,
    TransactionCanceledError,
    UniqueConstraintError,
)
from dynamodb_tooling.expressions import attr
from dynamodb_tooling.query.transaction import Transaction, transaction
from dynamodb_tooling.testing.stub import StubExecutor
from tests.query.test_writes import USER, make_compiler, make_registry

POST = {"id": "p1", "user_id": "u1", "title": "Hi"}


class FakeClient(StubExecutor):
    """The stub executor, failing each transaction with ``error`` when given; ``sent`` lists
    each TransactWriteItems' actions (as wire dicts) and its token."""

    def __init__(self, error: Exception | None = None) -> None:
        super().__init__(config=make_registry().config)
        if error is not None:
            self.on("TransactWriteItems", error)

    @property
    def transactions(self) -> list[tuple[list[Any], dict[str, Any]]]:
        return [
            (r.params["TransactItems"], {"client_request_token": r.params["ClientRequestToken"]})
            for r in self.sent("TransactWriteItems")
        ]


def begin(client: FakeClient, **options: Any) -> Transaction:
    return transaction(client, make_registry(), "Blog", compiler=make_compiler(), **options)


def test_writes_across_models_are_sent_as_one_transaction() -> None:
    client = FakeClient()
    with begin(client, client_request_token="tok") as tx:
        tx.insert("User", USER)
        tx.update("Post", POST, {"title": "New"})
        tx.delete("Team", {"id": "t9"})
        tx.increment("Order", {"id": "o1", "user_id": "u1"}, "total", 5)
    ((actions, options),) = client.transactions
    assert [next(iter(a)) for a in actions] == ["Put", "Put", "Update", "Delete", "Update"]
    assert actions[1]["Put"]["Item"]["pk"] == {"S": "_UNIQUE#USER#email#ada@example.com"}
    assert options == {"client_request_token": "tok"}
    plan = tx.plan()
    assert plan is not None
    assert plan.request.operation == "TransactWriteItems"
    assert len(plan.request.params["TransactItems"]) == 5


def test_the_callable_form_commits_and_returns_the_result() -> None:
    client = FakeClient()
    result = begin(client)(lambda tx: tx.insert("Post", POST).key)
    assert result == {"pk": "POST#p1", "sk": "POST#p1"}
    assert len(client.transactions) == 1
    assert len(client.transactions[0][1]["client_request_token"]) == 36  # one uuid for every retry


def fail_inside(tx: Transaction) -> None:
    with tx:
        tx.insert("Post", POST)
        raise RuntimeError("boom")


def test_an_exception_sends_nothing() -> None:
    client = FakeClient()
    tx = begin(client)
    with pytest.raises(RuntimeError, match="boom"):
        fail_inside(tx)
    assert client.transactions == []
    with pytest.raises(QueryError, match="already committed"):
        tx.insert("Post", POST)


def test_an_empty_transaction_sends_nothing() -> None:
    client = FakeClient()
    with begin(client) as tx:
        pass
    assert client.transactions == []
    assert tx.response is None


def test_more_than_100_actions_are_refused_when_added() -> None:
    tx = begin(FakeClient())
    for n in range(50):
        tx.insert("User", {**USER, "id": f"u{n}", "email": f"u{n}@example.com"})
    with pytest.raises(RequestValidationError, match="101 actions, above DynamoDB's limit of 100"):
        tx.insert("Post", POST)
    assert len(tx.actions) == 100


def test_two_writes_of_one_item_are_refused() -> None:
    tx = begin(FakeClient())
    tx.update("Post", POST, {"title": "A"})
    with pytest.raises(RequestValidationError, match=r"same item: Post \(POST#p1 / POST#p1\)"):
        tx.delete("Post", POST)


def test_two_writes_of_one_unique_value_are_refused() -> None:
    tx = begin(FakeClient())
    tx.insert("User", USER)
    with pytest.raises(RequestValidationError, match=r"_UNIQUE#USER#email#ada@example\.com"):
        tx.insert("User", {**USER, "id": "u2"})
    assert len(tx.actions) == 2  # the refused write was not added


def test_return_values_are_refused_inside_a_transaction() -> None:
    tx = begin(FakeClient())
    with pytest.raises(QueryError, match="return_values is not available"):
        tx.update("Post", POST, {"title": "A"}, return_values="ALL_NEW")


def test_commit_happens_once() -> None:
    tx = begin(FakeClient())
    tx.insert("Post", POST)
    tx.commit()
    with pytest.raises(QueryError, match="already committed"):
        tx.commit()


def test_failures_are_translated_with_merged_indexes() -> None:
    # Actions: Post put (0), User put (1), sentinel put (2): the sentinel is taken.
    codes = ("None", "None", "ConditionalCheckFailed")
    reasons = [CancellationReason(i, code, "") for i, code in enumerate(codes)]
    client = FakeClient(TransactionCanceledError("cancelled", reasons=reasons))
    with pytest.raises(UniqueConstraintError, match=r"User\.email 'ada@example\.com'"):
        begin(client)(lambda tx: (tx.insert("Post", POST), tx.insert("User", USER)))


# Against the engine.
@pytest.fixture
def engine_table(dynamodb_client: DynamoDBClient) -> Iterator[str]:
    registry = make_registry()
    definition = registry.table_definition(f"tx-{uuid.uuid4().hex[:12]}")
    dynamodb_client.create_table(definition)
    try:
        dynamodb_client.wait_for_table_active(definition["TableName"], interval=0.1)
        yield definition["TableName"]
    finally:
        with contextlib.suppress(ResourceNotFoundError):
            dynamodb_client.delete_table(definition["TableName"])


def engine_items(client: DynamoDBClient, table: str) -> list[tuple[str, str]]:
    items = client.scan_all(table, consistent_read=True).items
    return sorted((i["pk"]["S"], i["sk"]["S"]) for i in items)


@pytest.mark.integration
def test_the_engine_gets_everything_or_nothing(
    dynamodb_client: DynamoDBClient, engine_table: str
) -> None:
    registry = make_registry()
    with pytest.raises(RuntimeError, match="boom"):
        fail_inside(transaction(dynamodb_client, registry, engine_table))
    assert engine_items(dynamodb_client, engine_table) == []
    transaction(dynamodb_client, registry, engine_table)(
        lambda tx: (tx.insert("User", USER), tx.insert("Post", POST))
    )
    assert engine_items(dynamodb_client, engine_table) == [
        ("POST#p1", "POST#p1"),
        ("USER#u1", "USER#u1"),
        ("_UNIQUE#USER#email#ada@example.com", "_UNIQUE#USER#email#ada@example.com"),
    ]


@pytest.mark.integration
def test_a_condition_check_cancels_the_engine_transaction(
    dynamodb_client: DynamoDBClient, engine_table: str
) -> None:
    registry = make_registry()
    with pytest.raises(TransactionCanceledError):
        transaction(dynamodb_client, registry, engine_table)(
            lambda tx: (
                tx.condition_check("Team", {"id": "t1"}, attr("pk").exists()),
                tx.insert("Post", POST),
            )
        )
    assert engine_items(dynamodb_client, engine_table) == []
