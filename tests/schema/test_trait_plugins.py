"""Built-in traits are plug-ins (``dynamodb_tooling.schema.traits``): one module each, called
through one protocol, so a trait registered from outside works like a built-in one and no
module outside the trait modules branches on a trait flag."""

import ast
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import pytest

from dynamodb_tooling.config import Config
from dynamodb_tooling.drivers import DynamoDBClient
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model
from dynamodb_tooling.schema import ModelDefinition, Registry, Traits, traits
from dynamodb_tooling.schema.traits import TRAITS, ModelTrait, register_trait, unregister_trait

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "dynamodb_tooling"

#: The flags of :class:`Traits` whose behaviour lives in a trait module.
FLAGS = {
    "timestamps",
    "soft_deletes",
    "versioning",
    "ttl",
    "ttl_attribute",
    "ttl_index",
    "id_strategy",
}


def flag_readers() -> dict[str, list[str]]:
    """``module → flags it reads`` for every ``<x>.traits.<flag>`` read in the package."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in FLAGS
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "traits"
            ):
                module = path.relative_to(PACKAGE).as_posix()
                found.setdefault(module, []).append(node.attr)
    return found


def test_only_the_trait_modules_read_trait_flags() -> None:
    readers = flag_readers()
    assert sorted(readers) == [
        "schema/traits/id_strategy.py",
        "schema/traits/soft_deletes.py",
        "schema/traits/timestamps.py",
        "schema/traits/ttl.py",
        "schema/traits/versioning.py",
    ]
    assert sorted(set(readers["schema/traits/ttl.py"])) == ["ttl", "ttl_attribute", "ttl_index"]


def test_every_built_in_trait_is_one_registered_plug_in_named_after_its_flag() -> None:
    names = [trait.name for trait in TRAITS]
    assert names == ["timestamps", "soft_deletes", "versioning", "ttl", "id_strategy"]
    assert set(names) <= set(Traits.__dataclass_fields__)
    for trait in TRAITS:
        module = type(trait).__module__
        assert module == f"dynamodb_tooling.schema.traits.{trait.name}"


def test_the_hooks_answer_per_model() -> None:
    config = Config()
    plain = ModelDefinition("Note", "NOTE")
    everything = ModelDefinition(
        "Post",
        "POST",
        traits=Traits(timestamps=True, soft_deletes=True, versioning=True, ttl=True),
    )
    assert traits.traits_of(plain) == ()
    assert traits.managed_attributes(plain, config) == ()
    assert traits.managed_attributes(everything, config) == (
        "created_at",
        "updated_at",
        "deleted_at",
        "_v",
        "ttl",
    )
    assert traits.timestamp_attributes(everything, config) == (
        "created_at",
        "updated_at",
        "deleted_at",
    )
    assert traits.read_scope(everything, config) == "deleted_at"
    assert traits.read_scope(plain, config) is None
    assert traits.expiry_attribute(everything, "expires") == "expires"
    assert traits.expiry_index(everything, "expires") is None  # ttl_index not asked for
    stored: dict[str, Any] = {"created_at": "then"}
    traits.on_insert(everything, config, stored, lambda: "now")
    assert stored == {"created_at": "then", "updated_at": "now", "_v": 1}
    assert traits.on_update(everything, config, lambda: "now") == {"updated_at": "now"}
    assert traits.expected_version(everything, config, {"_v": 3}, None) == 3
    assert traits.expected_version(plain, config, {"_v": 3}, None) is None


# A trait written outside the package: who created an item, from a context variable.

current_user: ContextVar[str | None] = ContextVar("current_user", default=None)


class Audited(ModelTrait):
    """Stamps ``created_by`` (the current user) on new items of the models it names."""

    name = "audited"

    def __init__(self, models: set[str]) -> None:
        self.models = models

    def enabled(self, definition: ModelDefinition) -> bool:
        return definition.name in self.models

    def managed_attributes(self, definition: ModelDefinition, config: Config) -> tuple[str, ...]:
        return ("created_by",)

    def on_insert(
        self,
        definition: ModelDefinition,
        config: Config,
        stored: dict[str, Any],
        now: Callable[[], Any],
    ) -> None:
        if stored.get("created_by") is None:
            stored["created_by"] = current_user.get()


@pytest.fixture
def audited() -> Iterator[Audited]:
    trait = register_trait(Audited({"Doc"}))
    try:
        yield trait
    finally:
        unregister_trait(trait)


@pytest.fixture
def dynamodb_registry(audited: Audited) -> Registry:
    return Registry()


@pytest.fixture
def docs(dynamodb_registry: Registry) -> tuple[type[Model], type[Model]]:
    class Doc(Model, registry=dynamodb_registry, timestamps=True):
        title: str

    class Memo(Model, registry=dynamodb_registry):
        title: str

    return Doc, Memo


def test_a_registered_trait_cannot_take_a_used_name() -> None:
    with pytest.raises(ValueError, match="soft_deletes"):
        register_trait(type("Again", (Audited,), {"name": "soft_deletes"})(set()))


@pytest.mark.integration
def test_a_custom_trait_plug_in_works_end_to_end(
    docs: tuple[type[Model], type[Model]], dynamodb_table: str, dynamodb_client: DynamoDBClient
) -> None:
    Doc, Memo = docs
    token = current_user.set("ada")
    try:
        doc = Doc.create(title="Plans")
        memo = Memo.create(title="Note")
    finally:
        current_user.reset(token)
    assert doc.get_attribute("created_by") == "ada"
    items = {
        i["_et"]: i for i in map(unmarshall_item, dynamodb_client.scan_all(dynamodb_table).items)
    }
    assert items["Doc"]["created_by"] == "ada"
    assert "created_by" not in items["Memo"]  # the trait is only the audited models'

    found = Doc.find(doc.id)
    assert found is not None
    assert found.get_attribute("created_by") == "ada"
    token = current_user.set("bob")
    try:
        found.update(title="Plans v2")  # an update is no insert: the author stays
    finally:
        current_user.reset(token)
    again = Doc.find(doc.id)
    assert again is not None
    assert (again.title, again.get_attribute("created_by")) == ("Plans v2", "ada")
    assert Memo.find(memo.id) is not None


def test_a_trait_registered_after_its_model_was_defined_applies_to_it() -> None:
    from dynamodb_tooling.query.writes import WriteCompiler

    registry = Registry()

    class Later(Model, registry=registry):
        title: str

    def written() -> dict[str, Any]:
        plan = WriteCompiler(registry).insert("Later", {"id": "l1", "title": "x"})
        assert plan.item is not None
        return plan.item

    assert "created_by" not in written()  # compiled (and cached) before the plug-in exists
    trait = register_trait(Audited({"Later"}))
    token = current_user.set("ada")
    try:
        assert written()["created_by"] == "ada"
        assert "created_by" in Later(title="y", created_by="bob").to_values()
    finally:
        current_user.reset(token)
        unregister_trait(trait)
    assert "created_by" not in written()


class CountedIds(ModelTrait):
    """Ids from a plug-in: ``INV-1``, ``INV-2``... for the models it names."""

    name = "counted_ids"

    def __init__(self, models: set[str]) -> None:
        self.models, self.issued = models, 0

    def enabled(self, definition: ModelDefinition) -> bool:
        return definition.name in self.models

    def new_id(self, definition: ModelDefinition) -> str | None:
        self.issued += 1
        return f"INV-{self.issued}"


def test_a_plug_in_supplies_the_ids_of_its_models() -> None:
    registry = Registry()

    class Invoice(Model, registry=registry):
        total: int

    class Receipt(Model, registry=registry, uuid="v7"):
        total: int

    assert len(Invoice(total=0).id) == 26  # a ULID before the plug-in is registered
    trait = register_trait(CountedIds({"Invoice"}))
    try:
        # Registering it drops what was derived for the model (its constructor's id maker).
        assert [Invoice(total=n).id for n in (1, 2)] == ["INV-1", "INV-2"]
        assert Invoice(total=3, id="given").id == "given"  # a given id wins
        assert Receipt(total=1).id[14] == "7"  # the built-in id_strategy plug-in: UUIDv7
    finally:
        unregister_trait(trait)
    assert len(Invoice(total=4).id) == 26  # a ULID again
