"""Compiled PartiQL requests."""

import pytest

from dynamodb_tooling.errors import RequestValidationError
from dynamodb_tooling.requests.partiql import (
    Statement,
    batch_execute_statement,
    execute_statement,
    execute_transaction,
)


def test_parameters_are_bound_not_interpolated() -> None:
    request = execute_statement(
        'SELECT * FROM "T" WHERE pk = ? AND age > ?',
        ["USER#1", 30],
        consistent_read=True,
        limit=5,
        next_token="abc",
    )
    assert request.operation == "ExecuteStatement"
    assert request.params == {
        "Statement": 'SELECT * FROM "T" WHERE pk = ? AND age > ?',
        "Parameters": [{"S": "USER#1"}, {"N": "30"}],
        "ConsistentRead": True,
        "Limit": 5,
        "NextToken": "abc",
    }


def test_question_marks_inside_literals_are_not_placeholders() -> None:
    request = execute_statement("SELECT * FROM \"wh?t\" WHERE q = 'who?' AND pk = ?", ["a"])
    assert request.params["Parameters"] == [{"S": "a"}]


def test_placeholder_count_must_match() -> None:
    with pytest.raises(RequestValidationError, match="2 '\\?' placeholders but 1 parameters"):
        execute_statement("SELECT * FROM T WHERE a = ? AND b = ?", [1])


def test_batch_and_transaction_limits() -> None:
    one = Statement("DELETE FROM T WHERE pk = ?", ["a"])
    assert batch_execute_statement([one]).params == {
        "Statements": [{"Statement": "DELETE FROM T WHERE pk = ?", "Parameters": [{"S": "a"}]}]
    }
    with pytest.raises(RequestValidationError, match="26 items, above DynamoDB's limit of 25"):
        batch_execute_statement([one] * 26)
    with pytest.raises(RequestValidationError, match="101 items, above DynamoDB's limit of 100"):
        execute_transaction([one] * 101)
    assert (
        execute_transaction([one], client_request_token="t1").params["ClientRequestToken"] == "t1"
    )
