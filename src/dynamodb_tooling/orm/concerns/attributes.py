"""Attributes: what an instance stores, how it is built, read, written and hydrated.

An instance holds the *stored form* of its values (what is written; what hydration reads).
Custom casts (``attribute(cast=...)``, :mod:`dynamodb_tooling.orm.casts`) and accessors
(:mod:`dynamodb_tooling.orm.accessors`) apply when a value is read; mutators and casts'
``set`` when a value is assigned (attribute assignment, the constructor, ``create``).
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Self

from dynamodb_tooling.orm.accessors import as_mapping, computed_names, declared_hooks
from dynamodb_tooling.orm.casts import CastsAttributes
from dynamodb_tooling.orm.concerns.change_tracking import (
    _SCALARS,
    ModelState,
    _fast_copy,
    _TooDeepError,
    snapshot,
)
from dynamodb_tooling.query._guard import protected_names
from dynamodb_tooling.schema import ModelDefinition, Registry
from dynamodb_tooling.schema.definitions import AttributeDefinition
from dynamodb_tooling.schema.traits import assigns_ids, id_maker
from dynamodb_tooling.schema.transformer import (
    EntityTransformer,
    ModelInfo,
    generate_id,
    transformer_of,
)

_NOT_SET = object()

#: ``(instance, value) -> value``: how a read or a write of one name is transformed.
Hook = Callable[[Any, Any], Any]


class Hydration:
    """How one model's items become instances, compiled once per model and registry
    resolution: the transformer's compiled reader (cast by declared type), then the
    dirty-tracking snapshot of the stored names (:meth:`original`), in which the values of
    immutable declared types (str, numbers, bool, datetimes, bytes, Enum, UUID) are shared
    without a look and only lists, maps, sets and undeclared values are checked and copied."""

    __slots__ = ("allowed", "model", "original", "read")

    def __init__(self, cls: type[HasAttributes]) -> None:
        registry = cls.__registry__
        self.model = cls.__definition__.name
        registry.model(self.model)  # an unregistered model is named as such
        info = ModelInfo.of(registry, self.model)
        self.read = info.reader
        self.allowed = info.allowed
        immutable = {name for name, a in info.attributes.items() if _immutable(a)}
        # Stored names whose values may be mutable: copied unless of a scalar type.
        check = sorted(self.allowed - immutable - info.timestamps)
        kinds = {name: info.attributes[name].type for name in check if name in info.attributes}
        self.original: Callable[[dict[str, Any]], dict[str, Any]] = _compile_snapshot(
            self.model, check, kinds, self.allowed
        )


class Construction:
    """What building a new instance of one model class needs, derived once per registry
    resolution: the names it may take (``allowed``; ``fillable``: those mass assignment may
    set), its defaults as ``(name, factory or None, value)`` in declaration order, and what
    gives it a new id (``None``: never generated)."""

    __slots__ = ("allowed", "defaults", "fillable", "new_id", "primary_key")

    def __init__(self, cls: type[HasAttributes]) -> None:
        definition = cls.__definition__
        self.primary_key = definition.primary_key
        self.new_id = id_maker(definition)
        info = ModelInfo.of(cls.__registry__, definition.name)
        self.allowed = info.allowed
        self.fillable = info.allowed - protected_names(definition)
        defaults: list[tuple[str, Callable[[], Any] | None, Any]] = []
        for attribute in cls._defaulted():
            spec = cls.__attribute_specs__.get(attribute.name)
            if spec is not None and spec.has_default:
                defaults.append((attribute.name, spec.make_default, None))
            else:
                defaults.append((attribute.name, None, attribute.default))
        self.defaults = tuple(defaults)


def _compile_snapshot(
    model: str, check: list[str], kinds: Mapping[str, str], allowed: frozenset[str]
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``snapshot()`` of the stored names of freshly read values, as one function: values
    shared, then each name of ``check`` copied unless scalar (a list or map of scalars and a
    set copied in C); a value nested too deeply falls back to ``snapshot`` (which names it)."""
    lines = ["def original(values):", "    o = values.copy()", "    try:"]
    for name in check:
        key = repr(name)
        lines.append(f"        v = o.get({key})")
        if kinds.get(name) in ("list", "map"):
            members = "v" if kinds[name] == "list" else "v.values()"
            exact = "list" if kinds[name] == "list" else "dict"
            lines += [
                f"        if type(v) is {exact}:",
                f"            for x in {members}:",
                "                if type(x) not in S:",
                f"                    o[{key}] = fast(v, {key}, model, 1)",
                "                    break",
                "            else:",
                f"                o[{key}] = v.copy()",
                f"        elif type(v) not in S: o[{key}] = fast(v, {key}, model, 1)",
            ]
        elif kinds.get(name) in ("string_set", "number_set", "binary_set"):
            lines.append(f"        if type(v) is set: o[{key}] = set(v)")
            lines.append(f"        elif type(v) not in S: o[{key}] = fast(v, {key}, model, 1)")
        else:
            lines.append(f"        if type(v) not in S: o[{key}] = fast(v, {key}, model, 1)")
    lines += [
        "    except TooDeep:",
        "        return snapshot({k: v for k, v in values.items() if k in allowed}, model)",
        "    if not allowed.issuperset(o):  # attributes another tool wrote: not tracked",
        "        o = {k: v for k, v in o.items() if k in allowed}",
        "    return o",
    ]
    scope: dict[str, Any] = {
        "S": _SCALARS,
        "fast": _fast_copy,
        "TooDeep": _TooDeepError,
        "snapshot": snapshot,
        "model": model,
        "allowed": allowed,
    }
    exec(compile("\n".join(lines), f"<{model} snapshot>", "exec"), scope)
    original: Callable[[dict[str, Any]], dict[str, Any]] = scope["original"]
    return original


