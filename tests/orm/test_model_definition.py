"""Model classes produce the same registry as Stacks definitions; to_item / from_item."""

from datetime import datetime

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.orm import BelongsTo, Model, attribute
from dynamodb_tooling.schema import Registry, SchemaError
from dynamodb_tooling.schema.casts import AttributeCastError
from tests.schema import blog
from tests.schema.blog_classes import define_blog


@pytest.fixture
def registry() -> Registry:
    return Registry(validate_config())


def test_classes_give_the_canonical_registry(registry: Registry) -> None:
    define_blog(registry)
    expected = Registry(validate_config())
    for definition in blog.BLOG:
        expected.register(definition)
    assert registry.models == expected.models
    assert registry.table_definition("Blog") == expected.table_definition("Blog")


def test_instances_become_items_and_back(registry: Registry) -> None:
    models = define_blog(registry)
    post = models["Post"](title="Hello", user_id="u1", status="draft")
    assert len(post.id) == 26  # a ULID
    item = post.to_item()
    assert item["pk"] == f"POST#{post.id}"
    assert (item["gsi1pk"], item["gsi2pk"]) == ("USER#u1", "POST#status#draft")
    assert item["_et"] == "Post"
    loaded = models["Post"].from_item({**item, "created_at": "2026-01-01T00:00:00+00:00"})
    assert loaded.title == "Hello"
    assert loaded.created_at == datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    assert not hasattr(loaded, "pk")


def test_defaults_hidden_and_relations(registry: Registry) -> None:
    models = define_blog(registry)
    user = models["User"](email="ada@example.com", name="Ada", password="s3cret", team_id="t1")
    assert user.age is None
    assert "password" not in user.to_dict()
    assert user.to_values()["password"] == "s3cret"
    # An unsaved user has no posts: nothing to read, no request.
    assert len(user.posts) == 0
    assert not user.posts
    with pytest.raises(
        AttributeCastError, match="User has no attribute 'emial'; did you mean 'email'"
    ):
        models["User"](emial="x")


def test_bad_declarations_are_clear(registry: Registry) -> None:
    with pytest.raises(SchemaError, match="unions of several types"):

        class Bad(Model, registry=registry):
            value: int | str

    with pytest.raises(SchemaError, match="cannot store values annotated"):

        class Worse(Model, registry=registry):
            value: object

    class Lonely(Model, registry=registry):
        friend = BelongsTo("Nobody")

    with pytest.raises(SchemaError, match="relation target 'Nobody' is not a defined model"):
        _ = registry.schema


def test_unique_and_index_options_reach_the_definition(registry: Registry) -> None:
    class Account(Model, registry=registry, uuid=True, versioning=True):
        handle: str = attribute(unique=True)
        plan: str | None = attribute(index=True, index_sort="handle")

    definition = registry.model("Account")
    assert definition.attribute("handle").unique  # type: ignore[union-attr]
    assert definition.attribute("plan").index_sort == "handle"  # type: ignore[union-attr]
    assert definition.traits.id_strategy == "uuid"
    assert definition.traits.versioning
    assert len(Account().id) == 36


def test_abstract_bases_share_attributes_options_and_relations(registry: Registry) -> None:
    class Team(Model, registry=registry):
        name: str

    class Owned(Model, abstract=True):
        email: str = attribute(unique=True)
        age: int = 0
        team = BelongsTo("Team")

    class Member(Owned, registry=registry):
        nickname: str | None = None

    definition = registry.model("Member")
    assert definition.attribute("email").unique  # type: ignore[union-attr]
    assert definition.attribute("age").default == 0  # type: ignore[union-attr]
    assert [r.name for r in definition.relations] == ["team"]
    member = Member(email="a@b.c")
    assert (member.age, member.nickname) == (0, None)
    assert Member().email is None


def test_a_second_model_with_the_same_name_is_refused(registry: Registry) -> None:
    def first() -> type[Model]:
        class User(Model, registry=registry):
            email: str

        return User

    first()
    first()  # the same class defined again (a re-import) replaces itself

    with pytest.raises(SchemaError, match="a different model named 'User' is already registered"):

        class User(Model, registry=registry):
            nickname: str


def test_enums_literals_relations_and_classvars(registry: Registry) -> None:
    from enum import Enum, IntEnum
    from typing import ClassVar, Literal

    from dynamodb_tooling.orm import HasMany

    class Color(Enum):
        RED = 1
        BLUE = 2

    class Size(IntEnum):
        S = 1

    class Team(Model, registry=registry):
        name: str
        members: HasMany = HasMany("Car")

    class Car(Model, registry=registry):
        color: Color
        size: Size | None = None
        flag: Literal[True, False] = False
        kind: Literal["a", "b"] = "a"
        label: ClassVar = "cars"
        team = BelongsTo(Team)

    definition = registry.model("Car")
    types = {a.name: a.type for a in definition.attributes}
    assert types == {"color": "integer", "size": "integer", "flag": "boolean", "kind": "string"}
    car = Car(color=Color.BLUE, size=Size.S, team_id="t1")
    item = car.to_item()
    assert (item["color"], item["size"], item["flag"]) == (2, 1, False)
    loaded = Car.from_item(item)
    assert (loaded.color, loaded.size) == (Color.BLUE, Size.S)
    assert [r.name for r in registry.model("Team").relations] == ["members"]


def test_a_misspelled_relation_on_an_instance_gets_a_did_you_mean(registry: Registry) -> None:
    class Crew(Model, registry=registry):
        name: str

    class Sailor(Model, registry=registry):
        name: str
        crew = BelongsTo(Crew)

    with pytest.raises(AttributeError, match=r"Sailor has no attribute 'crw'; did you mean 'crew'"):
        _ = Sailor(name="x").crw
