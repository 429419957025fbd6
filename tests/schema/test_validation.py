"""Validation rules: Laravel rule strings and Stacks validator chains, compiled once per model,
checked with one error listing every failing attribute."""

import gc
import pickle
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.schema import (
    AttributeDefinition,
    ModelDefinition,
    RawCode,
    Registry,
    SchemaError,
)
from dynamodb_tooling.schema.discovery import load_models
from dynamodb_tooling.schema.stacks import parse_stacks_model
from dynamodb_tooling.schema.ts_literal import parse_call_chain, parse_model_file
from dynamodb_tooling.schema.validation import (
    ModelValidationError,
    RuleCode,
    Rules,
    compile_rules,
    compile_validator,
    validate_values,
    with_messages,
)

BLOG_TS = Path(__file__).parent / "fixtures" / "blog_ts"


class Color(Enum):
    RED = "red"
    BLUE = "blue"


def errors(rule: str | RawCode, value: Any, *, partial: bool = False) -> list[str]:
    """The messages ``rule`` gives for ``value`` (``...`` = the attribute is not given)."""
    values = {} if value is ... else {"a": value}
    return compile_rules(rule, "a").errors(values, partial=partial)


def code(text: str) -> RawCode:
    return RawCode(text)


# Laravel rule strings: each rule passes a good value and names what is wrong with a bad one.
RULES: list[tuple[str, Any, Any, str]] = [
    ("string", "x", 3, "must be a string"),
    ("string", Color.RED, b"x", "must be a string"),
    ("integer", 3, 3.5, "must be an integer"),
    ("integer", "-12", "1e3", "must be an integer"),
    ("integer", Decimal("4"), True, "must be an integer"),
    ("numeric", Decimal("1.5"), "abc", "must be a number"),
    ("numeric", "2.5", False, "must be a number"),
    ("numeric", 7, float("nan"), "must be a number"),
    ("boolean", False, 2, "must be true or false"),
    ("boolean", "1", "yes", "must be true or false"),
    ("email", "ada@example.com", "ada@example", "must be a valid email address"),
    ("email", "a.b+c@d.co.uk", "a b@c.de", "must be a valid email address"),
    ("url", "https://example.com/x?y=1", "example.com", "must be a valid URL"),
    ("url", "ftp://files.example.org", "http://", "must be a valid URL"),
    ("uuid", "3f2b8c0e-1d2a-4c3b-9a8f-0123456789ab", "3f2b8c0e1d2a", "must be a valid UUID"),
    ("ulid", "01J0Z3Y4X5W6V7T8S9R0Q1P2N3", "01J0Z3Y4X5W6V7T8S9R0Q1P2NU", "must be a valid ULID"),
    ("alpha", "Ada", "Ada1", "must be only letters"),
    ("alpha_num", "Ada1", "Ada-1", "must be only letters and digits"),
    ("alpha_dash", "ada_l-1", "ada l", "must be only letters, digits, - and _"),
    ("date", "2026-01-02", "02/01/2026", "must be a date (ISO 8601)"),
    ("date", "2026-01-02T03:04:05Z", 20260102, "must be a date (ISO 8601)"),
    ("array", ["x"], "x", "must be a list"),
    ("json", '{"a": 1}', "{a: 1}", "must be valid JSON"),
    ("min:3", "abc", "ab", "must be at least 3 characters"),
    ("min:2", [1, 2], [1], "must be at least 2 items"),
    ("min:18", 18, 17, "must be at least 18"),
    ("max:3", "abc", "abcd", "must be at most 3 characters"),
    ("max:1.5", Decimal("1.5"), 1.6, "must be at most 1.5"),
    ("between:2,4", "abcd", "a", "must be between 2 and 4 characters"),
    ("between:1,10", 10, 11, "must be between 1 and 10"),
    ("size:2", "ab", "abc", "must be exactly 2 characters"),
    ("numeric|min:10", "10", "9", "must be at least 10"),
    ("min:3", "100", "99", "must be at least 3 characters"),
    ("in:draft,published", "draft", "deleted", "must be one of: draft, published"),
    ("in:1,2", 2, 3, "must be one of: 1, 2"),
    ("in:red", Color.RED, Color.BLUE, "must be one of: red"),
    ("not_in:admin,root", "ada", "root", "must not be one of: admin, root"),
    ("regex:/^[a-z]+$/i", "AbC", "ab1", "has an invalid format"),
    ("regex:^\\d{3}$", "123", "1234", "has an invalid format"),
    ("regex:/^(a|b)$/", "b", "c", "has an invalid format"),
    ("not_regex:/admin/", "ada", "superadmin", "has an invalid format"),
    ("starts_with:+,00", "+44", "44", "must start with one of: +, 00"),
    ("ends_with:.com", "x.com", "x.org", "must end with one of: .com"),
]


