"""Read and write flows run on the stub executor: the requests they send, no server."""

import asyncio
from typing import Any

import pytest

from dynamodb_tooling.errors import (
    CancellationReason,
    ConditionalCheckFailedError,
    ServerError,
    StaleModelError,
    TransactionCanceledError,
    WriteOutcomeUnknownError,
)
from dynamodb_tooling.expressions import key
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.query.plan import Plan
from dynamodb_tooling.query.read_flow import count_flow, merged_flow, unique_flow
from dynamodb_tooling.query.reader import Reader
from dynamodb_tooling.query.unique import arun_write, run_write
from dynamodb_tooling.query.write_flow import alone, write_flow
from dynamodb_tooling.requests import Concurrently
from dynamodb_tooling.requests.items import get_item, query
from dynamodb_tooling.testing.stub import StubExecutor
from tests.query.test_writes import POST, make_compiler


def wire(item: dict[str, Any]) -> dict[str, Any]:
    return marshall_item(item)


def test_an_increment_goes_out_once_as_a_tokened_transaction() -> None:
    plan = make_compiler().increment("Order", {"id": "o1", "user_id": "u1"}, "total", 5)
    stub = StubExecutor()
    stub.run(write_flow(plan, exactly_once=True, token="tok-1"))
    (sent,) = stub.requests
    assert sent.operation == "TransactWriteItems"
    assert sent.params["ClientRequestToken"] == "tok-1"
    assert sent.idempotent  # so the driver may retry it after a lost answer
    at_most_once = StubExecutor()
    at_most_once.run(write_flow(plan, exactly_once=False))
    assert [r.operation for r in at_most_once.requests] == ["UpdateItem"]
    assert not at_most_once.requests[0].idempotent


def test_a_lost_answer_then_a_failed_condition_is_recognised_as_our_write() -> None:
    plan = make_compiler().insert("Post", POST)
    assert plan.item is not None
    retried = ConditionalCheckFailedError("exists", code="ConditionalCheckFailedException")
    retried.after_unknown_outcome = True
    stub = StubExecutor()
    stub.on("PutItem", retried)
    stub.on("GetItem", {"Item": wire(plan.item)})
    assert stub.run(write_flow(plan)) == {}
    assert [r.operation for r in stub.requests] == ["PutItem", "GetItem"]
    # Another item at the key: ours may have landed and been replaced since, or never have
    # landed — the library cannot tell, so it does not claim "nothing was written".
    other = StubExecutor()
    other.on("PutItem", retried)
    other.on("GetItem", {"Item": wire({**plan.item, "title": "Theirs"})})
    with pytest.raises(WriteOutcomeUnknownError, match="may or may not have been applied"):
        other.run(write_flow(plan))


def test_a_version_still_expected_proves_a_lost_write_never_landed() -> None:
    note = {"id": "n1", "title": "T", "_v": 2}
    plan = make_compiler().update("Note", note, {"title": "New"})
    still = wire({"pk": "NOTE#n1", "sk": "NOTE#n1", "title": "T", "_v": 2})
    retried = ConditionalCheckFailedError("version", code="x", item=still)
    retried.after_unknown_outcome = True
    stub = StubExecutor()
    stub.on("UpdateItem", retried)
    stub.on("GetItem", {"Item": still})
    with pytest.raises(ConditionalCheckFailedError):  # our condition failed for another reason
        stub.run(write_flow(plan))
    # Bumped by someone else after our lost attempt: unknown, never "nothing was written".
    bumped = StubExecutor()
    bumped.on("UpdateItem", retried)
    bumped.on("GetItem", {"Item": wire({"pk": "NOTE#n1", "sk": "NOTE#n1", "title": "X", "_v": 4})})
    with pytest.raises(WriteOutcomeUnknownError):
        bumped.run(write_flow(plan))


def test_an_increment_whose_retry_failed_is_an_unknown_outcome() -> None:
    # A tokened increment whose engine ignored the token: the retry failed its condition
    # after an attempt with a lost answer, and the item cannot tell whether it was applied.
    plan = make_compiler().increment("Order", {"id": "o1", "user_id": "u1"}, "total", 5)
    retried = TransactionCanceledError(
        "cancelled", reasons=[CancellationReason(0, "ConditionalCheckFailed", "failed")]
    )
    retried.after_unknown_outcome = True
    stub = StubExecutor()
    stub.on("TransactWriteItems", retried)
    stub.on("GetItem", {"Item": wire({"pk": "USER#u1", "sk": "ORDER#o1", "total": 10})})
    with pytest.raises(WriteOutcomeUnknownError, match="may or may not have been applied"):
        stub.run(write_flow(plan))


def test_an_update_of_a_deleted_item_reads_it_back_to_say_so() -> None:
    plan = make_compiler().update("Post", POST, {"title": "New"})
    stub = StubExecutor()
    stub.on("UpdateItem", ConditionalCheckFailedError("no", code="ConditionalCheckFailedException"))
    with pytest.raises(StaleModelError, match="Post 'p1' does not exist"):
        stub.run(write_flow(plan))
    assert stub.requests[1].params == {
        "TableName": "Blog",
        "Key": {"pk": {"S": "POST#p1"}, "sk": {"S": "POST#p1"}},
        "ConsistentRead": True,
    }


