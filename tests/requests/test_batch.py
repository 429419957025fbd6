"""BatchGetItem / BatchWriteItem flows: chunking, concurrency, unprocessed retries."""

import random

import pytest

from dynamodb_tooling.errors import IncompleteBatchError
from dynamodb_tooling.requests import Backoff, Concurrently, Sleep
from dynamodb_tooling.requests.batch import BatchProgress, batch_get, batch_write, delete, put

NO_WAIT = Backoff(base=0.01, cap=0.02, max_attempts=2, rng=random.Random(7))


def keys(n: int) -> list[dict[str, str]]:
    return [{"pk": f"K#{i}", "sk": "A"} for i in range(n)]


def wire(i: int) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"K#{i}"}, "sk": {"S": "A"}}


def test_batch_get_chunks_to_100_keys_sent_concurrently() -> None:
    flow = batch_get({"T": keys(250)}, consistent_read=True, projection={"T": ["name"]})
    step = next(flow)
    assert isinstance(step, Concurrently)
    sizes = [len(r.params["RequestItems"]["T"]["Keys"]) for r in step.requests]
    assert sizes == [100, 100, 50]
    first = step.requests[0].params["RequestItems"]["T"]
    assert first["ConsistentRead"] is True
    assert first["ProjectionExpression"] == "#n0"
    assert first["ExpressionAttributeNames"] == {"#n0": "name"}
    responses = [{"Responses": {"T": [wire(0)]}}, {"Responses": {"T": []}}, {}]
    with pytest.raises(StopIteration) as done:
        flow.send(responses)
    assert done.value.value == {"T": [wire(0)]}


def test_batch_get_sends_each_key_once() -> None:
    step = next(batch_get({"T": [*keys(3), *keys(3)]}))
    assert isinstance(step, Concurrently)
    assert step.requests[0].params["RequestItems"]["T"]["Keys"] == [wire(0), wire(1), wire(2)]


def test_batch_get_retries_only_unprocessed_keys_after_a_backoff() -> None:
    flow = batch_get({"T": keys(3)}, backoff=NO_WAIT)
    next(flow)
    sleep = flow.send(
        [{"Responses": {"T": [wire(0)]}, "UnprocessedKeys": {"T": {"Keys": [wire(1), wire(2)]}}}]
    )
    assert isinstance(sleep, Sleep)
    assert 0 <= sleep.seconds <= 0.01
    retry = flow.send(None)
    assert isinstance(retry, Concurrently)
    assert retry.requests[0].params == {"RequestItems": {"T": {"Keys": [wire(1), wire(2)]}}}
    with pytest.raises(StopIteration) as done:
        flow.send([{"Responses": {"T": [wire(1), wire(2)]}}])
    assert done.value.value == {"T": [wire(0), wire(1), wire(2)]}


def test_batch_get_reports_exactly_what_was_not_read() -> None:
    flow = batch_get({"T": keys(2)}, backoff=NO_WAIT)
    next(flow)
    stuck = [{"UnprocessedKeys": {"T": {"Keys": [wire(1)]}}}]
    assert isinstance(flow.send(stuck), Sleep)  # retry 1
    flow.send(None)
    assert isinstance(flow.send(stuck), Sleep)  # retry 2
    flow.send(None)
    with pytest.raises(IncompleteBatchError) as caught:
        flow.send(stuck)
    assert caught.value.unprocessed == {"T": {"Keys": [wire(1)]}}
    assert "1 batch entries were not read after 2 retries" in str(caught.value)


def test_batch_write_chunks_to_25_and_reports_progress() -> None:
    progress: list[BatchProgress] = []
    writes = [put({"pk": f"K#{i}", "sk": "A", "n": i}) for i in range(55)]
    flow = batch_write(
        {"T": [*writes, delete({"pk": "OLD", "sk": "A"})]}, on_progress=progress.append
    )
    step = next(flow)
    assert isinstance(step, Concurrently)
    assert [len(r.params["RequestItems"]["T"]) for r in step.requests] == [25, 25, 6]
    assert step.requests[0].params["RequestItems"]["T"][0] == {
        "PutRequest": {"Item": {"pk": {"S": "K#0"}, "sk": {"S": "A"}, "n": {"N": "0"}}}
    }
    assert step.requests[2].params["RequestItems"]["T"][-1] == {
        "DeleteRequest": {"Key": {"pk": {"S": "OLD"}, "sk": {"S": "A"}}}
    }
    leftover = step.requests[1].params["RequestItems"]["T"][:2]
    assert isinstance(flow.send([{}, {"UnprocessedItems": {"T": leftover}}, {}]), Sleep)
    retry = flow.send(None)
    assert isinstance(retry, Concurrently)
    assert retry.requests[0].params == {"RequestItems": {"T": leftover}}
    with pytest.raises(StopIteration) as done:
        flow.send([{}])
    assert done.value.value == 56
    assert progress == [BatchProgress(54, 56, 2, 0), BatchProgress(56, 56, 0, 1)]


