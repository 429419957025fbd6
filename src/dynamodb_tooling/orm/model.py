"""``Model``: the base class of Eloquent-style models.

Subclassing registers a definition in the registry — the same definition a Stacks dict
produces (see ``schema.naming`` for the shared rules):

>>> class User(Model, timestamps=True, soft_deletes=True):
...     email: str = attribute(unique=True)
...     name: str
...     team = BelongsTo("Team")
"""

from __future__ import annotations

import base64
import copy
import difflib
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, Self, get_origin, get_type_hints

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from dynamodb_tooling._item_size import MAX_DEPTH, TOO_DEEP
from dynamodb_tooling.errors import DynamoDBToolingError, MarshallingError
from dynamodb_tooling.orm._annotations import attribute_type, enum_class
from dynamodb_tooling.orm.fields import AttributeSpec, Field
from dynamodb_tooling.orm.persistence import _SCALARS, ModelState, Persistence, snapshot
from dynamodb_tooling.orm.relations import Relation
from dynamodb_tooling.query.builder import QueryBuilder
from dynamodb_tooling.query.predicates import MISSING
from dynamodb_tooling.query.results import Collection
from dynamodb_tooling.query.state import QueryState
from dynamodb_tooling.schema import ModelDefinition, Registry, SchemaError, Traits, get_registry
from dynamodb_tooling.schema.definitions import AttributeDefinition
from dynamodb_tooling.schema.naming import default_prefix, make_attribute
from dynamodb_tooling.schema.transformer import (
    EntityTransformer,
    ModelInfo,
    generate_id,
    transformer_of,
)

_RESERVED = {"query", "where", "find", "create", "save", "delete", "update", "to_item"}


def _definition_attribute(
    cls: type, name: str, annotation: Any, spec: AttributeSpec | None, default: Any
) -> AttributeDefinition:
    kind, nullable = attribute_type(annotation, f"{cls.__name__}.{name}")
    options: dict[str, Any] = {}
    has_default = False
    if spec is not None:
        if spec.cast is not None:
            raise SchemaError(
                f"{cls.__name__}.{name}: attribute(cast={spec.cast!r}) is not supported yet "
                "(planned); remove it (the annotation decides how the value is stored)"
            )
        kind = spec.type or kind
        has_default = spec.has_default
        default = spec.default if spec.default_factory is None else None
        options = {
            "unique": spec.unique,
            "index": spec.index,
            "index_sort": spec.index_sort,
            "hidden": spec.hidden,
            "fillable": spec.fillable,
            "guarded": spec.guarded,
            "validation": spec.validation,
            "description": spec.description,
        }
    elif default is not _NO_DEFAULT:
        has_default = True
    options["python_type"] = enum_class(annotation)
    return make_attribute(
        name,
        kind,
        nullable=nullable,
        default=default if has_default else None,
        has_default=has_default,
        **options,
    )


_NO_DEFAULT = object()


