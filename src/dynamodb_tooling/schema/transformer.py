"""EntityTransformer: model values ↔ the full DynamoDB item (as Python values).

``to_item`` validates and casts values by their declared types, then adds pk/sk, the entity
type, every derived GSI/LSI key, timestamps and the version; ``from_item`` strips every
internal attribute and casts stored values back to Python types.

>>> transformer.to_item("Post", {"id": "p1", "user_id": "u1", "title": "Hi"})  # doctest: +SKIP
{'pk': 'POST#p1', 'sk': 'POST#p1', '_et': 'Post', 'gsi1pk': 'USER#u1', ..., 'title': 'Hi'}
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from dynamodb_tooling.config import Config
from dynamodb_tooling.schema import traits
from dynamodb_tooling.schema.casts import (
    SET_TYPES,
    AttributeCastError,
    as_utc,
    compile_decoder,
    compile_encoder,
    from_timestamp,
    parse_datetime,
    plain_type,
    refuse_naive,
    values_equal,
)
from dynamodb_tooling.schema.definitions import AttributeDefinition, ModelDefinition
from dynamodb_tooling.schema.errors import SchemaError
from dynamodb_tooling.schema.ids import _ulid_text as _ulid_text
from dynamodb_tooling.schema.registry import Registry
from dynamodb_tooling.schema.traits import generate_id as generate_id

#: What ``utc_now`` reads instead of the system clock while one is set (``set_clock``).
_clock_override: Callable[[], datetime] | None = None


def utc_now() -> datetime:
    """The current time as an aware UTC datetime: the system clock, or the clock set with
    :func:`set_clock` (``dynamodb_tooling.testing.freeze_time`` is the supported way)."""
    override = _clock_override
    return datetime.now(UTC) if override is None else override()


def clock_is_set() -> bool:
    """Whether :func:`set_clock` replaced the system clock (hot paths then call ``utc_now``)."""
    return _clock_override is not None


def set_clock(clock: Callable[[], datetime] | None) -> Callable[[], datetime] | None:
    """Make every timestamp the library stamps (``created_at``, ``updated_at``,
    ``deleted_at``, ...) read ``clock`` (``None``: the system clock again); returns the clock
    it replaces. ``clock`` must return aware UTC datetimes. Process-wide, for tests."""
    global _clock_override
    previous, _clock_override = _clock_override, clock
    return previous


def _managed(definition: ModelDefinition, config: Config) -> tuple[str, ...]:
    """The attributes the model's traits maintain (timestamps, soft delete, version...)."""
    return traits.managed_attributes(definition, config)


