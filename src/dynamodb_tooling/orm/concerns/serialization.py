"""Serialisation (Eloquent's ``HidesAttributes`` + ``toArray``/``toJson``): ``to_dict()`` and its
JSON mode, ``to_json()``, ``only``/``except_``, per-instance ``make_visible``/``make_hidden``,
class-level ``visible`` and ``appends``, loaded relations, the pydantic/FastAPI hooks and a
readable ``repr`` — none of which ever shows a hidden value or the instance's internals."""

from __future__ import annotations

import difflib
import inspect
import reprlib
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from dynamodb_tooling.errors import DynamoDBToolingError
from dynamodb_tooling.orm.accessors import Accessor
from dynamodb_tooling.orm.concerns.change_tracking import ModelState
from dynamodb_tooling.query.results import (
    DecimalMode,
    SerializationError,
    SerializationMode,
    check_serialization_options,
    dump_json,
    serialize_value,
    to_jsonable,
)
from dynamodb_tooling.schema import ModelDefinition, Registry, SchemaError
from dynamodb_tooling.schema.traits import read_scope

__all__ = ["DecimalMode", "SerializationError", "SerializationMode", "SerializesAttributes"]

_DECIMAL_MODES = ("str", "number")


@dataclass(frozen=True, slots=True)
class _Visibility:
    """One instance's ``make_visible``/``make_hidden`` overrides of its class's rules. Frozen:
    a change replaces it, so copies of an instance never share a mutable one."""

    hidden: frozenset[str]
    visible: frozenset[str] | None  # None: no whitelist


@dataclass(frozen=True, slots=True)
class _Plan:
    """A class's serialisation rules, derived once per registry resolution."""

    model: str
    names: tuple[str, ...]  # every stored name, in to_dict order
    hidden: frozenset[str]  # attribute(hidden=True)
    visible: frozenset[str] | None  # the class's `visible` whitelist (None: none)
    appends: tuple[str, ...]
    relations: tuple[str, ...]  # declared relation names
    known: tuple[str, ...]  # every name make_visible/only/except_ accept
    shown: tuple[str, ...]  # stored names shown by default (the fast path)
    shown_appends: tuple[str, ...]  # appends shown by default
    decimals: DecimalMode


#: Instances being serialised right now (by id): a relation that leads back to one of them
#: (``user.team.members`` holding ``user``) is serialised without its relations, not forever.
_SERIALISING: ContextVar[frozenset[int]] = ContextVar("_SERIALISING", default=frozenset())


class _ShortRepr(reprlib.Repr):
    """``reprlib`` with dates and times as ISO-8601 text (never cut in the middle)."""

    def repr_datetime(self, value: datetime, level: int) -> str:
        return value.isoformat()

    def repr_date(self, value: date, level: int) -> str:
        return value.isoformat()


_short = _ShortRepr()
_short.maxstring = 50
_short.maxother = 50
_short.maxlong = 40
_short.maxlist = _short.maxtuple = _short.maxset = _short.maxfrozenset = 5
_short.maxdict = 4
_short.maxlevel = 2
_short.fillvalue = "…"


