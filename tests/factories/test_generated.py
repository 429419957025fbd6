"""Generated factories: values from attribute types, names and rules, never breaking a rule;
Stacks ``factory`` functions read as Faker calls; the layers stay one-way."""

from __future__ import annotations

import ast
import datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path

import pytest

from dynamodb_tooling.factories import Factory, FactoryError
from dynamodb_tooling.factories._faker import shared_faker
from dynamodb_tooling.factories.generated import constraints_of
from dynamodb_tooling.factories.stacks import read_stacks_factory
from dynamodb_tooling.orm import Model, attribute, define_model
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.definitions import RawCode

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "dynamodb_tooling"


class Status(Enum):
    DRAFT = "draft"
    LIVE = "live"


REGISTRY = Registry()


class Profile(Model, registry=REGISTRY):
    email: str = attribute(unique=True, validation="required|email|max:40")
    first_name: str = attribute(validation="required|alpha|max:12")
    website: str = attribute(validation="url")
    title: str = attribute(validation="required|string|min:5|max:20")
    code: str = attribute(validation="size:6")
    plan: str = attribute(validation="in:free,pro,team")
    age: int = attribute(validation="integer|between:18,30")
    rating: int = attribute(validation=RawCode("schema.number().min(1).max(5)"))
    nickname: str = attribute(validation=RawCode("schema.string().minLength(3).maxLength(8)"))
    price: Decimal
    active: bool
    born: datetime.date
    seen_at: datetime.datetime
    tags: set[str]
    scores: set[int]
    status: Status
    notes: list[str]
    settings: dict[str, object]
    nickname_default: str = "kept"


def test_generated_values_never_break_the_declared_rules() -> None:
    Factory.seed(7)
    for profile in Profile.factory().count(200).make():
        profile.validate()  # rule strings and chains: raises on any failure
        assert profile.plan in {"free", "pro", "team"}
        assert 18 <= profile.age <= 30
        assert 1 <= profile.rating <= 5
        assert len(profile.code) == 6
        assert "@" in profile.email
        assert len(profile.email) <= 40
        assert profile.website.startswith("http")
        assert isinstance(profile.status, Status)
        assert isinstance(profile.price, Decimal)
        assert isinstance(profile.active, bool)
        assert isinstance(profile.born, datetime.date)
        assert profile.seen_at.tzinfo is not None
        assert profile.tags
        assert profile.scores
        assert profile.nickname_default == "kept"


def test_unique_values_do_not_collide() -> None:
    emails = [p.email for p in Profile.factory().count(500).make()]
    assert len(set(emails)) == 500


def test_names_choose_realistic_values() -> None:
    registry = Registry()

    class Person(Model, registry=registry):
        email: str
        first_name: str
        phone: str
        city: str

    Factory.seed(3)
    person = Person.fake()
    assert "@" in person.email
    assert person.first_name.isalpha()
    assert any(ch.isdigit() for ch in person.phone)


def test_a_rule_no_value_can_meet_is_a_clear_error() -> None:
    registry = Registry()

    class Odd(Model, registry=registry):
        code: str = attribute(validation="regex:/^Z{3}[0-9]{9}$/")

    with pytest.raises(FactoryError, match=r"Odd\.code: no generated value satisfies its rule"):
        Odd.fake()


def test_constraints_are_read_from_rule_strings_and_chains() -> None:
    found = constraints_of("required|between:2,9|in:a,b")
    assert (found.low, found.high, found.options) == (2.0, 9.0, ["a", "b"])
    chain = constraints_of(RawCode("schema.enum(['x', 'y'])"))
    assert chain.options == ["x", "y"]


STACKS_FACTORY = """(faker) => ({
    email: faker.internet.email(),
    name: faker.person.fullName(),
    age: faker.number.int({ min: 20, max: 25 }),
    role: faker.helpers.arrayElement(['admin', 'member']),
    motto: 'always',
    secret: `secret-${faker.string.alphanumeric(8)}`,
})"""


def test_a_stacks_factory_function_is_read_as_faker_calls() -> None:
    read = read_stacks_factory(RawCode(STACKS_FACTORY))
    assert read.readable
    assert read.skipped == ("secret",)
    Factory.seed(1)
    values = read.values(shared_faker())
    assert "@" in values["email"]
    assert " " in values["name"]
    assert 20 <= values["age"] <= 25
    assert values["role"] in {"admin", "member"}
    assert values["motto"] == "always"


def test_a_stacks_model_factory_uses_the_translated_entries() -> None:
    registry = Registry()
    member = define_model(
        {
            "name": "Member",
            "attributes": {
                "email": {"unique": True},
                "name": {},
                "age": {"type": "integer"},
                "role": {},
                "motto": {},
                "secret": {"validation": {"rule": "required|max:12"}},
            },
            "factory": RawCode(STACKS_FACTORY),
        },
        registry=registry,
    )
    for made in member.factory().count(20).make():
        assert 20 <= made.age <= 25
        assert made.role in {"admin", "member"}
        assert made.motto == "always"
        assert 0 < len(made.secret) <= 12  # not readable: the generated value


def test_an_unreadable_stacks_factory_falls_back_to_generated_values() -> None:
    read = read_stacks_factory(RawCode("function (faker) { const x = 1; return build(x) }"))
    assert not read.readable
    assert read.values(None) == {}  # type: ignore[arg-type]


def _imports(folder: str) -> set[str]:
    names: set[str] = set()
    for path in (PACKAGE / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize(
    ("layer", "higher"),
    [
        ("orm", "factories"),
        ("orm", "seeders"),
        ("query", "factories"),
        ("schema", "factories"),
        ("factories", "cli"),
        ("factories", "seeders"),
        ("seeders", "cli"),
    ],
)
def test_factories_and_seeders_sit_above_the_orm_and_below_the_cli(layer: str, higher: str) -> None:
    prefix = f"dynamodb_tooling.{higher}"
    offenders = {m for m in _imports(layer) if m == prefix or m.startswith(prefix + ".")}
    assert offenders == set()
