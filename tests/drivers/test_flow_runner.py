"""BaseDriver.run: drives sans-IO flows (requests, concurrent batches, sleeps, thrown errors)."""

import threading
from collections.abc import Iterator

import pytest

from dynamodb_tooling._types import Response
from dynamodb_tooling.drivers import BaseDriver, HealthStatus
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.requests import Concurrently, Flow, Request, Sleep


class ScriptedDriver(BaseDriver):
    """Answers each request with a function of it; records requests, threads and sleeps."""

    name = "scripted"

    def __init__(self) -> None:
        self.slept: list[float] = []
        super().__init__(max_concurrency=4, sleep=self.slept.append)
        self.seen: list[Request] = []
        self.threads: set[str] = set()
        self.barrier = threading.Barrier(3, timeout=5)

    def connect(self) -> None:
        return None

    def health_check(self) -> HealthStatus:
        return HealthStatus(True, "scripted", 0.0)

    def execute(self, request: Request) -> Response:
        self.seen.append(request)
        self.threads.add(threading.current_thread().name)
        if request.operation == "DescribeTable":
            raise ResourceNotFoundError("gone", code="ResourceNotFoundException")
        if request.params.get("wait"):
            self.barrier.wait()  # proves the three requests are in flight together
        return {"echo": request.params}


@pytest.fixture
def driver() -> Iterator[ScriptedDriver]:
    scripted = ScriptedDriver()
    yield scripted
    scripted.disconnect()


def test_concurrent_step_runs_in_parallel_and_keeps_order(driver: ScriptedDriver) -> None:
    def flow() -> Flow[list[Response]]:
        responses: list[Response] = yield Concurrently.of(
            [Request("GetItem", {"n": n, "wait": True}) for n in range(3)]
        )
        return responses

    assert [r["echo"]["n"] for r in driver.run(flow())] == [0, 1, 2]
    assert len(driver.threads) == 3


def test_sleeps_go_to_the_driver_and_errors_are_thrown_into_the_flow(
    driver: ScriptedDriver,
) -> None:
    def flow() -> Flow[str]:
        yield Sleep(0.25)
        try:
            yield Request("DescribeTable", {})
        except ResourceNotFoundError:
            return "deleted"
        return "still there"

    assert driver.run(flow()) == "deleted"
    assert driver.slept == [0.25]


def test_uncaught_errors_leave_run(driver: ScriptedDriver) -> None:
    def flow() -> Flow[None]:
        yield Request("DescribeTable", {})

    with pytest.raises(ResourceNotFoundError):
        driver.run(flow())


def test_return_exceptions_puts_errors_in_place(driver: ScriptedDriver) -> None:
    def flow() -> Flow[list[object]]:
        results: list[object] = yield Concurrently.of(
            [Request("GetItem", {"n": 0}), Request("DescribeTable", {})], return_exceptions=True
        )
        return results

    first, second = driver.run(flow())
    assert first == {"echo": {"n": 0}}
    assert isinstance(second, ResourceNotFoundError)
