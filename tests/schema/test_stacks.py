"""Stacks model dicts → ModelDefinition: the blog written the Stacks way is the same blog."""

from collections.abc import Iterable
from typing import Any

import pytest

from dynamodb_tooling.config import validate_config
from dynamodb_tooling.schema import (
    IndexDefinition,
    ModelDefinition,
    RawCode,
    Registry,
    RelationDefinition,
    SchemaError,
    Traits,
)
from dynamodb_tooling.schema import registry as registry_module
from dynamodb_tooling.schema.stacks import TYPE_ALIASES, parse_stacks_model, register_stacks_model
from tests.schema import blog
from tests.schema.fixtures import blog_stacks

PAIRS = [
    (blog_stacks.TEAM, blog.TEAM),
    (blog_stacks.USER, blog.USER),
    (blog_stacks.POST, blog.POST),
    (blog_stacks.COMMENT, blog.COMMENT),
    (blog_stacks.ROLE, blog.ROLE),
    (blog_stacks.ORDER, blog.ORDER),
    (blog_stacks.ORDER_LINE, blog.ORDER_LINE),
]

# Values for every key-bearing attribute of each blog model.
SAMPLES: dict[str, dict[str, Any]] = {
    "Team": {"id": "t1"},
    "User": {"id": "u1", "team_id": "t1"},
    "Post": {"id": "p1", "user_id": "u1", "status": "draft"},
    "Comment": {"id": "c1", "post_id": "p1", "user_id": "u1"},
    "Role": {"id": "r1"},
    "Order": {"id": "o1", "user_id": "u1", "created_at": "2026-01-02T00:00:00+00:00"},
    "OrderLine": {"id": "l1", "order_id": "o1", "user_id": "u1"},
}


def registry_of(definitions: Iterable[ModelDefinition]) -> Registry:
    registry = Registry(validate_config())
    for definition in definitions:
        registry.register(definition)
    return registry


def model(**props: Any) -> ModelDefinition:
    return parse_stacks_model({"name": "Thing", **props}, source="models/Thing.json")


def attribute(**options: Any) -> Any:
    definition = model(attributes={"a": options}).attribute("a")
    assert definition is not None
    return definition


# The blog.
@pytest.mark.parametrize(("data", "expected"), PAIRS, ids=lambda v: getattr(v, "name", ""))
def test_blog_model_parses_to_the_canonical_definition(
    data: dict[str, Any], expected: ModelDefinition
) -> None:
    assert parse_stacks_model(data) == expected


def test_only_user_differs_from_the_fixture_and_only_in_relation_order() -> None:
    user = parse_stacks_model(blog_stacks.USER)
    assert set(user.relations) == set(blog.USER.relations)
    assert [r.name for r in user.relations] == ["team", "posts", "orders", "roles"]
    for data, expected in PAIRS:
        if expected is not blog.USER:
            assert parse_stacks_model(data) == expected


def test_blog_registry_equals_the_canonical_registry() -> None:
    stacks = Registry(validate_config())
    for data in blog_stacks.BLOG_STACKS:
        register_stacks_model(data, stacks)
    assert stacks == registry_of(blog.BLOG)
    canonical = registry_of(blog.BLOG)
    for name, values in SAMPLES.items():
        assert stacks.keys.item_keys(name, values) == canonical.keys.item_keys(name, values)
    pivot = stacks.schema.pivot("RoleUser")
    assert stacks.keys.edge_keys(pivot, "u1", "r1") == canonical.keys.edge_keys(
        canonical.schema.pivot("RoleUser"), "u1", "r1"
    )
    assert stacks.keys.sentinel_key("User", "email", "a@b.c") == canonical.keys.sentinel_key(
        "User", "email", "a@b.c"
    )
    assert stacks.table_definition() == canonical.table_definition()


def test_register_defaults_to_the_application_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = Registry(validate_config())
    monkeypatch.setattr(registry_module, "_global", fresh)
    definition = register_stacks_model(blog_stacks.ROLE)
    assert fresh.model("Role") is definition


