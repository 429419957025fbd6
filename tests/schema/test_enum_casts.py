"""Enum attributes: only members (or their values) are written, a stored value the Enum does not
have is an AttributeCastError naming the attribute (never a raw ValueError), and a hidden
attribute's value never appears in a cast error. Non-finite numbers never escape a validation
rule as a raw Python error."""

from decimal import Decimal
from enum import Enum, IntEnum
from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.errors import ModelValidationError
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.schema import AttributeDefinition, Registry
from dynamodb_tooling.schema.casts import AttributeCastError, from_storage, to_storage
from dynamodb_tooling.schema.validation import compile_rules


class Status(Enum):
    DRAFT = "draft"
    LIVE = "live"


class Level(IntEnum):
    LOW = 1
    HIGH = 2


class Other(Enum):
    DRAFT = "draft"
    GONE = "gone"


STATUS = AttributeDefinition("status", "string", python_type=Status)
LEVEL = AttributeDefinition("level", "integer", python_type=Level)


@pytest.mark.parametrize("value", [Status.LIVE, "live"])
def test_a_member_or_a_members_value_is_stored_as_the_value(value: Any) -> None:
    assert to_storage(STATUS, value, "Post") == "live"


@pytest.mark.parametrize("value", [Level.HIGH, 2, "2", Decimal(2)])
def test_int_enums_take_their_members_and_values(value: Any) -> None:
    assert to_storage(LEVEL, value, "Task") == 2


@pytest.mark.parametrize("value", ["bogus", "DRAFT", "Draft", Other.GONE])
def test_a_non_member_is_refused_naming_the_attribute_the_value_and_the_allowed_ones(
    value: Any,
) -> None:
    with pytest.raises(AttributeCastError) as caught:
        to_storage(STATUS, value, "Post")
    message = str(caught.value)
    assert message.startswith("Post.status must be a Status (one of 'draft', 'live')")
    assert repr(value) in message


@pytest.mark.parametrize("value", [3, 0, "7"])
def test_an_int_enum_refuses_other_numbers(value: Any) -> None:
    with pytest.raises(AttributeCastError, match=r"Task\.level must be a Level \(one of 1, 2\)"):
        to_storage(LEVEL, value, "Task")
    with pytest.raises(AttributeCastError, match=r"Task\.level must be an integer, got bool"):
        to_storage(LEVEL, True, "Task")


def test_a_foreign_members_value_counts_when_it_is_a_members_value() -> None:
    # Stored as its value, which the declared Enum has: nothing wrong is written.
    assert to_storage(STATUS, Other.DRAFT, "Post") == "draft"


def test_none_still_follows_nullability() -> None:
    nullable = AttributeDefinition("status", "string", nullable=True, python_type=Status)
    assert to_storage(nullable, None, "Post") is None
    with pytest.raises(AttributeCastError, match="not nullable"):
        to_storage(STATUS, None, "Post")


def test_stored_members_read_back_as_members() -> None:
    assert from_storage(STATUS, "draft", "Post") is Status.DRAFT
    assert from_storage(LEVEL, 2, "Task") is Level.HIGH


@pytest.mark.parametrize(("attribute", "stored"), [(STATUS, "bogus"), (LEVEL, 9)])
def test_a_stored_non_member_is_a_cast_error_never_a_value_error(
    attribute: AttributeDefinition, stored: Any
) -> None:
    with pytest.raises(AttributeCastError) as caught:
        from_storage(attribute, stored, "Post")
    message = str(caught.value)
    assert f"Post.{attribute.name}" in message
    assert "the stored item holds" in message
    assert f"a value the {attribute.python_type.__name__} enum does not have" in message
    assert repr(stored) in message
    assert not isinstance(caught.value, ValueError)


def test_models_refuse_non_members_before_any_request() -> None:
    registry = Registry(validate_config())

    class Post(Model, registry=registry):
        title: str
        status: Status = Status.DRAFT

    with pytest.raises(AttributeCastError, match=r"Post\.status must be a Status"):
        Post(title="t", status="bogus").to_item()
    assert Post(title="t", status="live").to_item()["status"] == "live"
    item = Post(title="t").to_item()
    with pytest.raises(AttributeCastError, match="a value the Status enum does not have"):
        Post.from_item({**item, "status": "bogus"})


