"""Accessors and mutators (``@accessor``, ``@accessor("name")``, ``@mutator("name")``):
applied on reads and on every assignment path, never on hydration; the requests a stub
executor records carry the mutated values."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_tooling.config import use_config
from dynamodb_tooling.marshal import unmarshall_item
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.orm.accessors import Accessor, accessor, mutator
from dynamodb_tooling.schema import Registry, SchemaError
from dynamodb_tooling.testing.stub import StubExecutor


@pytest.fixture
def registry() -> Iterator[Registry]:
    with use_config():
        yield Registry()


def define(registry: Registry) -> type[Model]:
    class Person(Model, registry=registry):
        first_name: str
        last_name: str
        email: str
        nickname: str | None = None

        @accessor
        def full_name(self) -> str:
            """The first and last name."""
            return f"{self.first_name} {self.last_name}"

        @mutator("full_name")
        def _split_full_name(self, value: str) -> dict[str, str]:
            first, last = value.split(" ", 1)
            return {"first_name": first, "last_name": last}

        @accessor("first_name")
        def _first_name_title(self, value: str | None) -> str | None:
            return value.title() if value else value

        @mutator("email")
        def _email_lower(self, value: str) -> str:
            return value.strip().lower()

        @accessor("initials")
        def _initials(self, value: None) -> str:
            return f"{self.first_name[0]}{self.last_name[0]}"

    return Person


def written(stub: StubExecutor) -> dict[str, Any]:
    (sent,) = stub.sent("PutItem")
    return unmarshall_item(sent.params["Item"])


def test_a_mutator_runs_on_create_and_the_request_carries_its_result(
    registry: Registry, stub: StubExecutor
) -> None:
    Person = define(registry)
    person = Person.create(first_name="ada", last_name="Lovelace", email="  ADA@Example.COM ")
    assert written(stub)["email"] == "ada@example.com"
    assert person.email == "ada@example.com"
    assert person.is_clean()


def test_a_mutator_runs_on_assignment_and_the_update_sends_its_result(
    registry: Registry, stub: StubExecutor
) -> None:
    Person = define(registry)
    person = Person.from_item(
        {"id": "p1", "first_name": "ada", "last_name": "L", "email": "a@x.io"}
    )
    person.email = " NEW@X.IO"
    assert person.get_dirty() == {"email": "new@x.io"}
    person.save()
    (update,) = stub.sent("UpdateItem")
    assert {"S": "new@x.io"} in update.params["ExpressionAttributeValues"].values()


def test_an_accessor_applies_on_read_and_leaves_the_stored_value(registry: Registry) -> None:
    Person = define(registry)
    person = Person(first_name="ada", last_name="Lovelace", email="a@x.io")
    assert person.first_name == "Ada"
    assert person.get_attribute("first_name") == "Ada"
    assert person.to_values()["first_name"] == "ada"
    assert person.to_item()["first_name"] == "ada"


def test_computed_attributes_read_like_stored_ones(registry: Registry) -> None:
    Person = define(registry)
    person = Person(first_name="ada", last_name="Lovelace", email="a@x.io")
    assert person.full_name == "Ada Lovelace"  # the accessor reads first_name through its own
    assert person.get_attribute("full_name") == "Ada Lovelace"
    assert person.initials == "AL"  # @accessor("initials") of a name that is not stored
    assert person.get_attribute("initials") == "AL"
    assert isinstance(Person.full_name, Accessor)  # type: ignore[misc]
    assert "full_name" not in person.to_values()
    assert "full_name" not in person.to_item()


def test_a_mutator_of_a_computed_name_sets_the_stored_attributes_it_returns(
    registry: Registry,
) -> None:
    Person = define(registry)
    person = Person(first_name="ada", last_name="Lovelace", email="a@x.io")
    person.full_name = "grace Hopper"
    assert person.to_values()["first_name"] == "grace"
    assert person.last_name == "Hopper"
    assert person.full_name == "Grace Hopper"


def test_a_computed_attribute_without_a_mutator_is_not_assignable(registry: Registry) -> None:
    class Box(Model, registry=registry):
        width: int
        height: int

        @accessor
        def area(self) -> int:
            return self.width * self.height

    box = Box(width=2, height=3)
    assert box.area == 6
    with pytest.raises(AttributeError, match=r"Box\.area is computed .* @mutator\('area'\)"):
        box.area = 7  # type: ignore[misc]
    assert "area" not in vars(box)


def test_hydration_runs_no_mutator(registry: Registry) -> None:
    Person = define(registry)
    person = Person.from_item({"id": "p1", "first_name": "ada", "last_name": "L", "email": "UP"})
    assert person.to_values()["email"] == "UP"


def test_attributes_to_dict_and_get_attribute_apply_accessors(registry: Registry) -> None:
    Person = define(registry)
    person = Person(first_name="ada", last_name="Lovelace", email="a@x.io")
    shown = person.attributes_to_dict()
    assert shown["first_name"] == "Ada"
    assert shown["email"] == "a@x.io"
    assert shown["nickname"] is None
    assert "full_name" not in shown
    with pytest.raises(AttributeError, match="did you mean 'full_name'"):
        person.get_attribute("ful_name")
    with pytest.raises(AttributeError, match="did you mean 'full_name'"):
        _ = person.ful_name  # type: ignore[attr-defined]


def test_mutators_run_for_defaults_and_in_the_order_given(registry: Registry) -> None:
    class Account(Model, registry=registry):
        handle: str = "Guest"
        email: str | None = None

        @mutator("handle")
        def _handle(self, value: str) -> str:
            return value.lower()

    assert Account().handle == "guest"
    assert Account(handle="ADA").handle == "ada"


def test_async_create_runs_mutators(registry: Registry, stub: StubExecutor) -> None:
    Person = define(registry)
    asyncio.run(Person.acreate(first_name="a", last_name="b", email="A@B.C"))
    assert written(stub)["email"] == "a@b.c"


def test_subclasses_inherit_and_override_accessors(registry: Registry) -> None:
    class Base(Model, abstract=True):
        name: str

        @accessor("name")
        def _name(self, value: str) -> str:
            return value.upper()

    class Child(Base, registry=registry):
        pass

    class Other(Base, registry=registry):
        @accessor("name")
        def _name(self, value: str) -> str:
            return value[::-1]

    assert Child(name="abc").name == "ABC"
    assert Other(name="abc").name == "cba"


def test_an_accessor_named_like_its_attribute_is_refused(registry: Registry) -> None:
    with pytest.raises(SchemaError, match=r"Clash\.email: an @accessor/@mutator method is named"):

        class Clash(Model, registry=registry):
            email: str = attribute()

            @mutator("email")  # type: ignore[misc]
            def email(self, value: str) -> str:  # noqa: F811
                return value


@pytest.mark.parametrize("name", ["", "_private", "not an identifier", 3])
def test_decorators_need_a_public_attribute_name(name: Any) -> None:
    with pytest.raises(TypeError, match="give the attribute's name"):
        mutator(name)
    with pytest.raises(TypeError, match="give the attribute's name"):
        accessor(name if isinstance(name, str) else str(name))


def test_a_computed_mutator_must_return_a_mapping(registry: Registry) -> None:
    class Pair(Model, registry=registry):
        a: str | None = None

        @mutator("both")
        def _both(self, value: str) -> Any:
            return value

    pair = Pair()
    with pytest.raises(TypeError, match=r"Pair @mutator\('both'\) .* must return a dict"):
        pair.both = "x"