class ModelInfo:
    """What the hot paths need to know about one model, derived once per registry resolution
    (:meth:`Registry.derived`: rebuilt when a model registers or the configuration changes):
    names, attributes by name, the compiled casts of every attribute."""

    __slots__ = (
        "allowed",
        "attributes",
        "decoders",
        "definition",
        "empty_sets",
        "encoders",
        "entity_type_attribute",
        "inserting",
        "internal",
        "managed",
        "passthrough",
        "plain_types",
        "reader",
        "reads",
        "required",
        "scope",
        "stamped",
        "timestamps",
    )

    def __init__(self, registry: Registry, model: str) -> None:
        config = registry.config
        entity = registry.schema.entity(model)
        definition = entity.model
        self.definition = definition
        self.attributes: dict[str, AttributeDefinition] = {}
        for attribute in definition.attributes:  # the first of a name wins, as a scan would
            self.attributes.setdefault(attribute.name, attribute)
        self.managed = _managed(definition, config)
        names = {definition.primary_key, *(a.name for a in definition.attributes)}
        names |= {link.foreign_key for link in entity.parents}
        names |= {link.foreign_key for link in entity.ancestry}
        names |= {name for m in entity.morphs for name in (m.type_attribute, m.id_attribute)}
        self.allowed: frozenset[str] = frozenset(names | set(self.managed))
        self.internal = registry.keys.internal_attributes()
        #: Managed attributes whose values are normalised to the timestamp format on write.
        self.stamped = traits.timestamp_attributes(definition, config)
        #: Managed attributes holding timestamps (cast back to datetimes when read).
        self.timestamps = frozenset(self.stamped)
        #: The attribute whose presence marks an item as out of default reads (soft deletes).
        self.scope = traits.read_scope(definition, config)
        #: The model's traits that set values on new items (timestamps, version...).
        self.inserting = traits.hooked(definition, "on_insert")
        self.required = tuple(a.name for a in definition.attributes if a.required)
        self.empty_sets = tuple(
            a.name for a in definition.attributes if a.type in SET_TYPES and not a.nullable
        )
        naive = config.query_builder.naive_datetimes
        self.encoders = {
            name: compile_encoder(a, definition.name, naive) for name, a in self.attributes.items()
        }
        self.decoders = {
            name: compile_decoder(a, definition.name) for name, a in self.attributes.items()
        }
        #: Attributes whose value of exactly this type is stored and read as it is (what
        #: their encoder and decoder return for it): no call needed.
        self.plain_types = {
            name: kind for name, a in self.attributes.items() if (kind := plain_type(a)) is not None
        }
        self.entity_type_attribute = config.single_table_design.entity_type_attribute
        #: How ``from_item`` reads a name that is not internal: ``(type read as it is, its
        #: decoder)`` for declared attributes, ``(None, None)`` for timestamps (parsed unless
        #: None); names not here are read as they are.
        no_cast: tuple[type | None, Callable[[Any], Any] | None] = (None, None)
        self.reads = dict.fromkeys(self.timestamps, no_cast)
        for name, decode in self.decoders.items():
            self.reads[name] = (self.plain_types.get(name), decode)
        #: Names whose value, written unchanged (the same object as given), reads back as
        #: that very object: plain string/integer/boolean/any attributes, the key, foreign
        #: keys and counters (what ``from_item`` would give for them is what was sent), and
        #: decimals (a finite ``Decimal`` is written as given and reads back equal).
        plain = {
            name
            for name, a in self.attributes.items()
            if not a.hidden
            and a.python_type is None
            and a.type in ("string", "integer", "boolean", "decimal", "any", "json")
        }
        self.passthrough = frozenset(
            plain | (self.allowed - self.attributes.keys() - self.timestamps)
        )
        #: ``item -> values``: :meth:`EntityTransformer.read_values`, compiled for this model.
        self.reader = compile_reader(self, config.query_builder.timestamp_format)

    @classmethod
    def of(cls, registry: Registry, model: str) -> ModelInfo:
        """The model's info for the registry's current resolution (built on first use)."""
        return registry.derived((cls, model), lambda: cls(registry, model))


def transformer_of(registry: Registry) -> EntityTransformer:
    """The registry's shared transformer (with the real clock), cached per resolution."""
    return registry.derived(EntityTransformer, lambda: EntityTransformer(registry))


