"""Query results: :class:`Collection`, a typed Laravel-style collection, and :class:`Page`.

Why ``Collection`` wraps a tuple instead of subclassing ``list``:

* **Covariance.** ``Collection[User]`` is accepted where ``Collection[Model]`` is expected, which
  is what an ORM with model subclasses needs. A ``list`` subclass is invariant (it is mutable), so
  mypy and pyright would reject that assignment.
* **No signature clashes.** ``list`` would make ``count()`` (Laravel's "how many") clash with
  ``list.count(value)``, and slicing, ``+`` and ``copy()`` would hand back plain lists.
* **Values, not containers.** Every method returns a new collection; nothing mutates one in
  place, so a result can be shared (cached, eagerly loaded into several models) safely.

It is a full :class:`collections.abc.Sequence` (indexing, slicing to a ``Collection``, ``len``,
``in``, iteration, ``reversed``), compares equal to a list or collection with the same items, and
``to_list()`` gives a plain list (for ``json.dumps`` and friends).

Attribute arguments (``group_by("team_id")``, ``pluck("name")``, ``sum("age")``) read mapping
items by key and other items by attribute, with Laravel's dot notation for nested values (see
:func:`~dynamodb_tooling.query.aggregates.data_get`); a callable works wherever a name does.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from operator import itemgetter
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Literal,
    Self,
    SupportsIndex,
    TypeGuard,
    TypeVar,
    cast,
    get_args,
    overload,
)
from uuid import UUID

import orjson
from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

from dynamodb_tooling._item_size import MAX_DEPTH, TOO_DEEP
from dynamodb_tooling.errors import DynamoDBToolingError, MarshallingError
from dynamodb_tooling.query.aggregates import (
    Number,
    avg_of,
    describe,
    max_of,
    min_of,
    sum_of,
    value_getter,
)

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

T_co = TypeVar("T_co", covariant=True)
U = TypeVar("U")
K = TypeVar("K")

_MISSING: Any = object()

SerializationMode = Literal["python", "json"]
"""``"python"``: values as they are (``datetime``, ``Decimal``, sets...); ``"json"``: only JSON
types (pydantic's ``model_dump(mode=...)`` spelling)."""

DecimalMode = Literal["str", "number"]
"""How ``mode="json"`` writes a ``Decimal``: ``"str"`` (exact, always) or ``"number"`` (an
``int`` when integral, a ``float`` when the float reads back as the same decimal, otherwise a
:class:`SerializationError`: a number never loses digits silently)."""

_MODES = ("python", "json")
_DECIMAL_MODES = ("str", "number")


class SerializationError(DynamoDBToolingError, ValueError):
    """A value or an option cannot be serialised as asked (an unknown name in ``only()``, a
    decimal a JSON number would round, a bad ``mode``...). Raised before anything is returned."""


def check_serialization_options(
    mode: object, decimals: object, default_decimals: DecimalMode = "str"
) -> DecimalMode:
    """Validate ``mode``/``decimals`` (as given to ``to_dict``) and return the decimal mode in
    force: ``decimals`` applies to ``mode="json"`` only (Python mode keeps ``Decimal``)."""
    if mode not in _MODES:
        raise SerializationError(
            f"mode={mode!r} is not a serialisation mode; use mode='python' (values as they are) "
            "or mode='json' (JSON types only)"
        )
    if decimals is None:
        return default_decimals
    if decimals not in _DECIMAL_MODES:
        raise SerializationError(
            f"decimals={decimals!r} is not a decimal mode; use decimals='str' (exact strings) "
            "or decimals='number' (JSON numbers, refused when a float would round them)"
        )
    if mode != "json":
        raise SerializationError(
            f"decimals={decimals!r} applies to mode='json' only (mode='python' keeps Decimal "
            "values as they are); pass mode='json' too, or drop decimals="
        )
    return cast(DecimalMode, decimals)


def is_serializable_model(value: object) -> bool:
    """Whether ``value`` serialises by its own rules (a model: ``to_dict(mode=..,
    decimals=..)`` and ``to_json_dict()``), rather than as a plain value."""
    return callable(getattr(value, "to_json_dict", None)) and callable(
        getattr(value, "to_dict", None)
    )


def serialize_value(value: Any, mode: SerializationMode, decimals: DecimalMode, where: str) -> Any:
    """``value`` as ``to_dict(mode=...)`` shows it: a model by its own rules (hidden attributes
    left out), a collection or list item by item, and in JSON mode only JSON types
    (see :func:`to_jsonable`). ``where`` names the value in errors (``User.posts``)."""
    if is_serializable_model(value):
        if mode == "json":
            return value.to_dict(mode="json", decimals=decimals)
        return value.to_dict()
    if isinstance(value, Collection):
        return value.to_dict(mode=mode, decimals=decimals if mode == "json" else None)
    if mode == "json":
        return to_jsonable(value, decimals, where, where)
    if isinstance(value, list | tuple) and any(is_serializable_model(v) for v in value):
        return [serialize_value(v, mode, decimals, where) for v in value]
    return value


def to_jsonable(value: Any, decimals: DecimalMode, where: str, path: str, depth: int = 1) -> Any:
    """``value`` as plain JSON types: datetimes, dates and times in ISO-8601, ``Decimal`` as an
    exact string (or a number, see :data:`DecimalMode`), sets as sorted lists, bytes in base64,
    Enums by value, models by their own rules, maps and lists converted throughout.

    ``where`` names the value in errors (``User.meta``), ``path`` its position inside it,
    ``depth`` its nesting level (an attribute's own map or list is 1). Nesting is bounded as
    DynamoDB bounds it: a value deeper than :data:`MAX_DEPTH` could not be stored, and is
    refused (:class:`MarshallingError`) rather than recursed into until Python gives up. A float
    ``nan``/``inf`` (JSON has none, DynamoDB stores none) is a :class:`SerializationError`.
    """
    if is_serializable_model(value):
        return value.to_dict(mode="json", decimals=decimals)
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool | int | str | None):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SerializationError(
                f"{where}: {value!r} at {path} has no JSON form (JSON has no nan or infinity); "
                "store None or a finite number instead"
            )
        return value
    if isinstance(value, Decimal):
        return str(value) if decimals == "str" else decimal_number(value, where, path)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, set | frozenset):
        return [to_jsonable(v, decimals, where, path, depth) for v in _sorted_members(value)]
    if isinstance(value, Mapping | list | tuple | Collection) and depth > MAX_DEPTH:
        raise MarshallingError(
            f"{where}: value nested more than {MAX_DEPTH} levels deep at {path}: {TOO_DEEP}"
        )
    if isinstance(value, Mapping):
        return {
            str(k): to_jsonable(v, decimals, where, f"{path}.{k}", depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | Collection):
        return [
            to_jsonable(v, decimals, where, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)
        ]
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump):  # a pydantic model: its own JSON form
        return model_dump(mode="json")
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):  # a result row of another kind (a dataclass with to_dict, ...)
        return to_jsonable(to_dict(), decimals, where, path, depth)
    raise SerializationError(
        f"{where}: a {type(value).__name__} at {path} has no JSON form; store a str, number, "
        "bool, None, date/time, Decimal, UUID, bytes, Enum, set, list or dict instead"
    )


