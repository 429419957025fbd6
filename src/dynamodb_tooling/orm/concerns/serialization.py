"""Serialisation: dicts, JSON-safe dicts, and pydantic/FastAPI support."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from dynamodb_tooling._item_size import MAX_DEPTH, TOO_DEEP
from dynamodb_tooling.errors import DynamoDBToolingError, MarshallingError
from dynamodb_tooling.orm.concerns.change_tracking import ModelState
from dynamodb_tooling.schema import ModelDefinition, Registry


class SerializesAttributes:
    """Serialisation (Eloquent's ``toArray``/``toJson`` and ``$hidden``): ``to_dict()``,
    ``to_json_dict()``, ``dict(instance)``, and the pydantic/FastAPI hooks, none of which ever
    show a hidden attribute or the instance's internals."""

    __slots__ = ()

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]

    if TYPE_CHECKING:

        @property
        def _state(self) -> ModelState: ...

        @classmethod
        def _names(cls) -> tuple[str, ...]: ...

        def __init__(self, **values: Any) -> None: ...

    def to_dict(self) -> dict[str, Any]:
        """Every stored name except hidden ones, ``None`` where unset (Eloquent's toArray)."""
        cls = type(self)
        hidden = {a.name for a in cls.__definition__.attributes if a.hidden}
        values = self._state.values
        return {name: values.get(name) for name in cls._names() if name not in hidden}

    def to_json_dict(self) -> dict[str, Any]:
        """:meth:`to_dict` with JSON-safe values, ready for ``json.dumps``: datetimes and dates
        in ISO-8601, ``Decimal`` as an exact string (ints stay ints), sets as sorted lists,
        bytes in base64, Enums by value, nested maps and lists converted throughout.

        Raises :class:`MarshallingError` naming the attribute when a value is nested deeper
        than DynamoDB's 32 levels (it could not be stored either)."""
        model = type(self).__definition__.name
        return {
            name: _json_safe(value, f"{model}.{name}", name)
            for name, value in self.to_dict().items()
        }

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """``dict(user) == user.to_dict()``: generic encoders (FastAPI's ``jsonable_encoder``)
        see the serialised values, never the instance's internals or hidden attributes."""
        return iter(self.to_dict().items())

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """Pydantic (and FastAPI) validate a model field from an instance or a dict of its
        attributes (mass assignment: guarded ones refused) and serialise it by ``to_dict()``."""
        return core_schema.no_info_plain_validator_function(
            cls._pydantic_validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _pydantic_serialize,
                info_arg=True,
                return_schema=core_schema.dict_schema(
                    core_schema.str_schema(), core_schema.any_schema()
                ),
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        definition = cls.__definition__
        version = cls.__registry__.config.query_builder.version_attribute
        kinds: dict[str, str] = {a.name: a.type for a in definition.attributes}
        kinds[version] = "integer"
        hidden = {a.name for a in definition.attributes if a.hidden}
        properties = {
            name: dict(_JSON_TYPES.get(kinds.get(name, "string"), {}))
            for name in cls._names()
            if name not in hidden
        }
        return {"type": "object", "title": definition.name, "properties": properties}

    @classmethod
    def _pydantic_validate(cls, value: Any) -> Self:
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
            try:
                return cls(**value)
            except DynamoDBToolingError as exc:
                raise PydanticCustomError(
                    "model_attributes", "{reason}", {"reason": str(exc)}
                ) from exc
        raise PydanticCustomError(
            "model_type",
            "expected a {model} instance or a dict of its attributes",
            {"model": cls.__name__},
        )


_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "decimal": {"type": "string", "format": "decimal"},
    "boolean": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "binary": {"type": "string", "contentEncoding": "base64"},
    "map": {"type": "object"},
    "list": {"type": "array"},
    "string_set": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    "number_set": {"type": "array", "uniqueItems": True},
    "binary_set": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
}


def _json_safe(value: Any, where: str, path: str, depth: int = 1) -> Any:
    """``value`` as plain JSON types; ``where`` names the attribute (``User.meta``), ``path``
    the position inside it, ``depth`` its nesting level (an attribute's own map or list is 1).

    Nesting is bounded as DynamoDB bounds it: a value deeper than :data:`MAX_DEPTH` could not
    be stored, and is refused here rather than recursed into until Python gives up.
    """
    if isinstance(value, SerializesAttributes):
        value = value.to_dict()
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool | int | str | float | None):
        return value
    if isinstance(value, Decimal):
        return str(value)  # exact: a JSON number would be read back as a binary float
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, set | frozenset):
        return [_json_safe(v, where, path, depth) for v in _sorted_members(value)]
    if isinstance(value, Mapping | list | tuple) and depth > MAX_DEPTH:
        raise MarshallingError(
            f"{where}: value nested more than {MAX_DEPTH} levels deep at {path}: {TOO_DEEP}"
        )
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v, where, f"{path}.{k}", depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v, where, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
    return value


def _sorted_members(members: set[Any] | frozenset[Any]) -> list[Any]:
    try:
        return sorted(members)
    except (TypeError, ArithmeticError):  # a stray mix of types, or a NaN: still serialises
        return sorted(members, key=lambda v: (type(v).__name__, repr(v)))


def _pydantic_serialize(
    model: SerializesAttributes, info: core_schema.SerializationInfo
) -> dict[str, Any]:
    return model.to_json_dict() if info.mode_is_json() else model.to_dict()
