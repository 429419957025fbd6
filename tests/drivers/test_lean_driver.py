"""The lean driver without a server: the exact bytes and headers it sends, how it reads
answers (base64 binaries, timestamps, errors), retries, credentials and its async face."""

import asyncio
import base64
import contextlib
import datetime
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from dynamodb_tooling.config import Config, validate_config
from dynamodb_tooling.drivers import LeanDriver, get_driver, lean_driver
from dynamodb_tooling.drivers._http import (
    Answer,
    ConnectFailedError,
    Endpoint,
    SendFailedError,
    TimedOutError,
)
from dynamodb_tooling.drivers._sigv4 import Credentials, sign
from dynamodb_tooling.drivers._wire import decode, encode
from dynamodb_tooling.errors import (
    ConditionalCheckFailedError,
    ConfigError,
    ConnectionLostError,
    DriverError,
    DynamoDBError,
    EndpointConnectionError,
    RequestValidationError,
    ResourceNotFoundError,
    ServerError,
    ThrottlingError,
    TransactionCanceledError,
    ValidationError,
    WriteOutcomeUnknownError,
)
from dynamodb_tooling.expressions import Update
from dynamodb_tooling.requests import Concurrently, Flow, Request, Sleep
from dynamodb_tooling.requests.items import get_item, put_item, update_item

ENDPOINT = "http://127.0.0.1:8000"
KEY = ("AKIDLOCAL", "local/secret")


@dataclass
class Sent:
    """One request as the transport got it (header names lower-cased)."""

    headers: dict[str, str]
    content: bytes


def config(**options: Any) -> Config:
    base: dict[str, Any] = {
        "endpoint": ENDPOINT,
        "credentials": {"access_key_id": KEY[0], "secret_access_key": KEY[1]},
        "driver": "lean",
        "max_retries": 2,
    }
    return validate_config({**base, **options})


def answer(status: int = 200, body: Any = None, **headers: str) -> Answer:
    content = orjson.dumps({} if body is None else body)
    return Answer(status, headers, content)


def error_answer(code: str, message: str = "boom", status: int = 400, **extra: Any) -> Any:
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message, **extra}
    return answer(status, body)


class Recorder:
    """A sync transport answering from a script and keeping what was sent."""

    def __init__(self, *answers: Answer | Exception) -> None:
        self.answers = list(answers)
        self.sent: list[Sent] = []
        self.closed = 0

    def send(self, headers: dict[str, str], body: bytes) -> Answer:
        self.sent.append(Sent({k.lower(): v for k, v in headers.items()}, body))
        result = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(result, Exception):
            raise result
        return result

    def close(self) -> None:
        self.closed += 1


class AsyncRecorder:
    """The async face of a :class:`Recorder` (the same script, the same record)."""

    def __init__(self, recorder: Recorder | None = None, handler: Any = None) -> None:
        self.recorder = recorder
        self.handler = handler
        self.closed = 0

    async def send(self, headers: dict[str, str], body: bytes) -> Answer:
        await asyncio.sleep(0)
        if self.handler is not None:
            result: Answer = self.handler(body)
            return result
        assert self.recorder is not None
        return self.recorder.send(headers, body)

    async def aclose(self) -> None:
        self.closed += 1


def lean(recorder: Recorder, cfg: Config | None = None, **kwargs: Any) -> LeanDriver:
    sleeps: list[float] = []
    driver = LeanDriver(
        cfg or config(),
        transport=recorder,
        sleep=sleeps.append,
        **kwargs,
    )
    driver.sleeps = sleeps  # type: ignore[attr-defined]
    return driver


@pytest.fixture
def recorder() -> Recorder:
    return Recorder(answer(body={}))


@pytest.fixture
def driver(recorder: Recorder) -> Iterator[LeanDriver]:
    made = lean(recorder)
    yield made
    made.disconnect()


# What is sent.


