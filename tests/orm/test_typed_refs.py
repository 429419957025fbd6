"""Typed attribute references build the same queries as strings."""

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.orm import Field, Model
from dynamodb_tooling.query.predicates import Predicate
from dynamodb_tooling.schema import Registry, SchemaError


def test_references_compile_like_strings() -> None:
    registry = Registry(validate_config())

    class Team(Model, registry=registry):
        name: str

    class Player(Model, registry=registry):
        age: Field[int]
        nickname: str | None = None
        team_id: Field[str]

    assert registry.model("Player").attribute("age").type == "integer"  # type: ignore[union-attr]
    assert (Player.age > 30) == Predicate("age", ">", 30)
    typed = Player.where(Player.team_id == "t1").where(Player.age.between(20, 30))
    plain = Player.where("team_id", "t1").where_between("age", 20, 30)
    assert typed.to_params() == plain.to_params()
    assert Player(age=3).age == 3
    assert Player().age is None


def test_attributes_may_not_shadow_model_methods() -> None:
    registry = Registry(validate_config())
    with pytest.raises(SchemaError, match="reserved by Model"):

        class Bad(Model, registry=registry):
            all: str
