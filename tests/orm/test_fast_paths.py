"""The per-call fast paths of ``find``, ``create`` and hydration give exactly what the general
paths give: snapshots, compiled casts, ULID text, Decimal marshalling, request compilation,
plan construction and timestamp parsing, each checked against its general (reference) form
over varied or generated values."""

import copy
import dataclasses
import itertools
import os
import time as time_module
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
import ulid as ulid_module
from hypothesis import given, settings
from hypothesis import strategies as st
from ulid import ULID

from dynamodb_tooling._item_size import MAX_DEPTH, TOO_DEEP
from dynamodb_tooling.config import set_config, use_config
from dynamodb_tooling.errors import MarshallingError, MassAssignmentError
from dynamodb_tooling.expressions import attr, compile_expressions
from dynamodb_tooling.marshal import marshall
from dynamodb_tooling.orm import Model, attribute
from dynamodb_tooling.orm.concerns.change_tracking import snapshot
from dynamodb_tooling.query._guard import refuse_guarded
from dynamodb_tooling.query._write_plan import EntityTarget, WritePlan, make_plan
from dynamodb_tooling.query.planner import QueryPlanner
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.requests._common import marshal_key, with_options
from dynamodb_tooling.requests._request import Request
from dynamodb_tooling.requests._validate import check_item_size
from dynamodb_tooling.requests.items import get_item, put_item
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.casts import (
    AttributeCastError,
    compile_decoder,
    compile_encoder,
    from_storage,
    to_storage,
)
from dynamodb_tooling.schema.ids import new_ulid
from dynamodb_tooling.schema.naming import make_attribute
from dynamodb_tooling.schema.transformer import (
    EntityTransformer,
    _ulid_text,
    generate_id,
    transformer_of,
)
from dynamodb_tooling.testing.stub import StubExecutor


@pytest.fixture
def registry() -> Iterator[Registry]:
    with use_config():
        yield Registry()


# Snapshots: the reference is the general walk (every value through isinstance, paths built).
_IMMUTABLE = (str, int, float, bool, bytes, Decimal, datetime, date, time, Enum, type(None))


def reference_snapshot(values: dict[str, Any], model: str = "") -> dict[str, Any]:
    def walk(value: Any, name: str, path: str, depth: int) -> Any:
        if isinstance(value, _IMMUTABLE):
            return value
        kind = type(value)
        if kind is dict or kind is list or kind is tuple:
            if depth > MAX_DEPTH:
                where = f"{model}.{name}" if model else name
                raise MarshallingError(
                    f"{where}: value nested more than {MAX_DEPTH} levels deep at {path}: {TOO_DEEP}"
                )
            if kind is dict:
                return {k: walk(v, name, f"{path}.{k}", depth + 1) for k, v in value.items()}
            members = [walk(v, name, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
            return members if kind is list else tuple(members)
        if kind is set or kind is frozenset:
            return kind(value)
        return copy.deepcopy(value)

    return {k: walk(v, k, k, 1) for k, v in values.items()}


class Colour(Enum):
    RED = "red"


class Box:
    def __init__(self, inner: list[int]) -> None:
        self.inner = inner

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Box) and self.inner == other.inner


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=5),
    st.binary(max_size=3),
    st.decimals(allow_nan=False, places=2),
    st.just(Colour.RED),
    st.datetimes(),
)
nested = st.recursive(
    scalars | st.frozensets(st.text(max_size=3), max_size=3) | st.sets(st.integers(), max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3)
        | st.builds(Box, st.lists(st.integers(), max_size=2))
    ),
    max_leaves=12,
)