def test_one_signed_json_post_per_operation(driver: LeanDriver, recorder: Recorder) -> None:
    request = put_item("Things", {"pk": "A", "blob": b"\x00\xffdata", "tags": {b"a", b"b"}})
    driver.execute(request)
    (sent,) = recorder.sent
    endpoint = driver._connected().endpoint
    assert (endpoint.origin, endpoint.path) == (ENDPOINT, "/")
    assert sent.content == orjson.dumps(
        {
            "TableName": "Things",
            "Item": {
                "pk": {"S": "A"},
                "blob": {"B": base64.b64encode(b"\x00\xffdata").decode()},
                "tags": {"BS": ["YQ==", "Yg=="]},
            },
        }
    )
    headers = sent.headers
    assert headers["x-amz-target"] == "DynamoDB_20120810.PutItem"
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert headers["host"] == "127.0.0.1:8000"
    assert "x-amz-security-token" not in headers
    # The signature verifies with the general SigV4 algorithm over what was sent.
    signed = {
        name: headers[name] for name in ("content-type", "host", "x-amz-date", "x-amz-target")
    }
    expected = sign(
        "POST",
        "/",
        "",
        signed,
        sent.content,
        Credentials(*KEY),
        "us-east-1",
        "dynamodb",
        headers["x-amz-date"],
    )
    assert headers["authorization"] == expected.authorization


def test_a_session_token_is_sent_and_signed(recorder: Recorder) -> None:
    cfg = config(
        credentials={"access_key_id": "ASIA1", "secret_access_key": "s", "session_token": "T0K"}
    )
    driver = lean(recorder, cfg)
    driver.execute(get_item("Things", {"pk": "A"}))
    headers = recorder.sent[0].headers
    assert headers["x-amz-security-token"] == "T0K"
    assert (
        "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
        in (headers["authorization"])
    )
    assert "Credential=ASIA1/" in headers["authorization"]


def test_request_defaults_are_applied(recorder: Recorder) -> None:
    driver = lean(recorder, config(consistent_read=True, return_consumed_capacity="TOTAL"))
    driver.execute(get_item("Things", {"pk": "A"}))
    body = orjson.loads(recorder.sent[0].content)
    assert body["ConsistentRead"] is True
    assert body["ReturnConsumedCapacity"] == "TOTAL"


def test_aws_is_the_endpoint_when_none_is_configured(recorder: Recorder) -> None:
    cfg = validate_config(
        engine="aws",
        region="eu-west-1",
        credentials={"access_key_id": "AKIA1", "secret_access_key": "s"},
        driver="lean",
    )
    driver = lean(recorder, cfg)
    driver.execute(Request("ListTables", {}))
    sent = recorder.sent[0]
    endpoint = driver._connected().endpoint
    assert (endpoint.scheme, endpoint.host, endpoint.port, endpoint.path) == (
        "https",
        "dynamodb.eu-west-1.amazonaws.com",
        443,
        "/",
    )
    assert sent.headers["host"] == "dynamodb.eu-west-1.amazonaws.com"
    assert "/eu-west-1/dynamodb/aws4_request" in sent.headers["authorization"]
    assert driver.endpoint == "AWS DynamoDB (eu-west-1)"


def test_unwritable_parameters_are_a_library_error(driver: LeanDriver) -> None:
    with pytest.raises(RequestValidationError, match="cannot be written as DynamoDB JSON"):
        driver.execute(Request("PutItem", {"TableName": "T", "Item": {"pk": {"S": object()}}}))


# What is read.


