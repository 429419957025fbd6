"""SerializedApp: one request at a time, and DynamoDB's ClientRequestToken rules, without moto."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dynamodb_tooling.engine._serialized import IdempotencyTokens, SerializedApp

TX = "DynamoDB_20120810.TransactWriteItems"


class CountingApp:
    """A WSGI app that answers ``status`` and counts calls and concurrent calls."""

    def __init__(self, status: str = "200 OK") -> None:
        self.status = status
        self.calls = 0
        self.active = 0
        self.most_active = 0
        self.bodies: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        self.calls += 1
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        self.bodies.append(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        start(self.status, [("Content-Type", "application/x-amz-json-1.0")])
        return self._body()

    def _body(self) -> Iterator[bytes]:
        time.sleep(0.005)  # the body is produced while other requests wait
        yield json.dumps({"call": self.calls}).encode()
        self.active -= 1


def call(app: SerializedApp, body: dict[str, Any] | None = None, target: str = TX) -> Any:
    raw = json.dumps(body or {}).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "HTTP_X_AMZ_TARGET": target,
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    started: list[str] = []
    chunks = app(environ, lambda status, headers, exc_info=None: started.append(status))
    return started[0], json.loads(b"".join(chunks))


def test_requests_never_overlap_inside_the_app() -> None:
    inner = CountingApp()
    app = SerializedApp(inner, lock=threading.Lock(), tokens=IdempotencyTokens())

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: call(app, target="DynamoDB_20120810.PutItem"), range(40)))

    assert inner.calls == 40
    assert inner.most_active == 1


def test_a_repeated_token_returns_the_first_response_without_calling_the_app() -> None:
    inner = CountingApp()
    app = SerializedApp(inner, lock=threading.Lock(), tokens=IdempotencyTokens())
    request = {"TransactItems": [{"Put": {}}], "ClientRequestToken": "t1"}

    first = call(app, request)
    again = call(app, {**request, "ReturnConsumedCapacity": "TOTAL"})

    assert first == again == ("200 OK", {"call": 1})
    assert inner.calls == 1
    assert json.loads(inner.bodies[0]) == request  # moto still got the whole body


def test_a_token_with_other_parameters_is_a_400_mismatch() -> None:
    inner = CountingApp()
    app = SerializedApp(inner, lock=threading.Lock(), tokens=IdempotencyTokens())
    call(app, {"TransactItems": [1], "ClientRequestToken": "t1"})

    status, body = call(app, {"TransactItems": [2], "ClientRequestToken": "t1"})

    assert status == "400 Bad Request"
    assert body["__type"].endswith("#IdempotentParameterMismatchException")
    assert "'t1'" in body["message"]
    assert inner.calls == 1


def test_failures_and_untokened_requests_are_not_remembered() -> None:
    inner = CountingApp("400 Bad Request")
    app = SerializedApp(inner, lock=threading.Lock(), tokens=IdempotencyTokens())
    call(app, {"TransactItems": [1], "ClientRequestToken": "t1"})
    inner.status = "200 OK"

    call(app, {"TransactItems": [1], "ClientRequestToken": "t1"})
    call(app, {"TransactItems": [1]})
    call(app, {"TransactItems": [1]})

    assert inner.calls == 4


def test_tokens_expire_and_are_bounded() -> None:
    now = [0.0]
    tokens = IdempotencyTokens(lifetime=600.0, capacity=2, clock=lambda: now[0])
    inner = CountingApp()
    app = SerializedApp(inner, lock=threading.Lock(), tokens=tokens)
    for token in ("a", "b", "c"):
        call(app, {"TransactItems": [], "ClientRequestToken": token})
    assert len(tokens) == 2  # "a", the oldest, was forgotten

    call(app, {"TransactItems": [], "ClientRequestToken": "a"})
    assert inner.calls == 4
    now[0] = 599.0
    call(app, {"TransactItems": [], "ClientRequestToken": "a"})
    assert inner.calls == 4
    now[0] = 601.0
    call(app, {"TransactItems": [], "ClientRequestToken": "a"})
    assert inner.calls == 5


def test_a_moto_reset_forgets_every_token() -> None:
    tokens = IdempotencyTokens()
    inner = CountingApp()
    app = SerializedApp(inner, lock=threading.Lock(), tokens=tokens)
    call(app, {"TransactItems": [], "ClientRequestToken": "a"})
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/moto-api/reset", "wsgi.input": io.BytesIO()}

    list(app(environ, lambda *args: None))

    assert len(tokens) == 0