# Properties.
@pytest.mark.parametrize(("alias", "expected"), sorted(TYPE_ALIASES.items()))
def test_type_names_map_to_attribute_types(alias: str, expected: str) -> None:
    assert attribute(type=alias).type == expected
    assert attribute(type=alias.upper()).type == expected


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, "string"),
        ({"cast": "integer"}, "integer"),
        ({"cast": "Boolean"}, "boolean"),
        ({"type": "integer", "cast": "int"}, "integer"),
        ({"validation": {"rule": "required|integer|min:1"}}, "integer"),
        ({"validation": {"rule": "required|email"}}, "string"),
        ({"validation": {"rule": "nullable|boolean"}}, "boolean"),
        ({"validation": {"rule": RawCode("schema.number().withoutDecimals()")}}, "integer"),
        ({"validation": {"rule": RawCode("schema.number().min(0)")}}, "number"),
        ({"validation": {"rule": RawCode("schema.boolean().required()")}}, "boolean"),
        ({"validation": {"rule": RawCode("schema.date()")}}, "date"),
        ({"validation": {"rule": RawCode("schema.enum(['a', 'b'])")}}, "string"),
        ({"validator": {"rule": RawCode("schema.array()")}}, "list"),
        ({"validation": "json"}, "json"),
    ],
)
def test_missing_type_is_inferred_from_cast_then_rule(
    options: dict[str, Any], expected: str
) -> None:
    assert attribute(**options).type == expected


def test_attribute_string_shorthand_is_a_type() -> None:
    assert model(attributes={"age": "integer"}).attributes[0].type == "integer"


def test_attribute_flags_and_options() -> None:
    definition = attribute(
        type="string",
        unique=True,
        hidden=True,
        guarded=True,
        fillable=False,
        cast="string",
        description="the secret",
        index={"sortBy": "created_at"},
    )
    assert (definition.unique, definition.hidden, definition.guarded) == (True, True, True)
    # A cast naming a type is the type, so it is not kept as a cast (nothing would apply it).
    assert (definition.fillable, definition.cast, definition.description) == (
        False,
        None,
        "the secret",
    )
    assert (definition.index, definition.index_sort) == (True, "created_at")


@pytest.mark.parametrize(
    ("options", "nullable", "required", "has_default"),
    [
        ({}, False, True, False),
        ({"nullable": True}, True, False, True),
        ({"required": False}, True, False, True),
        ({"required": True, "nullable": True}, True, False, True),
        ({"default": "draft"}, False, False, True),
        ({"default": "draft", "required": True}, False, True, True),
        ({"default": "draft", "validation": {"rule": "required|string"}}, False, True, True),
        (
            {"default": 1, "validation": {"rule": RawCode("schema.number().required()")}},
            False,
            True,
            True,
        ),
        ({"nullable": True, "validation": {"rule": "required"}}, True, False, True),
        ({"default": 1, "validation": {"rule": "required_if:x,1"}}, False, False, True),
    ],
)
def test_nullable_default_and_required(
    options: dict[str, Any], nullable: bool, required: bool, has_default: bool
) -> None:
    definition = attribute(**options)
    assert (definition.nullable, definition.required, definition.has_default) == (
        nullable,
        required,
        has_default,
    )


def test_validation_messages_travel_with_the_rule() -> None:
    rule = RawCode("schema.string().required().maxLength(5)")
    definition = attribute(validation={"rule": rule, "message": {"maxLength": "too long"}})
    assert definition.validation == rule
    assert definition.validation.messages == {"maxlength": "too long"}
    text = attribute(validation={"rule": "required|email", "message": "Give an email"})
    assert text.validation == "required|email"
    assert text.validation.messages == {"*": "Give an email"}
    assert text.required


def test_validation_rule_is_kept_and_code_defaults_stay_code() -> None:
    rule = RawCode("schema.string().email()")
    definition = attribute(
        validation={"rule": rule, "message": {"email": "bad"}}, default=RawCode("() => 'x'")
    )
    assert definition.validation == rule
    assert definition.default == RawCode("() => 'x'")
    assert attribute(validation={"rule": "required|email"}).validation == "required|email"


