"""Collection (every method, exact results) and Page."""

from __future__ import annotations

import dataclasses
import json
import pickle
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from dynamodb_tooling.query.results import Collection, Page


@dataclass
class User:
    name: str
    age: int | None = None
    team: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "age": self.age}


ADA = User("Ada", 36, "core")
ALAN = User("Alan", 41, "core")
GRACE = User("Grace", None, "navy")
USERS = Collection([ADA, ALAN, GRACE])
ROWS = Collection(
    [
        {"id": 1, "name": "a", "team": "x", "age": 30},
        {"id": 2, "name": "b", "team": "y", "age": 20},
        {"id": 3, "name": "c", "team": "x"},
    ]
)


# -- sequence behaviour -----------------------------------------------------------------------


def test_collection_is_a_sequence_over_a_snapshot_of_its_input() -> None:
    source = [1, 2, 3]
    numbers = Collection(source)
    source.append(4)
    assert len(numbers) == 3
    assert list(numbers) == [1, 2, 3]
    assert numbers[0] == 1
    assert numbers[-1] == 3
    assert 2 in numbers
    assert 5 not in numbers
    assert list(reversed(numbers)) == [3, 2, 1]
    assert numbers.index(3) == 2
    assert bool(Collection()) is False
    assert bool(numbers) is True


def test_slicing_and_adding_give_collections() -> None:
    numbers = Collection([1, 2, 3, 4])
    assert isinstance(numbers[1:3], Collection)
    assert numbers[1:3] == [2, 3]
    assert numbers[::-2] == [4, 2]
    joined = numbers + ["a"]  # noqa: RUF005
    assert isinstance(joined, Collection)
    assert joined == [1, 2, 3, 4, "a"]
    assert Collection([1]) + Collection([2]) == Collection([1, 2])


def test_index_errors_are_the_usual_ones() -> None:
    with pytest.raises(IndexError):
        Collection([1])[1]
    with pytest.raises(ValueError, match="not in tuple"):
        Collection([1]).index(2)


def test_equality_with_lists_and_collections_but_not_tuples() -> None:
    assert Collection([1, 2]) == [1, 2]
    assert [1, 2] == Collection([1, 2])  # noqa: SIM300  (the reflected comparison)
    assert Collection([1, 2]) == Collection([1, 2])
    assert Collection([1, 2]) != Collection([2, 1])
    assert Collection([1, 2]) != (1, 2)
    assert Collection() == []


def test_collections_are_unhashable_like_lists() -> None:
    with pytest.raises(TypeError, match="unhashable"):
        hash(Collection([1]))


def test_repr_pickle_and_json_via_to_list() -> None:
    numbers = Collection([1, "a"])
    assert repr(numbers) == "Collection([1, 'a'])"
    assert pickle.loads(pickle.dumps(numbers)) == numbers
    assert json.dumps(numbers.to_list()) == '[1, "a"]'


def test_count_is_the_size_or_the_occurrences_of_a_value() -> None:
    numbers = Collection([1, 2, 1])
    assert numbers.count() == 3
    assert numbers.count(1) == 2
    assert numbers.count(None) == 0
    assert Collection().count() == 0


# -- transforming -----------------------------------------------------------------------------


def test_map() -> None:
    assert Collection([1, 2]).map(str) == ["1", "2"]
    assert USERS.map(lambda user: user.name) == ["Ada", "Alan", "Grace"]
    assert Collection[int]().map(str) == []
    assert isinstance(Collection([1]).map(str), Collection)


def test_filter_with_and_without_a_function() -> None:
    assert Collection([1, 2, 3, 4]).filter(lambda n: n % 2 == 0) == [2, 4]
    assert Collection([0, 1, None, "", "a", [], [0], False]).filter() == [1, "a", [0]]
    assert USERS.filter(lambda user: user.team == "navy") == [GRACE]


def test_reject() -> None:
    assert Collection([1, 2, 3, 4]).reject(lambda n: n % 2 == 0) == [1, 3]
    assert USERS.reject(lambda user: user.age) == [GRACE]


def test_reduce() -> None:
    assert Collection([1, 2, 3]).reduce(lambda total, n: total + n, 10) == 16
    start: list[str] = []
    assert Collection(["a", "b"]).reduce(lambda acc, s: [*acc, s.upper()], start) == ["A", "B"]
    assert Collection[int]().reduce(lambda total, n: total + n, 7) == 7


def test_flatten_one_level_by_default() -> None:
    nested = Collection([1, [2, [3, [4]]], (5,), Collection([6]), "ab", b"cd", {"k": [7]}])
    assert nested.flatten() == [1, 2, [3, [4]], 5, 6, "ab", b"cd", {"k": [7]}]


def test_flatten_deeper_and_fully() -> None:
    nested = Collection([1, [2, [3, [4]]]])
    assert nested.flatten(2) == [1, 2, 3, [4]]
    assert nested.flatten(None) == [1, 2, 3, 4]
    assert Collection([[{1}], frozenset({2})]).flatten(None) == [1, 2]


