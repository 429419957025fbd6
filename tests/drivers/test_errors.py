"""botocore errors become typed library errors with advice."""

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ParamValidationError,
    ReadTimeoutError,
)

from dynamodb_tooling.drivers._errors import translate
from dynamodb_tooling.errors import (
    AccessDeniedError,
    ConditionalCheckFailedError,
    ConnectionLostError,
    DynamoDBError,
    RequestValidationError,
    ResourceNotFoundError,
    ServerError,
    ThrottlingError,
    TransactionCanceledError,
    TransactionConflictError,
)
from dynamodb_tooling.errors import EndpointConnectionError as OurEndpointError


def client_error(code: str, message: str = "boom", **extra: object) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}, **extra}, "PutItem")


def test_codes_map_to_classes_with_advice() -> None:
    cases = {
        "ProvisionedThroughputExceededException": (ThrottlingError, "PAY_PER_REQUEST"),
        "ThrottlingException": (ThrottlingError, "retry"),
        "ResourceNotFoundException": (ResourceNotFoundError, "dbtooling migrate"),
        "TransactionConflictException": (TransactionConflictError, "retry with backoff"),
        "AccessDeniedException": (AccessDeniedError, "IAM permission"),
        "SomethingNew": (DynamoDBError, "SomethingNew"),
    }
    for code, (cls, advice) in cases.items():
        error = translate(client_error(code), "PutItem", "http://x")
        assert type(error) is cls, code
        assert isinstance(error, DynamoDBError)
        assert error.code == code
        assert error.operation == "PutItem"
        assert advice in str(error)


def test_condition_failure_carries_the_current_item() -> None:
    item = {"pk": {"S": "A"}}
    error = translate(client_error("ConditionalCheckFailedException", Item=item), "PutItem", "")
    assert isinstance(error, ConditionalCheckFailedError)
    assert error.item == item


def test_cancellation_reasons_are_kept_per_action() -> None:
    reasons = [
        {"Code": "None"},
        {
            "Code": "ConditionalCheckFailed",
            "Message": "The conditional request failed",
            "Item": {"pk": {"S": "B"}},
        },
    ]
    error = translate(
        client_error("TransactionCanceledException", CancellationReasons=reasons),
        "TransactWriteItems",
        "",
    )
    assert isinstance(error, TransactionCanceledError)
    assert [(r.index, r.code) for r in error.reasons] == [
        (0, "None"),
        (1, "ConditionalCheckFailed"),
    ]
    assert [r.index for r in error.failed] == [1]
    assert error.reasons[1].item == {"pk": {"S": "B"}}
    # Each failed action's own message is in the text, not only its code.
    assert "#1: ConditionalCheckFailed (The conditional request failed)" in str(error)


def test_server_errors_and_lost_connections_say_the_outcome_is_unknown() -> None:
    status_500 = {"ResponseMetadata": {"HTTPStatusCode": 500}}
    for code in ("InternalServerError", "ServiceUnavailable", "WeirdFailure"):
        error = translate(client_error(code, **status_500), "UpdateItem", "")
        assert isinstance(error, ServerError), code
        assert "may or may not have been applied" in str(error)
    lost = translate(
        ReadTimeoutError(endpoint_url="http://127.0.0.1:1"), "UpdateItem", "http://127.0.0.1:1"
    )
    assert isinstance(lost, ConnectionLostError)
    closed = translate(
        ConnectionClosedError(endpoint_url="http://127.0.0.1:1"), "PutItem", "http://127.0.0.1:1"
    )
    assert isinstance(closed, ConnectionLostError)
    assert "may or may not have been applied" in str(closed)


def test_transport_and_parameter_errors() -> None:
    unreachable = translate(
        EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "GetItem", "http://127.0.0.1:1"
    )
    assert isinstance(unreachable, OurEndpointError)
    assert "dbtooling start" in str(unreachable)
    bad = translate(ParamValidationError(report="Missing Key"), "GetItem", "")
    assert isinstance(bad, RequestValidationError)
    assert translate(ValueError("not botocore"), "GetItem", "") is None