def test_model_level_properties() -> None:
    definition = model(
        primaryKey="thing_id",
        pkPrefix="TH",
        indexes=[
            {"name": "by_status", "columns": ["status", "created_at"]},
            {"name": "by_owner", "columns": ["owner"], "projection": "keys_only"},
        ],
        factory=RawCode("(faker) => ({})"),
    )
    assert (definition.table, definition.primary_key, definition.prefix) == (
        None,
        "thing_id",
        "TH",
    )
    assert definition.indexes == (
        IndexDefinition("by_status", ("status", "created_at")),
        IndexDefinition("by_owner", ("owner",), "KEYS_ONLY"),
    )
    assert definition.factory == RawCode("(faker) => ({})")


def test_factory_that_is_not_code_is_kept_as_text() -> None:
    assert model(factory={"count": 3}).factory == RawCode("{'count': 3}")
    assert model(factory=registry_of).factory == RawCode("tests.schema.test_stacks.registry_of")


@pytest.mark.parametrize(
    ("traits", "expected"),
    [
        ({}, Traits()),
        ({"useTimestamps": True, "useSoftDeletes": True}, Traits(True, True)),
        ({"timestampable": True, "softDeletable": True}, Traits(True, True)),
        ({"use_timestamps": True, "soft_deletable": True}, Traits(True, True)),
        ({"useUuid": True}, Traits(id_strategy="uuid")),
        ({"useUuid": False}, Traits(id_strategy="ulid")),
        ({"useTtl": True}, Traits(ttl=True)),
        ({"useTtl": {"attribute": "expires_at"}}, Traits(ttl=True, ttl_attribute="expires_at")),
        ({"useVersioning": True}, Traits(versioning=True)),
        ({"useSeeder": {"count": 10}, "useSearch": {"displayable": ["x"]}}, Traits()),
    ],
)
def test_traits(traits: dict[str, Any], expected: Traits) -> None:
    assert model(traits=traits).traits == expected


def test_ignored_stacks_properties_are_noted() -> None:
    definition = model(
        autoIncrement=True,
        dashboard={"highlight": True},
        attributes={"a": {"order": 1, "factory": RawCode("f => f.word()")}},
        traits={"useSeeder": {"count": 3}},
    )
    assert len(definition.notes) == 5
    assert "'autoIncrement' in the model" in definition.notes[0]
    assert definition == model(attributes={"a": {}})  # notes do not take part in equality


def test_relation_options() -> None:
    definition = model(
        belongsTo=[
            {
                "model": "Owner",
                "relationName": "author",
                "foreignKey": "author_id",
                "index": False,
                "shards": 4,
            }
        ],
        hasOne=["Profile"],
        belongsToMany=[{"model": "Tag", "pivot": "ThingTag", "pivotAttributes": ["weight"]}],
        hasMany=[{"model": "Category", "sortBy": "created_at"}],
    )
    assert definition.relations == (
        RelationDefinition(
            "author", "belongs_to", "Owner", foreign_key="author_id", index=False, shards=4
        ),
        RelationDefinition("profile", "has_one", "Profile"),
        RelationDefinition("categories", "has_many", "Category", sort_by="created_at"),
        RelationDefinition(
            "tags", "belongs_to_many", "Tag", pivot="ThingTag", pivot_attributes=("weight",)
        ),
    )


def test_snake_case_spellings_are_accepted() -> None:
    snake = model(
        primary_key="key",
        pk_prefix="T",
        has_many=[
            {"model": "Part", "relation_name": "bits", "foreign_key": "thing_key", "sort_by": "n"}
        ],
    )
    camel = model(
        primaryKey="key",
        pkPrefix="T",
        hasMany=[
            {"model": "Part", "relationName": "bits", "foreignKey": "thing_key", "sortBy": "n"}
        ],
    )
    assert snake == camel


