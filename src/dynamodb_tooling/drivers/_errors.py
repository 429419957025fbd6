"""DynamoDB errors as the library's typed errors, with advice attached.

``error_for`` maps an error code to its class for every transport; ``translate`` turns
botocore's exceptions into library errors for the botocore driver.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    HTTPClientError,
    ParamValidationError,
    ReadTimeoutError,
)
from botocore.exceptions import (
    EndpointConnectionError as BotoEndpointConnectionError,
)

from dynamodb_tooling.errors import (
    AccessDeniedError,
    CancellationReason,
    ConditionalCheckFailedError,
    ConnectionLostError,
    DynamoDBError,
    DynamoDBToolingError,
    EndpointConnectionError,
    LimitExceededError,
    RequestValidationError,
    ResourceInUseError,
    ResourceNotFoundError,
    ServerError,
    ThrottlingError,
    TransactionCanceledError,
    TransactionConflictError,
    ValidationError,
)

_BY_CODE: dict[str, tuple[type[DynamoDBError], str]] = {
    "ValidationException": (ValidationError, "check the request parameters named above"),
    "ResourceNotFoundException": (
        ResourceNotFoundError,
        "create the table first — run `dbtooling migrate` (or "
        "`dynamodb_tooling.migrations.migrate()`), which creates the table your models need and "
        "waits until it is ACTIVE — or check its name, prefix/suffix and region",
    ),
    "ResourceInUseException": (
        ResourceInUseError,
        "wait for the table to become ACTIVE (`client.wait_for_table_active(name)`) and retry",
    ),
    "ConditionalCheckFailedException": (
        ConditionalCheckFailedError,
        "the item changed or does not exist as the condition expected; nothing was written",
    ),
    "TransactionConflictException": (
        TransactionConflictError,
        "another transaction holds the item; retry with backoff",
    ),
    "ProvisionedThroughputExceededException": (
        ThrottlingError,
        "raise provisioned capacity, enable auto scaling, or switch to PAY_PER_REQUEST",
    ),
    "ThrottlingException": (ThrottlingError, "slow down control-plane calls and retry"),
    "RequestLimitExceeded": (ThrottlingError, "the account's request rate is exceeded; retry"),
    "LimitExceededException": (
        LimitExceededError,
        "too many concurrent table operations or indexes; wait and retry",
    ),
    "AccessDeniedException": (
        AccessDeniedError,
        "grant the IAM permission for this operation, or use other credentials/profile",
    ),
    "InternalServerError": (
        ServerError,
        "the engine failed; the request may or may not have been applied",
    ),
    "ServiceUnavailable": (
        ServerError,
        "the engine is unavailable; the request may or may not have been applied",
    ),
    "TransactionInProgressException": (
        TransactionConflictError,
        "an earlier attempt of this transaction (same ClientRequestToken) is still running; "
        "retry with the same token",
    ),
    "UnrecognizedClientException": (
        AccessDeniedError,
        "the access key is not valid for this endpoint; check credentials and region",
    ),
}


def _reasons(response: Mapping[str, Any]) -> list[CancellationReason]:
    raw = response.get("CancellationReasons") or []
    return [
        CancellationReason(
            index=i,
            code=str(r.get("Code", "None")),
            message=str(r.get("Message", "")),
            item=r.get("Item"),
        )
        for i, r in enumerate(raw)
    ]


def error_for(
    code: str, message: str, status: int, operation: str, body: Mapping[str, Any]
) -> DynamoDBError:
    """The typed library error for a DynamoDB error ``code`` (shared by every transport).

    ``status`` is the HTTP status (0 when unknown: 5xx codes not in the table become
    :class:`ServerError`); ``body`` is the whole error response, kept on the error as
    ``response`` (``CancellationReasons`` and ``Item`` are read from it).
    """
    response = dict(body)
    if code == "TransactionCanceledException":
        reasons = _reasons(response)
        failed = "; ".join(
            f"#{r.index}: {r.code}" + (f" ({r.message})" if r.message else "")
            for r in reasons
            if r.code not in ("None", "")
        )
        return TransactionCanceledError(
            f"{operation}: transaction cancelled, nothing was written ({failed or message})",
            reasons=reasons,
            operation=operation,
            response=response,
        )
    default = (ServerError, "the request may or may not have been applied")
    cls, advice = _BY_CODE.get(code, default if status >= 500 else (DynamoDBError, ""))
    text = f"{operation} failed with {code}: {message}" + (f" — {advice}" if advice else "")
    if cls is ConditionalCheckFailedError:
        return ConditionalCheckFailedError(
            text, code=code, operation=operation, response=response, item=response.get("Item")
        )
    return cls(text, code=code, operation=operation, response=response)


def translate_client_error(error: ClientError, operation: str) -> DynamoDBError:
    response: dict[str, Any] = dict(error.response)
    code = str(response.get("Error", {}).get("Code", "Unknown"))
    message = str(response.get("Error", {}).get("Message", str(error)))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    return error_for(code, message, status, operation, response)


def unreachable(operation: str, endpoint: str, detail: object) -> EndpointConnectionError:
    """The connection was never made: nothing was sent."""
    return EndpointConnectionError(
        f"{operation}: cannot reach {endpoint} ({detail}); start the local engine with "
        "`dbtooling start`, or check `endpoint`/`region` in your configuration"
    )


def timed_out(operation: str, endpoint: str, detail: object) -> ConnectionLostError:
    """The request was sent but no answer came in time: it may have been applied."""
    return ConnectionLostError(
        f"{operation}: {endpoint} did not answer in time ({detail}); raise "
        "http_options.timeout or retry"
    )


def lost(operation: str, endpoint: str, detail: object) -> ConnectionLostError:
    """The connection failed after sending: the request may have been applied."""
    return ConnectionLostError(
        f"{operation}: the connection to {endpoint} failed after the request was sent "
        f"({detail}); it may or may not have been applied"
    )


def translate(error: Exception, operation: str, endpoint: str) -> DynamoDBToolingError | None:
    """The library error for a botocore exception, or ``None`` if it is not botocore's."""
    if isinstance(error, ClientError):
        return translate_client_error(error, operation)
    if isinstance(error, BotoEndpointConnectionError | ConnectTimeoutError):
        return unreachable(operation, endpoint, error)
    if isinstance(error, ReadTimeoutError):
        return timed_out(operation, endpoint, error)
    if isinstance(error, HTTPClientError):
        return lost(operation, endpoint, error)
    if isinstance(error, ParamValidationError):
        return RequestValidationError(f"{operation}: invalid parameters: {error}")
    return None
