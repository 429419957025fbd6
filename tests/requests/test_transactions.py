"""TransactWriteItems / TransactGetItems compilation and the conflict-retry flow."""

import random

import pytest

from dynamodb_tooling.errors import (
    CancellationReason,
    RequestValidationError,
    TransactionCanceledError,
)
from dynamodb_tooling.expressions import Update, attr
from dynamodb_tooling.requests import Backoff, Request, Sleep
from dynamodb_tooling.requests.transactions import (
    ConditionCheck,
    TransactDelete,
    TransactGet,
    TransactPut,
    TransactUpdate,
    transact_get,
    transact_write,
    transact_write_flow,
)

A = {"pk": "A", "sk": "A"}
B = {"pk": "B", "sk": "B"}
WIRE_A = {"pk": {"S": "A"}, "sk": {"S": "A"}}


def test_every_action_kind_compiles() -> None:
    request = transact_write(
        [
            TransactPut("T", {**A, "n": 1}, condition=attr("pk").not_exists()),
            TransactUpdate("T", B, Update().increment("n", 2)),
            TransactDelete(
                "T", {"pk": "C", "sk": "C"}, return_values_on_condition_check_failure="ALL_OLD"
            ),
            ConditionCheck("T", {"pk": "D", "sk": "D"}, attr("pk").exists()),
        ],
        client_request_token="tok",
    )
    items = request.params["TransactItems"]
    assert request.operation == "TransactWriteItems"
    assert request.params["ClientRequestToken"] == "tok"
    assert items[0] == {
        "Put": {
            "TableName": "T",
            "Item": {**WIRE_A, "n": {"N": "1"}},
            "ConditionExpression": "attribute_not_exists(#n0)",
            "ExpressionAttributeNames": {"#n0": "pk"},
        }
    }
    assert set(items[1]["Update"]) >= {"Key", "UpdateExpression", "ExpressionAttributeValues"}
    assert items[2] == {
        "Delete": {
            "TableName": "T",
            "Key": {"pk": {"S": "C"}, "sk": {"S": "C"}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }
    assert items[3]["ConditionCheck"]["ConditionExpression"] == "attribute_exists(#n0)"


def test_limit_of_100_is_checked_before_sending() -> None:
    actions = [TransactDelete("T", {"pk": str(i)}) for i in range(101)]
    with pytest.raises(RequestValidationError, match="101 items, above DynamoDB's limit of 100"):
        transact_write(actions)
    with pytest.raises(RequestValidationError, match="at least one"):
        transact_write([])


def test_two_actions_on_one_item_are_refused() -> None:
    with pytest.raises(RequestValidationError, match="actions 0 and 1 touch the same item"):
        transact_write([TransactDelete("T", A), ConditionCheck("T", A, attr("pk").exists())])


def test_transact_get() -> None:
    request = transact_get([TransactGet("T", A, projection=["name"])])
    assert request == Request(
        "TransactGetItems",
        {
            "TransactItems": [
                {
                    "Get": {
                        "TableName": "T",
                        "Key": WIRE_A,
                        "ProjectionExpression": "#n0",
                        "ExpressionAttributeNames": {"#n0": "name"},
                    }
                }
            ]
        },
    )


def _cancelled(*codes: str) -> TransactionCanceledError:
    reasons = [CancellationReason(i, c, "") for i, c in enumerate(codes)]
    return TransactionCanceledError("cancelled", reasons=reasons)


def test_conflicts_are_retried_with_the_same_token() -> None:
    flow = transact_write_flow(
        [TransactDelete("T", A)], backoff=Backoff(max_attempts=3, rng=random.Random(1))
    )
    first = next(flow)
    assert isinstance(first, Request)
    token = first.params["ClientRequestToken"]
    assert isinstance(flow.throw(_cancelled("TransactionConflict")), Sleep)
    again = flow.send(None)
    assert isinstance(again, Request)
    assert again.params["ClientRequestToken"] == token
    with pytest.raises(StopIteration) as done:
        flow.send({"ok": True})
    assert done.value.value == {"ok": True}


def test_a_failed_condition_is_not_retried() -> None:
    flow = transact_write_flow([TransactDelete("T", A)])
    next(flow)
    with pytest.raises(TransactionCanceledError) as caught:
        flow.throw(_cancelled("ConditionalCheckFailed"))
    assert [r.code for r in caught.value.failed] == ["ConditionalCheckFailed"]
