"""The driver's retry loop: what is sent again, and what is reported as an unknown outcome."""

from collections.abc import Callable
from typing import Any

import pytest

from dynamodb_tooling._types import Response
from dynamodb_tooling.drivers._retry import RetryPolicy, outcome, send_with_retries
from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    ConnectionLostError,
    EndpointConnectionError,
    ServerError,
    ThrottlingError,
    WriteOutcomeUnknownError,
)
from dynamodb_tooling.expressions import Update
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.items import put_item, update_item

KEY = {"pk": "C#1", "sk": "C#1"}


def scripted(*results: Exception | Response) -> tuple[Callable[[Request], Response], list[Request]]:
    """A ``send`` that answers with ``results`` in order and records what it was sent."""
    sent: list[Request] = []
    queue = list(results)

    def send(request: Request) -> Response:
        sent.append(request)
        result = queue.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    return send, sent


def run(request: Request, *results: Exception | Response, retries: int = 3) -> list[Request]:
    send, sent = scripted(*results)
    sleeps: list[float] = []
    send_with_retries(send, request, RetryPolicy(max_retries=retries), sleeps.append)
    assert len(sleeps) == len(sent) - 1
    return sent


def server_error() -> ServerError:
    return ServerError("UpdateItem failed with InternalServerError", code="InternalServerError")


def test_failures_are_classified_by_what_they_say_about_the_write() -> None:
    assert outcome(ThrottlingError("slow down")) == "not_applied"
    assert outcome(EndpointConnectionError("no route")) == "not_applied"
    assert outcome(server_error()) == "unknown"
    assert outcome(ConnectionLostError("closed after sending")) == "unknown"
    assert outcome(ConditionalCheckFailedError("no")) == "final"


def test_throttling_and_5xx_of_an_idempotent_write_are_retried() -> None:
    request = put_item("T", {**KEY, "n": 1})
    assert request.idempotent
    sent = run(request, ThrottlingError("t"), server_error(), {"ok": True})
    assert len(sent) == 3


def test_a_non_idempotent_write_is_never_sent_twice_after_an_unknown_outcome() -> None:
    request = update_item("T", KEY, Update().increment("n"))
    assert not request.idempotent
    send, sent = scripted(server_error(), {"ok": True})
    with pytest.raises(WriteOutcomeUnknownError, match="may or may not have been applied") as e:
        send_with_retries(send, request, RetryPolicy(), lambda _: None)
    assert len(sent) == 1
    assert e.value.operation == "UpdateItem"
    assert e.value.target == {"pk": {"S": "C#1"}, "sk": {"S": "C#1"}}
    # Throttling says the write was not applied: that one is retried.
    assert len(run(request, ThrottlingError("t"), {"ok": True})) == 2


def test_a_failed_condition_after_an_unknown_outcome_is_marked() -> None:
    request = put_item("T", KEY)
    send, _ = scripted(server_error(), ConditionalCheckFailedError("exists"))
    with pytest.raises(ConditionalCheckFailedError) as caught:
        send_with_retries(send, request, RetryPolicy(), lambda _: None)
    assert caught.value.after_unknown_outcome
    send, _ = scripted(ConditionalCheckFailedError("exists"))
    with pytest.raises(ConditionalCheckFailedError) as plain:
        send_with_retries(send, request, RetryPolicy(), lambda _: None)
    assert not plain.value.after_unknown_outcome


def test_giving_up_after_an_unknown_outcome_reports_it_for_writes_only() -> None:
    write = put_item("T", KEY)
    send, sent = scripted(server_error(), ThrottlingError("t"), ThrottlingError("t"))
    with pytest.raises(WriteOutcomeUnknownError, match="every retry failed"):
        send_with_retries(send, write, RetryPolicy(max_retries=2), lambda _: None)
    assert len(sent) == 3
    read = Request("GetItem", {"TableName": "T", "Key": {}})
    send, _ = scripted(server_error(), server_error())
    with pytest.raises(ServerError):
        send_with_retries(send, read, RetryPolicy(max_retries=1), lambda _: None)


def test_backoff_grows_and_legacy_mode_has_no_jitter() -> None:
    legacy = RetryPolicy(mode="legacy")
    assert [legacy.delay(n) for n in range(4)] == [0.05, 0.1, 0.2, 0.4]
    standard = RetryPolicy()
    assert all(0 <= standard.delay(n) <= 0.05 * 2**n for n in range(6))
    assert RetryPolicy(cap=1.0, mode="legacy").delay(30) == 1.0


def test_a_failed_condition_after_a_lost_answer_does_not_say_nothing_was_written() -> None:
    request = put_item("T", KEY)
    exists = ConditionalCheckFailedError(
        "PutItem failed with ConditionalCheckFailedException: ... — nothing was written"
    )
    send, _ = scripted(server_error(), exists)
    with pytest.raises(ConditionalCheckFailedError) as caught:
        send_with_retries(send, request, RetryPolicy(), lambda _: None)
    assert "nothing was written" not in str(caught.value)
    assert "an earlier attempt's answer was lost" in str(caught.value)


@pytest.mark.parametrize(
    ("expression", "values", "idempotent"),
    [
        ("SET #a = :v, #b = if_not_exists(#b, :w)", {}, True),
        ("SET #a = #a + :one", {}, False),
        ("SET #l = list_append(#l, :x)", {}, False),
        ("ADD #n :one", {":one": {"N": "1"}}, False),
        ("ADD #tags :t", {":t": {"SS": ["x"]}}, True),
        ("DELETE #tags :t REMOVE #old", {":t": {"SS": ["x"]}}, True),
        ("REMOVE #jobs[0]", {}, False),
    ],
)
def test_hand_written_requests_are_classified_from_their_expression(
    expression: str, values: dict[str, Any], idempotent: bool
) -> None:
    params = {"TableName": "T", "Key": {}, "UpdateExpression": expression}
    params["ExpressionAttributeValues"] = values
    assert Request("UpdateItem", params).idempotent is idempotent


def test_hand_written_transactions_and_statements() -> None:
    update = {"Update": {"TableName": "T", "Key": {}, "UpdateExpression": "SET #a = #a + :n"}}
    assert not Request("TransactWriteItems", {"TransactItems": [update]}).idempotent
    tokened = {"TransactItems": [update], "ClientRequestToken": "t"}
    assert Request("TransactWriteItems", tokened).idempotent
    assert Request("ExecuteStatement", {"Statement": "SELECT * FROM T"}).idempotent
    assert not Request("ExecuteStatement", {"Statement": "UPDATE T SET a = a + 1"}).idempotent