@pytest.mark.parametrize(("rule", "good", "bad", "message"), RULES)
def test_each_laravel_rule_passes_good_values_and_names_the_problem(
    rule: str, good: Any, bad: Any, message: str
) -> None:
    assert errors(rule, good) == []
    assert errors(rule, bad) == [message]


def test_required_refuses_missing_none_and_empty_values() -> None:
    empties: tuple[Any, ...] = (..., None, "", "   ", [], {})
    for value in empties:
        assert errors("required|string", value) == ["is required"]
    assert errors("required|string", "x") == []
    assert errors("filled", "") == ["is required"]
    assert errors("filled", ...) == []


def test_none_skips_every_rule_but_required() -> None:
    assert errors("nullable|email|min:3", None) == []
    assert errors("sometimes|bail|email", ...) == []


def test_partial_checks_only_the_given_attributes() -> None:
    assert errors("required|email", ..., partial=True) == []
    assert errors("required|email", "x", partial=True) == ["must be a valid email address"]
    # Removing a required attribute on an update is still refused.
    assert errors("required|email", None, partial=True) == ["is required"]


def test_required_if_depends_on_another_attribute() -> None:
    rules = compile_rules("required_if:status,published,archived", "published_at")
    assert rules.errors({"status": "published"}, partial=False) == ["is required"]
    assert rules.errors({"status": "draft"}, partial=False) == []
    assert rules.errors({"status": "draft", "published_at": None}, partial=True) == []


def test_a_failed_type_rule_stops_the_other_checks_of_the_attribute() -> None:
    assert errors("min:3|email|string", 12) == ["must be a string"]
    assert errors("string|min:5|email", "abc") == [
        "must be at least 5 characters",
        "must be a valid email address",
    ]


def test_values_that_cannot_be_measured_fail_instead_of_crashing() -> None:
    assert errors("min:1", object()) == ["must be a number, a string or a list to be measured"]
    assert errors("email", 3) == ["must be a valid email address"]
    assert errors("in:a", {"x": 1}) == ["must be one of: a"]


# Stacks validator chains (as read from .ts files, kept as code).
CHAINS: list[tuple[str, Any, Any, list[str]]] = [
    ("schema.string()", "x", 1, ["must be a string"]),
    ("schema.string().minLength(1).maxLength(3)", "abc", "", ["must be at least 1 characters"]),
    ("schema.string().minLength(1).maxLength(3)", "a", "abcd", ["must be at most 3 characters"]),
    ("schema.string().min(2)", "ab", "a", ["must be at least 2 characters"]),
    ("schema.string().fixedLength(2)", "ab", "a", ["must be exactly 2 characters"]),
    ("schema.string().email()", "a@b.co", "a@b", ["must be a valid email address"]),
    ("schema.string()\n    .url()", "https://x.io", "x.io", ["must be a valid URL"]),
    (
        "schema.string().uuid()",
        "3f2b8c0e-1d2a-4c3b-9a8f-0123456789ab",
        "x",
        ["must be a valid UUID"],
    ),
    ("schema.string().alphaNumeric()", "a1", "a-1", ["must be only letters and digits"]),
    ("schema.string().regex(/^[A-Z]{2}$/)", "GB", "gb", ["has an invalid format"]),
    ("schema.string().matches(/^[a-z]+$/i)", "Gb", "g1", ["has an invalid format"]),
    ("schema.string().startsWith('+')", "+1", "1", ["must start with one of: +"]),
    (
        "schema.string().endsWith('.io', '.dev')",
        "x.dev",
        "x.com",
        ["must end with one of: .io, .dev"],
    ),
    ("schema.string().in(['a', 'b'])", "a", "c", ["must be one of: a, b"]),
    ("schema.number()", 1, "x", ["must be a number"]),
    ("schema.number().min(0)", 0, -1, ["must be at least 0"]),
    ("schema.number().max(10)", Decimal("10"), 10.5, ["must be at most 10"]),
    ("schema.number().range([1, 5])", 5, 6, ["must be between 1 and 5"]),
    ("schema.number().between(1, 5)", 1, 0, ["must be between 1 and 5"]),
    ("schema.number().positive()", 1, 0, ["must be positive"]),
    ("schema.number().negative()", -1, 1, ["must be negative"]),
    ("schema.number().withoutDecimals()", 2, 2.5, ["must be an integer"]),
    ("schema.number().integer()", Decimal("3"), Decimal("3.1"), ["must be an integer"]),
    ("schema.boolean()", True, "true", ["must be true or false"]),
    ("schema.date()", "2026-01-02", "tomorrow", ["must be a date (ISO 8601)"]),
    ("schema.enum(['draft', 'published'])", "draft", "x", ["must be one of: draft, published"]),
    ("schema.enum([1, 2] as const)", 2, 3, ["must be one of: 1, 2"]),
    ("schema.array().minLength(1)", ["x"], [], ["must be at least 1 items"]),
    ("schema.array().notEmpty()", ["x"], [], ["must be at least 1 items"]),
    ("vine.string().maxLength(2)", "ab", "abc", ["must be at most 2 characters"]),
    ("v.number().min(1)", 1, 0, ["must be at least 1"]),
]