_IMMUTABLE_TYPES = frozenset(
    {"string", "integer", "number", "decimal", "boolean", "datetime", "date", "binary"}
)


def _immutable(attribute: AttributeDefinition) -> bool:
    """Whether the values the decoder gives for ``attribute`` are always immutable."""
    return attribute.type in _IMMUTABLE_TYPES


class HasAttributes:
    """Attribute storage: construction with defaults and a generated id, reads and writes of
    stored names (unknown ones refused with a did-you-mean), the item and hydration."""

    __slots__ = ()

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]
    __attribute_specs__: ClassVar[dict[str, Any]]

    #: Per model class (set by :meth:`_install_hooks` when the class is defined): readers
    #: (casts' ``get`` then accessors), writers (mutators then casts' ``set``) and the names
    #: of computed attributes (accessors of names that are not stored).
    _getters: ClassVar[dict[str, Hook]] = {}
    _setters: ClassVar[dict[str, Hook]] = {}
    _computed: ClassVar[frozenset[str]] = frozenset()

    if TYPE_CHECKING:

        @property
        def _state(self) -> ModelState: ...

        @classmethod
        def _guard(cls, values: Mapping[str, Any]) -> None: ...

        @classmethod
        def _check_names(cls, values: Mapping[str, Any]) -> None: ...

    def __init__(self, **values: Any) -> None:
        """A new, unsaved instance. Unknown names and guarded attributes are refused
        (:class:`MassAssignmentError`): set guarded ones explicitly or use ``force_fill``."""
        self._initialise(values, guarded=True)

    def _initialise(self, values: dict[str, Any], *, guarded: bool) -> None:
        cls = type(self)
        made = cls._construction()
        # The usual case in one set test: every name known (and fillable when guarded).
        if not (made.fillable if guarded else made.allowed).issuperset(values):
            if guarded:
                cls._guard(values)  # raises, naming the name
            else:
                cls._check_names(values)
        if cls._setters:
            self._initialise_through_setters(values)
            return
        for name, make, default in made.defaults:
            if name not in values:
                if make is not None:
                    default = make()
                # A copy: a mutable default (a list, a set) must not be shared by instances.
                values[name] = default if type(default) in _SCALARS else copy.deepcopy(default)
        new_id = made.new_id
        if new_id is not None and values.get(made.primary_key) is None:
            values[made.primary_key] = new_id()
        object.__setattr__(self, "_model_state", ModelState(values))

    def _initialise_through_setters(self, values: dict[str, Any]) -> None:
        """:meth:`_initialise` for a model with mutators or casts: given values, then the
        defaults of the others, are assigned through them."""
        cls = type(self)
        object.__setattr__(self, "_model_state", ModelState({}))
        self._assign(values)
        defaults: dict[str, Any] = {}
        for attribute in cls._defaulted():
            if attribute.name not in values:
                spec = cls.__attribute_specs__.get(attribute.name)
                has_spec_default = spec is not None and spec.has_default
                default = spec.make_default() if spec and has_spec_default else attribute.default
                defaults[attribute.name] = (
                    default if type(default) in _SCALARS else copy.deepcopy(default)
                )
        self._assign(defaults)
        definition = cls.__definition__
        stored = self._state.values
        if stored.get(definition.primary_key) is None and assigns_ids(definition):
            stored[definition.primary_key] = generate_id(definition)

    @classmethod
    def _install_hooks(cls, casts: Mapping[str, CastsAttributes]) -> None:
        """Compile the class's readers and writers from its custom casts and the
        ``@accessor``/``@mutator`` methods of its classes (once, when the class is defined)."""
        accessors, mutators, _ = declared_hooks(cls.__mro__)
        getters: dict[str, Hook] = {}
        setters: dict[str, Hook] = {}
        for name in {*casts, *accessors}:
            cast_get = getattr(casts.get(name), "get", None)
            getters[name] = _reader(name, cast_get, accessors.get(name))
        for name in {*casts, *mutators}:
            cast_set = getattr(casts.get(name), "set", None)
            mutate = mutators[name].function if name in mutators else None
            if cast_set is not None or mutate is not None:
                setters[name] = _writer(name, mutate, cast_set)
        type.__setattr__(cls, "_getters", getters)
        type.__setattr__(cls, "_setters", setters)
        type.__setattr__(cls, "_computed", frozenset(computed_names(cls.__mro__)))

    def _assign(self, values: Mapping[str, Any]) -> None:
        """Set ``values`` as assignment does: through mutators and casts' ``set`` (a mutator
        of a computed name sets the stored values it returns). Names are not checked here."""
        cls = type(self)
        stored = self._state.values
        setters = cls._setters
        if setters.keys().isdisjoint(values) and cls._computed.isdisjoint(values):
            stored.update(values)
            return
        names = cls._name_set()[1]
        for name, value in values.items():
            setter = setters.get(name)
            if setter is None:
                if name in cls._computed and name not in names:
                    raise AttributeError(
                        f"{cls.__definition__.name}.{name} is computed (an @accessor); add a "
                        f"@mutator({name!r}) to make it assignable"
                    )
                stored[name] = value
            elif name in names:
                stored[name] = setter(self, value)
            else:
                where = f"{cls.__definition__.name} @mutator({name!r})"
                self._assign(as_mapping(setter(self, value), where))

    def get_attribute(self, name: str) -> Any:
        """The value reads give for ``name``: a stored attribute with its cast's ``get`` and
        accessor applied (``None`` while unset), or a computed attribute (``@accessor``).
        Unknown names raise :class:`AttributeError` with a did-you-mean."""
        cls = type(self)
        if name in cls._name_set()[1]:
            return self._read_attribute(name)
        getter = cls._getters.get(name)
        if getter is not None:
            return getter(self, None)
        raise cls._unknown(name)

    def attributes_to_dict(self) -> dict[str, Any]:
        """Every stored name with :meth:`get_attribute`'s value (hidden ones included: the
        serialiser leaves those out), in :meth:`_names` order."""
        values = self._state.values
        getters = type(self)._getters
        if not getters:
            return {name: values.get(name) for name in type(self)._names()}
        return {
            name: values.get(name) if name not in getters else getters[name](self, values.get(name))
            for name in type(self)._names()
        }

    @classmethod
    def _unknown(cls, name: str) -> AttributeError:
        names = [*cls._names(), *cls._computed, *_relation_names(cls)]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return AttributeError(f"{cls.__definition__.name} has no attribute {name!r}{hint}")

    @classmethod
    def _construction(cls) -> Construction:
        """What the constructor needs, derived once per registry resolution."""
        return cls.__registry__.derived((Construction, cls), lambda: Construction(cls))

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
        """A stored name's value as reads give it (cast and accessor applied); ``None``
        while it is not set (never stored as such)."""
        getter = type(self)._getters.get(name)
        if getter is None:
            return self._state.values.get(name)
        return getter(self, self._state.values.get(name))

    if not TYPE_CHECKING:
        # Hidden from type checkers, so a misspelled attribute is a type error rather than
        # ``Any``; the mypy plugin (``dynamodb_tooling.mypy``) declares the names read here.

        def __getattr__(self, name: str) -> Any:
            # Only reached when normal lookup fails: foreign keys, timestamps, version, unknowns.
            if name.startswith("__") or name == "_model_state":
                raise AttributeError(name)
            cls = type(self)
            if not hasattr(cls, "__definition__"):  # an abstract base
                raise AttributeError(f"{cls.__name__} has no attribute {name!r}")
            if name in cls._name_set()[1]:
                return self._read_attribute(name)
            getter = cls._getters.get(name)  # a computed attribute declared @accessor("name")
            if getter is not None:
                return getter(self, None)
            relation = cls._relation_named(name)  # derived from the other side (team.users)
            if relation is not None:
                return relation.value_for(self)
            raise cls._unknown(name)

    if not TYPE_CHECKING:
        # Also hidden: a class with ``__setattr__`` lets type checkers accept assignment to
        # any name, so ``user.nmae = "x"`` would pass unnoticed.

        def __setattr__(self, name: str, value: Any) -> None:
            """``user.role = "admin"`` sets a stored value (guarded ones too: this is explicit);
            an unknown public name is refused with a did-you-mean rather than silently lost."""
            cls = type(self)
            if name in cls._name_set()[1]:
                setter = cls._setters.get(name)
                self._state.values[name] = value if setter is None else setter(self, value)
            elif name in cls._setters:  # a mutator of a computed name
                self._assign({name: value})
            elif name.startswith("_") or hasattr(cls, name):
                object.__setattr__(self, name, value)
            elif (relation := cls._relation_named(name)) is not None:
                relation.assign(self, value)  # a derived relation (post.user = ada)
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
        plan = cls._hydration()
        values = plan.read(item)
        if cls.__definition__.primary_key not in values:
            values = cls._id_from_key(item, values)
        instance = cls.__new__(cls)
        state = ModelState(values)
        object.__setattr__(instance, "_model_state", state)
        state.original = plan.original(values)
        state.exists = True
        return instance

    @classmethod
    def _hydration(cls) -> Hydration:
        """The model's compiled reader and snapshot (once per registry resolution)."""
        return cls.__registry__.derived((Hydration, cls), lambda: Hydration(cls))

    @classmethod
    def _id_from_key(cls, item: Mapping[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """The id of an item another tool wrote without the id attribute, read from its sort
        key (``USER#u1`` → ``u1``: ids never contain the delimiter); unchanged when the key
        does not end with this model's own token and id."""
        definition = cls.__definition__
        declared = definition.attribute(definition.primary_key)
        if declared is not None and declared.type != "string":
            return values
        keys = cls.__registry__.keys
        sk = item.get(keys.design.sort_key_name)
        head, _, own = sk.rpartition(keys.delimiter) if isinstance(sk, str) else ("", "", "")
        if own and (head + keys.delimiter).endswith(keys.sk_token(definition.name)):
            return {**values, definition.primary_key: own}
        return values

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        mine, theirs = self.to_values(), other.to_values()
        return {k: v for k, v in mine.items() if v is not None} == {
            k: v for k, v in theirs.items() if v is not None
        }

    __hash__ = None  # type: ignore[assignment]


def _reader(name: str, cast_get: Any, accessor: Hook | None) -> Hook:
    """``(instance, stored) -> value``: the cast's ``get``, then the accessor."""
    if cast_get is None:
        assert accessor is not None
        return accessor
    if accessor is None:
        return lambda instance, value: cast_get(
            instance, name, value, MappingProxyType(instance._state.values)
        )
    return lambda instance, value: accessor(
        instance, cast_get(instance, name, value, MappingProxyType(instance._state.values))
    )


def _writer(name: str, mutate: Hook | None, cast_set: Any) -> Hook:
    """``(instance, value) -> stored``: the mutator, then the cast's ``set``."""
    if cast_set is None:
        assert mutate is not None
        return mutate
    if mutate is None:
        return lambda instance, value: cast_set(
            instance, name, value, MappingProxyType(instance._state.values)
        )
    return lambda instance, value: cast_set(
        instance, name, mutate(instance, value), MappingProxyType(instance._state.values)
    )


def _relation_names(cls: Any) -> list[str]:
    """The model's relations (declared or derived), for did-you-mean hints; none while the
    registry cannot resolve yet."""
    try:
        found: list[str] = cls.relation_names()
    except Exception:  # a model of the relation is not defined yet: no hint from relations
        return []
    return found