@pytest.mark.parametrize("depth", [0, -1])
def test_flatten_depth_must_be_positive(depth: int) -> None:
    with pytest.raises(ValueError, match="flatten depth must be at least 1"):
        Collection([[1]]).flatten(depth)


def test_pluck_from_dicts_and_objects_with_none_for_missing() -> None:
    assert ROWS.pluck("age") == [30, 20, None]
    assert USERS.pluck("name") == ["Ada", "Alan", "Grace"]
    assert USERS.pluck("nickname") == [None, None, None]
    assert Collection([{"a": {"b": 1}}, {"a": {}}]).pluck("a.b") == [1, None]


def test_chunk() -> None:
    chunks = Collection([1, 2, 3, 4, 5]).chunk(2)
    assert chunks == [[1, 2], [3, 4], [5]]
    assert all(isinstance(chunk, Collection) for chunk in chunks)
    assert Collection([1, 2]).chunk(5) == [[1, 2]]
    assert Collection().chunk(3) == []


@pytest.mark.parametrize("size", [0, -2])
def test_chunk_size_must_be_positive(size: int) -> None:
    with pytest.raises(ValueError, match="chunk size must be at least 1"):
        Collection([1]).chunk(size)


def test_each_visits_every_item_and_returns_the_collection() -> None:
    seen: list[int] = []
    numbers = Collection([1, 2, 3])
    assert numbers.each(seen.append) is numbers
    assert seen == [1, 2, 3]


def test_each_stops_when_the_function_returns_false() -> None:
    seen: list[int] = []

    def visit(n: int) -> bool | None:
        seen.append(n)
        return False if n == 2 else None

    Collection([1, 2, 3]).each(visit)
    assert seen == [1, 2]


def test_each_continues_when_the_function_returns_another_falsy_value() -> None:
    seen: list[int] = []

    def visit(n: int) -> int:
        seen.append(n)
        return 0

    Collection([1, 2, 3]).each(visit)
    assert seen == [1, 2, 3]


# -- grouping, ordering, de-duplicating -------------------------------------------------------


def test_group_by_attribute_on_dicts_in_order_of_first_appearance() -> None:
    groups = ROWS.group_by("team")
    assert list(groups) == ["x", "y"]
    assert groups["x"] == [ROWS[0], ROWS[2]]
    assert groups["y"] == [ROWS[1]]
    assert all(isinstance(group, Collection) for group in groups.values())


def test_group_by_on_objects_puts_missing_values_under_none() -> None:
    assert USERS.group_by("age") == {36: [ADA], 41: [ALAN], None: [GRACE]}
    assert ROWS.group_by("age") == {30: [ROWS[0]], 20: [ROWS[1]], None: [ROWS[2]]}


def test_group_by_a_callable() -> None:
    assert Collection([1, 2, 3, 4]).group_by(lambda n: n % 2) == {1: [1, 3], 0: [2, 4]}
    assert Collection[int]().group_by(str) == {}


def test_group_by_an_unhashable_value_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match=r"cannot group_by 'tags': its value \['a'\] is a list"):
        Collection([{"tags": ["a"]}]).group_by("tags")


def test_key_by_last_wins() -> None:
    assert ROWS.key_by("id") == {1: ROWS[0], 2: ROWS[1], 3: ROWS[2]}
    assert ROWS.key_by("team") == {"x": ROWS[2], "y": ROWS[1]}
    assert USERS.key_by(lambda user: user.name.lower()) == {
        "ada": ADA,
        "alan": ALAN,
        "grace": GRACE,
    }


def test_key_by_an_unhashable_value_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match=r"cannot key_by <.*<lambda>>: its value \{1\} is a set"):
        Collection([1]).key_by(lambda n: {n})


def test_sort_by_ascending_is_stable_and_puts_none_last() -> None:
    rows = Collection([{"n": 2, "i": 0}, {"i": 1}, {"n": 1, "i": 2}, {"n": 2, "i": 3}])
    assert rows.sort_by("n").pluck("i") == [2, 0, 3, 1]


def test_sort_by_descending_is_stable_and_still_puts_none_last() -> None:
    rows = Collection([{"n": None, "i": 0}, {"n": 1, "i": 1}, {"n": 2, "i": 2}, {"n": 1, "i": 3}])
    assert rows.sort_by("n", descending=True).pluck("i") == [2, 1, 3, 0]


def test_sort_by_objects_and_callables() -> None:
    assert USERS.sort_by("age", descending=True) == [ALAN, ADA, GRACE]
    assert USERS.sort_by(lambda user: user.name[::-1]) == [ADA, GRACE, ALAN]
    mixed: Collection[Decimal | float] = Collection([Decimal("1.5"), 1, 2.0])
    assert mixed.sort_by(lambda n: n) == [1, Decimal("1.5"), 2.0]


def test_sort_by_does_not_change_the_original() -> None:
    numbers = Collection([3, 1, 2])
    assert numbers.sort_by(lambda n: n) == [1, 2, 3]
    assert numbers == [3, 1, 2]