class EntityTransformer:
    """Turns model values into items and back, for the models of ``registry``."""

    def __init__(self, registry: Registry, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.registry = registry
        self.clock = clock
        #: The last ISO string read_timestamp() parsed, and what it read (by identity).
        self._last_read: tuple[object, datetime] = (None, datetime.min)
        #: Per model: its info and its compiled ``written_values`` (:func:`compile_written`).
        self._written: dict[str, tuple[ModelInfo, Any]] = {}

    @property
    def config(self) -> Config:
        return self.registry.config

    def info(self, model: str) -> ModelInfo:
        return ModelInfo.of(self.registry, model)

    # Names.
    def internal_attributes(self) -> frozenset[str]:
        """Key and bookkeeping attributes that never reach model values."""
        return self.registry.keys.internal_attributes()

    def managed_attributes(self, definition: ModelDefinition) -> list[str]:
        """Attributes the library maintains for a model (timestamps, soft delete, version...)."""
        if definition.name in self.registry and self.registry.model(definition.name) is definition:
            return list(self.info(definition.name).managed)
        return list(_managed(definition, self.config))

    def ttl_attribute(self, definition: ModelDefinition) -> str:
        """The model's TTL attribute (its ``ttl`` trait's, else the configured one)."""
        found = traits.expiry_attribute(definition, self.config.ttl.attribute_name)
        return found or self.config.ttl.attribute_name

    def allowed_names(self, model: str) -> set[str]:
        return set(self.info(model).allowed)

    # Python → item.
    def to_item(
        self, model: str, values: Mapping[str, Any], *, touch: bool = True
    ) -> dict[str, Any]:
        """The full item for ``values`` of ``model`` (Python values; marshal to write it).

        With ``touch``, timestamps are set (``created_at`` only when absent) and a versioned
        model gets ``_v = 1`` when it has none.
        """
        self.registry.model(model)  # an unknown model is named as such
        info = self.info(model)
        definition = info.definition
        if not info.allowed.issuperset(values):
            self._check_names(model, values)
        for name in info.required:  # _check_required(), its loop only run to say what misses
            if values.get(name) is None:
                self._check_required(definition, values)
                break
        encoders, plain = info.encoders, info.plain_types
        stored: dict[str, Any] = {}
        unset = False  # whether a value is stored as no attribute (None)
        for name, value in values.items():
            if type(value) is plain.get(name):
                stored[name] = value  # what its encoder gives for it
                continue
            encode = encoders.get(name)
            if encode is not None:
                value = encode(value)
            if value is None:
                unset = True
            stored[name] = value
        self._manage(definition, stored, touch=touch, info=info)
        scope = info.scope
        deleted = scope is not None and stored.get(scope) is not None
        keys = self.registry.keys.item_keys(model, stored, deleted=deleted)
        if unset:
            stored = {k: v for k, v in stored.items() if v is not None}
        stored.update(keys)
        return stored

    def _check_names(self, model: str, values: Mapping[str, Any]) -> None:
        allowed = self.info(model).allowed
        if allowed.issuperset(values):
            return
        for name in values:
            if name not in allowed:
                close = difflib.get_close_matches(name, sorted(allowed), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise AttributeCastError(
                    f"{model} has no attribute {name!r}{hint} (declare it on the model)"
                )

    def _check_required(self, definition: ModelDefinition, values: Mapping[str, Any]) -> None:
        missing = [name for name in self.info(definition.name).required if values.get(name) is None]
        if missing:
            names = ", ".join(missing)
            raise AttributeCastError(
                f"{definition.name} needs {names}: required (not nullable, no default); pass a "
                "value, or declare it Optional / give it a default"
            )

    def _manage(
        self,
        definition: ModelDefinition,
        stored: dict[str, Any],
        *,
        touch: bool,
        info: ModelInfo | None = None,
    ) -> None:
        info = info or self.info(definition.name)
        for name in info.stamped:
            if stored.get(name) is not None:
                stored[name] = self.timestamp(stored[name], f"{definition.name}.{name}")
        if touch and info.inserting:
            config, now = self.config, self.now
            for trait in info.inserting:
                trait.on_insert(definition, config, stored, now)

    def now(self) -> Any:
        """The clock's current time in the stored timestamp format."""
        return self.timestamp(self.clock())

    def parse_timestamp(self, value: Any, what: str = "timestamp") -> datetime:
        """A stored timestamp back to a UTC datetime; numbers are read in the configured unit."""
        fmt = self.config.query_builder.timestamp_format
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return from_timestamp(value, what, millis=fmt == "unix_ms")
        return as_utc(parse_datetime(value, what))

    def read_timestamp(self, value: Any, model: str, name: str) -> datetime:
        """``parse_timestamp(value, f"{model}.{name}")``; an ISO string (what is stored by
        default) is read without the configuration or the name."""
        if type(value) is str:
            last = self._last_read  # created_at and updated_at of a write: one string
            if last[0] is value:
                return last[1]
            try:
                moment = as_utc(datetime.fromisoformat(value))
            except ValueError:
                pass  # parse_timestamp words the error
            else:
                self._last_read = (value, moment)  # datetimes are immutable: safe to share
                return moment
        return self.parse_timestamp(value, f"{model}.{name}")

    def timestamp(self, moment: Any, what: str = "timestamp") -> str | int:
        """A timestamp in the configured format (ISO-8601 UTC string, unix s or unix ms); a
        naive datetime follows ``query_builder.naive_datetimes`` (``what`` names it)."""
        query = self.config.query_builder
        fmt = query.timestamp_format
        if query.naive_datetimes == "refuse" and isinstance(moment, datetime | str):
            refuse_naive(parse_datetime(moment, what), what)
        if type(moment) is datetime:  # what parse_timestamp gives for it, without its checks
            value = as_utc(moment)
            if fmt == "iso":
                return value.isoformat()  # as_utc's result is in UTC already
        else:
            value = self.parse_timestamp(moment)
        if fmt == "unix":
            return int(value.timestamp())
        if fmt == "unix_ms":
            return int(value.timestamp() * 1000)
        return value.astimezone(UTC).isoformat()

    def edge_item(
        self,
        pivot_name: str,
        *,
        owner_id: Any,
        other_id: Any,
        values: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The edge item linking two models of a many-to-many pair, with pivot attributes.

        ``owner_id`` is the id of the owning side (``pivot.owner``), ``other_id`` of the other
        (keyword-only: swapped ids would silently link the wrong items); ``values`` may only
        hold the pivot's declared attributes (e.g. ``{"granted_at": ...}``).
        """
        pivot = self.registry.schema.pivot(pivot_name)
        extra = self._pivot_values(pivot.name, pivot.attributes, values)
        keys = self.registry.keys.edge_keys(pivot, owner_id, other_id)
        links = {pivot.owner_key: owner_id, pivot.other_key: other_id}
        return {**keys, **links, **extra}

    def morph_edge_item(
        self,
        pivot_name: str,
        *,
        morph_type: str,
        morph_id: Any,
        target_id: Any,
        values: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The edge item of a polymorphic many-to-many (``Taggable``): its keys, the type's
        model name and id (``taggable_type="Post"``, ``taggable_id``), the target's id
        (``tag_id``) and the declared pivot attributes in ``values``.

        >>> transformer.morph_edge_item(  # doctest: +SKIP
        ...     "Taggable", morph_type="Post", morph_id="p1", target_id="t1")
        {'pk': 'POST#p1', 'sk': 'TAG#t1', 'gsi1pk': 'TAG#t1', 'gsi1sk': 'POST#p1', ...}
        """
        pivot = self.registry.schema.morph_pivot(pivot_name)
        extra = self._pivot_values(pivot.name, pivot.attributes, values)
        keys = self.registry.keys.morph_edge_keys(
            pivot, morph_type=morph_type, morph_id=morph_id, target_id=target_id
        )
        links = {
            pivot.type_attribute: morph_type,
            pivot.id_attribute: morph_id,
            pivot.target_key: target_id,
        }
        return {**keys, **links, **extra}

    @staticmethod
    def _pivot_values(
        pivot: str, declared: tuple[str, ...], values: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """``values`` of an edge's pivot attributes (unset ones dropped); refuses others."""
        given = dict(values or {})
        unknown = sorted(set(given) - set(declared))
        if unknown:
            allowed = ", ".join(declared) or "none are declared"
            raise AttributeCastError(
                f"{pivot} edges have no attribute(s) {', '.join(map(repr, unknown))} "
                f"(pivot attributes: {allowed}); declare them with pivot_attributes=(...)"
            )
        return {k: v for k, v in given.items() if v is not None}

    # Item → Python.
    def model_of(self, item: Mapping[str, Any]) -> str:
        entity_type = item.get(self.config.single_table_design.entity_type_attribute)
        if not isinstance(entity_type, str) or entity_type not in self.registry:
            raise SchemaError(f"the item's entity type {entity_type!r} is not a registered model")
        return entity_type

    def from_item(self, item: Mapping[str, Any], model: str | None = None) -> dict[str, Any]:
        """Model values of ``item``: internal attributes stripped, stored values cast back."""
        name = model or self.model_of(item)
        self.registry.model(name)  # an unknown model is named as such
        return self.read_values(item, name, self.info(name))

    def read_values(self, item: Mapping[str, Any], name: str, info: ModelInfo) -> dict[str, Any]:
        """:meth:`from_item` for the registered model ``name`` whose info is ``info`` (the
        model's compiled reader, :func:`compile_reader`)."""
        values: dict[str, Any] = info.reader(item)
        return values

    def read_values_general(
        self, item: Mapping[str, Any], name: str, info: ModelInfo
    ) -> dict[str, Any]:
        """:meth:`read_values` spelled out as a loop: what the compiled reader must equal."""
        internal, reads = info.internal, info.reads
        values: dict[str, Any] = {}
        for key, value in item.items():
            if key in internal:
                continue
            step = reads.get(key)
            if step is None:
                values[key] = value
            elif type(value) is step[0]:
                values[key] = value  # what its decoder gives for it
            elif step[1] is not None:
                values[key] = step[1](value)
            elif value is not None:  # a timestamp
                values[key] = self.read_timestamp(value, name, key)
            else:
                values[key] = value
        for key in info.empty_sets:
            if key not in values:
                values[key] = set()  # stored as no attribute (no empty sets)
        return values


def _timestamp_reader(fmt: str, model: str) -> Callable[[Any, str], datetime]:
    """``EntityTransformer.read_timestamp`` for the format ``fmt``: ISO strings parsed (the
    last one remembered: created_at and updated_at are often the same text), numbers read in
    the configured unit."""
    last: list[Any] = [None, None]

    def read(value: Any, name: str) -> datetime:
        if type(value) is str:
            if last[0] == value:
                moment: datetime = last[1]
                return moment
            try:
                moment = as_utc(datetime.fromisoformat(value))
            except ValueError:
                pass  # parse_datetime words the error
            else:
                last[0], last[1] = value, moment  # datetimes are immutable: safe to share
                return moment
        what = f"{model}.{name}"
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return from_timestamp(value, what, millis=fmt == "unix_ms")
        return as_utc(parse_datetime(value, what))

    return read


def compile_reader(info: ModelInfo, timestamp_format: str) -> Callable[[Mapping[str, Any]], Any]:
    """The model's hydration plan as one function (built once per model and resolution):
    the item copied and its internal attributes (keys, entity type) deleted, then each
    declared attribute and timestamp cast by its decoder unless its value is already what
    the decoder gives (a plain ``str``/``int``/``bool``, a finite ``Decimal``), lists, maps
    and sets copied in C, and empty sets filled in. Equal to
    :meth:`EntityTransformer.read_values_general`."""
    model = info.definition.name
    scope: dict[str, Any] = {
        "internal": info.internal,
        "Decimal": Decimal,
        "timestamp": _timestamp_reader(timestamp_format, model),
    }
    lines = [
        "def read(item):",
        "    values = dict(item)",
        "    for k in internal.intersection(item): del values[k]",
    ]
    for n, (name, (plain, decode)) in enumerate(info.reads.items()):
        key = repr(name)
        lines.append(f"    v = values.get({key})")
        if decode is None:  # a timestamp
            lines.append(f"    if v is not None: values[{key}] = timestamp(v, {key})")
            continue
        scope[f"d{n}"] = decode
        attribute = info.attributes[name]
        quick = not attribute.hidden and attribute.python_type is None
        if quick and attribute.type == "decimal":
            test = "type(v) is not Decimal or not v.is_finite()"
        elif quick and attribute.type in ("list", "map"):
            exact = "list" if attribute.type == "list" else "dict"
            lines.append(f"    if type(v) is {exact}: values[{key}] = v.copy()")
            lines.append(f"    elif v is not None: values[{key}] = d{n}(v)")
            continue
        elif quick and attribute.type in ("string_set", "number_set"):
            lines.append(f"    if type(v) is set: values[{key}] = set(v)")
            lines.append(f"    elif v is not None: values[{key}] = d{n}(v)")
            continue
        elif plain is not None:  # the usual case first: the value is of the plain type
            scope[f"t{n}"] = plain
            lines.append(f"    if type(v) is not t{n} and v is not None: values[{key}] = d{n}(v)")
            continue
        else:
            lines.append(f"    if v is not None: values[{key}] = d{n}(v)")
            continue
        lines.append(f"    if v is not None and ({test}): values[{key}] = d{n}(v)")
    for name in info.empty_sets:
        lines.append(f"    if {name!r} not in values: values[{name!r}] = set()")
    lines.append("    return values")
    exec(compile("\n".join(lines), f"<{model} reader>", "exec"), scope)
    reader: Callable[[Mapping[str, Any]], Any] = scope["read"]
    return reader


def written_values(
    transformer: EntityTransformer, model: str, sent: Mapping[str, Any], item: Mapping[str, Any]
) -> dict[str, Any]:
    """What ``transformer.from_item(item, model)`` gives for the item just written from
    ``sent``, except names whose value is the very object sent and reads back unchanged (the
    instance holds them already): timestamps, the version and cast values are absorbed.

    Compiled once per model and registry resolution (:func:`compile_written`): only the
    model's own names are looked at, never the key attributes. Equal, order of the new names
    included, to :func:`written_values_general` for an item built from ``sent``."""
    return written_function(transformer, model)(sent, item)


def written_function(
    transformer: EntityTransformer, model: str
) -> Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]:
    """``model``'s compiled :func:`written_values` (``(sent, item) -> values``), built once
    per model and registry resolution."""
    info = transformer.info(model)
    cached = transformer._written.get(model)
    if cached is None or cached[0] is not info:
        cached = transformer._written[model] = (info, compile_written(transformer, info))
    found: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]] = cached[1]
    return found


def compile_written(
    transformer: EntityTransformer, info: ModelInfo
) -> Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]:
    """:func:`written_values_general` of one model as one function. An insert's item holds
    the names sent plus the managed ones it set (``created_at``, ``updated_at``, the
    version) plus key attributes: the names the instance does not hold yet are the managed
    ones, so they come last, in the order the item has them (the order ``_manage`` sets
    them), then empty sets, as the general loop would add them."""
    model = info.definition.name
    managed = [name for name in info.managed if name not in info.internal]
    names = sorted(info.allowed - info.internal - set(managed))
    scope: dict[str, Any] = {"MISSING": _MISSING, "stamp": transformer.read_timestamp}
    lines = ["def written(sent, item):", "    values = {}", "    get = item.get"]
    for n, name in enumerate([*names, *managed]):
        key = repr(name)
        lines.append(f"    v = get({key}, MISSING)")
        test = "v is not MISSING"
        if name in info.passthrough:
            test += f" and v is not sent.get({key})"
        decode = info.decoders.get(name)
        if decode is not None:
            scope[f"d{n}"] = decode
            value = f"d{n}(v)"
        elif name in info.timestamps:
            test += " and v is not None"
            value = f"stamp(v, {model!r}, {key})"
        else:
            value = "v"
        lines.append(f"    if {test}: values[{key}] = {value}")
        if name in info.timestamps and decode is None:
            lines.append(f"    elif v is None: values[{key}] = v")
    for name in info.empty_sets:
        lines.append(f"    if {name!r} not in item: values[{name!r}] = set()")
    lines.append("    return values")
    exec(compile("\n".join(lines), f"<{model} written>", "exec"), scope)
    written: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]] = scope["written"]
    return written


_MISSING = object()


def written_values_general(
    transformer: EntityTransformer, model: str, sent: Mapping[str, Any], item: Mapping[str, Any]
) -> dict[str, Any]:
    """:func:`written_values` spelled out as a loop over the item."""
    info = transformer.info(model)
    internal, decoders, passthrough = info.internal, info.decoders, info.passthrough
    timestamps = info.timestamps
    values: dict[str, Any] = {}
    for key, value in item.items():
        if (sent.get(key) is value and key in passthrough) or key in internal:
            continue
        decode = decoders.get(key)
        if decode is not None:
            values[key] = decode(value)
        elif key in timestamps and value is not None:
            values[key] = transformer.read_timestamp(value, model, key)
        else:
            values[key] = value
    for key in info.empty_sets:
        if key not in item:
            values[key] = set()  # stored as no attribute (no empty sets)
    return values


def changed_values(original: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The values of ``current`` that differ from ``original`` (removed ones map to ``None``)."""
    changes = {
        k: v for k, v in current.items() if k not in original or not values_equal(original[k], v)
    }
    changes.update({k: None for k in original if k not in current})
    return changes
