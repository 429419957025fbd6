"""Types users see on query results, cursors and aggregates (checked by mypy, not run)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeGuard, assert_type

from dynamodb_tooling._types import Key
from dynamodb_tooling.query.aggregates import (
    Number,
    avg_of,
    data_get,
    max_of,
    min_of,
    sum_of,
    warn_if_large,
)
from dynamodb_tooling.query.cursor import CursorCodec, scope_of
from dynamodb_tooling.query.results import Collection, Page


class Animal:
    name: str = ""


class Dog(Animal):
    pass


def is_str(value: object) -> bool:
    return isinstance(value, str)


def is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str)


def check_collection() -> None:
    numbers = Collection([1, 2])
    assert_type(numbers, Collection[int])
    assert_type(numbers.map(str), Collection[str])
    assert_type(numbers.map(lambda n: n * 1.5), Collection[float])
    assert_type(numbers.filter(lambda n: n > 1), Collection[int])
    assert_type(numbers.filter(), Collection[int])
    assert_type(Collection([1, None]).filter(), Collection[int])
    assert_type(numbers.reject(lambda n: n > 1), Collection[int])
    assert_type(numbers.reduce(lambda acc, n: acc + str(n), ""), str)
    assert_type(numbers.group_by(lambda n: n % 2 == 0), dict[bool, Collection[int]])
    assert_type(numbers.group_by("team"), dict[Any, Collection[int]])
    assert_type(numbers.key_by(str), dict[str, int])
    assert_type(numbers.key_by("id"), dict[Any, int])
    assert_type(numbers.sort_by(lambda n: -n, descending=True), Collection[int])
    assert_type(numbers.sort_by("age"), Collection[int])
    assert_type(numbers.unique(), Collection[int])
    assert_type(numbers.unique(lambda n: n % 3), Collection[int])
    assert_type(numbers.flatten(), Collection[Any])
    assert_type(numbers.flatten(None), Collection[Any])
    assert_type(numbers.pluck("id"), Collection[Any])
    assert_type(numbers.first(), int | None)
    assert_type(numbers.first(lambda n: n > 1), int | None)
    assert_type(numbers.last(), int | None)
    assert_type(numbers.chunk(2), Collection[Collection[int]])
    assert_type(numbers.each(print), Collection[int])
    assert_type(numbers.count(), int)
    assert_type(numbers.count(1), int)
    assert_type(numbers.is_empty(), bool)
    assert_type(numbers.is_not_empty(), bool)
    assert_type(numbers.sum(), int | float | Decimal)
    assert_type(numbers.sum("age"), Number)
    assert_type(numbers.avg(), float | Decimal | None)
    assert_type(numbers.min(), int | None)
    assert_type(numbers.max(), int | None)
    assert_type(numbers.min("age"), Any)
    assert_type(numbers.max(lambda n: n), Any)
    assert_type(numbers.to_list(), list[int])
    assert_type(numbers.to_dicts(), list[Any])
    assert_type(numbers[0], int)
    assert_type(numbers[1:], Collection[int])
    assert_type(numbers + ["a"], Collection[int | str])  # noqa: RUF005
    assert_type(Collection[str](), Collection[str])


def check_narrowing_and_variance(dogs: Collection[Dog], mixed: Collection[int | str]) -> None:
    animals: Collection[Animal] = dogs  # covariant: a collection of dogs is one of animals
    assert_type(animals.first(), Animal | None)
    assert_type(mixed.filter(lambda v: isinstance(v, str)), Collection[int | str])
    assert_type(mixed.filter(is_str), Collection[int | str])
    assert_type(mixed.filter(is_text), Collection[str])
    page: Page[Animal] = Page(dogs, 1, False, None, 10, 1)
    assert_type(page.items, Collection[Animal])
    assert_type(page.next_cursor, str | None)
    for animal in page:
        assert_type(animal, Animal)
    dogs.map(lambda d: d.name).first()
    dogs.map(len)  # type: ignore[arg-type]
    dogs.sort_by(lambda d: d)  # type: ignore[arg-type,return-value]
    dogs.chunk("2")  # type: ignore[arg-type]


def check_cursor_and_aggregates(items: list[dict[str, Any]]) -> None:
    codec = CursorCodec("secret")
    assert_type(CursorCodec(None), CursorCodec)
    assert_type(CursorCodec(b"secret"), CursorCodec)
    cursor = codec.encode({"pk": {"S": "USER#1"}}, scope=scope_of({"TableName": "T"}))
    assert_type(cursor, str)
    assert_type(codec.decode(cursor, scope="s"), Key)
    assert_type(scope_of({"TableName": "T"}), str)
    assert_type(sum_of(items, "n"), Number)
    assert_type(avg_of(items, "n"), float | Decimal | None)
    assert_type(min_of(items, "n"), Any)
    assert_type(max_of(items, lambda item: item["n"]), Any)
    assert_type(data_get(items[0], "a.b"), Any)
    assert_type(warn_if_large(1, 2, "User.sum('n')"), bool)
    codec.encode({"pk": {"S": "x"}})  # type: ignore[call-arg]