class SerializesAttributes:
    """Serialisation rules of a model (Eloquent's ``$hidden``, ``$visible``, ``$appends``):

    - ``attribute(hidden=True)`` leaves an attribute out of every serialised form;
    - ``visible = ["id", "name"]`` (class level) is a whitelist: only these names are shown
      (hidden ones still are not; an empty list means no whitelist, as in Eloquent);
    - ``appends = ["full_name"]`` adds computed attributes (a ``@property``, or an accessor) to
      ``to_dict()``, after the stored ones;
    - ``json_decimals = "number"`` makes ``mode="json"`` write decimals as JSON numbers (the
      default ``"str"`` writes exact strings); set it on an abstract base for a whole app;
    - ``make_visible``/``make_hidden`` change one instance's rules.

    Relations loaded on an instance are serialised after its attributes, each model by its own
    rules. ``dict(user)``, pydantic and FastAPI serialise through the same rules.
    """

    __slots__ = ()

    __definition__: ClassVar[ModelDefinition]
    __registry__: ClassVar[Registry]

    visible: ClassVar[Sequence[str] | None] = None
    """Whitelist of serialised names (Eloquent's ``$visible``); ``None``/empty: every name."""
    appends: ClassVar[Sequence[str]] = ()
    """Computed attributes added to ``to_dict()`` (Eloquent's ``$appends``)."""
    json_decimals: ClassVar[DecimalMode] = "str"
    """How ``mode="json"`` writes ``Decimal`` values when a call does not say: ``"str"``
    (exact strings) or ``"number"`` (JSON numbers; a value a float would round is refused)."""

    if TYPE_CHECKING:

        @property
        def _state(self) -> ModelState: ...

        @classmethod
        def _names(cls) -> tuple[str, ...]: ...

        def __init__(self, **values: Any) -> None: ...

        def get_dirty(self) -> dict[str, Any]: ...

        def get_attribute(self, name: str) -> Any: ...

        def attributes_to_dict(self) -> dict[str, Any]: ...

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _check_class_options(cls)

    # -- the rules ---------------------------------------------------------------------------

    @classmethod
    def _serialization_plan(cls) -> _Plan:
        return cls.__registry__.derived(("serialization plan", cls), cls._build_serialization_plan)

    @classmethod
    def _build_serialization_plan(cls) -> _Plan:
        definition = cls.__definition__
        model = definition.name
        names = cls._names()
        hidden = frozenset(a.name for a in definition.attributes if a.hidden)
        relations = tuple(r.name for r in definition.relations)
        appends = tuple(cls.appends)
        for name in appends:
            if name in names or name in relations:
                raise SchemaError(
                    f"{model}.appends names {name!r}, which is already serialised (a stored "
                    f"attribute or a relation); remove it from appends"
                )
            _check_appended(cls, model, name)
        known = (*names, *appends, *relations)
        visible = frozenset(cls.visible) if cls.visible else None
        if visible is not None:
            for name in cls.visible or ():
                if name not in known:
                    raise SchemaError(
                        f"{model}.visible names {name!r}, which {model} does not have"
                        f"{_did_you_mean(name, known)} (visible lists stored attributes, "
                        "appends and relations)"
                    )
        shown = tuple(n for n in names if n not in hidden and (visible is None or n in visible))
        return _Plan(
            model=model,
            names=names,
            hidden=hidden,
            visible=visible,
            appends=appends,
            relations=relations,
            known=known,
            shown=shown,
            shown_appends=_shown(appends, hidden, visible),
            decimals=cls.json_decimals,
        )

    def _visibility(self, plan: _Plan) -> _Visibility:
        found: _Visibility | None = self.__dict__.get("_serialization_visibility")
        return found or _Visibility(plan.hidden, plan.visible)

    def _loaded_relations(self) -> Mapping[str, Any]:
        """THE hook where loaded relations join serialisation: relation name → loaded value (a
        model, a collection or list of models, or ``None``), as the relation descriptors read
        them (``instance.__dict__["_relations"]``), and relation counts (``with_count``:
        ``posts_count``), and a many-to-many result's ``pivot``. Relation loading (``with_``,
        ``load``) fills those mappings;
        everything else here follows from them."""
        loaded: Mapping[str, Any] = self.__dict__.get("_relations") or {}
        counts: Mapping[str, int] | None = self.__dict__.get("_counts")
        pivot = self.__dict__.get("pivot")  # a many-to-many result's edge (Eloquent's too)
        if not counts and pivot is None:
            return loaded
        extra = {"pivot": pivot.to_dict()} if pivot is not None else {}
        return {**loaded, **(counts or {}), **extra}

    def _read_appended(self, name: str) -> Any:
        """The value of an ``appends`` name: an ``@accessor`` through :meth:`get_attribute`,
        anything else (a ``@property``) as an attribute."""
        if isinstance(inspect.getattr_static(type(self), name, None), Accessor):
            return self.get_attribute(name)
        return getattr(self, name)

    def _shown_names(
        self, plan: _Plan
    ) -> tuple[Sequence[str], Sequence[str], Sequence[tuple[str, Any]]]:
        """The stored names, appends and loaded relations this instance shows, in order."""
        loaded = self._loaded_relations()
        overrides = self.__dict__.get("_serialization_visibility")
        if overrides is None and not loaded:
            return plan.shown, plan.shown_appends, ()
        rules = overrides or _Visibility(plan.hidden, plan.visible)
        hidden, visible = rules.hidden, rules.visible
        if overrides is None:
            stored, appends = plan.shown, plan.shown_appends
        else:
            stored, appends = (
                _shown(plan.names, hidden, visible),
                _shown(plan.appends, hidden, visible),
            )
        declared = plan.relations
        ordered = [*(r for r in declared if r in loaded), *(r for r in loaded if r not in declared)]
        relations = [(r, loaded[r]) for r in _shown(ordered, hidden, visible)]
        return stored, appends, relations

    # -- serialised forms --------------------------------------------------------------------

    def to_dict(
        self, *, mode: SerializationMode = "python", decimals: DecimalMode | None = None
    ) -> dict[str, Any]:
        """The instance as a dict (Eloquent's ``toArray``): every stored name (``None`` where
        unset), then ``appends``, then loaded relations — minus hidden names, and only the
        ``visible`` ones when the class (or ``make_visible``) whitelists. Keys (``pk``,
        ``sk``, GSI keys) and internal state never appear.

        ``mode="json"`` (pydantic's spelling) gives JSON types only: datetimes and dates in
        ISO-8601, ``Decimal`` as an exact string — or, with ``decimals="number"`` (or the class's
        ``json_decimals``), an ``int``/``float`` when that float reads back as the same decimal,
        and a :class:`SerializationError` when it would not (never a silent rounding) — sets as
        sorted lists, bytes in base64, Enums by value, UUIDs as strings.
        """
        plan = type(self)._serialization_plan()
        if mode == "python" and decimals is None:  # the usual call: nothing to check
            resolved = plan.decimals
        else:
            resolved = check_serialization_options(mode, decimals, plan.decimals)
        stored, appends, relations = self._shown_names(plan)
        return self._serialize(plan, stored, appends, relations, mode, resolved)

    def _serialize(
        self,
        plan: _Plan,
        stored: Sequence[str],
        appends: Sequence[str],
        relations: Sequence[tuple[str, Any]],
        mode: SerializationMode,
        decimals: DecimalMode,
    ) -> dict[str, Any]:
        values = self.attributes_to_dict()  # stored values as reads give them (accessors applied)
        model = plan.model
        if mode == "python":
            out = {name: values.get(name) for name in stored}
        else:
            out = {}
            scalars = _JSON_SCALARS
            for name in stored:
                value = values.get(name)
                out[name] = (
                    value
                    if type(value) in scalars
                    else to_jsonable(value, decimals, f"{model}.{name}", name)
                )
        for name in appends:
            out[name] = serialize_value(
                self._read_appended(name), mode, decimals, f"{model}.{name}"
            )
        if relations:
            seen = _SERIALISING.get()
            if id(self) in seen:  # a cycle back to this instance: its attributes only
                return out
            token = _SERIALISING.set(seen | {id(self)})
            try:
                for name, value in relations:
                    out[name] = serialize_value(value, mode, decimals, f"{model}.{name}")
            finally:
                _SERIALISING.reset(token)
        return out

    def to_json_dict(self, *, decimals: DecimalMode | None = None) -> dict[str, Any]:
        """``to_dict(mode="json")``: JSON types only, ready for ``json.dumps``."""
        return self.to_dict(mode="json", decimals=decimals)

    def to_json(
        self,
        *,
        decimals: DecimalMode | None = None,
        indent: int | None = None,
        sort_keys: bool = False,
    ) -> str:
        """``to_dict(mode="json")`` as JSON text (Eloquent's ``toJson``), written by orjson:
        compact by default, pretty with ``indent`` spaces, object keys sorted with
        ``sort_keys``."""
        return dump_json(
            self.to_dict(mode="json", decimals=decimals), indent=indent, sort_keys=sort_keys
        )

    def only(
        self, *names: str, mode: SerializationMode = "python", decimals: DecimalMode | None = None
    ) -> dict[str, Any]:
        """Just ``names`` of :meth:`to_dict`, in the order given (Eloquent's ``only``).

        A hidden name is refused rather than returned (:class:`SerializationError`): reveal it
        on purpose with ``make_visible(name)`` first. Unknown names and relations that are not
        loaded are refused too."""
        plan = type(self)._serialization_plan()
        resolved = check_serialization_options(mode, decimals, plan.decimals)
        _check_names(plan, names, "only")
        stored, appends, relations = self._shown_names(plan)
        loaded = dict(relations)
        shown = {*stored, *appends, *loaded}
        for name in names:
            if name in shown:
                continue
            if name in plan.relations and name not in self._loaded_relations():
                raise SerializationError(
                    f"{plan.model}.{name} is not loaded on this instance; load it with "
                    f"{plan.model}.with_({name!r}) before only({name!r})"
                )
            raise SerializationError(
                f"{plan.model}.{name} is hidden from serialisation, so only() does not return "
                f"it; reveal it on purpose with .make_visible({name!r}).only(...), or read "
                f"it as an attribute"
            )
        wanted = dict.fromkeys(names)
        result = self._serialize(
            plan,
            [n for n in stored if n in wanted],
            [n for n in appends if n in wanted],
            [(n, v) for n, v in relations if n in wanted],
            mode,
            resolved,
        )
        return {name: result[name] for name in wanted}

    def except_(
        self, *names: str, mode: SerializationMode = "python", decimals: DecimalMode | None = None
    ) -> dict[str, Any]:
        """:meth:`to_dict` without ``names`` (Eloquent's ``except``; ``except`` is a Python
        keyword). Unknown names are refused with a did-you-mean."""
        plan = type(self)._serialization_plan()
        resolved = check_serialization_options(mode, decimals, plan.decimals)
        _check_names(plan, names, "except_")
        dropped = frozenset(names)
        stored, appends, relations = self._shown_names(plan)
        return self._serialize(
            plan,
            [n for n in stored if n not in dropped],
            [n for n in appends if n not in dropped],
            [(n, v) for n, v in relations if n not in dropped],
            mode,
            resolved,
        )

    def make_visible(self, *names: str) -> Self:
        """Show ``names`` on this instance's serialised forms, hidden ones included (Eloquent's
        ``makeVisible``: removed from the hidden set, added to a ``visible`` whitelist when
        there is one). Returns the instance; other instances are not affected."""
        plan = type(self)._serialization_plan()
        _check_names(plan, names, "make_visible")
        rules = self._visibility(plan)
        visible = None if rules.visible is None else rules.visible | set(names)
        self._set_visibility(_Visibility(rules.hidden - set(names), visible))
        return self

    def make_hidden(self, *names: str) -> Self:
        """Hide ``names`` from this instance's serialised forms (Eloquent's ``makeHidden``).
        Returns the instance; other instances are not affected."""
        plan = type(self)._serialization_plan()
        _check_names(plan, names, "make_hidden")
        rules = self._visibility(plan)
        self._set_visibility(_Visibility(rules.hidden | set(names), rules.visible))
        return self

    def _set_visibility(self, rules: _Visibility) -> None:
        object.__setattr__(self, "_serialization_visibility", rules)

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """``dict(user) == user.to_dict()``: generic encoders (FastAPI's ``jsonable_encoder``)
        see the serialised values, never the instance's internals or hidden attributes."""
        return iter(self.to_dict().items())

    def __repr__(self) -> str:
        """``User(id='01J…', email='ada@example.com', password=<hidden>) [unsaved]``: the set
        attributes (long values shortened, hidden ones masked even after ``make_visible``),
        then the state when it is worth saying — unsaved, trashed, changed names, loaded
        relations."""
        cls = type(self)
        try:
            plan = cls._serialization_plan()
            state = self._state
            masked = plan.hidden | self._visibility(plan).hidden
            parts = []
            for name in plan.names:
                value = state.values.get(name)
                if value is not None:
                    shown = "<hidden>" if name in masked else _short.repr(value)
                    parts.append(f"{name}={shown}")
            notes = []
            if not state.exists:
                notes.append("unsaved")
            else:
                deleted_at = read_scope(cls.__definition__, cls.__registry__.config)
                if deleted_at is not None and state.values.get(deleted_at):
                    notes.append("trashed")
                changed = self.get_dirty()
                if changed:
                    notes.append("changed: " + ", ".join(changed))
            loaded = self._loaded_relations()
            if loaded:
                notes.append("loaded: " + ", ".join(loaded))
        except Exception:  # repr must not fail (debuggers, half-built objects)
            return f"<{cls.__name__} instance>"
        suffix = f" [{'; '.join(notes)}]" if notes else ""
        return f"{cls.__name__}({', '.join(parts)}){suffix}"

    # -- pydantic / FastAPI ------------------------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """Pydantic (and FastAPI) validate a model field from an instance or a dict of its
        attributes (mass assignment: guarded ones refused) and serialise it by ``to_dict()``
        (``mode="json"`` for JSON), so hidden attributes never appear."""
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
        plan = cls._serialization_plan()
        version = cls.__registry__.config.query_builder.version_attribute
        kinds: dict[str, str] = {a.name: a.type for a in definition.attributes}
        kinds[version] = "integer"
        types = dict(_JSON_TYPES)
        if plan.decimals == "number":
            types["decimal"] = {"type": "number"}
        properties: dict[str, Any] = {
            name: dict(types.get(kinds.get(name, "string"), {})) for name in plan.shown
        }
        for name in plan.shown_appends:
            properties[name] = {"readOnly": True}  # computed: any JSON value
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


_JSON_SCALARS = frozenset({str, int, bool, type(None)})

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


def _shown(
    names: Sequence[str], hidden: frozenset[str], visible: frozenset[str] | None
) -> tuple[str, ...]:
    return tuple(n for n in names if n not in hidden and (visible is None or n in visible))


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_names(plan: _Plan, names: tuple[str, ...], action: str) -> None:
    """Refuse what ``only``/``except_``/``make_visible``/``make_hidden`` cannot act on."""
    for name in names:
        if not isinstance(name, str):
            raise SerializationError(
                f"{plan.model}.{action}() takes attribute names as separate strings "
                f"({action}('name', 'email')), not {type(name).__name__} {name!r}"
            )
        if name not in plan.known:
            raise SerializationError(
                f"{plan.model}.{action}({name!r}): {plan.model} has no attribute, appended "
                f"attribute or relation {name!r}{_did_you_mean(name, plan.known)}"
            )


def _check_appended(cls: type, model: str, name: str) -> None:
    """An ``appends`` name must be readable: an ``@accessor`` or a ``@property`` (any class
    attribute but a plain method)."""
    found = inspect.getattr_static(cls, name, None)
    if inspect.isfunction(found):
        raise SchemaError(
            f"{model}.appends names {name!r}, a method; make it an @accessor (or a @property) "
            "so to_dict() can read it"
        )
    if found is None:
        raise SchemaError(
            f"{model}.appends names {name!r}, which {model} does not define; add an @accessor "
            f"(or a @property) named {name!r}, or remove it from appends"
        )


def _check_class_options(cls: type) -> None:
    """Class-level serialisation options are checked as the class is defined."""
    own = cls.__dict__
    where = cls.__name__
    hidden = own.get("hidden")
    if isinstance(hidden, list | tuple | set | frozenset):
        raise SchemaError(
            f"{where}.hidden = {hidden!r}: hide an attribute where it is declared, with "
            "`password: str | None = attribute(hidden=True)` (a class-level hidden list is "
            "not read, so it would hide nothing)"
        )
    for option in ("visible", "appends"):
        value = own.get(option)
        if value is None:
            continue
        if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
            raise SchemaError(
                f"{where}.{option} = {value!r}: expected a list of names, like "
                f"{option} = ['name', 'email']"
            )
        for name in value:
            if not isinstance(name, str):
                raise SchemaError(f"{where}.{option}: {name!r} is not an attribute name")
    decimals = own.get("json_decimals")
    if decimals is not None and decimals not in _DECIMAL_MODES:
        raise SchemaError(
            f"{where}.json_decimals = {decimals!r}: use 'str' (exact strings) or 'number' "
            "(JSON numbers)"
        )


def _pydantic_serialize(
    model: SerializesAttributes, info: core_schema.SerializationInfo
) -> dict[str, Any]:
    return model.to_dict(mode="json") if info.mode_is_json() else model.to_dict()
