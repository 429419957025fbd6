"""The compiled insert (``WriteCompiler.insert``'s fast path, :class:`InsertBuilder`, and the
compiled ``written_values``) gives exactly what the general path gives: the same plan and
request (item order included), the same instance state after ``create``, and the same error
for bad values, over varied models and generated values."""

import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dynamodb_tooling.orm.concerns.persistence as persistence
from dynamodb_tooling.config import use_config
from dynamodb_tooling.orm import Model, accessor, attribute, mutator
from dynamodb_tooling.orm.casts import CastsAttributes
from dynamodb_tooling.query.writes import WriteCompiler, WritePlan
from dynamodb_tooling.schema import Registry
from dynamodb_tooling.schema.transformer import (
    transformer_of,
    written_values,
    written_values_general,
)
from dynamodb_tooling.testing.stub import StubExecutor

NOW = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)


def clock() -> datetime:
    return NOW


class Status(Enum):
    ACTIVE = "active"
    GONE = "gone"


class Lower(CastsAttributes):
    def get(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
        return value

    def set(self, model: Any, key: str, value: Any, attributes: Mapping[str, Any]) -> Any:
        return None if value is None else str(value).lower()


def define(registry: Registry) -> dict[str, type[Model]]:
    class Thing(Model, registry=registry):
        name: str
        count: int
        ratio: float
        price: Decimal
        flag: bool
        day: date
        at: datetime
        status: Status
        meta: dict[str, Any]
        items: list[Any]
        tags: set[str]
        numbers: set[int]
        ref: uuid.UUID
        code: str | None = attribute(cast=Lower(), default=None)
        note: str | None = None

    class Stamped(
        Model, registry=registry, timestamps=True, versioning=True, soft_deletes=True, ttl=True
    ):
        title: str
        body: str | None = None

    class Member(Model, registry=registry, timestamps=True):
        email: str = attribute(unique=True)
        name: str

        @mutator("name")
        def _name(self, value: str) -> str:
            return value.strip()

        @accessor("name")
        def _shown(self, value: str) -> str:
            return value.upper()

    class Ruled(Model, registry=registry):
        email: str = attribute(validation="required|email")
        age: int = attribute(validation="min:0")

    return {m.__definition__.name: m for m in (Thing, Stamped, Member, Ruled)}


@pytest.fixture(params=["iso", "unix", "unix_ms"])
def registry(request: pytest.FixtureRequest) -> Iterator[Registry]:
    with use_config({"query_builder": {"timestamp_format": request.param}}):
        yield Registry()


def outcome(build: Callable[[], WritePlan]) -> WritePlan | tuple[type[BaseException], str]:
    try:
        return build()
    except Exception as exc:  # the same error, worded the same, is what is compared
        return type(exc), str(exc)


def assert_same_insert(compiler: WriteCompiler, model: str, values: dict[str, Any]) -> bool:
    """The fast and the general insert agree; returns whether the fast path took it."""
    fast = outcome(lambda: compiler.insert(model, dict(values)))
    general = outcome(lambda: compiler.insert_general(model, dict(values)))
    assert fast == general
    if isinstance(fast, WritePlan) and isinstance(general, WritePlan):
        assert fast.request.idempotent == general.request.idempotent
        assert list(fast.request.params) == list(general.request.params)
        assert list(fast.request.params.get("Item", {})) == list(
            general.request.params.get("Item", {})
        )
        assert list(fast.item or {}) == list(general.item or {})
        assert fast.transactional == general.transactional
        if fast.item is not None:
            assert written_values(compiler.transformer, model, values, fast.item) == (
                written_values_general(compiler.transformer, model, values, fast.item)
            )
    try:
        return compiler.insert_builder(model).plan(dict(values)) is not None
    except Exception:
        return False


def thing_values() -> dict[str, Any]:
    return {
        "id": "t-1",
        "name": "Ada",
        "count": 3,
        "ratio": 0.25,
        "price": Decimal("10.50"),
        "flag": True,
        "day": date(2024, 1, 2),
        "at": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
        "status": Status.ACTIVE,
        "meta": {"a": 1, "b": [1, "x", None], "c": {"d": Decimal("1.5")}},
        "items": [1, "two", 3.5, {"k": True}],
        "tags": {"x", "y"},
        "numbers": {1, 2, 3},
        "ref": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "code": "MiXeD",
        "note": None,
    }


def test_the_fast_path_takes_a_plain_insert_and_gives_the_general_plan(
    registry: Registry,
) -> None:
    define(registry)
    compiler = WriteCompiler(registry, clock=clock)
    assert assert_same_insert(compiler, "Thing", thing_values())
    empty = {**thing_values(), "tags": set(), "numbers": set(), "meta": {}, "items": []}
    assert assert_same_insert(compiler, "Thing", empty)
    big = {**thing_values(), "count": -(10**40), "ratio": 1e-100, "price": Decimal("1E+100")}
    assert assert_same_insert(compiler, "Thing", big)
    stamped = {"id": "s-1", "title": "Hi", "ttl": NOW, "deleted_at": None}
    assert assert_same_insert(compiler, "Stamped", stamped)
    given_times = {"id": "s-2", "title": "Hi", "created_at": NOW, "_v": 4}
    assert assert_same_insert(compiler, "Stamped", given_times)


def test_unusual_inserts_take_the_general_path_with_the_same_result(registry: Registry) -> None:
    define(registry)
    compiler = WriteCompiler(registry, clock=clock)
    # Unique attributes (a transaction with a sentinel) and a missing id: the general path.
    assert not assert_same_insert(compiler, "Member", {"id": "m-1", "email": "a@b.c", "name": "A"})
    assert compiler.insert_builder("Stamped").plan({"title": "no id"}) is None  # ids differ
    # Keys the prefixes cannot build (a delimiter, a long id, an int id): the same keys/errors.
    for ident in ("a#b", "x" * 1100, 42, ""):
        assert_same_insert(compiler, "Stamped", {"id": ident, "title": "T"})
    assert not assert_same_insert(compiler, "Nope", {"id": "x"})  # an unknown model
    # Soft-deleted when written, and deleted_at given as text.
    assert_same_insert(
        compiler, "Stamped", {"id": "s", "title": "T", "deleted_at": "2024-01-01T00:00:00+00:00"}
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"count": "three"},  # cast error
        {"name": None},  # required
        {"nmae": "typo"},  # unknown name (did you mean)
        {"ratio": float("nan")},  # not storable
        {"count": 2**200},  # out of DynamoDB's range
        {"price": Decimal("1E+200")},  # out of range, after a cast
        {"meta": {1: "non-str key"}},  # marshalling error, located
        {"items": [object()]},  # unsupported type
        {"name": "x" * 500_000},  # item too large
    ],
)
def test_bad_values_raise_the_same_error_before_any_request(
    registry: Registry, stub: StubExecutor, changes: dict[str, Any]
) -> None:
    models = define(registry)
    compiler = WriteCompiler(registry, clock=clock)
    values = {**thing_values(), **changes}
    fast = outcome(lambda: compiler.insert("Thing", dict(values)))
    general = outcome(lambda: compiler.insert_general("Thing", dict(values)))
    assert isinstance(fast, tuple)
    assert fast == general
    with pytest.raises(fast[0]) as raised:
        models["Thing"].force_create(**values)  # the same id: the same sizes in messages
    assert str(raised.value) == fast[1]
    assert stub.requests == []