@pytest.mark.parametrize(("chain", "good", "bad", "messages"), CHAINS)
def test_stacks_validator_chains_are_checked(
    chain: str, good: Any, bad: Any, messages: list[str]
) -> None:
    assert errors(code(chain), good) == []
    assert errors(code(chain), bad) == messages


def test_chain_required_and_optional() -> None:
    assert errors(code("schema.string().email().required()"), ...) == ["is required"]
    assert errors(code("schema.string().email().optional()"), ...) == []
    assert errors(code("schema.string().required()"), "") == ["is required"]


def test_length_checks_do_not_measure_numbers() -> None:
    assert errors(code("schema.string().minLength(1)"), 5) == ["must be a string"]
    assert errors(code("schema.array().maxLength(1)"), 5) == ["must be a list"]


# Custom messages.
def test_custom_messages_by_rule_name_with_placeholders() -> None:
    rule = with_messages(
        "required|string|min:3",
        {"required": "Give :attribute", "min": ":attribute needs :min+ characters"},
    )
    rules = compile_rules(rule, "name")
    assert rules.errors({}, partial=False) == ["Give name"]
    assert rules.errors({"name": "ab"}, partial=False) == ["name needs 3+ characters"]
    assert rules.errors({"name": 3}, partial=False) == ["must be a string"]


def test_one_message_string_applies_to_every_rule() -> None:
    rule = with_messages(code("schema.string().email().required()"), "Use your email")
    assert isinstance(rule, RuleCode)
    assert rule == RawCode("schema.string().email().required()")
    assert errors(rule, ...) == ["Use your email"]
    assert errors(rule, "x") == ["Use your email"]
    assert errors(rule, 3) == ["Use your email"]


def test_chain_message_keys_match_in_either_spelling() -> None:
    for key in ("maxLength", "max_length", "maxlength"):
        rule = with_messages(code("schema.string().maxLength(2)"), {key: "at most :max"})
        assert errors(rule, "abc") == ["at most 2"]
    enum = with_messages(code("schema.enum(['a', 'b'])"), {"enum": "pick :values"})
    assert errors(enum, "c") == ["pick a, b"]


def test_rules_carrying_messages_behave_as_their_text() -> None:
    rule = Rules("required|email", {"email": "bad email"})
    assert rule == "required|email"
    assert errors(rule, "x") == ["bad email"]
    copied = pickle.loads(pickle.dumps(rule))
    assert (copied, copied.messages) == ("required|email", {"email": "bad email"})
    assert with_messages("email", None) == "email"
    assert type(with_messages("email", {})) is str