def same_structure(a: Any, b: Any) -> bool:
    """Equal, of the same types throughout (``1 == True`` would hide a difference)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_structure(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same_structure(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=4), nested, max_size=6))
def test_snapshot_copies_as_the_general_walk_does(values: dict[str, Any]) -> None:
    fast, reference = snapshot(values, "User"), reference_snapshot(values, "User")
    assert same_structure(fast, reference)
    for name, value in values.items():
        if isinstance(value, list | dict | set | Box):
            assert fast[name] is not value  # a copy: in-place edits cannot reach it


def nest(levels: int, kind: type) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"k": value} if kind is dict else [value]
    return value


@pytest.mark.parametrize("kind", [dict, list])
def test_snapshot_names_the_path_of_a_value_nested_too_deeply(kind: type) -> None:
    values = {"ok": ["a"], "meta": {"x": 1, "deep": nest(MAX_DEPTH, kind)}}
    with pytest.raises(MarshallingError) as fast:
        snapshot(values, "User")
    with pytest.raises(MarshallingError) as reference:
        reference_snapshot(values, "User")
    assert str(fast.value) == str(reference.value)
    assert "User.meta" in str(fast.value)


def test_snapshot_keeps_nested_mutables_apart() -> None:
    values: dict[str, Any] = {"tags": ["a", ["b"]], "meta": {"a": {"b": 1}}, "pair": ("x", ["y"])}
    copied = snapshot(values)
    values["tags"][1].append("c")
    values["meta"]["a"]["b"] = 2
    values["pair"][1].append("z")
    assert copied == {"tags": ["a", ["b"]], "meta": {"a": {"b": 1}}, "pair": ("x", ["y"])}


# Compiled casts against to_storage / from_storage.
CAST_CASES: dict[str, list[Any]] = {
    "decimal": [
        Decimal("1.50"),
        Decimal("-0"),
        Decimal("NaN"),
        Decimal("Infinity"),
        3,
        1.1,
        "2.5",
        " 7 ",
        "x",
        True,
        None,
    ],
    "datetime": [
        datetime(2024, 5, 1, 14, 30, tzinfo=timezone(timedelta(hours=2))),
        datetime(2024, 5, 1, 14, 30),
        datetime(2024, 5, 1, 14, 30, 0, 123456, tzinfo=UTC),
        "2024-05-01T12:30:00+00:00",
        "nope",
        1_700_000_000,
        date(2024, 5, 1),
        None,
    ],
    "list": [["a", 1], ("a",), [], "ab", {"a"}, None],
    "map": [{"a": 1}, {}, [("a", 1)], "x", None],
    "string_set": [{"a", "b"}, set(), frozenset({"a"}), ["a", "a"], {"a", 1}, {Colour.RED}, None],
    "number_set": [{1, 2}, set(), [1, True], {1.5, Decimal("2")}, {1, "x"}, [3], None],
    "string": ["a", Colour.RED, 1, None],
    "integer": [1, True, "42", 1.0, 1.5, None],
    "boolean": [True, 1, None],
}


def outcome(call: Any, *args: Any) -> tuple[str, Any]:
    try:
        return ("value", call(*args))
    except AttributeCastError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize("kind", sorted(CAST_CASES))
@pytest.mark.parametrize("nullable", [False, True])
def test_compiled_casts_match_the_general_casts(kind: str, nullable: bool) -> None:
    declared = make_attribute("value", kind, nullable=nullable)  # type: ignore[arg-type]
    encode, decode = compile_encoder(declared, "Thing"), compile_decoder(declared, "Thing")
    for value in CAST_CASES[kind]:
        fast = outcome(encode, value)
        general = outcome(to_storage, declared, value, "Thing")
        assert fast == general, (kind, value)
        assert type(fast[1]) is type(general[1]), (kind, value)
        stored = general[1] if general[0] == "value" else value
        fast = outcome(decode, stored)
        general = outcome(from_storage, declared, stored, "Thing")
        assert fast == general, (kind, stored)
        assert type(fast[1]) is type(general[1]), (kind, stored)


def test_compiled_casts_copy_containers() -> None:
    tags, meta = ["a"], {"a": 1}
    assert compile_encoder(make_attribute("t", "list"), "M")(tags) is not tags
    assert compile_encoder(make_attribute("m", "map"), "M")(meta) is not meta
    assert compile_decoder(make_attribute("t", "list"), "M")(tags) is not tags


# ULIDs.
def test_ulid_text_is_the_librarys_encoding() -> None:
    for raw in [bytes(16), b"\xff" * 16, *(os.urandom(16) for _ in range(2000))]:
        assert _ulid_text(raw) == str(ULID(raw))


def test_new_ulids_are_valid_ulids_of_now_counting_up_within_a_millisecond() -> None:
    before = time_module.time()
    made = [new_ulid() for _ in range(2000)]
    after = time_module.time()
    parsed = [ULID.from_str(text) for text in made]
    assert [str(u) for u in parsed] == made  # canonical text, round-trips through the library
    assert all(before - 0.002 <= u.timestamp <= after + 0.002 for u in parsed)
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    # Within one millisecond the random part counts up by one (python-ulid's monotonic rule).
    for a, b in itertools.pairwise(parsed):
        if a.milliseconds == b.milliseconds:
            assert int(b) == int(a) + 1


def test_an_application_installed_ulid_generator_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Fixed:
        def generate(self) -> ULID:
            return ULID.from_str("01ARZ3NDEKTSV4RRFFQ69G5FAV")

    monkeypatch.setattr(ulid_module, "default_generator", Fixed())
    assert new_ulid() == "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def test_generated_ids_are_ulids_in_creation_order(registry: Registry) -> None:
    class Thing(Model, registry=registry):
        name: str

    ids = [generate_id(Thing.__definition__) for _ in range(500)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(str(ULID.from_str(i)) == i for i in ids)


# Decimal marshalling.
def reference_decimal_text(value: Decimal) -> str:
    if not value:
        return "0"
    _sign, digits, _exponent = value.as_tuple()
    significant = len(digits)
    while digits[significant - 1] == 0:
        significant -= 1
    adjusted = value.adjusted()
    if significant > 38 or adjusted > 125 or adjusted < -130:
        raise MarshallingError("out of range")
    return str(value)


@settings(max_examples=500, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimals_marshal_as_the_general_check_says(value: Decimal) -> None:
    try:
        expected: str | None = reference_decimal_text(value)
    except MarshallingError:
        expected = None
    if expected is None:
        with pytest.raises(MarshallingError):
            marshall(value)
    else:
        assert marshall(value) == {"N": expected}


# Requests.
def test_put_item_compiles_what_the_general_options_give() -> None:
    item = {"pk": "A#1", "sk": "A#1", "n": 1, "tags": {"a"}}
    condition = attr("pk").not_exists()
    options: list[dict[str, Any]] = [
        {},
        {"condition": condition},
        {"condition": attr("n").eq(1), "return_values": "ALL_OLD"},
        {
            "return_values_on_condition_check_failure": "ALL_OLD",
            "return_consumed_capacity": "TOTAL",
            "return_item_collection_metrics": "SIZE",
        },
    ]
    for given_options in options:
        for _ in range(2):  # the second time from the compiled-condition cache
            request = put_item("T", item, **given_options)
            params: dict[str, Any] = {
                "TableName": "T",
                "Item": check_item_size(marshall(item)["M"]),
            }
            params.update(compile_expressions(condition=given_options.get("condition")))
            expected = Request(
                "PutItem",
                with_options(
                    params,
                    return_consumed_capacity=given_options.get("return_consumed_capacity"),
                    return_item_collection_metrics=given_options.get(
                        "return_item_collection_metrics"
                    ),
                    ReturnValues=given_options.get("return_values"),
                    ReturnValuesOnConditionCheckFailure=given_options.get(
                        "return_values_on_condition_check_failure"
                    ),
                ),
            )
            assert request == expected
            assert list(request.params) == list(expected.params)
            assert request.idempotent is expected.idempotent


def test_cached_conditions_hand_out_fresh_names() -> None:
    condition = attr("pk").not_exists()
    first = put_item("T", {"pk": "a"}, condition=condition)
    first.params["ExpressionAttributeNames"]["#n0"] = "changed"
    second = put_item("T", {"pk": "a"}, condition=condition)
    assert second.params["ExpressionAttributeNames"] == {"#n0": "pk"}


def test_get_item_compiles_what_the_general_options_give() -> None:
    key = {"pk": "A#1", "sk": "A#1"}
    cases: list[dict[str, Any]] = [{}, {"consistent_read": True}, {"projection": ["a", "b"]}]
    for options in cases:
        params: dict[str, Any] = {"TableName": "T", "Key": marshal_key(key, "GetItem")}
        if options.get("consistent_read"):
            params["ConsistentRead"] = True
        params.update(compile_expressions(projection=options.get("projection")))
        request = get_item("T", key, return_consumed_capacity="TOTAL", **options)
        expected = Request("GetItem", with_options(params, return_consumed_capacity="TOTAL"))
        assert request == expected
        assert request.idempotent is expected.idempotent


# Plans.
def test_write_plans_hold_what_their_constructors_give(registry: Registry) -> None:
    class Thing(Model, registry=registry, versioning=True):
        name: str
        email: str = attribute(unique=True)
        secret: str | None = attribute(hidden=True, default=None)

    compiler = Thing._compiler()
    inserted = compiler.insert("Thing", {"id": "t1", "name": "a", "email": "a@x", "secret": "s"})
    updated = compiler.update("Thing", {"id": "t1", "_v": 1, "name": "a"}, {"name": "b"})
    deleted = compiler.delete("Thing", {"id": "t1", "name": "b", "_v": 2})
    for plan in (inserted, updated, deleted):
        for entity in plan.entities:
            rebuilt = EntityTarget(**{f.name: getattr(entity, f.name) for f in _fields(entity)})
            assert rebuilt == entity
            assert vars(rebuilt).keys() == vars(entity).keys()
        rebuilt_plan = WritePlan(**{f.name: getattr(plan, f.name) for f in _fields(plan)})
        assert rebuilt_plan == plan
        assert vars(rebuilt_plan).keys() == vars(plan).keys()
        with pytest.raises(dataclasses.FrozenInstanceError):
            plan.model = "x"  # type: ignore[misc]
    assert inserted.entities[0].hidden == frozenset({"secret"})
    assert inserted.key == {"pk": "THING#t1", "sk": "THING#t1"}
    assert inserted.key == compiler.primary_key("Thing", inserted.item or {})


def test_make_plan_refuses_what_the_constructors_refuse(registry: Registry) -> None:
    class Thing(Model, registry=registry):
        name: str

    plan = Thing._compiler().insert("Thing", {"id": "t1", "name": "a"})
    with pytest.raises(TypeError, match="bogus"):
        make_plan(plan.actions, kind="put", model="Thing", key=plan.key, bogus=1)


def _fields(instance: Any) -> tuple[dataclasses.Field[Any], ...]:
    return dataclasses.fields(instance)


def test_find_plans_follow_the_configuration_and_the_id(registry: Registry) -> None:
    class Thing(Model, registry=registry, soft_deletes=True):
        name: str

    planner = QueryPlanner(registry)
    state = QueryState(model="Thing")
    first, second = planner.plan_find(state, "a"), planner.plan_find(state, "b")
    assert first is not None
    assert second is not None
    assert first.key == {"pk": "THING#a", "sk": "THING#a"}
    assert second.key == {"pk": "THING#b", "sk": "THING#b"}
    assert dataclasses.replace(first, key=second.key) == second
    set_config(table_name_prefix="dev_")
    moved = planner.plan_find(state, "a")
    assert moved is not None
    assert moved.table.startswith("dev_")
    with_trashed = planner.plan_find(QueryState(model="Thing", trashed="with"), "a")
    assert with_trashed is not None
    assert with_trashed.soft_delete is None
    assert first.soft_delete == ("deleted_at", "without")


# Timestamps.
@pytest.mark.parametrize("fmt", ["iso", "unix", "unix_ms"])
def test_timestamps_of_datetimes_match_the_general_path(registry: Registry, fmt: str) -> None:
    class Thing(Model, registry=registry):
        name: str

    set_config(query_builder={"timestamp_format": fmt})
    transformer = EntityTransformer(registry)
    for moment in [
        datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        datetime(2024, 5, 1, 14, 30, 0, 5, tzinfo=timezone(timedelta(hours=2))),
        datetime(2024, 5, 1, 12, 30),
    ]:
        general = transformer.parse_timestamp(moment)
        if fmt == "unix":
            expected: str | int = int(general.timestamp())
        elif fmt == "unix_ms":
            expected = int(general.timestamp() * 1000)
        else:
            expected = general.astimezone(UTC).isoformat()
        assert transformer.timestamp(moment) == expected


def test_read_timestamps_match_parse_timestamp(registry: Registry) -> None:
    class Thing(Model, registry=registry):
        name: str

    transformer = transformer_of(registry)
    texts = ["2024-05-01T12:30:00+00:00", "2024-05-01T14:30:00+02:00", "2024-05-01T12:30:00"]
    for text in [*texts, *texts, 1_700_000_000, Decimal("1700000000.5")]:
        assert transformer.read_timestamp(text, "Thing", "created_at") == (
            transformer.parse_timestamp(text, "Thing.created_at")
        )
    with pytest.raises(AttributeCastError) as fast:
        transformer.read_timestamp("nope", "Thing", "created_at")
    with pytest.raises(AttributeCastError) as general:
        transformer.parse_timestamp("nope", "Thing.created_at")
    assert str(fast.value) == str(general.value)


# Mass assignment.
def test_refuse_guarded_reads_any_iterable_once(registry: Registry) -> None:
    class Thing(Model, registry=registry):
        name: str
        role: str = attribute(guarded=True, default="user")

    definition = Thing.__definition__
    refuse_guarded(definition, iter(["name"]), via="x")
    with pytest.raises(MassAssignmentError, match=r"Thing\.role"):
        refuse_guarded(definition, (n for n in ["name", "role"]), via="x")
    with pytest.raises(MassAssignmentError, match=r"Thing\.role"):
        Thing(name="a", role="admin")


# Hydration and create, end to end.
def test_hydration_reads_every_kind_of_name(registry: Registry) -> None:
    class Thing(Model, registry=registry, timestamps=True, versioning=True):
        name: str
        count: int
        flag: bool
        price: Decimal
        seen: datetime | None = None
        tags: set[str] = attribute(default_factory=set)

    item = {
        "pk": "THING#t1",
        "sk": "THING#t1",
        "_et": "Thing",
        "id": "t1",
        "name": "a",
        "count": Decimal("3"),  # read back as an int
        "flag": True,
        "price": Decimal("1.50"),
        "seen": "2024-05-01T14:30:00+02:00",
        "created_at": "2024-05-01T12:30:00+00:00",
        "updated_at": "2024-05-01T12:30:00+00:00",
        "_v": 2,
        "extra": "kept",
    }
    thing = Thing.from_item(item)
    assert thing.to_values() == {
        "id": "t1",
        "name": "a",
        "count": 3,
        "flag": True,
        "price": Decimal("1.50"),
        "seen": datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        "created_at": datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        "updated_at": datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
        "_v": 2,
        "tags": set(),
    }
    assert type(thing.count) is int
    assert thing.is_clean()
    assert thing.get_original() == thing.to_values()
    thing.tags.add("x")
    assert thing.get_dirty() == {"tags": {"x"}}


def test_create_keeps_no_alias_of_what_was_passed(registry: Registry, stub: StubExecutor) -> None:
    class Thing(Model, registry=registry, timestamps=True):
        name: str
        price: Decimal
        tags: list[str]
        meta: dict[str, Any]

    tags, meta = ["a"], {"k": [1]}
    thing = Thing.create(name="a", price=Decimal("2.50"), tags=tags, meta=meta)
    tags.append("b")
    meta["k"].append(2)
    assert thing.tags == ["a"]
    assert thing.tags is not tags
    # The map is copied (its nested values shared, as they always were); the saved copy is
    # deep, so the edit shows as a change.
    assert thing.meta is not meta
    assert thing.get_dirty() == {"meta": {"k": [1, 2]}}
    assert thing.price == Decimal("2.50")
    assert type(thing.price) is Decimal
    assert thing.created_at == thing.updated_at
    assert thing.created_at.tzinfo == UTC