def test_sort_by_incomparable_values_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match=r"cannot sort by 'n': its values \(int, str\)"):
        Collection([{"n": 1}, {"n": "a"}]).sort_by("n")


def test_unique_keeps_the_first_of_each() -> None:
    assert Collection([3, 1, 3, 2, 1]).unique() == [3, 1, 2]
    assert ROWS.unique("team") == [ROWS[0], ROWS[1]]
    assert Collection(["a", "B", "A", "b"]).unique(str.lower) == ["a", "B"]


def test_unique_handles_unhashable_items_and_keys() -> None:
    rows = Collection([{"a": 1}, {"a": 1}, {"a": 2}, [1], [1]])
    assert rows.unique() == [{"a": 1}, {"a": 2}, [1]]
    tagged = Collection([{"tags": ["x"]}, {"tags": ["x"]}, {"tags": ["y"]}, {"tags": None}])
    assert tagged.unique("tags") == [tagged[0], tagged[2], tagged[3]]


# -- reading ----------------------------------------------------------------------------------


def test_first_and_last() -> None:
    numbers = Collection([1, 2, 3, 4])
    assert numbers.first() == 1
    assert numbers.last() == 4
    assert numbers.first(lambda n: n > 1) == 2
    assert numbers.last(lambda n: n < 4) == 3
    assert numbers.first(lambda n: n > 9) is None
    assert numbers.last(lambda n: n > 9) is None
    assert Collection().first() is None
    assert Collection().last() is None


def test_first_and_last_return_falsy_items() -> None:
    assert Collection([0, 1]).first() == 0
    assert Collection([1, 0]).last() == 0


def test_is_empty_and_is_not_empty() -> None:
    assert Collection().is_empty() is True
    assert Collection().is_not_empty() is False
    assert Collection([None]).is_empty() is False
    assert Collection([None]).is_not_empty() is True


# -- aggregates -------------------------------------------------------------------------------


def test_sum_avg_min_max_of_an_attribute_skip_missing_values() -> None:
    assert ROWS.sum("age") == 50
    assert ROWS.avg("age") == 25.0
    assert ROWS.min("age") == 20
    assert ROWS.max("age") == 30
    assert USERS.sum("age") == 77
    assert USERS.avg("age") == 38.5


def test_sum_avg_min_max_of_the_items() -> None:
    numbers = Collection([3, 1.5, None, 2])
    assert numbers.sum() == 6.5
    assert numbers.avg() == pytest.approx(6.5 / 3)
    assert numbers.min() == 1.5
    assert numbers.max() == 3


def test_aggregates_of_an_empty_collection() -> None:
    empty: Collection[int] = Collection()
    assert empty.sum() == 0
    assert empty.avg() is None
    assert empty.min() is None
    assert empty.max() is None


def test_aggregates_with_decimals_and_callables() -> None:
    amounts: Collection[dict[str, Any]] = Collection([{"a": Decimal("1.25")}, {"a": 2}])
    assert amounts.sum("a") == Decimal("3.25")
    assert amounts.avg("a") == Decimal("1.625")
    assert amounts.max(lambda row: row["a"]) == 2
    assert amounts.min(lambda row: row["a"]) == Decimal("1.25")


def test_sum_of_non_numbers_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot sum 'name'"):
        ROWS.sum("name")


# -- converting -------------------------------------------------------------------------------


def test_to_list_is_a_new_list() -> None:
    numbers = Collection([1, 2])
    as_list = numbers.to_list()
    assert as_list == [1, 2]
    assert type(as_list) is list
    as_list.append(3)
    assert numbers == [1, 2]


def test_to_dicts_uses_to_dict_copies_mappings_and_keeps_the_rest() -> None:
    row = {"a": 1}
    dicts = Collection([ADA, row, 5]).to_dicts()
    assert dicts == [{"name": "Ada", "age": 36}, {"a": 1}, 5]
    assert dicts[1] is not row


def test_to_dicts_ignores_a_non_callable_to_dict_attribute() -> None:
    @dataclass
    class Odd:
        to_dict: int = 1

    odd = Odd()
    assert Collection([odd]).to_dicts() == [odd]


# -- Page -------------------------------------------------------------------------------------


def test_page_is_a_frozen_record_iterating_its_items() -> None:
    page = Page(
        items=Collection([ADA, ALAN]),
        count=2,
        has_more=True,
        next_cursor="abc",
        per_page=2,
        scanned_count=5,
    )
    assert list(page) == [ADA, ALAN]
    assert (page.count, page.has_more, page.next_cursor, page.per_page, page.scanned_count) == (
        2,
        True,
        "abc",
        2,
        5,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.count = 3  # type: ignore[misc]
    assert page == Page(Collection([ADA, ALAN]), 2, True, "abc", 2, 5)


def test_last_page_has_no_cursor() -> None:
    page: Page[int] = Page(Collection(), 0, False, None, 25, 0)
    assert list(page) == []
    assert page.next_cursor is None
