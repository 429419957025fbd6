"""The embedded engine serialises requests and honours transaction idempotency tokens.

Both the in-process engine (the ``dynamodb_client`` fixture) and a ``dbtooling start`` server
process (``LocalServer``) must keep every one of 1,600 concurrent increments; bare moto kept
1,591-1,597. A tokened ``TransactWriteItems``/``ExecuteTransaction`` sent twice applies once.
"""

from __future__ import annotations

import socket
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.drivers import BotocoreDriver, DynamoDBClient
from dynamodb_tooling.engine import EMBEDDED_CREDENTIALS, DynamoDBProbe, LocalServer
from dynamodb_tooling.errors import DynamoDBError, TransactionCanceledError
from dynamodb_tooling.expressions import Update, attr
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.requests.partiql import Statement
from dynamodb_tooling.requests.transactions import TransactPut, TransactUpdate
from dynamodb_tooling.testing.plugin import TableFactory, key_schema_table

pytestmark = pytest.mark.integration

THREADS = 16
INCREMENTS = 100
KEY = {"pk": "COUNTER#1", "sk": "COUNTER#1"}


def hammer(client: DynamoDBClient, table: str) -> int:
    """16 threads x 100 ``ADD n 1`` on one item; returns the stored ``n``."""

    def worker(_: int) -> None:
        for _ in range(INCREMENTS):
            client.update_item(table, KEY, Update().add("n", 1))

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    item = client.get_item(table, KEY, consistent_read=True)["Item"]
    count: int = unmarshall_item(item)["n"]
    return count


def stored(client: DynamoDBClient, table: str) -> dict[str, object]:
    return unmarshall_item(client.get_item(table, KEY, consistent_read=True)["Item"])


@pytest.fixture
def contended() -> Iterator[None]:
    """Switch threads far more often, so unguarded engine state races reliably (bare moto
    then loses ~30 of 1,600 increments every run instead of a few, now and then)."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


@pytest.mark.usefixtures("contended")
def test_concurrent_increments_are_all_kept_in_process(
    dynamodb_client: DynamoDBClient, make_table: TableFactory
) -> None:
    assert hammer(dynamodb_client, make_table()) == THREADS * INCREMENTS


def test_a_client_stalled_mid_request_does_not_hold_up_the_others(
    dynamodb_endpoint: str,
) -> None:
    host, port = dynamodb_endpoint.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host.strip("[]"), int(port)), timeout=30) as stalled:
        stalled.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
            b"X-Amz-Target: DynamoDB_20120810.ListTables\r\n\r\n{"
        )  # 1 of 100 body bytes, then nothing

        with DynamoDBProbe(dynamodb_endpoint, timeout=10.0) as probe:
            assert probe.table_count() >= 0  # answered, not EngineError after 10 s


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server_client(tmp_path: Path) -> Iterator[DynamoDBClient]:
    """A client of a `dbtooling start`-style server process on a free port."""
    server = LocalServer(port=free_port(), state_dir=tmp_path / "state")
    try:
        info = server.start(wait=60.0)
        key, secret = EMBEDDED_CREDENTIALS
        config = validate_config(
            endpoint=info.endpoint,
            credentials={"access_key_id": key, "secret_access_key": secret},
        )
        client = DynamoDBClient(BotocoreDriver(config), config=config)
        try:
            yield client
        finally:
            client.close()
    finally:
        server.stop()


def test_concurrent_increments_are_all_kept_by_the_server_process(
    server_client: DynamoDBClient,
) -> None:
    table = f"isolation-{uuid.uuid4().hex[:8]}"
    server_client.create_table(key_schema_table(table))

    assert hammer(server_client, table) == THREADS * INCREMENTS


def add_one(table: str) -> list[TransactUpdate]:
    return [TransactUpdate(table, KEY, Update().add("n", 1))]


def test_a_tokened_transaction_sent_twice_applies_once(
    dynamodb_client: DynamoDBClient, make_table: TableFactory
) -> None:
    table = make_table()
    token = uuid.uuid4().hex

    dynamodb_client.transact_write(add_one(table), client_request_token=token)
    dynamodb_client.transact_write(add_one(table), client_request_token=token)
    assert stored(dynamodb_client, table)["n"] == 1

    dynamodb_client.transact_write(add_one(table), client_request_token=uuid.uuid4().hex)
    assert stored(dynamodb_client, table)["n"] == 2  # a new token is a new request


def test_a_repeat_may_ask_for_consumed_capacity(
    dynamodb_client: DynamoDBClient, make_table: TableFactory
) -> None:
    table = make_table()
    token = uuid.uuid4().hex

    dynamodb_client.transact_write(add_one(table), client_request_token=token)
    dynamodb_client.transact_write(
        add_one(table), client_request_token=token, return_consumed_capacity="TOTAL"
    )

    assert stored(dynamodb_client, table)["n"] == 1


def test_a_token_reused_with_other_parameters_is_refused(
    dynamodb_client: DynamoDBClient, make_table: TableFactory
) -> None:
    table = make_table()
    token = uuid.uuid4().hex
    dynamodb_client.transact_write(add_one(table), client_request_token=token)

    changed = [TransactUpdate(table, KEY, Update().add("n", 5))]
    with pytest.raises(DynamoDBError, match="IdempotentParameterMismatchException") as caught:
        dynamodb_client.transact_write(changed, client_request_token=token)

    assert caught.value.code == "IdempotentParameterMismatchException"
    assert stored(dynamodb_client, table)["n"] == 1


def test_a_failed_first_attempt_is_not_remembered(
    dynamodb_client: DynamoDBClient, make_table: TableFactory
) -> None:
    table = make_table()
    token = uuid.uuid4().hex
    guarded = [TransactUpdate(table, KEY, Update().add("n", 1), condition=attr("pk").exists())]

    with pytest.raises(TransactionCanceledError):
        dynamodb_client.transact_write(guarded, client_request_token=token)
    dynamodb_client.put_item(table, {**KEY, "n": 10})
    dynamodb_client.transact_write(guarded, client_request_token=token)

    assert stored(dynamodb_client, table)["n"] == 11


def test_a_tokened_partiql_transaction_sent_twice_applies_once(
    dynamodb_client: DynamoDBClient, make_table: TableFactory
) -> None:
    table = make_table()
    token = uuid.uuid4().hex
    # Literal values: moto's PartiQL INSERT does not bind '?' parameters.
    literal = f"'pk': '{KEY['pk']}', 'sk': '{KEY['sk']}', 'n': 1"
    insert = [Statement(f'INSERT INTO "{table}" VALUE {{{literal}}}')]

    dynamodb_client.execute_transaction(insert, client_request_token=token)
    dynamodb_client.delete_item(table, KEY)
    dynamodb_client.execute_transaction(insert, client_request_token=token)

    assert "Item" not in dynamodb_client.get_item(table, KEY, consistent_read=True)
    other = [Statement(f'DELETE FROM "{table}" WHERE pk = ? AND sk = ?', list(KEY.values()))]
    with pytest.raises(DynamoDBError, match="IdempotentParameterMismatchException"):
        dynamodb_client.execute_transaction(other, client_request_token=token)


def test_tokens_are_honoured_by_the_server_process(server_client: DynamoDBClient) -> None:
    table = f"tokens-{uuid.uuid4().hex[:8]}"
    server_client.create_table(key_schema_table(table))
    server_client.transact_write([TransactPut(table, {**KEY, "n": 0})])
    token = uuid.uuid4().hex

    server_client.transact_write(add_one(table), client_request_token=token)
    server_client.transact_write(add_one(table), client_request_token=token)

    assert stored(server_client, table)["n"] == 1