# Hidden attributes: cast errors say what is wrong, never the value.
SECRET = AttributeDefinition("api_key", "string", hidden=True)
HIDDEN_STATUS = AttributeDefinition("status", "string", hidden=True, python_type=Status)


def test_a_hidden_attributes_bad_value_is_not_shown() -> None:
    with pytest.raises(AttributeCastError) as caught:
        to_storage(SECRET, 1234567, "Client")
    message = str(caught.value)
    assert "Client.api_key (hidden) must be a string" in message
    assert "1234567" not in message
    assert caught.value.__context__ is None or "1234567" not in str(caught.value.__context__)
    for stored, declared in (("sk_live_XYZ", HIDDEN_STATUS), (98765, SECRET)):
        with pytest.raises(AttributeCastError) as read:
            from_storage(declared, stored, "Client")
        assert str(stored) not in str(read.value)
        assert "(hidden)" in str(read.value) or "not shown" in str(read.value)
    with pytest.raises(AttributeCastError) as enum_error:
        to_storage(HIDDEN_STATUS, "sk_live_XYZ", "Client")
    assert "sk_live_XYZ" not in str(enum_error.value)
    assert "one of 'draft', 'live'" in str(enum_error.value)


# Validation rules and non-finite numbers.
NON_FINITE = [
    float("inf"),
    float("-inf"),
    float("nan"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("NaN"),
    Decimal("sNaN"),
]
RULES = [
    "in:1,2",
    "not_in:0",
    "numeric",
    "integer",
    "boolean",
    "string",
    "array",
    "date",
    "json",
    "email",
    "min:1",
    "max:5",
    "between:1,5",
    "size:2",
    "integer|min:1",
    "numeric|between:1,5",
    "regex:/x/",
    "starts_with:a",
]
CHAINS = [
    "schema.number().min(0)",
    "schema.number().positive()",
    "schema.number().negative()",
    "schema.number().integer()",
    "schema.number().in([1, 2])",
    "schema.enum([1, 2])",
    "schema.boolean()",
    "schema.string().minLength(1)",
    "schema.array().notEmpty()",
]


@pytest.mark.parametrize("value", NON_FINITE, ids=repr)
def test_no_rule_raises_on_a_non_finite_number(value: Any) -> None:
    from dynamodb_tooling.schema import RawCode

    rules: list[Any] = [*RULES, *(RawCode(chain) for chain in CHAINS)]
    for rule in rules:
        compiled = compile_rules(rule, "a")
        messages = compiled.errors({"a": value}, partial=False)
        assert all(isinstance(m, str) for m in messages), rule
    # A finite-only rule refuses it; "in" never matches it.
    assert compile_rules("in:1,2", "a").errors({"a": value}, partial=False)
    assert compile_rules("numeric", "a").errors({"a": value}, partial=False)
    # required_if reads the other attribute's value.
    required_if = compile_rules("required_if:b,1", "a")
    assert required_if.errors({"b": value}, partial=False) == []


def test_models_report_non_finite_values_as_validation_errors() -> None:
    registry = Registry(validate_config())

    class Item(Model, registry=registry):
        score: float | None = attribute(validation="nullable|in:1,2", default=None)
        kind: str | None = attribute(validation="nullable|required_if:score,1", default=None)
        flag: bool | None = attribute(validation="nullable|boolean", default=None)

    from dynamodb_tooling.schema.validation import validate_values

    definition = Item.__definition__
    for values in ({"score": float("inf")}, {"kind": "x", "score": float("-inf")}):
        with pytest.raises(ModelValidationError, match=r"Item\.score: must be one of"):
            validate_values(definition, values, partial=False)
    with pytest.raises(ModelValidationError, match=r"Item\.score: must be one of"):
        validate_values(definition, {"kind": "x", "score": float("nan")}, partial=True)
    with pytest.raises(ModelValidationError, match=r"Item\.flag: must be true or false"):
        validate_values(definition, {"flag": Decimal("sNaN")}, partial=True)
