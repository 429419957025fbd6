"""Guarded / non-fillable attributes are refused on every mass-assignment path; unknown
names are refused with a did-you-mean; options that would do nothing are refused."""

from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.errors import MassAssignmentError
from dynamodb_tooling.orm import Model, attribute, define_model
from dynamodb_tooling.schema import Registry, SchemaError
from dynamodb_tooling.schema.casts import AttributeCastError

ROLE_REFUSED = (
    r"User\.role is protected from mass assignment \(guarded=True\).*set it explicitly: "
    r"user\.role = \.\.\. or use force_fill\(role=\.\.\.\)"
)


@pytest.fixture
def registry() -> Registry:
    return Registry(validate_config())


@pytest.fixture
def User(registry: Registry) -> type[Model]:
    class User(Model, registry=registry):
        email: str
        name: str
        role: str = attribute(default="member", guarded=True)
        credits: int = attribute(default=0, fillable=False)

    return User


def loaded(User: type[Model]) -> Any:
    return User.from_item(User(email="a@b.c", name="Ada").to_item())


def test_the_constructor_refuses_guarded_and_non_fillable_attributes(User: type[Model]) -> None:
    with pytest.raises(MassAssignmentError, match=ROLE_REFUSED) as caught:
        User(email="a@b.c", name="Ada", role="admin")
    assert (caught.value.model, caught.value.attribute) == ("User", "role")
    with pytest.raises(MassAssignmentError, match=r"User\.credits .*\(fillable=False\)"):
        User(email="a@b.c", name="Ada", credits=10**6)


def test_fill_and_update_refuse_them_and_change_nothing(User: type[Model]) -> None:
    user = loaded(User)
    with pytest.raises(MassAssignmentError, match=ROLE_REFUSED):
        user.fill(name="Eve", role="admin")
    with pytest.raises(MassAssignmentError, match=ROLE_REFUSED):
        user.update(name="Eve", role="admin")  # refused before save(): nothing is sent
    with pytest.raises(MassAssignmentError, match=r"User\.credits"):
        user.update(credits=5)
    assert (user.name, user.role, user.credits) == ("Ada", "member", 0)
    assert user.is_clean()


def test_explicit_assignment_force_fill_and_hydration_may_set_them(User: type[Model]) -> None:
    user = User(email="a@b.c", name="Ada")
    user.role = "admin"
    assert user.role == "admin"
    assert user.force_fill(credits=7, name="Ada L.") is user
    assert (user.credits, user.name) == (7, "Ada L.")
    item = user.to_item()
    assert (item["role"], item["credits"]) == ("admin", 7)
    again = User.from_item(item)
    assert (again.role, again.credits) == ("admin", 7)
    assert again.is_clean()


def test_replicate_copies_guarded_values_but_guards_overrides(User: type[Model]) -> None:
    admin = User(email="a@b.c", name="Ada")
    admin.role = "admin"
    copied = admin.replicate(email="b@b.c")
    assert (copied.role, copied.email) == ("admin", "b@b.c")
    assert copied.id != admin.id
    with pytest.raises(MassAssignmentError, match=ROLE_REFUSED):
        admin.replicate(role="owner")


def test_stacks_definitions_are_guarded_the_same_way(registry: Registry) -> None:
    Account = define_model(
        {"name": "Account", "attributes": {"name": {}, "plan": {"guarded": True}}},
        registry=registry,
    )
    with pytest.raises(MassAssignmentError, match=r"Account\.plan .*account\.plan = \.\.\."):
        Account(name="A", plan="pro")
    assert Account(name="A").force_fill(plan="pro").plan == "pro"


@pytest.mark.parametrize(
    "assign",
    [
        lambda User, user: User(email="a@b.c", name="Ada", nmae="x"),
        lambda User, user: user.fill(nmae="x"),
        lambda User, user: user.force_fill(nmae="x"),
        lambda User, user: user.update(nmae="x"),
        lambda User, user: setattr(user, "nmae", "x"),
    ],
    ids=["constructor", "fill", "force_fill", "update", "assignment"],
)
def test_unknown_names_are_refused_with_a_did_you_mean(User: type[Model], assign: Any) -> None:
    user = loaded(User)
    with pytest.raises(
        AttributeCastError, match="User has no attribute 'nmae'; did you mean 'name'"
    ):
        assign(User, user)
    assert user.is_clean()
    assert "nmae" not in vars(user)


def test_cast_and_own_table_options_are_refused(registry: Registry) -> None:
    with pytest.raises(
        SchemaError, match=r"Secret\.token: attribute\(cast='encrypted'\) is not supported yet"
    ):

        class Secret(Model, registry=registry):
            token: str = attribute(cast="encrypted")

    with pytest.raises(SchemaError, match=r"Audit: table='audit log' is not a DynamoDB table name"):

        class Audit(Model, registry=registry, table="audit log"):
            event: str

    assert "Secret" not in registry
    assert "Audit" not in registry