def test_binary_values_come_back_as_bytes_wherever_items_are() -> None:
    b64 = base64.b64encode(b"\x01\x02").decode()
    value = {"B": b64}
    nested = {
        "m": {"M": {"inner": {"L": [value, {"BS": [b64]}]}}},
        "B": {"S": "an attribute named B"},
    }
    wire = {
        "Items": [{"pk": value, **nested}],
        "LastEvaluatedKey": {"pk": value},
        "Responses": {"T": [{"pk": value}]},
        "UnprocessedKeys": {"T": {"Keys": [{"pk": value}]}},
        "UnprocessedItems": {
            "T": [{"PutRequest": {"Item": {"pk": value}}}, {"DeleteRequest": {"Key": {"k": value}}}]
        },
        "ItemCollectionMetrics": {"T": [{"ItemCollectionKey": {"pk": value}}]},
    }
    raw = b"\x01\x02"
    decoded = decode("Query", orjson.dumps(wire))
    item = decoded["Items"][0]
    assert item["pk"] == {"B": raw}
    assert item["m"] == {"M": {"inner": {"L": [{"B": raw}, {"BS": [raw]}]}}}
    assert item["B"] == {"S": "an attribute named B"}
    assert decoded["LastEvaluatedKey"]["pk"]["B"] == raw
    assert decoded["Responses"]["T"][0]["pk"]["B"] == raw
    assert decoded["UnprocessedKeys"]["T"]["Keys"][0]["pk"]["B"] == raw
    writes = decoded["UnprocessedItems"]["T"]
    assert writes[0]["PutRequest"]["Item"]["pk"]["B"] == raw
    assert writes[1]["DeleteRequest"]["Key"]["k"]["B"] == raw
    assert decoded["ItemCollectionMetrics"]["T"][0]["ItemCollectionKey"]["pk"]["B"] == raw
    listed = decode("TransactGetItems", orjson.dumps({"Responses": [{"Item": {"pk": value}}]}))
    assert listed["Responses"][0]["Item"]["pk"]["B"] == raw


def test_encode_decode_round_trip_of_every_binary_shape() -> None:
    item = {
        "b": {"B": b"\x00"},
        "bs": {"BS": [b"\x01", b"\x02"]},
        "m": {"M": {"x": {"B": b"\xff" * 3}, "l": {"L": [{"B": b""}, {"S": "s"}]}}},
    }
    body = encode({"Item": item})
    assert b"\\x" not in body
    assert b'"B":"AA=="' in body
    assert decode("GetItem", body) == {"Item": item}


def test_table_timestamps_become_aware_datetimes() -> None:
    body = orjson.dumps({"Table": {"TableName": "T", "CreationDateTime": 1700000000.5}})
    created = decode("DescribeTable", body)["Table"]["CreationDateTime"]
    assert created == datetime.datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=datetime.UTC)
    # Item attributes that happen to be called ...DateTime are values, not timestamps.
    item = orjson.dumps({"Item": {"CreationDateTime": {"N": "5"}}})
    assert decode("GetItem", item) == {"Item": {"CreationDateTime": {"N": "5"}}}


def test_a_response_is_returned_as_the_wire_dict() -> None:
    b64 = base64.b64encode(b"\x07").decode()
    recorder = Recorder(answer(body={"Item": {"pk": {"S": "A"}, "b": {"B": b64}}}))
    driver = lean(recorder)
    assert driver.execute(get_item("T", {"pk": "A"})) == {
        "Item": {"pk": {"S": "A"}, "b": {"B": b"\x07"}}
    }


def test_a_corrupted_answer_is_an_unknown_outcome() -> None:
    body = orjson.dumps({"Item": {}})
    bad = Answer(200, {"x-amz-crc32": str(zlib.crc32(body) + 1)}, body)
    driver = lean(Recorder(bad))
    with pytest.raises(ConnectionLostError, match="CRC32"):
        driver.execute(get_item("T", {"pk": "A"}))
    good = Answer(200, {"x-amz-crc32": str(zlib.crc32(body))}, body)
    assert lean(Recorder(good)).execute(get_item("T", {"pk": "A"})) == {"Item": {}}


# Errors.