def test_batch_write_spanning_tables_keeps_table_grouping() -> None:
    step = next(batch_write({"A": [put({"pk": "1"})], "B": [put({"pk": "2"})]}))
    assert isinstance(step, Concurrently)
    assert sorted(step.requests[0].params["RequestItems"]) == ["A", "B"]


def test_a_failed_chunk_is_reported_exactly_and_a_throttled_one_retried() -> None:
    from dynamodb_tooling.errors import ThrottlingError, ValidationError

    writes = [put({"pk": f"K#{i}", "sk": "A"}) for i in range(60)]
    flow = batch_write({"T": writes}, backoff=NO_WAIT)
    step = next(flow)
    assert isinstance(step, Concurrently)
    assert step.return_exceptions
    chunks = [r.params["RequestItems"]["T"] for r in step.requests]
    throttled = ThrottlingError("slow down", code="ProvisionedThroughputExceededException")
    invalid = ValidationError("bad item", code="ValidationException")
    assert isinstance(flow.send([{}, throttled, invalid]), Sleep)
    retry = flow.send(None)
    assert isinstance(retry, Concurrently)
    assert [r.params["RequestItems"]["T"] for r in retry.requests] == [chunks[1]]
    with pytest.raises(IncompleteBatchError) as caught:
        flow.send([{}])
    assert caught.value.unprocessed == {"T": chunks[2]}
    assert caught.value.errors == (invalid,)
    assert "bad item" in str(caught.value)


def test_a_chunk_failing_with_5xx_is_retried() -> None:
    from dynamodb_tooling.errors import ServerError

    writes = [put({"pk": f"K#{i}", "sk": "A"}) for i in range(30)]
    flow = batch_write({"T": writes}, backoff=NO_WAIT)
    step = next(flow)
    assert isinstance(step, Concurrently)
    chunks = [r.params["RequestItems"]["T"] for r in step.requests]
    failed = ServerError(
        "BatchWriteItem failed with InternalServerError", code="InternalServerError"
    )
    assert isinstance(flow.send([failed, {}]), Sleep)
    retry = flow.send(None)
    assert isinstance(retry, Concurrently)
    assert [r.params["RequestItems"]["T"] for r in retry.requests] == [chunks[0]]
    with pytest.raises(StopIteration) as done:
        flow.send([{}])
    assert done.value.value == 30


def test_giving_up_after_unknown_outcomes_lists_only_the_writes_really_missing() -> None:
    from dynamodb_tooling.errors import ServerError, ThrottlingError

    writes = [put({"pk": f"K#{i}", "sk": "A", "n": i}) for i in range(3)]
    gone = delete({"pk": "OLD", "sk": "A"})
    flow = batch_write({"T": [*writes, gone]}, backoff=NO_WAIT)
    next(flow)
    lost = ServerError("answer lost", code="InternalServerError")
    assert isinstance(flow.send([lost]), Sleep)  # maybe applied: retried
    flow.send(None)
    throttled = ThrottlingError("slow down", code="ProvisionedThroughputExceededException")
    assert isinstance(flow.send([throttled]), Sleep)
    flow.send(None)
    # Out of retries: the writes whose outcome is unknown are checked before reporting.
    describe = flow.send([throttled])
    assert isinstance(describe, Concurrently)
    assert [r.operation for r in describe.requests] == ["DescribeTable"]
    schema = {"Table": {"KeySchema": [{"AttributeName": "pk"}, {"AttributeName": "sk"}]}}
    check = flow.send([schema])
    assert isinstance(check, Concurrently)
    (read,) = check.requests
    assert read.operation == "BatchGetItem"
    assert read.params["RequestItems"]["T"]["ConsistentRead"] is True
    assert len(read.params["RequestItems"]["T"]["Keys"]) == 4
    # K#0 was written by the lost attempt, K#1 holds other values, K#2 is missing, OLD is gone.
    k0 = writes[0]["PutRequest"]["Item"]
    k1 = {**writes[1]["PutRequest"]["Item"], "n": {"N": "99"}}
    with pytest.raises(IncompleteBatchError) as caught:
        flow.send([{"Responses": {"T": [k0, k1]}}])
    assert caught.value.unprocessed == {"T": [writes[1], writes[2]]}
    assert "2 batch entries were not written" in str(caught.value)


def test_when_every_doubtful_write_landed_there_is_no_error() -> None:
    from dynamodb_tooling.errors import ServerError

    writes = [put({"pk": "K#1", "sk": "A"})]
    flow = batch_write({"T": writes}, backoff=Backoff(max_attempts=0))
    next(flow)
    describe = flow.send([ServerError("lost", code="InternalServerError")])
    assert isinstance(describe, Concurrently)
    schema = {"Table": {"KeySchema": [{"AttributeName": "pk"}, {"AttributeName": "sk"}]}}
    flow.send([schema])
    with pytest.raises(StopIteration) as done:
        flow.send([{"Responses": {"T": [writes[0]["PutRequest"]["Item"]]}}])
    assert done.value.value == 1