class Model(Persistence):
    """Base class of models; see the module docstring."""

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]
    __specs__: ClassVar[dict[str, AttributeSpec]]
    __attribute_specs__: ClassVar[dict[str, AttributeSpec]]

    def __init_subclass__(
        cls,
        *,
        abstract: bool = False,
        name: str | None = None,
        pk_prefix: str | None = None,
        primary_key: str = "id",
        table: str | None = None,
        timestamps: bool = False,
        soft_deletes: bool = False,
        uuid: bool = False,
        ttl: bool | str = False,
        ttl_index: bool = False,
        versioning: bool = False,
        registry: Registry | None = None,
        definition: ModelDefinition | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls._take_specs()
        if abstract:
            return
        cls.__registry__ = registry or get_registry()
        cls.__attribute_specs__ = cls._inherited()[0]
        if definition is None:
            if table is not None:
                raise SchemaError(
                    f"{name or cls.__name__}: table={table!r} (a model in its own table) is not "
                    "supported yet (planned); remove it — every model lives in the single table"
                )
            traits = Traits(
                timestamps=timestamps,
                soft_deletes=soft_deletes,
                id_strategy="uuid" if uuid else "ulid",
                ttl=bool(ttl),
                ttl_attribute=ttl if isinstance(ttl, str) else None,
                ttl_index=ttl_index,
                versioning=versioning,
            )
            definition = cls._build_definition(
                name or cls.__name__, pk_prefix, primary_key, table, traits
            )
        origin = f"{cls.__module__}.{cls.__qualname__}"
        cls.__definition__ = cls.__registry__.register(definition, origin=origin)
        for attribute_name in (definition.primary_key, *(a.name for a in definition.attributes)):
            # Class access gives a typed reference (User.age > 30); instances read their dict.
            setattr(cls, attribute_name, Field(attribute_name, definition.name))

    @classmethod
    def _take_specs(cls) -> None:
        """Move this class's ``attribute(...)`` options off the class, into ``__specs__``, so
        an unset attribute never reads as its options object (for abstract bases too)."""
        own = {k: v for k, v in cls.__dict__.items() if isinstance(v, AttributeSpec)}
        for name in own:
            delattr(cls, name)
        cls.__specs__ = own

    @classmethod
    def _inherited(cls) -> tuple[dict[str, AttributeSpec], dict[str, Any], dict[str, Relation]]:
        """Options, plain defaults and relations declared on this class and its bases."""
        specs: dict[str, AttributeSpec] = {}
        defaults: dict[str, Any] = {}
        relations: dict[str, Relation] = {}
        for klass in reversed(cls.__mro__):
            specs.update(klass.__dict__.get("__specs__", {}))
            for key, value in klass.__dict__.items():
                if isinstance(value, Relation):
                    relations[key] = value
                elif not key.startswith("_"):
                    defaults[key] = value
        return specs, defaults, relations

    @classmethod
    def _build_definition(
        cls, name: str, pk_prefix: str | None, primary_key: str, table: str | None, traits: Traits
    ) -> ModelDefinition:
        try:
            hints = get_type_hints(cls)
        except NameError as exc:
            raise SchemaError(
                f"{name}: an annotation names an undefined type ({exc}); with `from __future__ "
                "import annotations`, annotations must name module-level types"
            ) from exc
        specs, defaults, inherited_relations = cls._inherited()
        attributes = []
        for attr_name, annotation in hints.items():
            if attr_name.startswith("_") or attr_name in inherited_relations:
                continue
            if annotation is ClassVar or get_origin(annotation) is ClassVar:
                continue
            if attr_name == primary_key:
                continue
            if attr_name in _RESERVED or any(attr_name in vars(k) for k in Model.__mro__[:-1]):
                raise SchemaError(f"{name}.{attr_name}: this name is reserved by Model; rename it")
            spec = specs.get(attr_name)
            raw = defaults.get(attr_name, _NO_DEFAULT)
            attributes.append(_definition_attribute(cls, attr_name, annotation, spec, raw))
        relations = [relation.to_definition() for relation in inherited_relations.values()]
        return ModelDefinition(
            name=name,
            prefix=pk_prefix or default_prefix(name),
            primary_key=primary_key,
            attributes=tuple(attributes),
            relations=tuple(relations),
            traits=traits,
            table=table,
        )

    # Instances.
    def __init__(self, **values: Any) -> None:
        """A new, unsaved instance. Unknown names and guarded attributes are refused
        (:class:`MassAssignmentError`): set guarded ones explicitly or use ``force_fill``."""
        self._initialise(values, guarded=True)

    def _initialise(self, values: dict[str, Any], *, guarded: bool) -> None:
        cls = type(self)
        if guarded:
            cls._guard(values)
        else:
            cls._check_names(values)
        definition = cls.__definition__
        for attribute in cls._defaulted():
            if attribute.name not in values:
                spec = cls.__attribute_specs__.get(attribute.name)
                has_spec_default = spec is not None and spec.has_default
                default = spec.make_default() if spec and has_spec_default else attribute.default
                # A copy: a mutable default (a list, a set) must not be shared by instances.
                values[attribute.name] = (
                    default if type(default) in _SCALARS else copy.deepcopy(default)
                )
        if values.get(definition.primary_key) is None and definition.traits.id_strategy != "caller":
            values[definition.primary_key] = generate_id(definition)
        object.__setattr__(self, "_model_state", ModelState(values))

    @classmethod
    def _defaulted(cls) -> tuple[AttributeDefinition, ...]:
        """The attributes with a default, in declaration order (taken once per definition)."""
        definition = cls.__definition__
        found = cls.__dict__.get("_defaulted_attributes")
        if found is None or found[0] is not definition:
            found = (definition, tuple(a for a in definition.attributes if a.has_default))
            type.__setattr__(cls, "_defaulted_attributes", found)
        return found[1]

    @classmethod
    def _names(cls) -> tuple[str, ...]:
        """Every name an instance stores, in a stable order: the key, declared attributes,
        foreign keys, then managed attributes (timestamps, deleted_at, version, ttl)."""
        return cls._name_set()[0]

    @classmethod
    def _name_set(cls) -> tuple[tuple[str, ...], frozenset[str]]:
        """:meth:`_names` and the same names as a set, derived once per registry resolution
        (re-derived whenever a model registers or the configuration changes)."""
        registry = cls.__registry__
        return registry.derived(("model names", cls), cls._derive_names)

    @classmethod
    def _derive_names(cls) -> tuple[tuple[str, ...], frozenset[str]]:
        definition = cls.__definition__
        info = ModelInfo.of(cls.__registry__, definition.name)
        allowed, managed = info.allowed, info.managed
        first = [definition.primary_key, *(a.name for a in definition.attributes)]
        names = tuple(dict.fromkeys([*first, *sorted(allowed - {*first, *managed}), *managed]))
        return names, frozenset(names)

    def _read_attribute(self, name: str) -> Any:
        """A stored name's value; ``None`` while it is not set (never stored as such)."""
        return self._state.values.get(name)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: foreign keys, timestamps, version, unknowns.
        if name.startswith("__") or name == "_model_state":
            raise AttributeError(name)
        cls = type(self)
        if not hasattr(cls, "__definition__"):  # an abstract base
            raise AttributeError(f"{cls.__name__} has no attribute {name!r}")
        names = cls._names()
        if name in names:
            return self._state.values.get(name)
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise AttributeError(f"{cls.__definition__.name} has no attribute {name!r}{hint}")

    def __setattr__(self, name: str, value: Any) -> None:
        """``user.role = "admin"`` sets a stored value (guarded ones too: this is explicit);
        an unknown public name is refused with a did-you-mean rather than silently lost."""
        cls = type(self)
        if name in cls._name_set()[1]:
            self._state.values[name] = value
        elif name.startswith("_") or hasattr(cls, name):
            object.__setattr__(self, name, value)
        else:
            cls._check_names({name: value})

    def __delattr__(self, name: str) -> None:
        if name in type(self)._name_set()[1]:
            self._state.values.pop(name, None)
        else:
            object.__delattr__(self, name)

    def __getstate__(self) -> dict[str, Any]:
        """For pickle and copy: the instance's own state, copied (never shared)."""
        state = self._state
        return {
            "values": dict(state.values),
            "original": dict(state.original),
            "exists": state.exists,
            "changes": dict(state.changes),
            "extra": dict(self.__dict__),
        }

    def __setstate__(self, saved: dict[str, Any]) -> None:
        state = ModelState(saved["values"])
        state.original, state.exists, state.changes = (
            saved["original"],
            saved["exists"],
            saved["changes"],
        )
        object.__setattr__(self, "_model_state", state)
        self.__dict__.update(saved["extra"])

    # Queries (Eloquent's static entry points).
    @classmethod
    def query(cls) -> QueryBuilder[Self]:
        """A new query on this model: ``User.query().where("age", ">", 30).get()``."""
        state = QueryState(model=cls.__definition__.name)
        return QueryBuilder(state, registry=cls.__registry__, hydrate=cls.from_item)

    @classmethod
    def where(
        cls, attribute: Any, operator: Any = MISSING, value: Any = MISSING
    ) -> QueryBuilder[Self]:
        """``User.where("email", "ada@example.com")`` — see :meth:`QueryBuilder.where`."""
        return cls.query().where(attribute, operator, value)

    @classmethod
    def where_in(cls, attribute: str, values: Any) -> QueryBuilder[Self]:
        return cls.query().where_in(attribute, values)

    @classmethod
    def find(cls, item_id: Any) -> Self | None:
        """The instance with this id (one GetItem), or ``None``."""
        return cls.query().find(item_id)

    @classmethod
    def find_or_fail(cls, item_id: Any) -> Self:
        return cls.query().find_or_fail(item_id)

    @classmethod
    def find_many(cls, ids: Any) -> Collection[Self]:
        return cls.query().find_many(ids)

    @classmethod
    def all(cls) -> Collection[Self]:
        """Every instance (a Scan of this entity type: warned)."""
        return cls.query().get()

    # Async twins (the same plans and flows on the async executor).
    @classmethod
    async def afind(cls, item_id: Any) -> Self | None:
        """The async twin of :meth:`find`."""
        return await cls.query().afind(item_id)

    @classmethod
    async def afind_or_fail(cls, item_id: Any) -> Self:
        return await cls.query().afind_or_fail(item_id)

    @classmethod
    async def afind_many(cls, ids: Any) -> Collection[Self]:
        return await cls.query().afind_many(ids)

    @classmethod
    async def aall(cls) -> Collection[Self]:
        return await cls.query().aget()

    @classmethod
    def with_trashed(cls) -> QueryBuilder[Self]:
        return cls.query().with_trashed()

    @classmethod
    def only_trashed(cls) -> QueryBuilder[Self]:
        return cls.query().only_trashed()

    @classmethod
    def _transformer(cls) -> EntityTransformer:
        return transformer_of(cls.__registry__)

    def to_values(self) -> dict[str, Any]:
        """The model's stored values (attributes, foreign keys, managed attributes)."""
        allowed = type(self)._name_set()[1]
        values = self._state.values
        if allowed.issuperset(values):
            return dict(values)  # the usual case: every name is a stored one
        return {k: v for k, v in values.items() if k in allowed}

    def to_item(self) -> dict[str, Any]:
        """The full DynamoDB item as Python values, keys included."""
        return type(self)._transformer().to_item(type(self).__definition__.name, self.to_values())

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Self:
        """An instance from a stored item (internal attributes stripped, values cast).

        Hydration is not mass assignment: guarded attributes are loaded as stored.
        """
        name = cls.__definition__.name
        transformer = cls._transformer()
        cls.__registry__.model(name)  # an unregistered model is named as such
        info = transformer.info(name)
        values = transformer.read_values(item, name, info)
        instance = cls.__new__(cls)
        state = ModelState(values)
        object.__setattr__(instance, "_model_state", state)
        # _remember(), spelled out: the snapshot of the stored names (usually all of them).
        allowed = info.allowed  # the names _name_set() holds
        if not allowed.issuperset(values):
            values = {k: v for k, v in values.items() if k in allowed}
        state.original = snapshot(values, name)
        state.exists = True
        return instance

    # Serialisation.
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

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        mine, theirs = self.to_values(), other.to_values()
        return {k: v for k, v in mine.items() if v is not None} == {
            k: v for k, v in theirs.items() if v is not None
        }

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        key = type(self).__definition__.primary_key
        return f"{type(self).__name__}({key}={self._state.values.get(key)!r})"


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
    if isinstance(value, Model):
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


def _pydantic_serialize(model: Model, info: core_schema.SerializationInfo) -> dict[str, Any]:
    return model.to_json_dict() if info.mode_is_json() else model.to_dict()
