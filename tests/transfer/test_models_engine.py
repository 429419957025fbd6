"""Model-aware transfers against the engine: CSV with a column mapping validated through the
model (keys derived), a query's items exported, backups and restores."""

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dynamodb_tooling import Model, attribute
from dynamodb_tooling.drivers import DynamoDBClient, get_client
from dynamodb_tooling.errors import ResourceNotFoundError
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.transfer import (
    ImportValidationError,
    TransferError,
    backup,
    enable_point_in_time_recovery,
    export,
    import_,
    list_backups,
    restore,
)

pytestmark = pytest.mark.integration


class TransferPerson(Model):
    name: str
    age: int | None = attribute(default=None, validation="min:0")
    city: str | None = attribute(default=None, index=True)
    score: Decimal | None = None


class TransferBadge(Model):
    code: str = attribute(unique=True)


PEOPLE_CSV = """Person ID,Full Name,Age,Town,Score,Notes
p1,Ada Lovelace,36,London,9.50,ignored
p2,Alan Turing,41,Wilmslow,,ignored
p3,Grace Hopper,85,01234,1E+2,ignored
"""


def test_csv_with_a_mapping_is_imported_through_the_model(
    tmp_path: Path, dynamodb_table: str
) -> None:
    source = tmp_path / "people.csv"
    source.write_text(PEOPLE_CSV, encoding="utf-8")
    mapping = {"Person ID": "id", "Full Name": "name", "Age": "age", "Town": "city"}
    result = import_(
        source, model=TransferPerson, mapping={**mapping, "Score": "score", "Notes": None}
    )
    assert (result.records, result.written, result.model) == (3, 3, "TransferPerson")
    grace = TransferPerson.find("p3")
    assert grace is not None
    assert (grace.name, grace.age, grace.city, grace.score) == (
        "Grace Hopper",
        85,
        "01234",  # a string attribute keeps the cell's text (not the number 1234)
        Decimal("1E+2"),
    )
    item = unmarshall_item(
        get_client().get_item(
            dynamodb_table, {"pk": "TRANSFERPERSON#p1", "sk": "TRANSFERPERSON#p1"}
        )["Item"]
    )
    assert item["_et"] == "TransferPerson"  # keys and entity type derived by the model
    assert [p.id for p in TransferPerson.where("city", "London").get()] == ["p1"]


def test_model_validation_errors_name_line_and_attribute(
    tmp_path: Path, dynamodb_table: str
) -> None:
    source = tmp_path / "people.csv"
    source.write_text("id,name,age\np1,Ada,36\np2,,-4\n,Nobody,3\np4,Bob,old\n", encoding="utf-8")
    with pytest.raises(ImportValidationError) as caught:
        import_(source, model="TransferPerson")
    found = {(e.line, e.attribute) for e in caught.value.errors}
    assert (3, "age") in found
    assert (4, "id") in found
    assert (5, "age") in found
    assert "line 4, attribute 'id': TransferPerson.id is missing" in str(caught.value)
    assert get_client().scan_all(dynamodb_table).items == []


def test_models_with_unique_attributes_are_refused_with_the_way_out(
    tmp_path: Path, dynamodb_table: str
) -> None:
    source = tmp_path / "badges.jsonl"
    source.write_text('{"id":"b1","code":"X"}\n', encoding="utf-8")
    with pytest.raises(TransferError, match=r"code must stay unique.*without model="):
        import_(source, model=TransferBadge)


def test_a_query_is_exported_with_its_items_keys_included(
    tmp_path: Path, dynamodb_table: str
) -> None:
    for n in range(5):
        TransferPerson.create(id=f"q{n}", name=f"P{n}", city="Paris" if n % 2 else "Rome")
    result = export(tmp_path / "paris.jsonl", query=TransferPerson.where("city", "Paris"))
    lines = (tmp_path / "paris.jsonl").read_text(encoding="utf-8").splitlines()
    assert result.items == 2
    assert [line[:30] for line in lines] == [
        '{"_et":"TransferPerson","city"',
        '{"_et":"TransferPerson","city"',
    ]
    assert '"pk":"TRANSFERPERSON#q1"' in lines[0]
    assert '"pk":"TRANSFERPERSON#q3"' in lines[1]


@pytest.fixture
def dropped(dynamodb_client: DynamoDBClient) -> Iterator[list[str]]:
    names: list[str] = []
    yield names
    for name in names:
        try:
            dynamodb_client.delete_table(name)
        except ResourceNotFoundError:
            continue


def test_backup_list_and_restore_by_name(
    dynamodb_client: DynamoDBClient,
    make_table: Callable[..., str],
    dropped: list[str],
) -> None:
    table = make_table()
    dynamodb_client.put_item(table, {"pk": "A", "sk": "A", "n": 1})
    made = backup("before-migration", table=table, client=dynamodb_client)
    try:
        assert (made.name, made.table) == ("before-migration", table)
        listed = list_backups(table=table, client=dynamodb_client)
        assert [b.arn for b in listed] == [made.arn]
        target = f"{table}-restored"
        dropped.append(target)
        result = restore("before-migration", target, table=table, client=dynamodb_client)
        assert (result.table, result.source, result.status) == (target, made.arn, "ACTIVE")
        item: dict[str, Any] = dynamodb_client.get_item(target, {"pk": "A", "sk": "A"})["Item"]
        assert unmarshall_item(item)["n"] == 1
        with pytest.raises(TransferError, match=r"no backup named 'nope'.*before-migration"):
            restore("nope", f"{table}-x", table=table, client=dynamodb_client)
    finally:
        dynamodb_client.delete_backup(made.arn)


def test_point_in_time_restore(
    dynamodb_client: DynamoDBClient, make_table: Callable[..., str], dropped: list[str]
) -> None:
    table = make_table()
    dynamodb_client.put_item(table, {"pk": "A", "sk": "A"})
    target = f"{table}-pitr"
    dropped.append(target)
    enabled = enable_point_in_time_recovery(table=table, client=dynamodb_client)
    assert enabled["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    result = restore(table, target, point_in_time="latest", client=dynamodb_client)
    assert (result.table, result.source, result.status) == (target, table, "ACTIVE")