# Definition-time errors.
BAD_RULES: list[tuple[str | RawCode, list[str]]] = [
    ("required|emial", ["unknown validation rule 'emial'", "known rules: required"]),
    ("confirmed", ["unknown validation rule 'confirmed'", "compare the two values"]),
    ("min", ["'min' in 'min'", "min takes 1 argument(s), got 0"]),
    ("between:1", ["between takes 2 argument(s), got 1"]),
    ("in", ["in takes 1+ argument(s), got 0"]),
    ("required:yes", ["required takes 0 argument(s)"]),
    ("size:big", ["size needs a number, got 'big'"]),
    ("regex:/(/", ["invalid regular expression '('"]),
    ("regex:/a/q", ["unknown regular expression flag 'q'"]),
    (code("custom(value)"), ["`custom(value)` is not a validator chain"]),
    (code("rules.string()"), ["`rules.string()` is not a validator chain"]),
    (code("schema"), ["`schema` is not a validator chain"]),
    (code("schema.string(3)"), ["string() takes 0 argument(s), got 1"]),
    (code("schema.object()"), ["unknown validator object()", "known: string, number"]),
    (code("schema.array(schema.string())"), ["element validators are not supported yet"]),
    (code("schema.string().trim()"), [".trim() is not a known check of string()"]),
    (code("schema.number().email()"), [".email() is not a known check of number()"]),
    (code("schema.string().minLength(-1)"), [".minLength() needs a whole number ≥ 0"]),
    (code("schema.string().regex('(')"), ["invalid regular expression"]),
    (code("schema.number().min('x')"), [".min() needs a number, got 'x'"]),
    (code("schema.enum(STATUSES)"), ["enum() needs a list of values", "STATUSES"]),
    (code("schema.string().in('a')"), [".in() needs a list of values"]),
    (code("schema.string().startsWith(1)"), ["startsWith needs strings, got [1]"]),
]


@pytest.mark.parametrize(("rule", "fragments"), BAD_RULES)
def test_unknown_or_malformed_rules_are_schema_errors(
    rule: str | RawCode, fragments: list[str]
) -> None:
    with pytest.raises(SchemaError) as caught:
        compile_rules(rule, "a")
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_messages_must_name_rules_of_the_attribute() -> None:
    with pytest.raises(SchemaError, match="custom messages for emial name no rule"):
        compile_rules(with_messages("email", {"emial": "x"}), "a")
    with pytest.raises(SchemaError, match="must be a message string or an object"):
        with_messages("email", {"email": 3})


# Whole models.
def user() -> ModelDefinition:
    return parse_stacks_model(
        {
            "name": "User",
            "attributes": {
                "email": {"validation": {"rule": "required|email"}},
                "name": {"validation": {"rule": "required|string|min:2|max:20"}},
                "age": {"type": "integer", "nullable": True, "validation": "integer|min:0"},
                "nick": {"nullable": True, "validation": "required|alpha"},
                "bio": {"nullable": True},
            },
        }
    )


def test_one_error_lists_every_failing_attribute() -> None:
    with pytest.raises(ModelValidationError) as caught:
        validate_values(user(), {"email": "nope", "age": -1}, partial=False)
    error = caught.value
    assert isinstance(error, DynamoDBToolingError)
    assert error.model == "User"
    assert error.errors == {
        "email": ["must be a valid email address"],
        "name": ["is required"],
        "age": ["must be at least 0"],
    }
    assert str(error) == (
        "User values fail validation (3 attributes); fix these values and retry (nothing was "
        "sent):\n  - User.email: must be a valid email address\n  - User.name: is required\n"
        "  - User.age: must be at least 0"
    )


def test_valid_values_pass_and_updates_check_only_what_they_change() -> None:
    definition = user()
    validate_values(definition, {"email": "a@b.co", "name": "Ada", "bio": "x"}, partial=False)
    validate_values(definition, {"age": 3}, partial=True)
    with pytest.raises(ModelValidationError) as caught:
        validate_values(definition, {"name": "A", "email": None}, partial=True)
    assert caught.value.errors == {
        "email": ["is required"],
        "name": ["must be at least 2 characters"],
    }


def test_a_nullable_attribute_may_be_absent_but_not_empty() -> None:
    definition = user()
    base = {"email": "a@b.co", "name": "Ada"}
    validate_values(definition, {**base, "nick": None}, partial=False)
    with pytest.raises(ModelValidationError) as caught:
        validate_values(definition, {**base, "nick": ""}, partial=False)
    assert caught.value.errors == {"nick": ["is required"]}