def test_a_stale_unique_sentinel_finds_nothing() -> None:
    plan = Plan(
        "UniqueLookup", "T", "unique", key={"pk": "S", "sk": "S"}, unique_check=("email", "a@x")
    )
    stub = StubExecutor()
    stub.on("GetItem", {"Item": wire({"pk": "S", "sk": "S", "owner": {"pk": "U#1", "sk": "U#1"}})})
    stub.on("GetItem", {"Item": wire({"pk": "U#1", "sk": "U#1", "email": "b@x"})})
    assert stub.run(unique_flow(plan, get_item("T", {"pk": "S", "sk": "S"}))) is None
    assert stub.requests[1].params["Key"] == {"pk": {"S": "U#1"}, "sk": {"S": "U#1"}}


def test_several_queries_run_concurrently_and_merge_on_the_sort_attribute() -> None:
    plan = Plan("Query", "T", "shards", merge_key="at")
    requests = [query("T", key("pk").eq(f"D#{n}")) for n in range(3)]
    flow = merged_flow(plan, requests)
    step = next(flow)
    assert isinstance(step, Concurrently)
    assert len(step.requests) == 3
    pages = [{"Items": [wire({"pk": f"D#{n}", "at": 3 - n})]} for n in range(3)]
    with pytest.raises(StopIteration) as done:
        flow.send(pages)
    assert [i["at"] for i in done.value.value] == [1, 2, 3]


def test_counting_follows_every_page_of_every_query() -> None:
    stub = StubExecutor()
    stub.on(
        "Query", {"Count": 2, "LastEvaluatedKey": {"pk": {"S": "x"}}}, {"Count": 3}, {"Count": 4}
    )
    requests = [query("T", key("pk").eq("A")), query("T", key("pk").eq("B"))]
    assert stub.run(count_flow(requests)) == 9
    assert all(r.params["Select"] == "COUNT" for r in stub.requests)


def test_a_limited_stream_reads_no_more_pages_than_needed() -> None:
    plan = Plan("Query", "T", "q", key_conditions=(key("pk").eq("A"),), limit=2)
    stub = StubExecutor()
    page = {
        "Items": [wire({"pk": "A", "n": n}) for n in range(3)],
        "LastEvaluatedKey": {"pk": {"S": "A"}},
    }
    stub.on("Query", page, page)
    assert [i["n"] for i in Reader(stub, plan, ("pk",)).items()] == [0, 1]
    assert len(stub.requests) == 1  # the second page was never asked for


def test_server_errors_reach_the_flow_like_any_other() -> None:
    stub = StubExecutor()
    stub.on("GetItem", ServerError("boom", code="InternalServerError"))
    with pytest.raises(ServerError):
        stub.run(unique_flow(Plan("UniqueLookup", "T", "u"), get_item("T", {"pk": "S"})))


def _outcome(run: Any) -> Any:
    """What running a write gives: its response, or its error's type and message."""
    try:
        return run()
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def _scripts(plan: Any) -> dict[str, list[tuple[str, Any]]]:
    """Answers for a single write's request (and the read-back a failure asks for)."""
    failed = ConditionalCheckFailedError("exists", code="ConditionalCheckFailedException")
    lost = ConditionalCheckFailedError("exists", code="ConditionalCheckFailedException")
    lost.after_unknown_outcome = True
    operation = plan.request.operation
    ours = {"Item": wire(plan.item)} if plan.item is not None else {}
    return {
        "written": [(operation, {})],
        "taken": [(operation, failed), ("GetItem", ours)],
        "ours after a lost answer": [(operation, lost), ("GetItem", ours)],
        "another after a lost answer": [
            (operation, lost),
            ("GetItem", {"Item": wire({**(plan.item or {}), "title": "Theirs"})}),
        ],
        "server error": [(operation, ServerError("boom", code="InternalServerError"))],
    }


def _scripted(script: list[tuple[str, Any]]) -> StubExecutor:
    stub = StubExecutor()
    for operation, answer in script:
        stub.on(operation, answer)
    return stub


@pytest.mark.parametrize(
    "scenario",
    ["written", "taken", "ours after a lost answer", "another after a lost answer", "server error"],
)
@pytest.mark.parametrize("write", ["insert", "update", "delete"])
def test_run_write_of_a_single_request_does_what_its_flow_does(write: str, scenario: str) -> None:
    # A single idempotent write is executed without its flow: the same requests and the same
    # outcome (response or error) as the flow, sync and async, whatever the engine answers.
    compiler = make_compiler()
    plan = {
        "insert": lambda: compiler.insert("Post", POST),
        "update": lambda: compiler.update("Post", POST, {"title": "New"}),
        "delete": lambda: compiler.delete("Post", POST),
    }[write]()
    assert alone(plan) is plan.request  # the case run_write executes directly
    script = _scripts(plan)[scenario]
    by_flow, direct, direct_async = (_scripted(script) for _ in range(3))
    expected = _outcome(lambda: by_flow.run(write_flow(plan)))
    assert _outcome(lambda: run_write(direct, plan)) == expected
    assert _outcome(lambda: asyncio.run(arun_write(direct_async, plan))) == expected
    sent = [(r.operation, r.params) for r in by_flow.requests]
    assert [(r.operation, r.params) for r in direct.requests] == sent
    assert [(r.operation, r.params) for r in direct_async.requests] == sent


def test_only_a_write_sent_as_it_is_skips_its_flow() -> None:
    compiler = make_compiler()
    increment = compiler.increment("Order", {"id": "o1", "user_id": "u1"}, "total", 5)
    assert alone(increment) is None  # a tokened transaction when writes are exactly once
    assert alone(increment, exactly_once=False) is increment.request
    assert alone(compiler.insert("User", {"id": "u1", "email": "a@x", "name": "A"})) is None