@pytest.mark.parametrize(
    ("code", "status", "cls", "advice"),
    [
        ("ResourceNotFoundException", 400, ResourceNotFoundError, "create the table first"),
        ("ValidationException", 400, ValidationError, "check the request parameters"),
        ("ProvisionedThroughputExceededException", 400, ThrottlingError, "PAY_PER_REQUEST"),
        ("InternalServerError", 500, ServerError, "may or may not have been applied"),
        ("SomethingNew", 400, DynamoDBError, "SomethingNew"),
        ("SomethingBroke", 503, ServerError, "may or may not have been applied"),
    ],
)
def test_error_bodies_become_the_same_typed_errors_as_botocore(
    code: str, status: int, cls: type[DynamoDBError], advice: str
) -> None:
    driver = lean(Recorder(error_answer(code, "it went wrong", status)), config(max_retries=0))
    with pytest.raises(cls) as caught:
        driver.execute(get_item("T", {"pk": "A"}))
    error = caught.value
    assert type(error) is cls
    assert error.code == code
    assert error.operation == "GetItem"
    assert advice in str(error)
    assert "it went wrong" in str(error)
    assert error.response["Error"] == {"Code": code, "Message": "it went wrong"}
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == status


def test_a_failed_condition_carries_the_current_item_with_bytes() -> None:
    item = {"pk": {"S": "A"}, "b": {"B": base64.b64encode(b"\x09").decode()}}
    recorder = Recorder(
        error_answer("ConditionalCheckFailedException", "The conditional request failed", Item=item)
    )
    with pytest.raises(ConditionalCheckFailedError) as caught:
        lean(recorder).execute(put_item("T", {"pk": "A"}))
    assert caught.value.item == {"pk": {"S": "A"}, "b": {"B": b"\x09"}}
    assert caught.value.response["Error"]["Code"] == "ConditionalCheckFailedException"


def test_cancellation_reasons_are_kept_per_action() -> None:
    reasons = [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "failed", "Item": {"pk": {"B": "AQ=="}}},
    ]
    recorder = Recorder(
        error_answer("TransactionCanceledException", "cancelled", CancellationReasons=reasons)
    )
    with pytest.raises(TransactionCanceledError) as caught:
        lean(recorder).execute(Request("TransactWriteItems", {"TransactItems": []}))
    error = caught.value
    assert [(r.index, r.code) for r in error.reasons] == [
        (0, "None"),
        (1, "ConditionalCheckFailed"),
    ]
    assert error.reasons[1].item == {"pk": {"B": b"\x01"}}
    assert "#1: ConditionalCheckFailed (failed)" in str(error)


def test_a_non_json_5xx_is_a_server_error() -> None:
    recorder = Recorder(Answer(502, {}, b"<html>Bad Gateway</html>"))
    with pytest.raises(ServerError, match="Bad Gateway") as caught:
        lean(recorder, config(max_retries=0)).execute(get_item("T", {"pk": "A"}))
    assert caught.value.code == "502"


def test_throttling_is_retried_then_succeeds(recorder: Recorder) -> None:
    recorder.answers = [
        error_answer("ProvisionedThroughputExceededException"),
        error_answer("ThrottlingException"),
        answer(body={"Item": {"pk": {"S": "A"}}}),
    ]
    driver = lean(recorder)
    assert driver.execute(get_item("T", {"pk": "A"}))["Item"] == {"pk": {"S": "A"}}
    assert len(recorder.sent) == 3
    assert len(driver.sleeps) == 2  # type: ignore[attr-defined]


def test_an_unreachable_endpoint_is_retried_then_reported() -> None:
    recorder = Recorder(ConnectFailedError("ConnectionRefusedError: connection refused"))
    driver = lean(recorder)
    unreachable = r"cannot reach http://127\.0\.0\.1:8000"
    with pytest.raises(EndpointConnectionError, match=unreachable) as e:
        driver.execute(get_item("T", {"pk": "A"}))
    assert not isinstance(e.value, ConnectionLostError)
    assert "dbtooling start" in str(e.value)
    assert len(recorder.sent) == 3  # max_retries=2


@pytest.mark.parametrize(
    "failure",
    [
        TimedOutError("TimeoutError: timed out"),
        SendFailedError("RemoteDisconnected: Remote end closed connection without response"),
        SendFailedError("ConnectionResetError: connection reset by peer"),
    ],
)
def test_a_failure_after_sending_is_an_unknown_outcome(failure: Exception) -> None:
    # Idempotent: sent again, then reported as lost.
    recorder = Recorder(failure)
    with pytest.raises(WriteOutcomeUnknownError) as caught:
        lean(recorder).execute(put_item("T", {"pk": "A"}))
    assert isinstance(caught.value.cause, ConnectionLostError)
    assert len(recorder.sent) == 3
    # Not idempotent: sent once, never twice.
    once = Recorder(failure)
    increment = update_item("T", {"pk": "A"}, Update().increment("n"))
    with pytest.raises(WriteOutcomeUnknownError, match="not idempotent"):
        lean(once).execute(increment)
    assert len(once.sent) == 1


