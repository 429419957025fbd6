"""Dirty tracking compares deep values: in-place edits of sets, dicts and lists are changes,
and ``save()`` would send them (the compiled UpdateItem says so)."""

from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.query.writes import WriteCompiler
from dynamodb_tooling.schema import Registry


@pytest.fixture
def registry() -> Registry:
    return Registry(validate_config())


@pytest.fixture
def Doc(registry: Registry) -> type[Model]:
    class Doc(Model, registry=registry):
        title: str
        tags: set[str] = attribute(default_factory=set)
        meta: dict[str, Any] = attribute(default_factory=dict)
        lines: list[Any] = attribute(default_factory=list)
        note: str | None = None

    return Doc


def loaded(Doc: type[Model], **values: Any) -> Any:
    """An instance as ``find()`` gives it: hydrated from a stored item."""
    return Doc.from_item(Doc(**values).to_item())


def update_params(registry: Registry, doc: Any) -> dict[str, Any]:
    plan = WriteCompiler(registry).update("Doc", doc.get_original(), doc.get_dirty())
    params: dict[str, Any] = plan.request.params
    return params


def test_in_place_edits_of_a_set_a_dict_and_a_list_are_dirty(
    Doc: type[Model], registry: Registry
) -> None:
    doc = loaded(Doc, title="T", tags={"a"}, meta={"k": 0}, lines=[{"n": 1}])
    assert doc.is_clean()
    doc.tags.add("b")
    doc.meta["k"] = 1
    doc.lines[0]["n"] = 2
    assert doc.is_dirty()
    assert doc.is_dirty("tags")
    assert doc.get_dirty() == {"tags": {"a", "b"}, "meta": {"k": 1}, "lines": [{"n": 2}]}
    assert doc.get_original("tags") == {"a"}
    assert doc.get_original("meta") == {"k": 0}
    assert doc.get_original("lines") == [{"n": 1}]
    params = update_params(registry, doc)
    sent = params["ExpressionAttributeValues"]
    assert {"SS": ["a", "b"]} in sent.values() or {"SS": ["b", "a"]} in sent.values()
    assert {"M": {"k": {"N": "1"}}} in sent.values()
    assert {"L": [{"M": {"n": {"N": "2"}}}]} in sent.values()
    assert params["UpdateExpression"].startswith("SET ")


def test_a_clean_instance_compiles_no_change(Doc: type[Model]) -> None:
    doc = loaded(Doc, title="T", tags={"a"}, meta={"nested": {"x": [1, 2]}})
    doc.meta["nested"]["x"].append(3)
    assert doc.get_dirty() == {"meta": {"nested": {"x": [1, 2, 3]}}}
    doc.sync_original()
    assert doc.is_clean()
    doc.meta["nested"]["x"].pop()
    assert doc.is_dirty("meta")


def test_editing_what_get_original_returns_changes_nothing(Doc: type[Model]) -> None:
    doc = loaded(Doc, title="T", tags={"a"})
    doc.get_original()["tags"].add("z")
    doc.get_original("tags").add("y")
    assert doc.get_original("tags") == {"a"}
    assert doc.is_clean()


def test_none_and_absent_are_the_same_value(Doc: type[Model]) -> None:
    doc = loaded(Doc, title="T")
    doc.note = None
    assert doc.is_clean()
    doc.note = "n"
    assert doc.get_dirty() == {"note": "n"}
    doc.sync_original()
    doc.note = None
    assert doc.get_dirty() == {"note": None}


def test_mutable_defaults_are_not_shared_between_instances(registry: Registry) -> None:
    class Board(Model, registry=registry):
        name: str
        labels: list[str] = attribute(default=[])
        flags: dict[str, bool] = {}

    first, second = Board(name="a"), Board(name="b")
    first.labels.append("x")
    first.flags["on"] = True
    assert (second.labels, second.flags) == ([], {})
    assert Board(name="c").labels == []