def test_validation_errors_are_the_general_paths(registry: Registry) -> None:
    define(registry)
    compiler = WriteCompiler(registry, clock=clock)
    assert assert_same_insert(compiler, "Ruled", {"id": "r", "email": "a@b.co", "age": 3})
    assert not assert_same_insert(compiler, "Ruled", {"id": "r", "email": "nope", "age": -1})


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.text(max_size=5)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
)


def containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner)


nested = st.recursive(json_scalars, containers, max_leaves=6)


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(max_size=8),
    count=st.integers() | st.text(max_size=3),
    ratio=st.floats(allow_nan=False, allow_infinity=False) | st.integers(-5, 5),
    price=st.decimals(allow_nan=False, allow_infinity=False, places=2) | st.integers(0, 9),
    tags=st.sets(st.text(min_size=1, max_size=3), max_size=3),
    numbers=st.sets(st.integers(-100, 100), max_size=3),
    meta=st.dictionaries(st.text(max_size=3), nested, max_size=3),
    items=st.lists(nested, max_size=3),
    note=st.none() | st.text(max_size=4),
    ident=st.text(min_size=1, max_size=6),
)
def test_generated_values_give_the_same_plan(**drawn: Any) -> None:
    with use_config():
        registry = Registry()
        define(registry)
        compiler = WriteCompiler(registry, clock=clock)
        values = {**thing_values(), **drawn, "id": drawn.pop("ident")}
        del values["ident"]
        assert_same_insert(compiler, "Thing", values)