def decimal_number(value: Decimal, where: str, path: str) -> int | float:
    """``value`` as a JSON number without losing a digit: an ``int`` when it is integral (any
    size: JSON integers are exact), a ``float`` when that float's shortest form reads back as
    the same decimal (``Decimal("0.10")`` → ``0.1``), otherwise a :class:`SerializationError`."""
    if not value.is_finite():
        raise SerializationError(
            f"{where}: Decimal({str(value)!r}) at {path} has no JSON form; store a finite number"
        )
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) == value:
        return as_float
    raise SerializationError(
        f"{where}: Decimal({str(value)!r}) at {path} has more digits than a JSON number read as "
        "a 64-bit float keeps (it would read back as "
        f"{as_float!r}); serialise decimals as exact strings (decimals='str'), or round the "
        "value first"
    )


def _sorted_members(members: set[Any] | frozenset[Any]) -> list[Any]:
    try:
        return sorted(members)
    except (TypeError, ArithmeticError):  # a stray mix of types, or a NaN: still serialises
        return sorted(members, key=lambda v: (type(v).__name__, repr(v)))


def dump_json(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """JSON text of ``value`` (already JSON types, as :func:`to_jsonable` makes them), by
    orjson: compact, or pretty with ``indent`` spaces, keys sorted with ``sort_keys``; integers
    beyond 64 bits (DynamoDB numbers reach 38 digits) are written exactly too."""
    if indent is not None and (
        isinstance(indent, bool) or not isinstance(indent, int) or indent < 0
    ):
        raise SerializationError(
            f"indent={indent!r} is not a number of spaces; use None (compact) or an int >= 0"
        )
    if indent in (None, 2):
        option = orjson.OPT_SORT_KEYS if sort_keys else 0
        if indent == 2:
            option |= orjson.OPT_INDENT_2
        try:
            return orjson.dumps(value, option=option).decode("utf-8")
        except orjson.JSONEncodeError:  # an int beyond 64 bits: the standard library is exact
            pass
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        value, indent=indent, sort_keys=sort_keys, ensure_ascii=False, separators=separators
    )


