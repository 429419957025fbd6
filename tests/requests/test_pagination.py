"""Following LastEvaluatedKey / NextToken, and parallel scans."""

import pytest

from dynamodb_tooling.requests import Concurrently, Request
from dynamodb_tooling.requests.pagination import all_pages, next_page, parallel_scan

LEK = {"pk": {"S": "X"}}


def test_next_page_carries_the_marker() -> None:
    query = Request("Query", {"TableName": "T"})
    assert next_page(query, {"Items": []}) is None
    following = next_page(query, {"Items": [], "LastEvaluatedKey": LEK})
    assert following == Request("Query", {"TableName": "T", "ExclusiveStartKey": LEK})
    statement = Request("ExecuteStatement", {"Statement": "s"})
    assert next_page(statement, {"NextToken": "n"}) == Request(
        "ExecuteStatement", {"Statement": "s", "NextToken": "n"}
    )


def test_all_pages_follows_empty_pages_with_markers() -> None:
    flow = all_pages(Request("Scan", {"TableName": "T"}))
    next(flow)
    flow.send(
        {"Items": [{"a": {"N": "1"}}], "Count": 1, "ScannedCount": 3, "LastEvaluatedKey": LEK}
    )
    flow.send({"Items": [], "Count": 0, "ScannedCount": 2, "LastEvaluatedKey": LEK})
    with pytest.raises(StopIteration) as done:
        flow.send({"Items": [{"a": {"N": "2"}}], "Count": 1, "ScannedCount": 1})
    pages = done.value.value
    assert pages.items == [{"a": {"N": "1"}}, {"a": {"N": "2"}}]
    assert (pages.count, pages.scanned_count, pages.pages) == (2, 6, 3)
    assert pages.last_evaluated_key is None


def test_max_pages_stops_early_and_keeps_the_cursor() -> None:
    flow = all_pages(Request("Query", {"TableName": "T"}), max_pages=1)
    next(flow)
    with pytest.raises(StopIteration) as done:
        flow.send({"Items": [], "LastEvaluatedKey": LEK})
    assert done.value.value.last_evaluated_key == LEK


def test_parallel_scan_fetches_unfinished_segments_together() -> None:
    flow = parallel_scan(Request("Scan", {"TableName": "T"}), 3)
    step = next(flow)
    assert isinstance(step, Concurrently)
    assert [r.params["Segment"] for r in step.requests] == [0, 1, 2]
    assert {r.params["TotalSegments"] for r in step.requests} == {3}
    step = flow.send(
        [
            {"Items": [{"s": {"N": "0"}}], "LastEvaluatedKey": LEK},
            {"Items": [{"s": {"N": "1"}}]},
            {"Items": []},
        ]
    )
    assert isinstance(step, Concurrently)
    assert [(r.params["Segment"], r.params["ExclusiveStartKey"]) for r in step.requests] == [
        (0, LEK)
    ]
    with pytest.raises(StopIteration) as done:
        flow.send([{"Items": [{"s": {"N": "00"}}]}])
    assert done.value.value.items == [{"s": {"N": "0"}}, {"s": {"N": "00"}}, {"s": {"N": "1"}}]