def created_state(model: type[Model], values: dict[str, Any], stub: StubExecutor) -> Any:
    stub.requests.clear()
    instance = model.create(**values)
    state = instance._state
    return (
        # A transaction's idempotency token is new on every call.
        [
            (r.operation, {k: v for k, v in r.params.items() if k != "ClientRequestToken"})
            for r in stub.requests
        ],
        list(state.values.items()),
        state.original,
        state.exists,
        instance.get_dirty(),
    )


def test_create_leaves_the_same_instance_state(
    registry: Registry, stub: StubExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The general path: the general insert (WriteCompiler.insert_general) and read-back
    # (written_values_general), on the same models in a registry of their own.
    models = define(registry)
    transformer_of(registry).clock = clock
    cases = [
        ("Thing", thing_values()),
        ("Stamped", {"id": "s-1", "title": "Hi", "ttl": NOW}),
        ("Member", {"id": "m-1", "email": "a@b.c", "name": " Ada "}),
    ]
    fast = [created_state(models[name], dict(values), stub) for name, values in cases]
    other = Registry()
    general_models = define(other)
    transformer_of(other).clock = clock

    planned: list[str] = []

    def general_plan(path: persistence.InsertPath, values: Mapping[str, Any]) -> WritePlan:
        planned.append(path.model)
        return path.compiler.insert_general(path.model, values)

    def general_written(transformer: Any, model: str) -> Callable[..., dict[str, Any]]:
        return lambda sent, item: written_values_general(transformer, model, sent, item)

    monkeypatch.setattr(persistence.InsertPath, "plan", general_plan)
    monkeypatch.setattr(persistence, "written_function", general_written)
    general = [created_state(general_models[name], dict(values), stub) for name, values in cases]
    assert planned == [name for name, _ in cases]  # the general side took the general path
    for one, other in zip(fast, general, strict=True):
        assert one[0] == other[0]
        assert one[1:] == other[1:]
    assert fast[0][0][0][0] == "PutItem"


@pytest.mark.parametrize("fmt", ["iso", "unix", "unix_ms"])
def test_the_real_clock_stamps_as_the_transformer_does(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the real clock the compiled insert reads the time itself: the same stamp as
    ``transformer.timestamp(utc_now())`` in every format."""
    import dynamodb_tooling.query.writes as writes

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return NOW if tz is UTC else NOW.replace(tzinfo=None)

    with use_config({"query_builder": {"timestamp_format": fmt}}):
        registry = Registry()
        define(registry)
        compiler = WriteCompiler(registry)
        builder = compiler.insert_builder("Stamped")
        monkeypatch.setattr(writes, "datetime", Frozen)
        assert builder._now(compiler.transformer) == compiler.transformer.timestamp(NOW)
        plan = compiler.insert("Stamped", {"id": "s", "title": "T"})
        assert plan.item is not None
        assert (
            plan.item["created_at"]
            == plan.item["updated_at"]
            == compiler.transformer.timestamp(NOW)
        )


def test_create_saves_through_an_overridden_save(registry: Registry, stub: StubExecutor) -> None:
    # Django and Eloquent users override save(); create() must go through it.
    saved: list[str] = []

    class Audited(Model, registry=registry):
        title: str

        def save(self) -> "Audited":
            saved.append(self.title)
            return super().save()

    created = Audited.create(title="Hi")
    assert saved == ["Hi"]
    assert created.exists
    assert [r.operation for r in stub.requests] == ["PutItem"]