# Credentials, configuration, lifecycle.


class FrozenCredentials:
    def __init__(self, access_key: str, secret_key: str, token: str | None) -> None:
        self.access_key, self.secret_key, self.token = access_key, secret_key, token


class RefreshingCredentials:
    """Like botocore's RefreshableCredentials: a new frozen set each time it rotates."""

    def __init__(self) -> None:
        self.calls = 0

    def get_frozen_credentials(self) -> FrozenCredentials:
        self.calls += 1
        return FrozenCredentials(f"ASIA{self.calls}", "secret", f"token{self.calls}")


class FakeSession:
    def __init__(self) -> None:
        self.credentials = RefreshingCredentials()

    def get_credentials(self) -> RefreshingCredentials:
        return self.credentials


def test_chain_credentials_are_read_for_every_request(recorder: Recorder) -> None:
    session = FakeSession()
    cfg = validate_config(engine="aws", region="us-east-1", driver="lean")
    driver = lean(recorder, cfg, session=session)
    driver.execute(Request("ListTables", {}))
    driver.execute(Request("ListTables", {}))
    assert [r.headers["x-amz-security-token"] for r in recorder.sent] == ["token1", "token2"]
    assert "Credential=ASIA2/" in recorder.sent[1].headers["authorization"]


def test_no_credentials_for_aws_is_a_clear_error(recorder: Recorder) -> None:
    class Empty:
        def get_credentials(self) -> None:
            return None

    cfg = validate_config(engine="aws", region="us-east-1", driver="lean")
    with pytest.raises(DriverError, match="no AWS credentials found"):
        lean(recorder, cfg, session=Empty()).connect()


