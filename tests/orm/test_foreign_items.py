"""Items written by other tools: read by key without ``_et``, the id taken from the sort key
only when the key is this model's own; an item of another entity is still refused."""

from collections.abc import Iterator

import pytest

from dynamodb_tooling.config import use_config
from dynamodb_tooling.marshal import marshall_item
from dynamodb_tooling.orm import Model
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.testing.stub import StubExecutor


@pytest.fixture(autouse=True)
def _fresh_config() -> Iterator[None]:
    """The default configuration for each test (before the shared ``stub`` fixture)."""
    with use_config():
        yield


def test_the_id_comes_from_the_models_own_sort_key_only(stub: StubExecutor) -> None:
    registry = Registry()

    class Note(Model, registry=registry):
        body: str

    assert Note.from_item({"pk": "NOTE#n1", "sk": "NOTE#n1", "body": "x"}).id == "n1"
    assert Note.from_item({"pk": "NOTE#n1", "sk": "OTHER#n1", "body": "x"}).id is None
    stub.on("GetItem", {"Item": marshall_item({"pk": "NOTE#n2", "sk": "NOTE#n2", "body": "b"})})
    assert Note.find("n2").body == "b"
    other = {"pk": "NOTE#n3", "sk": "NOTE#n3", "_et": "Memo", "body": "m"}
    stub.on("GetItem", {"Item": marshall_item(other)})
    assert Note.find("n3") is None  # tagged as another entity: not this model's item