class Collection(Sequence[T_co]):
    """An immutable, typed sequence of results with Laravel collection methods.

    >>> users = Collection([{"name": "Ada", "age": 36}, {"name": "Alan", "age": 41}])
    >>> users.filter(lambda u: u["age"] > 40).pluck("name").to_list()
    ['Alan']
    """

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[T_co] = ()) -> None:
        self._items: tuple[T_co, ...] = tuple(items)

    # -- sequence protocol -------------------------------------------------------------------

    @overload
    def __getitem__(self, index: SupportsIndex) -> T_co: ...
    @overload
    def __getitem__(self, index: slice) -> Collection[T_co]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> T_co | Collection[T_co]:
        if isinstance(index, slice):
            return Collection(self._items[index])
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T_co]:
        return iter(self._items)

    def __reversed__(self) -> Iterator[T_co]:
        return reversed(self._items)

    def __contains__(self, value: object) -> bool:
        return value in self._items

    def __add__(self, other: Iterable[U]) -> Collection[T_co | U]:
        return Collection([*self._items, *other])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Collection):
            return self._items == other._items
        if isinstance(other, list):
            return list(self._items) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, so unhashable like them

    def __repr__(self) -> str:
        return f"Collection({list(self._items)!r})"

    def index(self, value: Any, start: int = 0, stop: int = 2**63 - 1) -> int:
        """The position of the first item equal to ``value`` (``ValueError`` when absent)."""
        return self._items.index(value, start, stop)

    def count(self, value: object = _MISSING, /) -> int:
        """How many items there are; ``count(value)`` counts items equal to ``value``."""
        if value is _MISSING:
            return len(self._items)
        return self._items.count(value)

    # -- transforming ------------------------------------------------------------------------

    def map(self, fn: Callable[[T_co], U]) -> Collection[U]:
        """A collection of ``fn(item)`` for every item."""
        return Collection(map(fn, self._items))

    @overload
    def filter(self: Collection[U | None], fn: None = None) -> Collection[U]: ...
    @overload
    def filter(self, fn: Callable[[T_co], TypeGuard[U]]) -> Collection[U]: ...
    @overload
    def filter(self, fn: Callable[[T_co], object]) -> Collection[T_co]: ...
    def filter(self, fn: Callable[[Any], object] | None = None) -> Collection[Any]:
        """The items for which ``fn`` is truthy; without ``fn``, the truthy items."""
        if fn is None:
            return Collection(item for item in self._items if item)
        return Collection(item for item in self._items if fn(item))

    def reject(self, fn: Callable[[T_co], object]) -> Collection[T_co]:
        """The items for which ``fn`` is falsy (the opposite of :meth:`filter`)."""
        return Collection(item for item in self._items if not fn(item))

    def reduce(self, fn: Callable[[U, T_co], U], initial: U) -> U:
        """Fold the items into one value: ``fn(fn(initial, first), second)...``."""
        carry = initial
        for item in self._items:
            carry = fn(carry, item)
        return carry

    def flatten(self, depth: int | None = 1) -> Collection[Any]:
        """Splice nested lists, tuples, sets and collections into one collection.

        ``depth`` levels are flattened (``None``: all of them). Strings, bytes and mappings are
        items, not containers.

        >>> Collection([1, [2, [3]]]).flatten().to_list()
        [1, 2, [3]]
        """
        if depth is not None and depth < 1:
            raise ValueError(f"flatten depth must be at least 1 (or None for all), not {depth}")
        return Collection(_flatten(self._items, depth))

    def pluck(self, attribute: str) -> Collection[Any]:
        """The value of ``attribute`` of every item (``None`` where it is missing)."""
        get = value_getter(attribute)
        return Collection(get(item) for item in self._items)

    def chunk(self, size: int) -> Collection[Collection[T_co]]:
        """The items in consecutive collections of ``size`` (the last may be shorter)."""
        if size < 1:
            raise ValueError(f"chunk size must be at least 1, not {size}")
        items = self._items
        return Collection(Collection(items[i : i + size]) for i in range(0, len(items), size))

    def each(self, fn: Callable[[T_co], object]) -> Self:
        """Call ``fn`` on every item, stopping early if it returns ``False``; returns ``self``."""
        for item in self._items:
            if fn(item) is False:
                break
        return self

    # -- grouping, ordering, de-duplicating -------------------------------------------------

    @overload
    def group_by(self, key: Callable[[T_co], K]) -> dict[K, Collection[T_co]]: ...
    @overload
    def group_by(self, key: str) -> dict[Any, Collection[T_co]]: ...
    def group_by(self, key: str | Callable[[T_co], Any]) -> dict[Any, Collection[T_co]]:
        """The items grouped by ``key`` (groups in order of first appearance; missing → None).

        >>> Collection([{"t": 1}, {"t": 2}, {"t": 1}]).group_by("t")[1].count()
        2
        """
        get = value_getter(key)
        groups: dict[Any, list[T_co]] = {}
        for item in self._items:
            groups.setdefault(_hashable(get(item), key, "group_by"), []).append(item)
        return {value: Collection(members) for value, members in groups.items()}

    @overload
    def key_by(self, key: Callable[[T_co], K]) -> dict[K, T_co]: ...
    @overload
    def key_by(self, key: str) -> dict[Any, T_co]: ...
    def key_by(self, key: str | Callable[[T_co], Any]) -> dict[Any, T_co]:
        """The items by the value of ``key``; when values repeat, the last item wins."""
        get = value_getter(key)
        return {_hashable(get(item), key, "key_by"): item for item in self._items}

    def sort_by(
        self,
        key: str | Callable[[T_co], SupportsRichComparison | None],
        *,
        descending: bool = False,
    ) -> Collection[T_co]:
        """The items sorted by ``key`` (stable); items whose value is ``None`` come last."""
        get = value_getter(key)
        keyed = [(get(item), item) for item in self._items]
        present = [pair for pair in keyed if pair[0] is not None]
        missing = [item for value, item in keyed if value is None]
        try:
            present.sort(key=itemgetter(0), reverse=descending)
        except TypeError:
            kinds = ", ".join(sorted({type(value).__name__ for value, _ in present}))
            raise TypeError(
                f"cannot sort by {describe(key)}: its values ({kinds}) cannot be compared"
            ) from None
        return Collection([item for _, item in present] + missing)

    def unique(self, key: str | Callable[[T_co], object] | None = None) -> Collection[T_co]:
        """The items without repeats (by ``key`` when given), keeping the first of each."""
        get = value_getter(key)
        seen: set[Any] = set()
        seen_unhashable: list[Any] = []  # dicts and lists: compared by equality instead
        kept: list[T_co] = []
        for item in self._items:
            marker = get(item)
            try:
                if marker in seen:
                    continue
                seen.add(marker)
            except TypeError:
                if marker in seen_unhashable:
                    continue
                seen_unhashable.append(marker)
            kept.append(item)
        return Collection(kept)

    # -- reading -----------------------------------------------------------------------------

    def first(self, fn: Callable[[T_co], object] | None = None) -> T_co | None:
        """The first item (for which ``fn`` is truthy), or ``None``."""
        return next((item for item in self._items if fn is None or fn(item)), None)

    def last(self, fn: Callable[[T_co], object] | None = None) -> T_co | None:
        """The last item (for which ``fn`` is truthy), or ``None``."""
        return next((item for item in reversed(self._items) if fn is None or fn(item)), None)

    def is_empty(self) -> bool:
        """Whether there are no items."""
        return not self._items

    def is_not_empty(self) -> bool:
        """Whether there is at least one item."""
        return bool(self._items)

    # -- relations (a collection of models) ---------------------------------------------------

    def load(self, *relations: Any) -> Self:
        """Eager-load ``relations`` onto every model here at once (one round of requests per
        relation and level, as ``with_`` does): ``posts.load("user", "comments")``."""
        flow, executor = self._relations_flow("load", relations)
        if flow is not None:
            executor.run(flow)
        return self

    async def aload(self, *relations: Any) -> Self:
        """The async twin of :meth:`load`."""
        flow, executor = self._relations_flow("load", relations)
        if flow is not None:
            await executor.arun(flow)
        return self

    def load_missing(self, *relations: Any) -> Self:
        """:meth:`load` for the models that do not have the relations loaded yet."""
        flow, executor = self._relations_flow("load_missing", relations)
        if flow is not None:
            executor.run(flow)
        return self

    async def aload_missing(self, *relations: Any) -> Self:
        flow, executor = self._relations_flow("load_missing", relations)
        if flow is not None:
            await executor.arun(flow)
        return self

    def load_count(self, *relations: Any) -> Self:
        """Set ``<relation>_count`` on every model here (one round for all of them)."""
        flow, executor = self._relations_flow("load_count", relations)
        if flow is not None:
            executor.run(flow)
        return self

    async def aload_count(self, *relations: Any) -> Self:
        flow, executor = self._relations_flow("load_count", relations)
        if flow is not None:
            await executor.arun(flow)
        return self

    def _relations_flow(self, what: str, relations: tuple[Any, ...]) -> tuple[Any, Any]:
        if not self._items:
            return None, None
        first = self._items[0]
        hook = getattr(first, "_collection_flow", None)
        if hook is None:
            raise DynamoDBToolingError(
                f"{what}() loads relations onto models; this collection holds "
                f"{type(first).__name__} items"
            )
        found: tuple[Any, Any] = hook(self._items, what, relations)
        return found

    # -- aggregates (see dynamodb_tooling.query.aggregates for the number rules) -------------

    def sum(self, attribute: str | Callable[[T_co], Any] | None = None) -> Number:
        """The total of ``attribute`` (or of the items); ``None``/missing values are skipped."""
        return sum_of(self._items, attribute)

    def avg(self, attribute: str | Callable[[T_co], Any] | None = None) -> float | Decimal | None:
        """The mean of ``attribute`` (or of the items); ``None`` when nothing has a value."""
        return avg_of(self._items, attribute)

    @overload
    def min(self, attribute: None = None) -> T_co | None: ...
    @overload
    def min(self, attribute: str | Callable[[T_co], Any]) -> Any: ...
    def min(self, attribute: str | Callable[[T_co], Any] | None = None) -> Any:
        """The smallest value of ``attribute`` (or the smallest item); ``None`` when empty."""
        return min_of(self._items, attribute)

    @overload
    def max(self, attribute: None = None) -> T_co | None: ...
    @overload
    def max(self, attribute: str | Callable[[T_co], Any]) -> Any: ...
    def max(self, attribute: str | Callable[[T_co], Any] | None = None) -> Any:
        """The largest value of ``attribute`` (or the largest item); ``None`` when empty."""
        return max_of(self._items, attribute)

    # -- converting --------------------------------------------------------------------------

    def to_list(self) -> list[T_co]:
        """The items as a new plain list."""
        return list(self._items)

    def to_dicts(self) -> list[Any]:
        """Items with a ``to_dict()`` method (models) converted by it, mappings copied to dicts,
        anything else as it is."""
        return [_to_dict(item) for item in self._items]

    def to_dict(
        self, *, mode: SerializationMode = "python", decimals: DecimalMode | None = None
    ) -> list[Any]:
        """Every item serialised (Eloquent's ``$collection->toArray()``; a list, named like
        the models' ``to_dict`` so both serialise with one spelling): models by their own rules
        and per-instance visibility (``make_hidden``/``make_visible``), so no hidden attribute
        appears; nested collections as lists; with ``mode="json"`` only JSON types (ISO dates,
        decimals as exact strings, or numbers with ``decimals="number"`` — see
        :data:`DecimalMode`). With ``decimals`` unset, each model uses its class default.

        >>> Collection([{"n": Decimal("1.50")}]).to_dict(mode="json")
        [{'n': '1.50'}]
        """
        check_serialization_options(mode, decimals)
        if mode == "python":
            return [_to_python(item) for item in self._items]
        return [_item_to_json(item, decimals, f"item {i}") for i, item in enumerate(self._items)]

    def to_json(
        self,
        *,
        decimals: DecimalMode | None = None,
        indent: int | None = None,
        sort_keys: bool = False,
    ) -> str:
        """``to_dict(mode="json")`` as JSON text (a JSON array), by orjson: compact, or with
        ``indent`` spaces; ``sort_keys`` sorts object keys.

        >>> Collection([{"b": 1, "a": {2}}]).to_json(sort_keys=True)
        '[{"a":[2],"b":1}]'
        """
        return dump_json(
            self.to_dict(mode="json", decimals=decimals), indent=indent, sort_keys=sort_keys
        )

    # -- pydantic / FastAPI ------------------------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """Pydantic (and FastAPI) see a collection as a list: ``Collection[User]`` validates
        from any list, tuple or collection of users and serialises as a JSON array, each item
        by its own schema (a model by its rules: hidden attributes never appear)."""
        (item_type,) = get_args(source) or (Any,)
        item_schema: CoreSchema
        if item_type is Any or isinstance(item_type, TypeVar):
            # Items of no declared type: models still serialise by their own rules.
            item_schema = core_schema.any_schema(
                serialization=core_schema.wrap_serializer_function_ser_schema(
                    _serialize_item, info_arg=True
                )
            )
        else:
            item_schema = handler.generate_schema(item_type)
        items = core_schema.list_schema(item_schema)
        return core_schema.no_info_after_validator_function(
            cls,
            core_schema.no_info_before_validator_function(_to_list, items),
            serialization=core_schema.plain_serializer_function_ser_schema(
                _to_list, return_schema=items
            ),
        )


@dataclass(frozen=True, slots=True)
class Page(Generic[T_co]):
    """One page of a paginated query.

    ``count`` is the number of items in this page, ``scanned_count`` how many DynamoDB read to
    find them (more when a filter discarded some), ``next_cursor`` the opaque cursor for the next
    page (``None`` on the last one, when ``has_more`` is false).
    """

    items: Collection[T_co]
    count: int
    has_more: bool
    next_cursor: str | None
    per_page: int
    scanned_count: int

    def __iter__(self) -> Iterator[T_co]:
        return iter(self.items)

    def to_dict(
        self, *, mode: SerializationMode = "python", decimals: DecimalMode | None = None
    ) -> dict[str, Any]:
        """The page as its API shape — ``{items, count, has_more, next_cursor, per_page,
        scanned_count}`` — with ``items`` serialised as :meth:`Collection.to_dict` does (models
        by their own rules: no hidden attribute)."""
        return {
            "items": self.items.to_dict(mode=mode, decimals=decimals),
            "count": self.count,
            "has_more": self.has_more,
            "next_cursor": self.next_cursor,
            "per_page": self.per_page,
            "scanned_count": self.scanned_count,
        }

    def to_json(
        self,
        *,
        decimals: DecimalMode | None = None,
        indent: int | None = None,
        sort_keys: bool = False,
    ) -> str:
        """``to_dict(mode="json")`` as JSON text (see :meth:`Collection.to_json`)."""
        return dump_json(
            self.to_dict(mode="json", decimals=decimals), indent=indent, sort_keys=sort_keys
        )


def _flatten(items: Iterable[Any], depth: int | None) -> Iterator[Any]:
    nested = depth is None or depth > 0
    for item in items:
        if nested and isinstance(item, list | tuple | set | frozenset | Collection):
            yield from _flatten(item, None if depth is None else depth - 1)
        else:
            yield item


def _hashable(value: Any, key: str | Callable[..., Any], operation: str) -> Any:
    try:
        hash(value)
    except TypeError:
        raise TypeError(
            f"cannot {operation} {describe(key)}: its value {value!r} is a "
            f"{type(value).__name__}, which cannot be a dict key"
        ) from None
    return value


def _to_list(value: Any) -> Any:
    """A collection as a plain list (for pydantic's list schema); anything else unchanged."""
    return value.to_list() if isinstance(value, Collection) else value


def _serialize_item(
    item: Any,
    serialize: core_schema.SerializerFunctionWrapHandler,
    info: core_schema.SerializationInfo,
) -> Any:
    """An item of an untyped collection: a model (anything with ``to_json_dict``) by its own
    rules, a nested collection as a list, anything else as pydantic infers it."""
    if isinstance(item, Collection):
        return [_serialize_item(member, serialize, info) for member in item]
    if is_serializable_model(item):
        return item.to_dict(mode="json") if info.mode_is_json() else item.to_dict()
    return serialize(item)


def _to_python(item: Any) -> Any:
    """An item as ``Collection.to_dict()`` (Python mode) shows it."""
    if is_serializable_model(item):
        return item.to_dict()
    if isinstance(item, Collection):
        return item.to_dict()
    return _to_dict(item)


def _item_to_json(item: Any, decimals: DecimalMode | None, where: str) -> Any:
    """An item as ``Collection.to_dict(mode="json")`` shows it: a model with its class default
    decimal mode unless ``decimals`` is given."""
    if is_serializable_model(item):
        return item.to_dict(mode="json", decimals=decimals)
    if isinstance(item, Collection):
        return item.to_dict(mode="json", decimals=decimals)
    return to_jsonable(_to_dict(item), decimals or "str", where, where)


def _to_dict(item: Any) -> Any:
    to_dict = getattr(item, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    if isinstance(item, Mapping):
        return dict(item)
    return item