def test_a_missing_aws_profile_does_not_stop_a_local_engine(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile-anywhere")
    local = lean(recorder, validate_config(endpoint=ENDPOINT, driver="lean"))
    local.execute(Request("ListTables", {}))
    assert len(recorder.sent) == 1
    remote = lean(recorder, validate_config(engine="aws", driver="lean"))
    with pytest.raises(DriverError, match="'no-such-profile-anywhere' does not exist"):
        remote.connect()


def test_a_missing_ca_bundle_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_CA_BUNDLE", "/nonexistent/bundle.pem")
    cfg = config(endpoint="https://dynamodb.example.com")
    with pytest.raises(DriverError, match="AWS_CA_BUNDLE"):
        LeanDriver(cfg).connect()


def test_the_registry_builds_it_and_checks_the_configuration() -> None:
    assert isinstance(get_driver("lean", config()), LeanDriver)
    assert isinstance(get_driver(config=config()), LeanDriver)
    with pytest.raises(ConfigError, match="profile"):
        get_driver(
            "lean",
            validate_config(
                profile="p", credentials={"access_key_id": "a", "secret_access_key": "b"}
            ),
        )
    driver = LeanDriver(config())
    assert driver.name == "lean"
    assert driver.capabilities().max_concurrency == 16


def test_disconnect_closes_both_transports_and_reconnects_on_use(recorder: Recorder) -> None:
    async_transport = AsyncRecorder(recorder)
    driver = lean(recorder, async_transport=async_transport)
    driver.execute(Request("ListTables", {}))

    async def use() -> None:
        await driver.aexecute(Request("ListTables", {}))
        assert driver._aclient is not None
        assert driver._sync is not None
        driver.disconnect()
        await asyncio.sleep(0)  # the async transport closes on its own loop
        await asyncio.sleep(0)
        assert async_transport.closed == 1

    asyncio.run(use())
    assert recorder.closed == 1
    driver.execute(Request("ListTables", {}))
    assert len(recorder.sent) == 3


def test_health_check(recorder: Recorder) -> None:
    assert lean(recorder).health_check().ok
    failing = lean(Recorder(ConnectFailedError("refused")), config(max_retries=0))
    status = failing.health_check()
    assert not status.ok
    assert "cannot reach" in status.detail


# The async face.


def async_lean(recorder: Recorder, cfg: Config | None = None) -> LeanDriver:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    driver = LeanDriver(
        cfg or config(),
        transport=recorder,
        async_transport=AsyncRecorder(recorder),
        async_sleep=sleep,
    )
    driver.slept = slept  # type: ignore[attr-defined]
    return driver


def test_aexecute_sends_the_same_bytes_as_execute(recorder: Recorder) -> None:
    driver = async_lean(recorder)
    request = put_item("Things", {"pk": "A", "blob": b"\x00"})
    driver.execute(request)
    asyncio.run(driver.aexecute(request))
    sync, sent = recorder.sent
    assert sync.content == sent.content
    for name in ("x-amz-target", "content-type", "host"):
        assert sync.headers[name] == sent.headers[name]


def test_aexecute_retries_with_async_sleeps(recorder: Recorder) -> None:
    recorder.answers = [error_answer("ThrottlingException"), answer(body={"Count": 0})]
    driver = async_lean(recorder)
    assert asyncio.run(driver.aexecute(Request("Query", {"TableName": "T"}))) == {"Count": 0}
    assert len(driver.slept) == 1  # type: ignore[attr-defined]


def test_arun_drives_flows_like_run(recorder: Recorder) -> None:
    def flow() -> Flow[list[Any]]:
        yield Sleep(0.5)
        with contextlib.suppress(ResourceNotFoundError):
            yield Request("DescribeTable", {"TableName": "gone"})
        results: list[Any] = yield Concurrently.of(
            [Request("GetItem", {"TableName": "T", "n": n}) for n in range(3)]
            + [Request("DescribeTable", {"TableName": "gone"})],
            return_exceptions=True,
        )
        return results

    def handler(content: bytes) -> Answer:
        body = orjson.loads(content)
        if body["TableName"] == "gone":
            result: Answer = error_answer("ResourceNotFoundException")
            return result
        return answer(body={"n": body["n"]})

    driver = async_lean(Recorder(answer()), config(max_retries=0))
    driver._async_transport = AsyncRecorder(handler=handler)
    results = asyncio.run(driver.arun(flow()))
    assert results[:3] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert isinstance(results[3], ResourceNotFoundError)
    assert driver.slept == [0.5]  # type: ignore[attr-defined]

    def failing() -> Flow[None]:
        yield Concurrently.of([Request("DescribeTable", {"TableName": "gone"})] * 2)

    with pytest.raises(ResourceNotFoundError):
        asyncio.run(driver.arun(failing()))


def test_each_event_loop_gets_its_own_transport_closed_with_the_loop(
    recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[tuple[Endpoint, dict[str, Any], AsyncRecorder]] = []

    def transport(endpoint: Endpoint, **options: Any) -> AsyncRecorder:
        made.append((endpoint, options, AsyncRecorder(recorder)))
        return made[-1][2]

    monkeypatch.setattr(lean_driver, "AsyncTransport", transport)
    driver = LeanDriver(
        config(http_options={"timeout": 7.0, "max_pool_connections": 5}), transport=recorder
    )

    async def use() -> None:
        await driver.aexecute(Request("ListTables", {}))
        await driver.aexecute(Request("ListTables", {}))

    asyncio.run(use())
    asyncio.run(use())
    assert len(made) == 2  # one per event loop
    (endpoint, options, first), (_, _, second) = made
    assert endpoint == Endpoint.parse(ENDPOINT)
    assert options["timeout"] == 7.0
    assert options["max_connections"] == 5
    assert options["proxy"] is None
    assert options["tls"] is None  # http://
    assert first.closed == 1  # closed by asyncio.run before its loop went away
    assert second.closed == 1
    assert len(recorder.sent) == 4