# Errors.
ERRORS: list[tuple[Any, list[str]]] = [
    ({"name": "User", "hasManny": ["Post"]}, ["'User'", "'hasManny'", "did you mean 'hasMany'?"]),
    ({"name": "User", "has_manny": []}, ["'has_manny'", "did you mean 'has_many'?"]),
    ({"name": "User", "colour": 1}, ["'colour'", "known: name, table, primaryKey"]),
    (
        {"name": "User", "attributes": {"email": {"uniqe": True}}},
        ["'uniqe' on attribute 'email'", "did you mean 'unique'?"],
    ),
    (
        {"name": "User", "hasMany": [{"model": "Post", "colection": True}]},
        ["'colection' in a hasMany entry", "did you mean 'collection'?"],
    ),
    (
        {"name": "User", "traits": {"useTimestamp": True}},
        ["'useTimestamp' in traits", "did you mean 'useTimestamps'?"],
    ),
    (
        {"name": "User", "attributes": {"a": {"index": {"sort": "x"}}}},
        ["'sort' in a.index", "did you mean 'sortBy'?"],
    ),
    (
        {"name": "User", "attributes": {"a": {"validation": {"rules": "x"}}}},
        ["'rules' in a.validation", "did you mean 'rule'?"],
    ),
    ({"name": "User", "traits": {"useTtl": {"attr": "x"}}}, ["'attr' in traits.useTtl"]),
    ({"name": "User", "indexes": [{"name": "i", "cols": ["a"]}]}, ["'cols' in an indexes entry"]),
    ({"hasMany": ["Post"]}, ["'<unnamed>'", "'name' is missing"]),
    ({"name": ""}, ["name must be an identifier", "''"]),
    ({"name": "User Model"}, ["name must be an identifier"]),
    ({"name": RawCode("modelName")}, ["name must be an identifier", "code `modelName`"]),
    ({"name": "User", "hasMany": "Post"}, ["hasMany must be a list", "str 'Post'"]),
    ({"name": "User", "hasMany": [{"foreignKey": "x"}]}, ["a hasMany entry needs 'model'"]),
    ({"name": "User", "hasMany": [3]}, ["an entry of hasMany must be an object", "int 3"]),
    ({"name": "User", "hasMany": ["post-item"]}, ["hasMany.model must be an identifier"]),
    (
        {"name": "User", "hasMany": [{"model": "Post", "relationName": ""}]},
        ["hasMany Post: relationName must be an identifier"],
    ),
    (
        {"name": "User", "hasMany": ["Post"], "has_many": ["Comment"]},
        ["'hasMany' and 'has_many' in the model set the same property"],
    ),
    (
        {"name": "User", "traits": {"useTimestamps": True, "timestampable": True}},
        ["'useTimestamps' and 'timestampable' in traits"],
    ),
    ({"name": "User", "hasMany": ["Post", "Post"]}, ["relation name 'posts' is already used"]),
    (
        {"name": "User", "attributes": {"team": {}}, "belongsTo": ["Team"]},
        ["relation name 'team' is already used by an attribute"],
    ),
    (
        {"name": "User", "hasMany": [{"model": "Post", "pivot": "X"}]},
        ["'pivot' only applies to belongsToMany"],
    ),
    (
        {"name": "User", "belongsToMany": [{"model": "Role", "collection": True}]},
        ["cannot be a collection"],
    ),
    ({"name": "User", "belongsTo": [{"model": "Team", "shards": 0}]}, ["shards must be a whole"]),
    ({"name": "User", "belongsTo": [{"model": "Team", "shards": True}]}, ["shards must be"]),
    (
        {"name": "User", "belongsTo": [{"model": "Team", "collection": "yes"}]},
        ["collection must be true or false", "str 'yes'"],
    ),
    ({"name": "User", "attributes": {"a": {"unique": "yes"}}}, ["a.unique must be true or false"]),
    ({"name": "User", "attributes": {"a": {"type": "varchar2"}}}, ["a.type", "not a known type"]),
    ({"name": "User", "attributes": {"a": {"type": 3}}}, ["a.type int 3 is not a known type"]),
    ({"name": "User", "attributes": {"a b": {}}}, ["an attribute name must be an identifier"]),
    ({"name": "User", "attributes": ["email"]}, ["attributes must be an object"]),
    ({"name": "User", "attributes": {"a": 3}}, ["attribute 'a' must be an object"]),
    ({"name": "User", "attributes": {"a": {"index": "yes"}}}, ["a.index must be true, false"]),
    (
        {"name": "User", "attributes": {"a": {"required": False, "nullable": False}}},
        ["required: false and nullable: false"],
    ),
    (
        {"name": "User", "attributes": {"a": {"fillable": True, "guarded": True}}},
        ["both fillable and guarded"],
    ),
    (
        {"name": "User", "attributes": {"a": {"validation": {"rule": 3}}}},
        ["a.validation.rule must be a rule string or code"],
    ),
    ({"name": "User", "attributes": {"a": {"cast": 3}}}, ["a.cast must be a string"]),
    ({"name": "User", "pkPrefix": "US#ER"}, ["pkPrefix must be letters, digits or _"]),
    ({"name": "User", "primaryKey": "user id"}, ["primaryKey must be an identifier"]),
    ({"name": "User", "table": 3}, ["table int 3", "must be a string"]),
    (
        {"name": "User", "dynamodbTable": "audit log"},
        ["dynamodbTable 'audit log' is not a DynamoDB table name", "leave dynamodbTable out"],
    ),
    (
        {"name": "User", "attributes": {"a": {"cast": "encrypted"}}},
        ["a.cast 'encrypted' is not supported yet", "remove it, or give a type name"],
    ),
    (
        {"name": "User", "attributes": {"a": {"type": "number", "cast": "integer"}}},
        ["a.cast 'integer' disagrees with type 'number'", "keep one"],
    ),
    (
        {"name": "User", "attributes": {"a": {"validation": {"rule": "required|emial"}}}},
        ["attribute 'a'", "unknown validation rule 'emial'", "known rules: required"],
    ),
    (
        {"name": "User", "attributes": {"a": {"validation": "unique"}}},
        ["unknown validation rule 'unique'", "unique: true"],
    ),
    (
        {"name": "User", "attributes": {"a": {"validation": {"rule": "max:ten"}}}},
        ["'max:ten'", "max needs a number, got 'ten'"],
    ),
    (
        {"name": "User", "attributes": {"a": {"validation": {"rule": RawCode("custom(v)")}}}},
        ["validation code `custom(v)` is not a validator chain", "Laravel rule string"],
    ),
    (
        {"name": "User", "attributes": {"a": {"validation": RawCode("schema.string().trim()")}}},
        [".trim() is not a known check of string()", "not supported yet"],
    ),
    (
        {
            "name": "User",
            "attributes": {"a": {"validation": {"rule": "email", "message": {"emial": "x"}}}},
        },
        ["custom messages for emial name no rule of this attribute", "its rules: email"],
    ),
    (
        {"name": "User", "attributes": {"a": {"validation": {"rule": "email", "message": 3}}}},
        ["attribute 'a'", "validation.message must be a message string or an object"],
    ),
    (
        {"name": "User", "attributes": {"a": {"validation": {"message": "x"}}}},
        ["a.validation has a message but no rule"],
    ),
    ({"name": "User", "traits": True}, ["traits must be an object"]),
    ({"name": "User", "traits": {"useTtl": "yes"}}, ["traits.useTtl must be true or"]),
    (
        {"name": "User", "traits": {"useUuid": 1}},
        ["traits.useUuid must be true, false, 'v4' or 'v7'"],
    ),
    ({"name": "User", "indexes": {"name": "i"}}, ["indexes must be a list"]),
    ({"name": "User", "indexes": [{"name": "i", "columns": []}]}, ["needs at least one column"]),
    (
        {"name": "User", "indexes": [{"name": "i", "columns": ["a"], "projection": "SOME"}]},
        ["projection must be ALL, KEYS_ONLY or INCLUDE"],
    ),
    (
        {"name": "User", "indexes": [{"name": "i", "columns": ["a"]}] * 2},
        ["two indexes are named 'i'"],
    ),
    ({"name": "User", 3: "x"}, ["property names must be strings"]),
    (["User"], ["a model must be an object"]),
]


@pytest.mark.parametrize(("data", "fragments"), ERRORS)
def test_invalid_definitions_are_refused_with_a_clear_message(
    data: Any, fragments: list[str]
) -> None:
    with pytest.raises(SchemaError) as caught:
        parse_stacks_model(data, source="app/models/User.ts")
    message = str(caught.value)
    assert message.startswith("app/models/User.ts: Stacks model ")
    for fragment in fragments:
        assert fragment in message
