"""Batches, transactions and PartiQL through DynamoDBClient against the engine."""

import pytest

from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.errors import TransactionCanceledError
from dynamodb_tooling.expressions import Update, attr
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.requests.batch import BatchProgress, delete, put
from dynamodb_tooling.requests.partiql import Statement
from dynamodb_tooling.requests.transactions import (
    ConditionCheck,
    TransactDelete,
    TransactGet,
    TransactPut,
    TransactUpdate,
)
from dynamodb_tooling.testing.plugin import TableFactory

pytestmark = pytest.mark.integration


def test_batch_write_and_get_beyond_the_chunk_limits(
    dynamodb_client: DynamoDBClient, make_table: TableFactory
) -> None:
    table, other = make_table(), make_table()
    progress: list[BatchProgress] = []
    rows = [{"pk": f"K#{n}", "sk": "A", "n": n} for n in range(130)]
    written = dynamodb_client.batch_write(
        {table: [put(r) for r in rows], other: [put({"pk": "O", "sk": "O"})]},
        on_progress=progress.append,
    )
    assert written == 131
    assert progress[-1].done == 131
    assert progress[-1].pending == 0

    found = dynamodb_client.batch_get(
        {
            table: [{"pk": f"K#{n}", "sk": "A"} for n in range(130)]
            + [{"pk": "K#MISSING", "sk": "A"}],
            other: [{"pk": "O", "sk": "O"}],
        }
    )
    assert sorted(unmarshall_item(i)["n"] for i in found[table]) == list(range(130))
    assert [unmarshall_item(i) for i in found[other]] == [{"pk": "O", "sk": "O"}]

    dynamodb_client.batch_write({table: [delete({"pk": f"K#{n}", "sk": "A"}) for n in range(100)]})
    assert dynamodb_client.scan(table, select="COUNT")["Count"] == 30


def test_transaction_commits_every_action(
    dynamodb_client: DynamoDBClient, make_table: TableFactory
) -> None:
    table = make_table()
    dynamodb_client.put_item(table, {"pk": "ACC#1", "sk": "ACC#1", "balance": 100})
    dynamodb_client.put_item(table, {"pk": "ACC#2", "sk": "ACC#2", "balance": 0})
    dynamodb_client.transact_write(
        [
            TransactUpdate(
                table,
                {"pk": "ACC#1", "sk": "ACC#1"},
                Update().decrement("balance", 30),
                condition=attr("balance").gte(30),
            ),
            TransactUpdate(
                table, {"pk": "ACC#2", "sk": "ACC#2"}, Update().increment("balance", 30)
            ),
            TransactPut(table, {"pk": "LOG#1", "sk": "LOG#1", "amount": 30}),
        ]
    )
    snapshot = dynamodb_client.transact_get(
        [
            TransactGet(table, {"pk": "ACC#1", "sk": "ACC#1"}),
            TransactGet(table, {"pk": "ACC#2", "sk": "ACC#2"}, projection=["balance"]),
        ]
    )
    balances = [unmarshall_item(r["Item"])["balance"] for r in snapshot["Responses"]]
    assert balances == [70, 30]


def test_cancelled_transaction_names_the_failing_action_and_writes_nothing(
    dynamodb_client: DynamoDBClient, make_table: TableFactory
) -> None:
    table = make_table()
    dynamodb_client.put_item(table, {"pk": "ACC#1", "sk": "ACC#1", "balance": 10})
    with pytest.raises(TransactionCanceledError) as caught:
        dynamodb_client.transact_write(
            [
                TransactPut(table, {"pk": "LOG#1", "sk": "LOG#1"}),
                ConditionCheck(table, {"pk": "ACC#1", "sk": "ACC#1"}, attr("balance").gte(50)),
                TransactDelete(table, {"pk": "NONE", "sk": "NONE"}),
            ]
        )
    reasons = caught.value.reasons
    assert [r.index for r in caught.value.failed] == [1]
    assert reasons[1].code == "ConditionalCheckFailed"
    assert "#1: ConditionalCheckFailed" in str(caught.value)
    assert "Item" not in dynamodb_client.get_item(table, {"pk": "LOG#1", "sk": "LOG#1"})


def test_partiql_statement_batch_and_transaction(
    dynamodb_client: DynamoDBClient, make_table: TableFactory
) -> None:
    table = make_table()
    # moto's PartiQL parser cannot bind '?' inside INSERT ... VALUE, so the inserts use literals.
    dynamodb_client.execute_transaction(
        [
            Statement(f"INSERT INTO \"{table}\" VALUE {{'pk': 'A', 'sk': 'A', 'n': 1}}"),
            Statement(f"INSERT INTO \"{table}\" VALUE {{'pk': 'B', 'sk': 'B', 'n': 2}}"),
        ]
    )
    result = dynamodb_client.execute_statement(f'SELECT * FROM "{table}" WHERE pk = ?', ["B"])
    assert [unmarshall_item(i) for i in result["Items"]] == [{"pk": "B", "sk": "B", "n": 2}]
    batch = dynamodb_client.batch_execute_statement(
        [
            Statement(f'UPDATE "{table}" SET n = ? WHERE pk = ? AND sk = ?', [5, "A", "A"]),
        ]
    )
    assert "Error" not in batch["Responses"][0]
    everything = dynamodb_client.execute_statement_all(f'SELECT * FROM "{table}"')
    assert sorted(unmarshall_item(i)["n"] for i in everything.items) == [2, 5]