def test_validators_are_compiled_once_per_definition() -> None:
    definition = user()
    validator = compile_validator(definition)
    assert compile_validator(definition) is validator
    assert [f.attribute for f in validator.fields] == ["email", "name", "age", "nick"]
    other = user()
    assert other == definition  # equal definitions (rules do not count) ...
    assert compile_validator(other) is not validator  # ... still get their own validator
    assert compile_validator(ModelDefinition("Bare", "BARE")).fields == ()


def test_a_forgotten_definition_releases_its_validator() -> None:
    from dynamodb_tooling.schema import validation

    definition = user()
    compile_validator(definition)
    key = id(definition)
    assert key in validation._VALIDATORS
    del definition
    gc.collect()
    assert key not in validation._VALIDATORS


def test_unknown_rules_on_a_definition_name_model_and_attribute() -> None:
    # A definition built by hand (or by a front end that does not compile rules itself).
    broken = ModelDefinition(
        "Thing", "THING", attributes=(AttributeDefinition("code", validation="required|zip"),)
    )
    with pytest.raises(SchemaError, match=r"Thing\.code: validation rule 'zip' in"):
        compile_validator(broken)


# Stacks files: chains read from .ts sources.
def test_parse_call_chain_reads_methods_and_literal_arguments() -> None:
    assert parse_call_chain("schema.string()\n  .minLength(3) // min\n  .regex(/a|b/i)") == (
        "schema",
        [("string", []), ("minLength", [3]), ("regex", [RawCode("/a|b/i")])],
    )
    assert parse_call_chain("v.enum(['a', 1] as const)") == ("v", [("enum", [["a", 1]])])
    for bad in ("schema.", "schema.string(", "schema string()", "(x) => x"):
        with pytest.raises(SchemaError):
            parse_call_chain(bad)


def test_constants_named_in_a_chain_are_inlined_from_the_file() -> None:
    text = """
    const STATUSES = ['draft', 'published'] as const
    const LIMIT: number = 5
    const helper = () => 1
    export default {
      name: 'Post',
      attributes: {
        status: { validation: { rule: schema.enum(STATUSES) } },
        title: { validation: { rule: schema.string().maxLength(LIMIT) } },
        other: { validation: { rule: schema.enum(helper) } },
        unknown: { validation: { rule: schema.enum(MISSING) } },
      },
      factory: (faker) => ({ status: STATUSES[0] }),
    }
    """
    data = parse_model_file(text, source="Post.ts")
    rules = {name: a["validation"]["rule"] for name, a in data["attributes"].items()}
    assert rules == {
        "status": RawCode("schema.enum(['draft', 'published'])"),
        "title": RawCode("schema.string().maxLength(5)"),
        "other": RawCode("schema.enum(helper)"),
        "unknown": RawCode("schema.enum(MISSING)"),
    }
    assert data["factory"] == RawCode("(faker) => ({ status: STATUSES[0] })")


def test_the_blog_ts_models_validate_with_their_rules_and_messages() -> None:
    registry = Registry(validate_config())
    load_models(BLOG_TS, registry=registry)
    post = registry.model("Post")
    with pytest.raises(ModelValidationError) as caught:
        validate_values(post, {"title": 3, "status": "deleted"}, partial=False)
    assert caught.value.errors == {
        "title": ["`title` must be a string"],
        "status": ["must be one of: draft, published"],
    }
    user = registry.model("User")
    with pytest.raises(ModelValidationError) as caught:
        validate_values(user, {"email": "x", "name": "Al", "age": 1.5}, partial=True)
    assert caught.value.errors == {
        "email": ["Email must be a valid email address"],
        "name": ["must be at least 3 characters"],
        "age": ["must be an integer"],
    }
    team = registry.model("Team")
    with pytest.raises(ModelValidationError, match=r"Team\.name: A team needs a name"):
        validate_values(team, {"name": " "}, partial=True)
    validate_values(registry.model("Order"), {"total": 0}, partial=True)
    with pytest.raises(ModelValidationError, match=r"Order\.total: must be at least 0"):
        validate_values(registry.model("Order"), {"total": -5}, partial=True)
