"""The lean driver's HTTP transports against loopback servers: keep-alive reuse, timeouts,
dropped connections, pool limits, proxies from the environment and CA bundles, each as the
typed failure (and, through the driver, the library error) the retry rules depend on."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from dynamodb_tooling.config import Config, validate_config
from dynamodb_tooling.drivers import LeanDriver
from dynamodb_tooling.drivers._http import (
    Answer,
    ConnectFailedError,
    Endpoint,
    PoolExhaustedError,
    SendFailedError,
    TimedOutError,
    ca_bundle,
    proxy_for,
    tls_context,
)
from dynamodb_tooling.drivers._http_async import AsyncTransport
from dynamodb_tooling.drivers._http_sync import SyncTransport
from dynamodb_tooling.errors import (
    ConnectionLostError,
    DriverError,
    EndpointConnectionError,
    WriteOutcomeUnknownError,
)
from dynamodb_tooling.expressions import Update
from dynamodb_tooling.requests import Request
from dynamodb_tooling.requests.items import get_item, put_item, update_item
from tests.drivers._local_http import ForwardProxy, ScriptedServer, self_signed

HEADERS = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "T.GetItem"}

Send = Callable[[dict[str, str], bytes], Answer]


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name in ("AWS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def options(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"timeout": 5.0, "connect_timeout": 2.0, "max_connections": 4}
    return {**base, **overrides}


def headers_for(url: str) -> dict[str, str]:
    return {**HEADERS, "Host": Endpoint.parse(url).netloc}


class AsyncRunner:
    """Runs an :class:`AsyncTransport` on one event loop, with a sync ``send``."""

    def __init__(self, transport: AsyncTransport) -> None:
        self.transport = transport
        self.loop = asyncio.new_event_loop()

    def send(self, headers: dict[str, str], body: bytes) -> Answer:
        return self.loop.run_until_complete(self._send(headers, body))

    async def _send(self, headers: dict[str, str], body: bytes) -> Answer:
        # The loop runs a moment first, as an application's runs between requests: events
        # that came in meanwhile (a server closing an idle connection) are seen.
        await asyncio.sleep(0.005)
        return await self.transport.send(headers, body)

    def close(self) -> None:
        self.loop.run_until_complete(self.transport.aclose())
        self.loop.close()


@pytest.fixture(params=["sync", "async"])
def make(request: pytest.FixtureRequest) -> Iterator[Callable[..., Send]]:
    """Builds a transport of each kind for an URL; returns its ``send``."""
    made: list[Any] = []

    def build(url: str, **overrides: Any) -> Send:
        endpoint = Endpoint.parse(url)
        if request.param == "sync":
            transport = SyncTransport(endpoint, **options(**overrides))
            made.append(transport)
            return transport.send
        runner = AsyncRunner(AsyncTransport(endpoint, **options(**overrides)))
        made.append(runner)
        return runner.send

    yield build
    for transport in made:
        transport.close()


# Keep-alive.


def test_one_connection_serves_every_request(
    make: Callable[..., Send], server: ScriptedServer
) -> None:
    send = make(server.url)
    for n in range(5):
        answer = send(headers_for(server.url), orjson.dumps({"n": n}))
        assert answer.status == 200
        assert orjson.loads(answer.body) == {"ok": True}
        assert answer.headers["content-type"] == "application/x-amz-json-1.0"
    assert [orjson.loads(r.body)["n"] for r in server.received] == [0, 1, 2, 3, 4]
    assert len({r.connection for r in server.received}) == 1
    first = server.received[0]
    assert first.method == "POST"
    assert first.path == "/"
    assert first.headers["host"] == f"127.0.0.1:{server.port}"
    assert first.headers["content-length"] == str(len(orjson.dumps({"n": 0})))
    assert first.headers["x-amz-target"] == "T.GetItem"
    # Nothing of the HTTP library's own beyond what HTTP/1.1 needs.
    assert "accept-encoding" not in first.headers
    assert "user-agent" not in first.headers


def test_connection_close_answers_and_idle_hangups_open_a_new_connection(
    make: Callable[..., Send], server: ScriptedServer
) -> None:
    send = make(server.url)
    server.behave("close")
    send(headers_for(server.url), b"{}")
    server.behave("hangup")  # answers as if keeping the connection, then closes it
    send(headers_for(server.url), b"{}")
    time.sleep(0.1)  # the idle connection's end of file arrives
    server.behave("answer")
    assert send(headers_for(server.url), b"{}").status == 200
    assert send(headers_for(server.url), b"{}").status == 200
    connections = [r.connection for r in server.received]
    assert connections[0] != connections[1] != connections[2]
    assert connections[2] == connections[3]


def test_the_sync_pool_reuses_connections_across_threads(server: ScriptedServer) -> None:
    transport = SyncTransport(Endpoint.parse(server.url), **options(max_connections=3))
    server.behave("stall", 0.05)

    def work() -> None:
        for _ in range(5):
            transport.send(headers_for(server.url), b"{}")

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.received) == 15
    assert transport.connections_made <= 3
    transport.close()
    assert transport.send(headers_for(server.url), b"{}").status == 200  # usable after close
    transport.close()


# Failures, typed by whether the request may have been applied.


def test_nothing_listening_is_a_failed_connect(make: Callable[..., Send]) -> None:
    with ScriptedServer() as gone:
        url = gone.url
    send = make(url)
    with pytest.raises(ConnectFailedError):
        send(headers_for(url), b"{}")


def test_a_slow_answer_is_a_timeout(make: Callable[..., Send], server: ScriptedServer) -> None:
    send = make(server.url, timeout=0.2)
    server.behave("stall", 1.0)
    started = time.monotonic()
    with pytest.raises(TimedOutError):
        send(headers_for(server.url), b"{}")
    assert time.monotonic() - started < 0.9
    assert len(server.received) == 1  # it was sent


def test_a_connection_dropped_after_sending_is_lost(
    make: Callable[..., Send], server: ScriptedServer
) -> None:
    send = make(server.url)
    server.behave("drop")
    with pytest.raises(SendFailedError):
        send(headers_for(server.url), b"{}")
    server.behave("half")  # the answer stops half way
    with pytest.raises(SendFailedError):
        send(headers_for(server.url), b"{}")
    server.behave("answer")
    assert send(headers_for(server.url), b"{}").status == 200


def test_a_full_sync_pool_waits_then_is_a_failed_connect(server: ScriptedServer) -> None:
    transport = SyncTransport(
        Endpoint.parse(server.url), **options(max_connections=1, connect_timeout=0.2)
    )
    server.behave("stall", 1.0)
    busy = threading.Thread(target=transport.send, args=(headers_for(server.url), b"{}"))
    busy.start()
    time.sleep(0.1)
    with pytest.raises(PoolExhaustedError, match="1 pooled connections"):
        transport.send(headers_for(server.url), b"{}")
    busy.join()
    transport.close()
    assert len(server.received) == 1


# Through the driver: the library errors and the retry rules.


def lean_config(url: str, **extra: Any) -> Config:
    return validate_config(
        endpoint=url,
        credentials={"access_key_id": "AKID", "secret_access_key": "secret"},
        driver="lean",
        max_retries=1,
        **extra,
    )


def run_both(driver: LeanDriver, request: Request) -> list[Any]:
    """The outcome of ``execute`` and of ``aexecute``: the response or the error."""
    outcomes: list[Any] = []
    try:
        outcomes.append(driver.execute(request))
    except Exception as exc:
        outcomes.append(exc)

    async def twin() -> Any:
        try:
            return await driver.aexecute(request)
        except Exception as exc:
            return exc
        finally:
            await driver.adisconnect()

    outcomes.append(asyncio.run(twin()))
    driver.disconnect()
    return outcomes


def quick(driver: LeanDriver) -> LeanDriver:
    async def no_wait(seconds: float) -> None:
        return None

    driver._sleep = lambda seconds: None
    driver._async_sleep = no_wait
    return driver


def test_driver_answers_over_both_faces(server: ScriptedServer) -> None:
    driver = quick(LeanDriver(lean_config(server.url)))
    assert run_both(driver, get_item("T", {"pk": "A"})) == [{"ok": True}, {"ok": True}]
    assert [r.headers["x-amz-target"] for r in server.received] == ["DynamoDB_20120810.GetItem"] * 2


def test_driver_unreachable_timeout_and_lost(server: ScriptedServer) -> None:
    with ScriptedServer() as gone:
        url = gone.url
    for outcome in run_both(quick(LeanDriver(lean_config(url))), get_item("T", {"pk": "A"})):
        assert type(outcome) is EndpointConnectionError
        assert "cannot reach" in str(outcome)

    server.behave("stall", 0.6)
    slow = quick(LeanDriver(lean_config(server.url, http_options={"timeout": 0.2})))
    for outcome in run_both(slow, get_item("T", {"pk": "A"})):
        assert isinstance(outcome, ConnectionLostError)
        assert "did not answer in time" in str(outcome)

    server.behave("drop")
    increment = update_item("T", {"pk": "A"}, Update().increment("n"))
    dropping = quick(LeanDriver(lean_config(server.url)))
    before = len(server.received)
    for outcome in run_both(dropping, increment):
        assert isinstance(outcome, WriteOutcomeUnknownError)  # never sent twice
        assert isinstance(outcome.cause, ConnectionLostError)
    assert len(server.received) - before == 2
    for outcome in run_both(dropping, put_item("T", {"pk": "A"})):  # idempotent: retried
        assert isinstance(outcome, WriteOutcomeUnknownError)
        assert "every retry failed" in str(outcome)
    assert len(server.received) - before == 2 + 4


# Proxies from the environment.


def test_http_proxy_from_the_environment_with_credentials(
    make: Callable[..., Send], server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ForwardProxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("://", "://us%40er:p%3Ass@"))
        chosen = proxy_for(Endpoint.parse(server.url))
        assert chosen is not None
        assert chosen.port == proxy.port
        send = make(server.url, proxy=chosen)
        assert orjson.loads(send(headers_for(server.url), b"{}").body) == {"ok": True}
    (method, target, authorization) = proxy.seen[0]
    assert method == "POST"
    assert target == f"{server.url}/"
    assert authorization == "Basic dXNAZXI6cDpzcw=="  # us@er:p:ss
    assert server.received[0].headers["host"] == f"127.0.0.1:{server.port}"
    assert "proxy-authorization" not in server.received[0].headers


def test_no_proxy_exempts_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    endpoint = Endpoint.parse("https://dynamodb.eu-west-1.amazonaws.com")
    chosen = proxy_for(endpoint)
    assert chosen is not None
    assert (chosen.host, chosen.port, chosen.authorization) == ("proxy.internal", 3128, None)
    assert proxy_for(Endpoint.parse("http://127.0.0.1:8000")) is None  # no HTTP_PROXY
    monkeypatch.setenv("NO_PROXY", ".amazonaws.com")
    assert proxy_for(endpoint) is None


def test_the_driver_takes_its_proxy_and_ca_bundle_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle, server_tls = self_signed(tmp_path)
    with ScriptedServer(tls=server_tls) as server, ForwardProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("AWS_CA_BUNDLE", str(bundle))
        driver = quick(LeanDriver(lean_config(server.url)))
        assert run_both(driver, get_item("T", {"pk": "A"})) == [{"ok": True}, {"ok": True}]
    assert [(m, t) for m, t, _ in proxy.seen] == [("CONNECT", f"127.0.0.1:{server.port}")] * 2
    assert len(server.received) == 2


# TLS and CA bundles.


def test_a_ca_bundle_is_trusted_and_nothing_else(
    make: Callable[..., Send], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle, server_tls = self_signed(tmp_path)
    with ScriptedServer(tls=server_tls) as server:
        untrusted = make(server.url, tls=tls_context(None))
        with pytest.raises(ConnectFailedError, match="CERTIFICATE_VERIFY_FAILED"):
            untrusted(headers_for(server.url), b"{}")
        monkeypatch.setenv("AWS_CA_BUNDLE", str(bundle))
        trusted = make(server.url, tls=tls_context(ca_bundle()))
        assert trusted(headers_for(server.url), b"{}").status == 200
    assert len(server.received) == 1


def test_the_ca_bundle_can_come_from_the_profile(tmp_path: Path) -> None:
    bundle, _ = self_signed(tmp_path)

    class Session:
        def get_config_variable(self, name: str) -> str | None:
            return str(bundle) if name == "ca_bundle" else None

    assert ca_bundle(Session()) == str(bundle)
    assert ca_bundle(None) is None


def test_an_untrusted_certificate_is_unreachable_through_the_driver(tmp_path: Path) -> None:
    _, server_tls = self_signed(tmp_path)
    with ScriptedServer(tls=server_tls) as server:
        driver = quick(LeanDriver(lean_config(server.url)))
        for outcome in run_both(driver, get_item("T", {"pk": "A"})):
            assert type(outcome) is EndpointConnectionError
            assert "CERTIFICATE_VERIFY_FAILED" in str(outcome)
        assert server.received == []


def test_endpoints_and_proxies_are_checked() -> None:
    with pytest.raises(DriverError, match="http:// or https://"):
        Endpoint.parse("ftp://example.com")
    assert Endpoint.parse("https://dynamodb.us-east-1.amazonaws.com").netloc == (
        "dynamodb.us-east-1.amazonaws.com"
    )
    assert Endpoint.parse("http://localhost:8000/base").path == "/base"
    https_proxy = proxy_for(Endpoint.parse("http://127.0.0.1:1"))
    assert https_proxy is None


def test_an_https_proxy_is_refused_by_the_sync_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "https://proxy.internal:3128")
    endpoint = Endpoint.parse("https://dynamodb.us-east-1.amazonaws.com")
    with pytest.raises(DriverError, match="http:// address"):
        SyncTransport(endpoint, proxy=proxy_for(endpoint), tls=tls_context(None), **options())


# The transports' own request writing and answer parsing (llhttp through httptools).


class CannedServer:
    """Answers each request on each connection with the next canned bytes, as they are."""

    def __init__(self, *answers: bytes) -> None:
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self.answers:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                while self.answers:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    if not data:
                        break
                    head, _, body = data.partition(b"\r\n\r\n")
                    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                    while len(body) < length:
                        body += conn.recv(65536)
                    self.requests.append(head + b"\r\n\r\n" + body)
                    answer = self.answers.pop(0)
                    conn.sendall(answer)
                    if b"content-length" not in answer.lower() and b"chunked" not in answer:
                        break  # the body ends with the connection

    def close(self) -> None:
        self._listener.close()


def test_the_request_is_one_plain_post_and_answers_of_every_framing_are_read(
    make: Callable[..., Send],
) -> None:
    server = CannedServer(
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Amz-Crc32: 1\r\nX-Amz-Crc32: 2\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'3\r\n{"a\r\n4\r\n": 1\r\n1\r\n}\r\n0\r\n\r\n',
        b'HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\n\r\n{"e": 1}',
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
    )
    send = make(server.url)
    try:
        first = send({"Host": "h", "X-Amz-Target": "T.A"}, b'{"x": 1}')
        assert (first.status, first.body) == (200, b"{}")
        assert first.headers["x-amz-crc32"] == "1, 2"
        chunked = send({"Host": "h"}, b"{}")
        assert (chunked.status, orjson.loads(chunked.body)) == (200, {"a": 1})
        until_close = send({"Host": "h"}, b"{}")
        assert (until_close.status, until_close.body) == (400, b'{"e": 1}')
        assert send({"Host": "h"}, b"{}").status == 200
    finally:
        server.close()
    assert server.requests[0] == (
        b'POST / HTTP/1.1\r\nHost: h\r\nX-Amz-Target: T.A\r\nContent-Length: 8\r\n\r\n{"x": 1}'
    )
    assert server.connections == 2  # the answer that ended with its connection closed it
    with pytest.raises(DriverError, match="line break"):
        send({"Host": "h", "X-Amz-Security-Token": "a\r\nInjected: 1"}, b"{}")


# The async transport's pool, cancellation and proxies.


def test_a_full_async_pool_waits_then_is_a_failed_connect(server: ScriptedServer) -> None:
    transport = AsyncTransport(
        Endpoint.parse(server.url), **options(max_connections=1, connect_timeout=0.2)
    )
    server.behave("stall", 0.5)

    async def scenario() -> list[Any]:
        first = asyncio.ensure_future(transport.send(headers_for(server.url), b"{}"))
        await asyncio.sleep(0.05)
        outcomes: list[Any] = list(
            await asyncio.gather(
                transport.send(headers_for(server.url), b"{}"), first, return_exceptions=True
            )
        )
        server.behave("answer")
        # Waiting requests are served in turn as the connection frees up.
        answers = await asyncio.gather(
            *(transport.send(headers_for(server.url), b"{}") for _ in range(4))
        )
        outcomes += [answer.status for answer in answers]
        await transport.aclose()
        return outcomes

    outcomes = asyncio.run(scenario())
    assert isinstance(outcomes[0], PoolExhaustedError)
    assert "1 pooled connections" in str(outcomes[0])
    assert isinstance(outcomes[1], Answer)
    assert outcomes[1].status == 200
    assert outcomes[2:] == [200] * 4
    assert transport.connections_made == 1
    assert len(server.received) == 5
    assert transport.closed


def test_a_cancelled_async_request_closes_its_connection(server: ScriptedServer) -> None:
    transport = AsyncTransport(Endpoint.parse(server.url), **options())

    async def scenario() -> int:
        server.behave("stall", 0.3)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await transport.send(headers_for(server.url), b"{}")
        server.behave("answer")
        answer = await transport.send(headers_for(server.url), b"{}")
        await transport.aclose()
        return answer.status

    assert asyncio.run(scenario()) == 200
    # The late answer to the cancelled request is never read as the next one's.
    assert transport.connections_made == 2
    assert len({r.connection for r in server.received}) == 2


def test_the_async_transport_talks_tls_to_an_https_proxy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle, server_tls = self_signed(tmp_path)
    monkeypatch.setenv("AWS_CA_BUNDLE", str(bundle))
    with ScriptedServer(tls=server_tls) as server, ScriptedServer() as plain:
        proxy_server = ForwardProxy()
        proxy_server._server.socket = server_tls.wrap_socket(
            proxy_server._server.socket, server_side=True
        )
        with proxy_server as proxy:
            monkeypatch.setenv("HTTPS_PROXY", proxy.url.replace("http://", "https://us:pw@"))
            monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("http://", "https://"))
            tunnelled = proxy_for(Endpoint.parse(server.url))
            forwarded = proxy_for(Endpoint.parse(plain.url))
            assert tunnelled is not None
            assert tunnelled.scheme == "https"
            assert forwarded is not None
            for url, chosen, tls in (
                (server.url, tunnelled, tls_context(ca_bundle())),
                (plain.url, forwarded, None),
            ):
                runner = AsyncRunner(
                    AsyncTransport(Endpoint.parse(url), **options(proxy=chosen, tls=tls))
                )
                try:
                    for _ in range(2):
                        answer = runner.send(headers_for(url), b"{}")
                        assert orjson.loads(answer.body) == {"ok": True}
                    assert runner.transport.connections_made == 1
                finally:
                    runner.close()
    assert proxy.seen[0] == ("CONNECT", f"127.0.0.1:{server.port}", "Basic dXM6cHc=")
    assert [(m, t) for m, t, _ in proxy.seen[1:]] == [("POST", f"{plain.url}/")] * 2
    assert len(server.received) == 2
    assert len(plain.received) == 2


def test_aclose_also_closes_connections_busy_at_the_time(server: ScriptedServer) -> None:
    transport = AsyncTransport(Endpoint.parse(server.url), **options())

    async def scenario() -> list[int]:
        server.behave("stall", 0.2)
        busy = asyncio.ensure_future(transport.send(headers_for(server.url), b"{}"))
        await asyncio.sleep(0.05)
        await transport.aclose()
        statuses = [(await busy).status]  # the request under way still gets its answer
        server.behave("answer")
        statuses.append((await transport.send(headers_for(server.url), b"{}")).status)
        await transport.aclose()
        return statuses

    assert asyncio.run(scenario()) == [200, 200]
    assert transport.connections_made == 2  # the busy connection was not kept after aclose
    assert len({r.connection for r in server.received}) == 2
